//! tsuru's matching: which hooks fire for an event (TSURU.md §3).
//!
//! The per-event candidate sets (types, values, kind-name prefixes) are computed once per event,
//! and the hooks are indexed by kind name once per project, so a large project does not test
//! every (hook, event) pair.

use std::collections::HashMap;

use crate::event::Event;
use crate::hook::{EventFilter, Hook};

/// What tsuru compares a hook's filter with, derived once per event.
#[derive(Debug, Clone)]
pub struct EventKeys<'e> {
    pub types: Vec<&'e str>,
    pub values: Vec<&'e str>,
    /// The kind name and every proper dot-prefix of it.
    pub kinds: Vec<&'e str>,
    pub kind_type: &'e str,
    pub success: bool,
    pub running: bool,
    pub error: &'e str,
}

impl<'e> EventKeys<'e> {
    pub fn new(event: &'e Event) -> EventKeys<'e> {
        let extras = event.extra_targets.as_deref().unwrap_or(&[]);
        let mut types = vec![event.target.target_type.as_str()];
        let mut values = vec![event.target.value.as_str()];
        for x in extras {
            types.push(&x.target.target_type);
            values.push(&x.target.value);
        }
        let name = event.kind.name.as_str();
        let mut kinds = vec![name];
        kinds.extend(name.match_indices('.').map(|(i, _)| &name[..i]));
        EventKeys {
            types,
            values,
            kinds,
            kind_type: &event.kind.kind_type,
            success: event.is_success(),
            running: event.running,
            error: &event.error,
        }
    }
}

fn ok(list: &[String], candidates: &[&str]) -> bool {
    list.is_empty() || list.iter().any(|x| candidates.contains(&x.as_str()))
}

/// Whether tsuru fires `filter` for the event.
pub fn fires(filter: &EventFilter, keys: &EventKeys) -> bool {
    reject_reason(filter, keys).is_none()
}

/// `None` when the hook fires; otherwise the first clause that rejects it, in words.
pub fn reject_reason(f: &EventFilter, keys: &EventKeys) -> Option<String> {
    if keys.running {
        return Some("the event is still running; tsuru fires only for finished events".into());
    }
    let clauses: [(&str, &[String], &[&str]); 4] = [
        ("target_types", &f.target_types, &keys.types),
        ("target_values", &f.target_values, &keys.values),
        (
            "kind_types",
            &f.kind_types,
            std::slice::from_ref(&keys.kind_type),
        ),
        ("kind_names", &f.kind_names, &keys.kinds),
    ];
    for (name, list, candidates) in clauses {
        if !ok(list, candidates) {
            return Some(format!(
                "{name} [{}] has none of [{}]",
                list.join(", "),
                candidates.join(", ")
            ));
        }
    }
    if keys.success && f.error_only {
        return Some("error_only, but the event succeeded".into());
    }
    if !keys.success && f.success_only {
        return Some(format!(
            "success_only, but the event failed: {:?}",
            keys.error
        ));
    }
    None
}

/// The hooks of a project indexed for matching.
pub struct Matcher {
    /// Each hook's filter, in hook order.
    filters: Vec<EventFilter>,
    /// Hook indices by each kind name their filter lists.
    by_kind: HashMap<String, Vec<usize>>,
    /// Hooks whose kind-name list is empty (they are candidates for every event).
    any_kind: Vec<usize>,
}

impl Matcher {
    pub fn new<'h>(hooks: impl IntoIterator<Item = &'h Hook>) -> Matcher {
        let mut by_kind: HashMap<String, Vec<usize>> = HashMap::new();
        let mut any_kind = Vec::new();
        let mut filters = Vec::new();
        for (i, hook) in hooks.into_iter().enumerate() {
            filters.push(hook.event_filter.clone());
            let names = &hook.event_filter.kind_names;
            if names.is_empty() {
                any_kind.push(i);
            }
            for name in names {
                let list = by_kind.entry(name.clone()).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
        Matcher {
            filters,
            by_kind,
            any_kind,
        }
    }

    /// Indices of the hooks that fire for the event, in hook order.
    pub fn matching(&self, keys: &EventKeys) -> Vec<usize> {
        if keys.running {
            return Vec::new();
        }
        let mut candidates: Vec<usize> = self.any_kind.clone();
        for kind in &keys.kinds {
            if let Some(list) = self.by_kind.get(*kind) {
                candidates.extend_from_slice(list);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates.retain(|&i| fires(&self.filters[i], keys));
        candidates
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{ExtraTarget, Kind, Target};

    fn hook(
        tt: &[&str],
        tv: &[&str],
        kt: &[&str],
        kn: &[&str],
        error_only: bool,
        success_only: bool,
    ) -> Hook {
        let s = |l: &[&str]| l.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        Hook {
            event_filter: EventFilter {
                target_types: s(tt),
                target_values: s(tv),
                kind_types: s(kt),
                kind_names: s(kn),
                error_only,
                success_only,
            },
            ..Hook::default()
        }
    }

    fn event(ty: &str, values: &[&str], kt: &str, kn: &str, error: bool) -> Event {
        Event {
            target: Target {
                target_type: ty.into(),
                value: values[0].into(),
            },
            extra_targets: (values.len() > 1).then(|| {
                values[1..]
                    .iter()
                    .map(|v| ExtraTarget {
                        target: Target {
                            target_type: ty.into(),
                            value: v.to_string(),
                        },
                        lock: false,
                    })
                    .collect()
            }),
            kind: Kind {
                kind_type: kt.into(),
                name: kn.into(),
            },
            error: if error { "boom".into() } else { String::new() },
            ..Event::default()
        }
    }

    /// The upstream vectors of TSURU.md §3.
    #[test]
    fn upstream_vectors() {
        let hooks = [
            hook(&["app"], &["myapp"], &[], &[], false, false),
            hook(&[], &[], &[], &[], true, false),
            hook(&[], &[], &[], &[], false, true),
            hook(&["app"], &["myapp"], &[], &[], true, false),
            hook(&["app"], &["myapp", "otherapp"], &[], &[], false, false),
            hook(
                &[],
                &[],
                &["permission"],
                &["app.deploy", "app.update"],
                false,
                false,
            ),
            hook(
                &["node"],
                &[],
                &[],
                &["node.create", "healer"],
                false,
                false,
            ),
            hook(
                &["app"],
                &["myapp"],
                &["permission"],
                &["app.deploy", "app.update"],
                true,
                false,
            ),
            hook(&["app"], &["otherapp"], &[], &[], false, false),
            hook(&[], &[], &["permission"], &["app.update"], false, false),
            hook(&[], &[], &[], &[], false, false),
        ];
        let matcher = Matcher::new(hooks.iter());
        let cases: [(Event, &[usize]); 7] = [
            (
                event("app", &["myapp"], "permission", "app.deploy", true),
                &[0, 1, 3, 4, 5, 7, 10],
            ),
            (
                event("app", &["myapp"], "permission", "app.deploy", false),
                &[0, 2, 4, 5, 10],
            ),
            (
                event("app", &["otherapp"], "permission", "app.deploy", false),
                &[2, 4, 5, 8, 10],
            ),
            (
                event(
                    "app",
                    &["anyapp"],
                    "permission",
                    "app.update.env.set",
                    false,
                ),
                &[2, 5, 9, 10],
            ),
            (
                event(
                    "node",
                    &["10.0.0.1", "10.0.0.2"],
                    "internal",
                    "healer",
                    false,
                ),
                &[2, 6, 10],
            ),
            (
                event(
                    "app",
                    &["myapp", "otherapp"],
                    "permission",
                    "app.update",
                    false,
                ),
                &[0, 2, 4, 5, 8, 9, 10],
            ),
            (
                event(
                    "app",
                    &["myapp", "otherapp"],
                    "permission",
                    "app.update",
                    true,
                ),
                &[0, 1, 3, 4, 5, 7, 8, 9, 10],
            ),
        ];
        for (event, expected) in cases {
            let keys = EventKeys::new(&event);
            assert_eq!(matcher.matching(&keys), expected, "{:?}", event.kind.name);
            let brute: Vec<usize> = (0..hooks.len())
                .filter(|&i| fires(&hooks[i].event_filter, &keys))
                .collect();
            assert_eq!(brute, expected);
        }
    }

    #[test]
    fn prefixes_are_proper_and_dot_bounded() {
        let e = event("app", &["x"], "permission", "app.update", false);
        let keys = EventKeys::new(&e);
        assert!(!fires(
            &hook(&[], &[], &[], &["app.update.env"], false, false).event_filter,
            &keys
        ));
        let e = event("app", &["x"], "permission", "app.deploy", false);
        let keys = EventKeys::new(&e);
        assert!(!fires(
            &hook(&[], &[], &[], &["app.dep"], false, false).event_filter,
            &keys
        ));
        assert!(fires(
            &hook(&[], &[], &[], &["app"], false, false).event_filter,
            &keys
        ));
    }

    #[test]
    fn reasons_name_the_clause() {
        let e = event("app", &["x"], "permission", "app.deploy", false);
        let keys = EventKeys::new(&e);
        let h = hook(&[], &[], &[], &["app.update"], false, false);
        assert_eq!(
            reject_reason(&h.event_filter, &keys).unwrap(),
            "kind_names [app.update] has none of [app.deploy, app]"
        );
        let h = hook(&[], &[], &[], &[], true, false);
        assert_eq!(
            reject_reason(&h.event_filter, &keys).unwrap(),
            "error_only, but the event succeeded"
        );
    }
}
