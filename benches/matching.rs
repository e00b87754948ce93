//! Matching with thousands of hooks: the project's `Matcher` (hooks indexed by kind name, event
//! keys derived once) against testing every (hook, event) pair.
//!
//!     cargo bench --bench matching [-- HOOKS EVENTS]

use std::hint::black_box;
use std::time::Instant;

use hooktest::event::{Event, ExtraTarget, Kind, Target};
use hooktest::filter::{fires, EventKeys, Matcher};
use hooktest::hook::{EventFilter, Hook};

const KINDS: &[&str] = &[
    "app.deploy",
    "app.update",
    "app.update.env.set",
    "app.update.bind",
    "app.create",
    "app.delete",
    "pool.update",
    "node.create",
    "healer",
    "service-instance.create",
    "team.create",
    "job.run",
];

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse::<usize>().ok());
    let n_hooks = args.next().unwrap_or(5000);
    let n_events = args.next().unwrap_or(1000);
    let mut rng = fastrand::Rng::with_seed(7);
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let hooks: Vec<Hook> = (0..n_hooks)
        .map(|i| Hook {
            name: format!("hook-{i}"),
            event_filter: EventFilter {
                target_types: if rng.bool() { s(&["app"]) } else { vec![] },
                target_values: if rng.u8(..4) == 0 {
                    vec![format!("app-{}", rng.usize(..200))]
                } else {
                    vec![]
                },
                kind_types: vec![],
                kind_names: if rng.u8(..10) == 0 {
                    vec![]
                } else {
                    vec![KINDS[rng.usize(..KINDS.len())].to_string()]
                },
                error_only: rng.u8(..5) == 0,
                success_only: false,
            },
            ..Hook::default()
        })
        .collect();
    let events: Vec<Event> = (0..n_events)
        .map(|_| Event {
            target: Target {
                target_type: "app".into(),
                value: format!("app-{}", rng.usize(..200)),
            },
            extra_targets: Some(vec![ExtraTarget {
                target: Target {
                    target_type: "pool".into(),
                    value: "prod".into(),
                },
                lock: false,
            }]),
            kind: Kind {
                kind_type: "permission".into(),
                name: KINDS[rng.usize(..KINDS.len())].into(),
            },
            error: if rng.u8(..4) == 0 {
                "boom".into()
            } else {
                String::new()
            },
            ..Event::default()
        })
        .collect();

    let start = Instant::now();
    let matcher = Matcher::new(hooks.iter());
    let built = start.elapsed();
    let start = Instant::now();
    let mut indexed = 0;
    for e in &events {
        indexed += black_box(matcher.matching(&EventKeys::new(e))).len();
    }
    let indexed_time = start.elapsed();

    let start = Instant::now();
    let mut brute = 0;
    for e in &events {
        let keys = EventKeys::new(e);
        brute += hooks
            .iter()
            .filter(|h| fires(&h.event_filter, &keys))
            .count();
    }
    let brute_time = start.elapsed();
    assert_eq!(
        indexed, brute,
        "the index must fire exactly the hooks a full scan fires"
    );
    let pairs = (n_hooks * n_events) as f64;
    println!("matching: {n_hooks} hooks x {n_events} events = {pairs} pairs, {indexed} fire");
    println!("matching: index built in {built:?}");
    println!(
        "matching: indexed {indexed_time:?} ({:.1} M pairs/s), full scan {brute_time:?} ({:.1} M pairs/s)",
        pairs / indexed_time.as_secs_f64() / 1e6,
        pairs / brute_time.as_secs_f64() / 1e6
    );
}
