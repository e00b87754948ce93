//! The webhook definition in tsuru's wire format, plus hooktest's own `engine` key.

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::event::describe;
use crate::located::{Finding, PathBuf as JsonPath};

/// The template language of a hook's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// Go's `text/template`, as tsuru runs it.
    #[default]
    Go,
    /// Tera (Jinja-like), hooktest's own.
    Tera,
}

impl Engine {
    /// Parses `go` or `tera`.
    pub fn parse(text: &str) -> Option<Engine> {
        match text {
            "go" => Some(Engine::Go),
            "tera" => Some(Engine::Tera),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Engine::Go => "go",
            Engine::Tera => "tera",
        }
    }
}

/// tsuru's `WebhookEventFilter`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EventFilter {
    pub target_types: Vec<String>,
    pub target_values: Vec<String>,
    pub kind_types: Vec<String>,
    pub kind_names: Vec<String>,
    pub error_only: bool,
    pub success_only: bool,
}

/// A webhook: tsuru's `Webhook` type, key for key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Hook {
    pub name: String,
    pub description: String,
    pub team_owner: String,
    pub event_filter: EventFilter,
    pub url: String,
    pub proxy_url: String,
    /// Header names as written, each with its values in order.
    pub headers: IndexMap<String, Vec<String>>,
    pub method: String,
    pub body: String,
    pub insecure: bool,
    /// hooktest's own: the body's template language; `None` means the project default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<Engine>,
    /// hooktest's own: how requests are signed (serialised with the secret masked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing: Option<crate::signing::Signing>,
}

/// Keys of tsuru's wire format, in tsuru's order.
pub const HOOK_KEYS: &[&str] = &[
    "name",
    "description",
    "team_owner",
    "event_filter",
    "url",
    "proxy_url",
    "headers",
    "method",
    "body",
    "insecure",
];

const FILTER_KEYS: &[&str] = &[
    "target_types",
    "target_values",
    "kind_types",
    "kind_names",
    "error_only",
    "success_only",
];

impl Hook {
    /// The method tsuru sends with: upper-cased, `POST` when empty.
    ///
    /// Upper-cased as Go's `strings.ToUpper` does it, one character to one character (Unicode
    /// simple case mapping): `ß` and ligatures such as `ﬆ` stay as they are, where Rust's
    /// `to_uppercase` would turn `poﬆ` into a valid `POST`.
    pub fn effective_method(&self) -> String {
        if self.method.is_empty() {
            "POST".to_string()
        } else {
            self.method
                .chars()
                .map(|c| {
                    let mut upper = c.to_uppercase();
                    match (upper.next(), upper.next()) {
                        (Some(u), None) => u,
                        _ => c,
                    }
                })
                .collect()
        }
    }

    /// Reads a hook from a JSON value, collecting every problem as a finding at its path.
    ///
    /// Keys match case-insensitively, like Go's `encoding/json`; `null` keeps the zero value;
    /// unknown keys are warnings (tsuru ignores them); wrong types are errors.
    pub fn from_json(value: &Value, path: &JsonPath, findings: &mut Vec<Finding>) -> Option<Hook> {
        let before = findings.len();
        let obj = match value {
            Value::Object(o) => o,
            other => {
                let place = if path.is_root() {
                    "the file".to_string()
                } else {
                    format!("`{path}`")
                };
                findings.push(Finding::error(
                    path.clone(),
                    format!(
                        "{place} must be a hook object or a list of hook objects, found {}",
                        describe(other)
                    ),
                ));
                return None;
            }
        };
        let mut hook = Hook::default();
        for (key, v) in obj {
            let p = path.key(key);
            match canonical(key, HOOK_KEYS).or_else(|| canonical(key, &["engine", "signing"])) {
                Some("name") => string(v, &p, &mut hook.name, findings),
                Some("description") => string(v, &p, &mut hook.description, findings),
                Some("team_owner") => string(v, &p, &mut hook.team_owner, findings),
                Some("url") => string(v, &p, &mut hook.url, findings),
                Some("proxy_url") => string(v, &p, &mut hook.proxy_url, findings),
                Some("method") => string(v, &p, &mut hook.method, findings),
                Some("body") => string(v, &p, &mut hook.body, findings),
                Some("insecure") => boolean(v, &p, &mut hook.insecure, findings),
                Some("event_filter") => filter(v, &p, &mut hook.event_filter, findings),
                Some("headers") => headers(v, &p, &mut hook.headers, findings),
                Some("signing") => {
                    hook.signing = crate::signing::Signing::from_json(v, &p, findings)
                }
                Some("engine") => match v {
                    Value::Null => {}
                    Value::String(s) => match Engine::parse(s) {
                        Some(e) => hook.engine = Some(e),
                        None => findings.push(Finding::error(
                            p.clone(),
                            format!("unknown engine {s:?}: use \"go\" (tsuru's Go templates) or \"tera\""),
                        )),
                    },
                    other => findings.push(Finding::error(
                        p.clone(),
                        format!("`engine` must be \"go\" or \"tera\", found {}", describe(other)),
                    )),
                },
                _ => findings.push(Finding::warning(
                    p.clone(),
                    format!("unknown key `{key}` is ignored (tsuru ignores it too){}", suggest(key, HOOK_KEYS)),
                )),
            }
        }
        let failed = findings[before..]
            .iter()
            .any(|f| f.severity == crate::located::Severity::Error);
        (!failed).then_some(hook)
    }

    /// The hook in tsuru's list-API shape (every key present), plus `engine` and `signing` when
    /// set. An inline signing secret is masked: this is the form that is shown.
    pub fn to_wire_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Like [`Hook::to_wire_json`], but with the signing secret as written: the form written back
    /// to a hook file.
    pub fn to_file_json(&self) -> Value {
        let mut value = self.to_wire_json();
        if let (Some(signing), Value::Object(obj)) = (&self.signing, &mut value) {
            obj.insert("signing".into(), signing.to_json(false));
        }
        value
    }
}

/// A " (did you mean `x`?)" hint for a misspelt key, or nothing.
pub fn suggest(word: &str, known: &[&str]) -> String {
    closest(word, known.iter().copied())
        .map(|k| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default()
}

/// The known word closest to `word`, when it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    known
        .map(|k| (levenshtein(&lower, &k.to_lowercase()), k))
        .filter(|(d, k)| *d <= (k.chars().count() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

fn canonical(key: &str, known: &[&'static str]) -> Option<&'static str> {
    known
        .iter()
        .find(|k| **k == key)
        .or_else(|| known.iter().find(|k| crate::event::go_fold_eq(key, k)))
        .copied()
}

fn string(v: &Value, p: &JsonPath, out: &mut String, findings: &mut Vec<Finding>) {
    match v {
        Value::String(s) => *out = s.clone(),
        Value::Null => {}
        other => findings.push(Finding::error(
            p.clone(),
            format!("`{p}` must be a string, found {}", describe(other)),
        )),
    }
}

fn boolean(v: &Value, p: &JsonPath, out: &mut bool, findings: &mut Vec<Finding>) {
    match v {
        Value::Bool(b) => *out = *b,
        Value::Null => {}
        other => findings.push(Finding::error(
            p.clone(),
            format!("`{p}` must be true or false, found {}", describe(other)),
        )),
    }
}

/// Reads a list of strings into `out`, replacing what it held: Go sets a slice to nil on `null`
/// and truncates it to the new list otherwise (a key given twice in different case, say
/// `kind_names` and `Kind_Names`, keeps only the later list).
fn string_list(v: &Value, p: &JsonPath, out: &mut Vec<String>, findings: &mut Vec<Finding>) {
    match v {
        Value::Null => out.clear(),
        Value::Array(items) => {
            out.clear();
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) => out.push(s.clone()),
                    other => findings.push(Finding::error(
                        p.index(i),
                        format!(
                            "`{}` must be a string, found {}",
                            p.index(i),
                            describe(other)
                        ),
                    )),
                }
            }
        }
        other => findings.push(Finding::error(
            p.clone(),
            format!("`{p}` must be a list of strings, found {}", describe(other)),
        )),
    }
}

fn filter(v: &Value, p: &JsonPath, out: &mut EventFilter, findings: &mut Vec<Finding>) {
    let obj: &Map<String, Value> = match v {
        Value::Null => return,
        Value::Object(o) => o,
        other => {
            findings.push(Finding::error(
                p.clone(),
                format!("`{p}` must be an object with target_types, target_values, kind_types, kind_names, error_only, success_only; found {}", describe(other)),
            ));
            return;
        }
    };
    for (key, v) in obj {
        let kp = p.key(key);
        match canonical(key, FILTER_KEYS) {
            Some("target_types") => string_list(v, &kp, &mut out.target_types, findings),
            Some("target_values") => string_list(v, &kp, &mut out.target_values, findings),
            Some("kind_types") => string_list(v, &kp, &mut out.kind_types, findings),
            Some("kind_names") => string_list(v, &kp, &mut out.kind_names, findings),
            Some("error_only") => boolean(v, &kp, &mut out.error_only, findings),
            Some("success_only") => boolean(v, &kp, &mut out.success_only, findings),
            _ => findings.push(Finding::warning(
                kp.clone(),
                format!(
                    "unknown filter key `{key}` is ignored (tsuru ignores it too){}",
                    suggest(key, FILTER_KEYS)
                ),
            )),
        }
    }
}

fn headers(
    v: &Value,
    p: &JsonPath,
    out: &mut IndexMap<String, Vec<String>>,
    findings: &mut Vec<Finding>,
) {
    let obj = match v {
        // Go sets a map to nil on `null`.
        Value::Null => return out.clear(),
        Value::Object(o) => o,
        other => {
            findings.push(Finding::error(
                p.clone(),
                format!(
                    "`{p}` must be an object of header name to a list of values, found {}",
                    describe(other)
                ),
            ));
            return;
        }
    };
    for (name, values) in obj {
        let hp = p.key(name);
        let mut list = Vec::new();
        match values {
            // tsuru's JSON wants a list; a bare string is a common YAML shorthand, so take it and say so.
            Value::String(s) => {
                findings.push(Finding::warning(
                    hp.clone(),
                    format!(
                        "header `{name}` is a string; tsuru's format wants a list: write [{s:?}]"
                    ),
                ));
                list.push(s.clone());
            }
            other => string_list(other, &hp, &mut list, findings),
        }
        // A Go map element is decoded fresh: a name seen again (in a second `headers` key written
        // in another case) replaces its values rather than adding to them.
        out.insert(name.clone(), list);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> (Option<Hook>, Vec<Finding>) {
        let v: Value = serde_json::from_str(json).unwrap();
        let mut f = Vec::new();
        (Hook::from_json(&v, &JsonPath::root(), &mut f), f)
    }

    #[test]
    fn reads_wire_format_and_keeps_header_order() {
        let (h, f) = read(
            r#"{"name": "x", "headers": {"X-B": ["1", "2"], "A": ["3"]}, "method": "put", "engine": "tera"}"#,
        );
        assert!(f.is_empty());
        let h = h.unwrap();
        assert_eq!(h.headers.keys().collect::<Vec<_>>(), ["X-B", "A"]);
        assert_eq!(h.effective_method(), "PUT");
        assert_eq!(h.engine, Some(Engine::Tera));
    }

    #[test]
    fn wrong_types_and_unknown_keys_are_reported() {
        let (h, f) = read(
            r#"{"name": 1, "event_filter": {"kind_name": ["a"], "error_only": "yes"}, "urll": "x"}"#,
        );
        assert!(h.is_none());
        let msgs: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
        assert!(
            msgs.contains(&"`name` must be a string, found a number"),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("`kind_name`") && m.contains("did you mean `kind_names`")),
            "{msgs:?}"
        );
        assert!(
            msgs.contains(&"`event_filter.error_only` must be true or false, found a string"),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("did you mean `url`")),
            "{msgs:?}"
        );
    }

    #[test]
    fn method_is_upper_cased_one_character_at_a_time_like_go() {
        let h = |m: &str| Hook {
            method: m.into(),
            ..Hook::default()
        };
        // Go: strings.ToUpper("poﬆ") == "POﬆ", which net/http refuses; not a valid "POST".
        assert_eq!(h("po\u{fb06}").effective_method(), "PO\u{fb06}");
        assert_eq!(h("\u{df}et").effective_method(), "\u{df}ET");
        assert_eq!(h("g\u{131}t").effective_method(), "GIT");
        assert_eq!(h("delete").effective_method(), "DELETE");
    }

    #[test]
    fn keys_given_twice_in_other_case_replace_like_go() {
        let (h, f) = read(
            r#"{"event_filter": {"kind_names": ["a"], "Kind_Names": ["b"], "target_types": ["x"], "TARGET_TYPES": null},
                "headers": {"X": ["1"], "Y": ["2"]}, "Headers": {"X": ["3"]}, "\u212aind": 1}"#,
        );
        let h = h.unwrap();
        assert_eq!(h.event_filter.kind_names, ["b"]);
        assert!(h.event_filter.target_types.is_empty());
        assert_eq!(h.headers["X"], ["3"]);
        assert_eq!(h.headers["Y"], ["2"]);
        assert!(f.iter().any(|f| f.message.contains("unknown key")));
        let (h, _) = read(r#"{"event_filter": {"\u017Fuccess_only": true}}"#);
        assert!(h.unwrap().event_filter.success_only);
    }
}
