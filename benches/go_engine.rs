//! End-to-end throughput of the `go` engine: every event JSON text is read into an `Event`, turned
//! into the Go engine's data once, and every hook whose filter matches renders its body (a Go
//! template parsed once per hook, or the default JSON body). `benches/go-baseline` does the same
//! work with Go's own `text/template` and `encoding/json`, for comparison.
//!
//! Two figures are printed: end to end (JSON text to bodies, what the target is about)
//! and render only (events decoded beforehand, templates and default bodies rendered), which
//! isolates the template engine from event decoding.
//!
//!     cargo bench --bench go_engine [-- ROUNDS]

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use hooktest::event::Event;
use hooktest::filter::{fires, EventKeys};
use hooktest::gojson::marshal_event;
use hooktest::hook::{Engine, Hook};
use hooktest::located::PathBuf;
use hooktest::project::HookEntry;
use hooktest::render::Renderer;
use hooktest::template::go::{GoBody, GoData};

fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(2000);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let hooks_json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("benches/go-baseline/hooks.json")).unwrap(),
    )
    .unwrap();
    let mut findings = Vec::new();
    let hooks: Vec<Hook> = hooks_json
        .as_array()
        .unwrap()
        .iter()
        .map(|h| Hook::from_json(h, &PathBuf::root(), &mut findings).unwrap())
        .collect();
    let bodies: Vec<Option<GoBody>> = hooks
        .iter()
        .map(|h| (!h.body.is_empty()).then(|| GoBody::parse(&h.body).unwrap()))
        .collect();
    let mut files: Vec<_> = std::fs::read_dir(root.join("tests/corpus/go/events"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let events: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();

    let mut renders = 0usize;
    let mut bytes = 0usize;
    let mut out = Vec::new();
    let start = Instant::now();
    for _ in 0..rounds {
        for text in &events {
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            let event = Event::from_json(&value, &PathBuf::root(), &mut findings).unwrap();
            findings.clear();
            let keys = EventKeys::new(&event);
            let data = GoData::new(&event);
            for (hook, body) in hooks.iter().zip(&bodies) {
                if !fires(&hook.event_filter, &keys) {
                    continue;
                }
                out.clear();
                match body {
                    Some(body) => body.execute_bytes(&data, &mut out).unwrap(),
                    None => {
                        if matches!(hook.effective_method().as_str(), "POST" | "PUT" | "PATCH") {
                            out.extend_from_slice(marshal_event(&event).as_bytes());
                        }
                    }
                }
                renders += 1;
                bytes += black_box(&out).len();
            }
        }
    }
    let elapsed = start.elapsed();
    println!(
        "hooktest go engine: {} events x {} hooks x {rounds} rounds: {renders} renders, {bytes} bytes in {elapsed:?}",
        events.len(),
        hooks.len()
    );
    println!(
        "hooktest go engine: end to end: {:.0} renders/s, {:.0} events/s",
        renders as f64 / elapsed.as_secs_f64(),
        (rounds * events.len()) as f64 / elapsed.as_secs_f64()
    );

    let decoded: Vec<(Event, GoData)> = events
        .iter()
        .map(|text| {
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            let event = Event::from_json(&value, &PathBuf::root(), &mut findings).unwrap();
            let data = GoData::new(&event);
            (event, data)
        })
        .collect();
    let mut renders = 0usize;
    let start = Instant::now();
    for _ in 0..rounds {
        for (event, data) in &decoded {
            let keys = EventKeys::new(event);
            for (hook, body) in hooks.iter().zip(&bodies) {
                if !fires(&hook.event_filter, &keys) {
                    continue;
                }
                out.clear();
                match body {
                    Some(body) => body.execute_bytes(data, &mut out).unwrap(),
                    None => {
                        if matches!(hook.effective_method().as_str(), "POST" | "PUT" | "PATCH") {
                            out.extend_from_slice(marshal_event(event).as_bytes());
                        }
                    }
                }
                renders += 1;
                black_box(&out);
            }
        }
    }
    let elapsed = start.elapsed();
    println!(
        "hooktest go engine: render only: {:.0} renders/s",
        renders as f64 / elapsed.as_secs_f64()
    );

    // The product's own path: the project's Renderer (matcher index, bodies compiled once,
    // per-event data built once, full requests with headers) over the decoded events.
    let entries: Vec<HookEntry> = hooks
        .iter()
        .map(|hook| HookEntry {
            hook: hook.clone(),
            engine: Engine::Go,
            file: "bench".into(),
            line: 1,
            column: 1,
            body_at: None,
            body_place: None,
            keys_at: Vec::new(),
        })
        .collect();
    let renderer = Renderer::new(entries, false);
    let mut renders = 0usize;
    let start = Instant::now();
    for _ in 0..rounds {
        for (i, (event, _)) in decoded.iter().enumerate() {
            for outcome in renderer.render_event(i, event, false) {
                renders += 1;
                black_box(outcome.request.expect("renders"));
            }
        }
    }
    let elapsed = start.elapsed();
    println!(
        "hooktest go engine: pipeline (Renderer, full requests): {:.0} renders/s",
        renders as f64 / elapsed.as_secs_f64()
    );
}
