//! Contracts: expectations about which hooks fire for an event and what they send (`hooktest test`).
//!
//! A contract file in `contracts/` holds a list of cases. The schema is strict: an unknown key is
//! an error with its file, line and column, because a misspelt matcher would silently check nothing.

use std::fs;
use std::path::{Path, PathBuf};

use colored::Colorize;
use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

use crate::diagnostic::{strip_position, Diagnostic};
use crate::event::Event;
use crate::located::PathBuf as JsonPath;
use crate::output::json::request_json;
use crate::project::{display, list_files, load_event_file, Project, CONTRACTS_DIR};
use crate::render::Renderer;
use crate::request::Request;

/// One case: an event and what must happen for it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Shown in the results; also names snapshot files.
    pub name: String,
    /// An event id from `events/`, a path (relative to the contract file or the project), or an
    /// inline event object.
    pub event: EventRef,
    /// Exactly these hooks fire (order-insensitive).
    #[serde(default)]
    pub fires: Option<Vec<String>>,
    /// At least these hooks fire.
    #[serde(default)]
    pub fires_include: Option<Vec<String>>,
    /// None of these hooks fire.
    #[serde(default)]
    pub fires_exclude: Option<Vec<String>>,
    /// Expectations about the request of each named hook (the hook must fire).
    #[serde(default)]
    pub requests: IndexMap<String, Expect>,
    /// Skip the case: `true` or a reason.
    #[serde(default)]
    pub skip: Option<Skip>,
}

/// How a case names its event.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum EventRef {
    IdOrPath(String),
    Inline(Value),
}

/// `skip: true` or `skip: "why"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Skip {
    Flag(bool),
    Reason(String),
}

/// One string or a list of them.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn items(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(s) => vec![s.as_str()],
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// What a hook's request must look like. Every matcher that is given must hold.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub method: Option<String>,
    pub url: Option<String>,
    /// These headers must be present with these values (names case-insensitive).
    #[serde(default)]
    pub headers: IndexMap<String, String>,
    /// The body, exactly.
    pub body: Option<String>,
    /// The body parses as JSON equal to this.
    pub body_json: Option<Value>,
    /// The body contains this text (or each of these).
    pub body_contains: Option<OneOrMany>,
    /// The body matches this regular expression.
    pub body_matches: Option<String>,
    /// JSON path (`a.b[0].c`, `$.a`, or a `/a/b` pointer) → expected value inside a JSON body.
    #[serde(default)]
    pub json: IndexMap<String, Value>,
    /// Compare the whole request with a golden file beside the contract.
    #[serde(default)]
    pub snapshot: bool,
    /// `valid`: the request's signature verifies with the hook's own `signing` secret.
    pub signature: Option<SignatureExpect>,
}

/// What `signature:` asserts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureExpect {
    /// The signature verifies with the hook's secret (timestamps are not checked for age).
    Valid,
}

/// A contract file and its cases.
#[derive(Debug, Clone)]
pub struct ContractFile {
    pub path: PathBuf,
    pub cases: Vec<Case>,
}

/// Loads every contract of the project; malformed files become diagnostics.
pub fn load_contracts(project_root: &Path) -> (Vec<ContractFile>, Vec<Diagnostic>) {
    let dir = project_root.join(CONTRACTS_DIR);
    let mut diags = Vec::new();
    let mut files = Vec::new();
    if !dir.is_dir() {
        return (files, diags);
    }
    for path in list_files(&dir, &["yaml", "yml", "json"], &mut diags) {
        match load_contract_file(&path) {
            Ok(cases) => files.push(ContractFile { path, cases }),
            Err(d) => diags.push(d),
        }
    }
    (files, diags)
}

fn load_contract_file(path: &Path) -> Result<Vec<Case>, Diagnostic> {
    let file = display(path);
    let text = crate::project::read_text(path)?;
    if text.trim().is_empty() {
        return Err(Diagnostic::error(
            &file,
            1,
            1,
            "file is empty: write a list of cases (`- name: …`), or delete it",
        ));
    }
    let json = path.extension().is_some_and(|e| e == "json");
    let parse_err = |line: usize, col: usize, msg: String| {
        Diagnostic::error(
            &file,
            line.max(1),
            col.max(1),
            format!("invalid contract: {}", case_path(&strip_position(&msg))),
        )
    };
    if json {
        let trimmed = text.trim_start();
        if trimmed.starts_with('[') {
            serde_json::from_str::<Vec<Case>>(&text).map_err(|e| {
                let column = crate::diagnostic::json_char_column(&text, e.line(), e.column());
                parse_err(e.line(), column, e.to_string())
            })
        } else {
            serde_json::from_str::<Case>(&text)
                .map(|c| vec![c])
                .map_err(|e| {
                    let column = crate::diagnostic::json_char_column(&text, e.line(), e.column());
                    parse_err(e.line(), column, e.to_string())
                })
        }
    } else {
        let yaml_err = |e: serde_norway::Error| {
            let (l, c) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((1, 1));
            parse_err(l, c, e.to_string())
        };
        let top: serde_norway::Value = serde_norway::from_str(&text).map_err(yaml_err)?;
        if top.is_sequence() {
            serde_norway::from_str::<Vec<Case>>(&text).map_err(yaml_err)
        } else {
            serde_norway::from_str::<Case>(&text)
                .map(|c| vec![c])
                .map_err(yaml_err)
        }
    }
}

/// Rewrites serde's `.[0].requests.x: …` prefix as `case 1: requests.x: …`.
fn case_path(message: &str) -> String {
    let Some(rest) = message.strip_prefix(".[") else {
        return message.to_string();
    };
    let Some((index, tail)) = rest.split_once(']') else {
        return message.to_string();
    };
    match index.parse::<usize>() {
        Ok(i) => format!(
            "case {}: {}",
            i + 1,
            tail.trim_start_matches('.').trim_start_matches(": ")
        ),
        Err(_) => message.to_string(),
    }
}

/// The verdict on one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Passed,
    Failed,
    Skipped(String),
}

/// One failed check, with an optional diff.
#[derive(Debug, Clone)]
pub struct Failure {
    pub message: String,
    pub diff: Option<String>,
}

/// The result of one case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub file: String,
    pub name: String,
    pub status: Status,
    pub failures: Vec<Failure>,
    /// Snapshot files written or refreshed by `--update`.
    pub updated: Vec<String>,
    /// The requests the case produced, by hook (for `--deliver`).
    pub requests: Vec<(String, Request)>,
}

/// Options of a test run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Only cases whose name (or file) contains this text.
    pub filter: Option<String>,
    /// Write or refresh snapshot files instead of failing on them.
    pub update: bool,
}

/// Runs every case of `contracts` against the project.
pub fn run_contracts(
    project: &Project,
    renderer: &Renderer,
    contracts: &[ContractFile],
    options: &RunOptions,
) -> Vec<CaseResult> {
    let mut results = Vec::new();
    for contract in contracts {
        let file = display(&contract.path);
        for case in &contract.cases {
            if let Some(f) = &options.filter {
                if !case.name.contains(f.as_str()) && !file.contains(f.as_str()) {
                    continue;
                }
            }
            results.push(run_case(
                project,
                renderer,
                &contract.path,
                &file,
                case,
                options,
            ));
        }
    }
    results
}

fn run_case(
    project: &Project,
    renderer: &Renderer,
    contract: &Path,
    file: &str,
    case: &Case,
    options: &RunOptions,
) -> CaseResult {
    let mut result = CaseResult {
        file: file.to_string(),
        name: case.name.clone(),
        status: Status::Passed,
        failures: Vec::new(),
        updated: Vec::new(),
        requests: Vec::new(),
    };
    match &case.skip {
        Some(Skip::Flag(true)) => {
            result.status = Status::Skipped(String::new());
            return result;
        }
        Some(Skip::Reason(r)) => {
            result.status = Status::Skipped(r.clone());
            return result;
        }
        _ => {}
    }
    let fail = |result: &mut CaseResult, message: String, diff: Option<String>| {
        result.failures.push(Failure { message, diff });
    };
    let event = match resolve_event(project, contract, &case.event) {
        Ok(e) => e,
        Err(msg) => {
            fail(&mut result, msg, None);
            result.status = Status::Failed;
            return result;
        }
    };
    let outcomes = renderer.render_event(0, &event, false);
    let fired: Vec<&str> = outcomes
        .iter()
        .map(|o| renderer.hooks[o.hook].hook.name.as_str())
        .collect();
    for o in &outcomes {
        if let Some(r) = &o.request {
            result
                .requests
                .push((renderer.hooks[o.hook].hook.name.clone(), r.clone()));
        }
    }
    let known = |name: &str| renderer.hooks.iter().any(|h| h.hook.name == name);
    let all_named = case
        .fires
        .iter()
        .chain(&case.fires_include)
        .chain(&case.fires_exclude)
        .flatten()
        .chain(case.requests.keys());
    for name in all_named {
        if !known(name) {
            let hint =
                crate::hook::closest(name, renderer.hooks.iter().map(|h| h.hook.name.as_str()))
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
            fail(
                &mut result,
                format!("the contract names hook `{name}`, which the project does not have{hint}"),
                None,
            );
        }
    }
    if let Some(expected) = &case.fires {
        let missing: Vec<&str> = expected
            .iter()
            .map(String::as_str)
            .filter(|h| !fired.contains(h))
            .collect();
        let unexpected: Vec<&str> = fired
            .iter()
            .copied()
            .filter(|h| !expected.iter().any(|e| e == h))
            .collect();
        if !missing.is_empty() || !unexpected.is_empty() {
            let mut msg = format!(
                "fires: expected exactly [{}], got [{}]",
                expected.join(", "),
                fired.join(", ")
            );
            if !missing.is_empty() {
                msg.push_str(&format!("; missing: {}", missing.join(", ")));
            }
            if !unexpected.is_empty() {
                msg.push_str(&format!("; unexpected: {}", unexpected.join(", ")));
            }
            fail(&mut result, msg, None);
        }
    }
    for h in case.fires_include.iter().flatten() {
        if !fired.contains(&h.as_str()) {
            fail(
                &mut result,
                format!(
                    "fires_include: `{h}` does not fire (fired: [{}])",
                    fired.join(", ")
                ),
                None,
            );
        }
    }
    for h in case.fires_exclude.iter().flatten() {
        if fired.contains(&h.as_str()) {
            fail(
                &mut result,
                format!("fires_exclude: `{h}` fires but must not"),
                None,
            );
        }
    }
    for (hook, expect) in &case.requests {
        if !known(hook) {
            continue;
        }
        let Some(outcome) = outcomes
            .iter()
            .find(|o| renderer.hooks[o.hook].hook.name == *hook)
        else {
            fail(&mut result, format!("requests.{hook}: `{hook}` does not fire for this event, so there is no request to check"), None);
            continue;
        };
        let request = match (&outcome.request, &outcome.error) {
            (Some(r), _) => r,
            (None, Some(e)) => {
                let what = match e.kind {
                    "parse" => "the body failed to compile",
                    "request" => "tsuru could not send the request",
                    _ => "the body failed to render",
                };
                fail(
                    &mut result,
                    format!("requests.{hook}: {what}: {}", e.message),
                    None,
                );
                continue;
            }
            (None, None) => continue,
        };
        for f in check_request(hook, expect, request) {
            result.failures.push(f);
        }
        if expect.signature.is_some() {
            let signing = renderer.hooks[outcome.hook].hook.signing.as_ref();
            if let Some(f) = check_signature(hook, signing, request) {
                result.failures.push(f);
            }
        }
        if expect.snapshot {
            // A Standard Webhooks signature covers the time of the run: unless the time is fixed,
            // the snapshot keeps a placeholder for it (`signature: valid` checks the signature).
            let signed_now = renderer.sign_options().fixed_time.is_none()
                && renderer.hooks[outcome.hook]
                    .hook
                    .signing
                    .as_ref()
                    .is_some_and(|s| s.scheme == crate::signing::Scheme::StandardWebhooks);
            let request = if signed_now {
                &snapshot_form(request)
            } else {
                request
            };
            check_snapshot(contract, case, hook, request, options.update, &mut result);
        }
    }
    if !result.failures.is_empty() {
        result.status = Status::Failed;
    }
    result
}

fn resolve_event(project: &Project, contract: &Path, event: &EventRef) -> Result<Event, String> {
    match event {
        EventRef::Inline(value) => {
            let mut findings = Vec::new();
            Event::from_json(value, &JsonPath::root(), &mut findings).ok_or_else(|| {
                let msgs: Vec<String> = findings
                    .iter()
                    .filter(|f| f.severity == crate::located::Severity::Error)
                    .map(|f| f.message.clone())
                    .collect();
                format!("the inline event is not valid: {}", msgs.join("; "))
            })
        }
        EventRef::IdOrPath(id) => {
            if let Some(e) = project.events.iter().find(|e| &e.id == id) {
                return Ok(e.event.clone());
            }
            let candidates = [
                contract.parent().map(|d| d.join(id)),
                Some(project.root.join(id)),
            ];
            for path in candidates.into_iter().flatten() {
                if path.is_file() {
                    let (events, diags) = load_event_file(&path);
                    if let Some(bad) = diags.iter().find(|d| d.is_error()) {
                        return Err(format!("event file {bad}"));
                    }
                    return match events.len() {
                        1 => Ok(events.into_iter().next().expect("one event")),
                        n => Err(format!(
                            "event file `{id}` holds {n} events; name one by its id (`{}`)",
                            events.first().map(|e| e.id.as_str()).unwrap_or("stem#1")
                        )),
                    }
                    .map(|e| e.event);
                }
            }
            let hint = crate::hook::closest(id, project.events.iter().map(|e| e.id.as_str()))
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_default();
            Err(format!(
                "no event `{id}`: not an event id of the project and not a file{hint}"
            ))
        }
    }
}

/// Checks a request against the given matchers; one failure per matcher that does not hold.
pub fn check_request(hook: &str, expect: &Expect, request: &Request) -> Vec<Failure> {
    let mut out = Vec::new();
    let mut fail = |message: String, diff: Option<String>| {
        out.push(Failure {
            message: format!("requests.{hook}: {message}"),
            diff,
        })
    };
    if let Some(m) = &expect.method {
        if !m.eq_ignore_ascii_case(&request.method) {
            fail(
                format!("method: expected {m}, got {}", request.method),
                None,
            );
        }
    }
    if let Some(u) = &expect.url {
        if u != &request.url {
            fail(format!("url: expected {u}, got {}", request.url), None);
        }
    }
    for (name, value) in &expect.headers {
        let got: Vec<&str> = request
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect();
        if got.is_empty() {
            fail(
                format!("header `{name}` is missing (expected `{value}`)"),
                None,
            );
        } else if !got.contains(&value.as_str()) {
            fail(
                format!(
                    "header `{name}`: expected `{value}`, got `{}`",
                    got.join("`, `")
                ),
                None,
            );
        }
    }
    let body = request.body.as_deref().unwrap_or("");
    if let Some(b) = &expect.body {
        if b != body {
            fail("body differs".into(), Some(diff(b, body)));
        }
    }
    if let Some(expected) = &expect.body_json {
        match serde_json::from_str::<Value>(body) {
            Err(e) => fail(format!("body_json: the body is not JSON ({e})"), None),
            Ok(actual) if &actual != expected => fail(
                "body_json: the JSON body differs (keys sorted)".into(),
                Some(diff(&canonical_json(expected), &canonical_json(&actual))),
            ),
            Ok(_) => {}
        }
    }
    if let Some(c) = &expect.body_contains {
        for needle in c.items() {
            if !body.contains(needle) {
                fail(
                    format!("body_contains: the body does not contain {needle:?}"),
                    Some(diff(needle, body)),
                );
            }
        }
    }
    if let Some(pattern) = &expect.body_matches {
        match regex::Regex::new(pattern) {
            Err(e) => fail(
                format!("body_matches: {pattern:?} is not a valid regular expression: {e}"),
                None,
            ),
            Ok(re) if !re.is_match(body) => fail(
                format!("body_matches: the body does not match /{pattern}/"),
                None,
            ),
            Ok(_) => {}
        }
    }
    if !expect.json.is_empty() {
        match serde_json::from_str::<Value>(body) {
            Err(e) => fail(format!("json: the body is not JSON ({e})"), None),
            Ok(actual) => {
                for (path, expected) in &expect.json {
                    match json_at(&actual, path) {
                        None => fail(format!("json: `{path}` is not in the body"), None),
                        Some(v) if v != expected => fail(
                            format!("json: `{path}`: expected {expected}, got {v}"),
                            None,
                        ),
                        Some(_) => {}
                    }
                }
            }
        }
    }
    out
}

/// `signature: valid`: the request's signature verifies with the hook's own secret. The age of a
/// Standard Webhooks timestamp is not checked (contracts often sign at a `--fixed-time`).
pub fn check_signature(
    hook: &str,
    signing: Option<&crate::signing::Signing>,
    request: &Request,
) -> Option<Failure> {
    let fail = |message: String| {
        Some(Failure {
            message: format!("requests.{hook}: signature: {message}"),
            diff: None,
        })
    };
    let Some(signing) = signing else {
        return fail(format!(
            "hook `{hook}` has no `signing` key, so its requests are not signed"
        ));
    };
    let verifier = match signing.verifier() {
        Ok(v) => v,
        Err(e) => return fail(e.0),
    };
    let timestamp = request
        .header("webhook-timestamp")
        .and_then(|t| t.trim().parse::<i64>().ok())
        .unwrap_or_default();
    let body = request.body.as_deref().unwrap_or("").as_bytes();
    let verdict = verifier.verify(&request.headers, body, timestamp, std::time::Duration::MAX);
    if verdict.valid {
        return None;
    }
    let mut message = format!("not valid: {}", verdict.message);
    for (label, value) in [
        ("signed content", verdict.signed_content_escaped.as_deref()),
        ("expected", verdict.expected.as_deref()),
        ("received", verdict.received.as_deref()),
    ] {
        if let Some(value) = value {
            message.push_str(&format!("\n       {label}: {value}"));
        }
    }
    fail(message)
}

/// The value at a path: `a.b[0].c`, `$.a.b`, or a JSON pointer `/a/b/0`.
pub fn json_at<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    if path.starts_with('/') {
        return value.pointer(path);
    }
    let path = path
        .strip_prefix("$.")
        .or_else(|| path.strip_prefix('$'))
        .unwrap_or(path);
    let mut current = value;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, indexes) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            current = current.get(key)?;
        }
        for idx in indexes.split('[').filter(|s| !s.is_empty()) {
            let n: usize = idx.trim_end_matches(']').parse().ok()?;
            current = current.get(n)?;
        }
    }
    Some(current)
}

/// JSON with every object's keys sorted, pretty-printed: the form bodies are compared and diffed in.
pub fn canonical_json(value: &Value) -> String {
    fn sort(v: &Value) -> Value {
        match v {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), sort(&map[k])))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    serde_json::to_string_pretty(&sort(value)).unwrap_or_default()
}

/// A unified diff from `expected` to `actual`, coloured when colour is on.
pub fn diff(expected: &str, actual: &str) -> String {
    let text_diff = similar::TextDiff::from_lines(expected, actual);
    let raw = text_diff
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string();
    let raw = if raw.is_empty() {
        format!("--- expected\n+++ actual\n-{expected}\n+{actual}\n")
    } else {
        raw
    };
    raw.lines()
        .map(|l| {
            if l.starts_with("+++") || l.starts_with("---") {
                l.bold().to_string()
            } else if l.starts_with('+') {
                l.green().to_string()
            } else if l.starts_with('-') {
                l.red().to_string()
            } else if l.starts_with("@@") {
                l.cyan().to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `contracts/snapshots/<contract stem>/<case slug>.<hook>.json`.
pub fn snapshot_path(contract: &Path, case: &str, hook: &str) -> PathBuf {
    let stem = contract
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("contract");
    let slug: String = case
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    // A hook name is the user's text, not a path: `a/../../x` must stay one file name inside
    // the snapshot folder.
    let hook: String = hook
        .chars()
        .map(|c| if matches!(c, '/' | '\\') { '-' } else { c })
        .collect();
    contract
        .parent()
        .unwrap_or(Path::new("."))
        .join("snapshots")
        .join(stem)
        .join(format!("{slug}.{hook}.json"))
}

/// What a snapshot holds in place of a value that changes with the time of the run.
pub const SIGNED_AT_RUN_TIME: &str = "<the time of the run: pin it with --fixed-time>";

/// The request with its time-dependent Standard Webhooks headers (`webhook-timestamp`,
/// `webhook-signature`) replaced by [`SIGNED_AT_RUN_TIME`], so that a snapshot taken now still
/// matches a second later.
fn snapshot_form(request: &Request) -> Request {
    let mut out = request.clone();
    for (name, value) in &mut out.headers {
        if name.eq_ignore_ascii_case("webhook-timestamp")
            || name.eq_ignore_ascii_case("webhook-signature")
        {
            *value = SIGNED_AT_RUN_TIME.to_string();
        }
    }
    out
}

fn check_snapshot(
    contract: &Path,
    case: &Case,
    hook: &str,
    request: &Request,
    update: bool,
    result: &mut CaseResult,
) {
    let path = snapshot_path(contract, &case.name, hook);
    let mut actual = serde_json::to_string_pretty(&request_json(request)).unwrap_or_default();
    actual.push('\n');
    let existing = match fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        // A snapshot that is there but not readable text is not "no snapshot yet".
        Err(e) if !update => {
            result.failures.push(Failure {
                message: format!(
                    "requests.{hook}: cannot read the snapshot {}: {e}: fix or delete it, or run `hooktest test --update` to rewrite it",
                    display(&path)
                ),
                diff: None,
            });
            return;
        }
        Err(_) => Some(String::new()),
    };
    if existing.as_deref() == Some(actual.as_str()) {
        return;
    }
    if update {
        let written = path
            .parent()
            .map(fs::create_dir_all)
            .unwrap_or(Ok(()))
            .and_then(|_| fs::write(&path, &actual));
        match written {
            Ok(()) => result.updated.push(format!(
                "{} {}",
                if existing.is_some() {
                    "updated"
                } else {
                    "created"
                },
                display(&path)
            )),
            Err(e) => result.failures.push(Failure {
                message: format!(
                    "requests.{hook}: cannot write snapshot {}: {e}",
                    display(&path)
                ),
                diff: None,
            }),
        }
        return;
    }
    match existing {
        None => result.failures.push(Failure {
            message: format!(
                "requests.{hook}: no snapshot yet at {}: run `hooktest test --update` to create it",
                display(&path)
            ),
            diff: None,
        }),
        Some(expected) => result.failures.push(Failure {
            message: format!(
                "requests.{hook}: the request differs from the snapshot {} (run `hooktest test --update` to accept it)",
                display(&path)
            ),
            diff: Some(diff(&expected, &actual)),
        }),
    }
}

/// `--deliver`: sends every request the cases produced through an in-process receiver and fails
/// a case whose request did not arrive exactly as rendered (method, target, headers in order, body
/// bytes).
pub fn deliver_and_check(results: &mut [CaseResult]) -> anyhow::Result<()> {
    use crate::deliver::{deliver_all, Destination, Job, Options};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let receiver = hooktest_receiver::start(hooktest_receiver::ReceiverConfig::default())
            .await
            .map_err(|e| anyhow::anyhow!("the built-in receiver could not start: {e:#}"))?;
        let mut jobs = Vec::new();
        let mut owners = Vec::new();
        for (i, r) in results.iter().enumerate() {
            for (hook, request) in &r.requests {
                owners.push(i);
                jobs.push(Job {
                    hook: hook.clone(),
                    event: r.name.clone(),
                    request: Ok(request.clone()),
                    proxy_url: String::new(),
                    insecure: false,
                });
            }
        }
        let options = Options {
            destination: Destination::Base(url::Url::parse(&receiver.url())?),
            concurrency: 8,
            ..Options::default()
        };
        let outcomes = deliver_all(jobs, &options, |_| {}).await.map_err(|e| anyhow::anyhow!(e))?;
        let records = receiver.records();
        let received = crate::send::received_for(&outcomes, &records);
        for ((outcome, record), owner) in outcomes.iter().zip(received).zip(owners) {
            let result = &mut results[owner];
            let hook = &outcome.hook;
            let problems = match (&outcome.sent, record) {
                (_, _) if outcome.error.is_some() => vec![format!("delivery failed: {}", outcome.error.as_deref().unwrap_or(""))],
                (Some(sent), Some(record)) => crate::send::compare(sent, record),
                _ => vec!["the receiver has no record of the request (method, path, query or body changed on the way)".to_string()],
            };
            for p in problems {
                result.failures.push(Failure {
                    message: format!("requests.{hook}: --deliver: {p}"),
                    diff: None,
                });
                result.status = Status::Failed;
            }
        }
        receiver.shutdown_async().await;
        Ok(())
    })
}

/// The summary line: `N passed, N failed` (and `, N skipped` when some were).
pub fn summary(results: &[CaseResult]) -> String {
    let passed = results
        .iter()
        .filter(|r| r.status == Status::Passed)
        .count();
    let failed = results
        .iter()
        .filter(|r| r.status == Status::Failed)
        .count();
    let skipped = results.len() - passed - failed;
    let mut s = format!("{passed} passed, {failed} failed");
    if skipped > 0 {
        s.push_str(&format!(", {skipped} skipped"));
    }
    s
}

/// Human output: one line per case, details under failures, the summary last.
pub fn to_text(results: &[CaseResult]) -> String {
    let mut out = String::new();
    for r in results {
        let (tag, extra) = match &r.status {
            Status::Passed => ("PASS".green().bold(), String::new()),
            Status::Failed => ("FAIL".red().bold(), String::new()),
            Status::Skipped(why) => (
                "SKIP".yellow().bold(),
                if why.is_empty() {
                    String::new()
                } else {
                    format!(": {why}")
                },
            ),
        };
        out.push_str(&format!(
            "{tag} {} {}{extra}\n",
            r.name,
            format!("({})", r.file).dimmed()
        ));
        for u in &r.updated {
            out.push_str(&format!("     {u}\n"));
        }
        for f in &r.failures {
            out.push_str(&format!("     {}\n", f.message));
            if let Some(d) = &f.diff {
                for line in d.lines() {
                    out.push_str(&format!("       {line}\n"));
                }
            }
        }
    }
    out.push_str(&summary(results));
    out.push('\n');
    out
}

/// `--format json`: every case with its status and failures.
pub fn to_json(results: &[CaseResult]) -> Value {
    Value::Array(
        results
            .iter()
            .map(|r| {
                let (status, reason) = match &r.status {
                    Status::Passed => ("passed", None),
                    Status::Failed => ("failed", None),
                    Status::Skipped(why) => ("skipped", Some(why.clone())),
                };
                serde_json::json!({
                    "file": r.file,
                    "name": r.name,
                    "status": status,
                    "skip_reason": reason,
                    "failures": r.failures.iter().map(|f| serde_json::json!({
                        "message": f.message,
                        "diff": f.diff.as_deref().map(strip_ansi),
                    })).collect::<Vec<_>>(),
                    "updated": r.updated,
                })
            })
            .collect(),
    )
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        // Only colour sequences (`ESC [ … letter`): a lone ESC of a body stays, with what follows.
        if c == '\u{1b}' && chars.clone().next() == Some('[') {
            chars.next();
            for n in chars.by_ref() {
                if n.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Text for an XML element. Characters XML 1.0 cannot carry at all, not even as `&#x…;`
/// (control characters other than tab, newline and carriage return; U+FFFE, U+FFFF), are written
/// visibly as `\u{…}` so the report stays well-formed.
fn xml_escape(text: &str) -> String {
    xml_escape_in(text, false)
}

/// Text for an XML attribute value: as [`xml_escape`], and tab, newline and carriage return as
/// character references, which attribute-value normalisation would otherwise turn into spaces.
fn xml_attr(text: &str) -> String {
    xml_escape_in(text, true)
}

fn xml_escape_in(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' if attribute => out.push_str(&format!("&#x{:x};", c as u32)),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: one `testsuite` per contract file, one `testcase` per case.
pub fn to_junit(results: &[CaseResult]) -> String {
    let mut files: Vec<&str> = results.iter().map(|r| r.file.as_str()).collect();
    files.dedup();
    let count =
        |rs: &[&CaseResult], f: fn(&Status) -> bool| rs.iter().filter(|r| f(&r.status)).count();
    let all: Vec<&CaseResult> = results.iter().collect();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"hooktest\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n",
        all.len(),
        count(&all, |s| *s == Status::Failed),
        count(&all, |s| matches!(s, Status::Skipped(_)))
    ));
    for file in files {
        let cases: Vec<&CaseResult> = results.iter().filter(|r| r.file == file).collect();
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n",
            xml_attr(file),
            cases.len(),
            count(&cases, |s| *s == Status::Failed),
            count(&cases, |s| matches!(s, Status::Skipped(_)))
        ));
        for r in cases {
            out.push_str(&format!(
                "    <testcase name=\"{}\" classname=\"{}\"",
                xml_attr(&r.name),
                xml_attr(file)
            ));
            match &r.status {
                Status::Passed => out.push_str("/>\n"),
                Status::Skipped(why) => out.push_str(&format!(
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                    xml_attr(why)
                )),
                Status::Failed => {
                    let first = r
                        .failures
                        .first()
                        .map(|f| f.message.as_str())
                        .unwrap_or("failed");
                    let details: Vec<String> = r
                        .failures
                        .iter()
                        .map(|f| match &f.diff {
                            Some(d) => format!("{}\n{}", f.message, strip_ansi(d)),
                            None => f.message.clone(),
                        })
                        .collect();
                    out.push_str(&format!(
                        ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                        xml_attr(first),
                        xml_escape(&details.join("\n\n"))
                    ));
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_paths() {
        let v: Value = serde_json::json!({"a": {"b": [1, {"c": "x"}]}});
        assert_eq!(json_at(&v, "a.b[1].c"), Some(&Value::from("x")));
        assert_eq!(json_at(&v, "$.a.b[0]"), Some(&Value::from(1)));
        assert_eq!(json_at(&v, "/a/b/1/c"), Some(&Value::from("x")));
        assert_eq!(json_at(&v, "a.z"), None);
    }

    #[test]
    fn canonical_json_sorts_keys() {
        let v: Value = serde_json::from_str(r#"{"b": 1, "a": {"d": 2, "c": 3}}"#).unwrap();
        assert_eq!(
            canonical_json(&v),
            "{\n  \"a\": {\n    \"c\": 3,\n    \"d\": 2\n  },\n  \"b\": 1\n}"
        );
    }

    #[test]
    fn junit_escapes() {
        assert_eq!(
            xml_escape("a<b & \"c\"\u{1}\u{1b}\u{FFFF}\n"),
            "a&lt;b &amp; &quot;c&quot;\\u{1}\\u{1b}\\u{ffff}\n"
        );
        assert_eq!(xml_attr("a\nb\tc"), "a&#xa;b&#x9;c");
    }

    #[test]
    fn junit_with_hostile_names_is_well_formed() {
        let result = CaseResult {
            file: "contracts/<&>\u{1}.yaml".into(),
            name: "bad \u{1} name \u{1b}[1m \u{FFFE} \"q\"\nline".into(),
            status: Status::Failed,
            failures: vec![Failure {
                message: "requests.h: signature: not valid\n       expected: \u{0}".into(),
                diff: Some("-a\u{7}\n+b]]>".into()),
            }],
            updated: Vec::new(),
            requests: Vec::new(),
        };
        let skipped = CaseResult {
            name: "skip\u{2}".into(),
            status: Status::Skipped("why\u{3}\nnot".into()),
            failures: Vec::new(),
            ..result.clone()
        };
        let xml = to_junit(&[result, skipped]);
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}:\n{xml}"));
        let case = doc
            .descendants()
            .find(|n| n.has_tag_name("testcase"))
            .unwrap();
        assert_eq!(
            case.attribute("name"),
            Some("bad \\u{1} name \\u{1b}[1m \\u{fffe} \"q\"\nline")
        );
        let failure = doc
            .descendants()
            .find(|n| n.has_tag_name("failure"))
            .unwrap();
        assert!(failure
            .attribute("message")
            .unwrap()
            .contains("not valid\n"));
        assert!(failure.text().unwrap().contains("+b]]>"));
    }
}
