//! A hook project on disk: `hooks/`, `events/`, `contracts/` and `hooktest.toml`.
//!
//! Loading never stops at the first bad file: every file is read, and every problem becomes a
//! [`Diagnostic`]; each command decides what the diagnostics mean.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde_json::Value;

use crate::diagnostic::{json_char_column, strip_position, Diagnostic};
use crate::event::Event;
use crate::hook::{suggest, Engine, Hook};
use crate::located::{Finding, Locator, PathBuf as JsonPath, TextPlace};

/// Project settings from `hooktest.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// The engine of hooks that do not name one.
    pub engine: Engine,
}

/// A hook and where it was defined.
#[derive(Debug, Clone)]
pub struct HookEntry {
    pub hook: Hook,
    /// The engine that applies (the hook's own or the project default).
    pub engine: Engine,
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Where the `body` value starts in the file, when the hook has one.
    pub body_at: Option<(usize, usize)>,
    /// How the body's text lies in the file, when positions inside it can be mapped there.
    pub body_place: Option<TextPlace>,
    /// Where some keys of the hook are (`url`, `event_filter.kind_names`, …), for findings about them.
    pub keys_at: Vec<(&'static str, (usize, usize))>,
}

/// The keys whose place is remembered for findings.
const LOCATED_KEYS: &[&str] = &[
    "name",
    "url",
    "proxy_url",
    "method",
    "headers",
    "event_filter",
    "event_filter.target_types",
    "event_filter.kind_types",
    "event_filter.kind_names",
    "event_filter.error_only",
];

impl HookEntry {
    /// Where 1-based `line` and `column` of the body (a template error's position) are in the
    /// file: exactly for JSON strings and YAML literal blocks, else where the body's key is.
    pub fn body_position(&self, line: Option<usize>, column: Option<usize>) -> (usize, usize) {
        line.and_then(|line| self.body_place.as_ref()?.locate(line, column))
            .or(self.body_at)
            .unwrap_or((self.line, self.column))
    }

    /// Where `key` (as in [`LOCATED_KEYS`]) is in the file, or where the hook starts.
    pub fn at(&self, key: &str) -> (usize, usize) {
        self.keys_at
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, at)| *at)
            .unwrap_or((self.line, self.column))
    }
}

/// An event and where it was read.
#[derive(Debug, Clone)]
pub struct EventEntry {
    /// The file stem, or `stem#N` inside a multi-event file.
    pub id: String,
    pub file: String,
    pub line: usize,
    pub event: Event,
}

/// A loaded project.
#[derive(Debug, Clone, Default)]
pub struct Project {
    pub root: PathBuf,
    pub settings: Settings,
    pub hooks: Vec<HookEntry>,
    pub events: Vec<EventEntry>,
    /// Everything found wrong while loading, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

/// The subfolders of a project.
pub const HOOKS_DIR: &str = "hooks";
pub const EVENTS_DIR: &str = "events";
pub const CONTRACTS_DIR: &str = "contracts";
pub const SETTINGS_FILE: &str = "hooktest.toml";

impl Project {
    /// Loads the project in `root`. Fails only when `root` itself cannot be read; problems with
    /// files are diagnostics.
    pub fn load(root: &Path) -> anyhow::Result<Project> {
        if !root.is_dir() {
            anyhow::bail!(
                "project folder `{}` does not exist or is not a folder: pass --dir with a folder that holds hooks/ and events/",
                root.display()
            );
        }
        let mut project = Project {
            root: root.to_path_buf(),
            ..Project::default()
        };
        project.settings = load_settings(root, &mut project.diagnostics);
        let hooks_dir = root.join(HOOKS_DIR);
        if !hooks_dir.is_dir() {
            project.diagnostics.push(Diagnostic::error(
                display(&hooks_dir),
                1,
                1,
                "no `hooks/` folder: create it and put webhook definitions (*.json, *.yaml) in it, or pass --dir",
            ));
        } else {
            for path in list_files(
                &hooks_dir,
                &["json", "yaml", "yml"],
                &mut project.diagnostics,
            ) {
                let (hooks, diags) = load_hook_file(&path, &project.settings);
                project.hooks.extend(hooks);
                project.diagnostics.extend(diags);
            }
            if project.hooks.is_empty() && !project.diagnostics.iter().any(Diagnostic::is_error) {
                project.diagnostics.push(Diagnostic::error(
                    display(&hooks_dir),
                    1,
                    1,
                    "no hooks found: add a hook file (for example hooks/deploys.json) to this folder",
                ));
            }
        }
        check_duplicate_names(&project.hooks, &mut project.diagnostics);
        let events_dir = root.join(EVENTS_DIR);
        if events_dir.exists() && !events_dir.is_dir() {
            project.diagnostics.push(Diagnostic::warning(
                display(&events_dir),
                1,
                1,
                "not a folder, so no events are read from it: make `events/` a folder of event files",
            ));
        }
        if events_dir.is_dir() {
            for path in list_files(
                &events_dir,
                &["json", "jsonl", "ndjson"],
                &mut project.diagnostics,
            ) {
                let (events, diags) = load_event_file(&path);
                project.events.extend(events);
                project.diagnostics.extend(diags);
            }
        }
        Ok(project)
    }

    /// Whether loading found any error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// The path as shown in messages.
pub fn display(path: &Path) -> String {
    let shown = path.strip_prefix("./").unwrap_or(path);
    if shown.as_os_str().is_empty() {
        // `.` itself (the default --dir): stripping `./` leaves nothing.
        return ".".to_string();
    }
    shown.display().to_string()
}

/// Files of `dir` with one of `extensions`, sorted by name. Editor leftovers (swap files, backups,
/// hidden files) are skipped silently; other files get a warning.
pub fn list_files(
    dir: &Path,
    extensions: &[&str],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<PathBuf> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(err) => {
            diagnostics.push(Diagnostic::error(
                display(dir),
                1,
                1,
                format!("cannot read folder: {err}"),
            ));
            return Vec::new();
        }
    };
    let mut files = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if is_editor_leftover(&path) {
            continue;
        }
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !path.is_file() {
            // Other folders (contracts/snapshots/) are not ours to read; but a `x.json` that is
            // not a readable file was surely meant to be read.
            if extensions.contains(&ext) {
                diagnostics.push(match fs::metadata(&path) {
                    Ok(m) if m.is_dir() => Diagnostic::warning(
                        display(&path),
                        1,
                        1,
                        "ignored: a folder, not a file (folders inside this one are not read)",
                    ),
                    Ok(_) => Diagnostic::warning(display(&path), 1, 1, "ignored: not a regular file"),
                    Err(err) => Diagnostic::error(
                        display(&path),
                        1,
                        1,
                        format!("cannot read: {err}: a symbolic link that leads nowhere? fix or remove it"),
                    ),
                });
            }
            continue;
        }
        if extensions.contains(&ext) {
            files.push(path);
        } else {
            diagnostics.push(Diagnostic::warning(
                display(&path),
                1,
                1,
                format!(
                    "ignored: not a {} file",
                    extensions
                        .iter()
                        .map(|e| format!("*.{e}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    files.sort();
    files
}

/// Swap, backup and temporary files that editors leave beside the real ones.
pub fn is_editor_leftover(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || [".swp", ".swo", ".swx", ".tmp", ".bak", ".orig"]
            .iter()
            .any(|s| name.ends_with(s))
        || name == "4913"
}

/// Reads `hooktest.toml` in `root` (defaults when it is missing); problems become diagnostics.
pub fn load_settings(root: &Path, diagnostics: &mut Vec<Diagnostic>) -> Settings {
    let path = root.join(SETTINGS_FILE);
    let file = display(&path);
    if !path.exists() && fs::symlink_metadata(&path).is_err() {
        return Settings::default();
    }
    let text = match read_text(&path) {
        Ok(t) => t,
        Err(d) => {
            diagnostics.push(d);
            return Settings::default();
        }
    };
    let table: toml::Table = match toml::from_str(&text) {
        Ok(t) => t,
        Err(err) => {
            let (line, col) = err
                .span()
                .map(|s| line_col(&text, s.start))
                .unwrap_or((1, 1));
            diagnostics.push(Diagnostic::error(
                file,
                line,
                col,
                err.message().to_string(),
            ));
            return Settings::default();
        }
    };
    let mut settings = Settings::default();
    for (key, value) in &table {
        let at = find_key_line(&text, key);
        match key.as_str() {
            "engine" => match value.as_str().and_then(Engine::parse) {
                Some(e) => settings.engine = e,
                None => diagnostics.push(Diagnostic::error(
                    &file,
                    at,
                    1,
                    format!("`engine` must be \"go\" or \"tera\", found {value}"),
                )),
            },
            _ => diagnostics.push(Diagnostic::warning(
                &file,
                at,
                1,
                format!(
                    "unknown setting `{key}` is ignored{}",
                    suggest(key, &["engine"])
                ),
            )),
        }
    }
    settings
}

/// The line where top-level `key` is set: `key = …`, `"key" = …`, `key.sub = …` or `[key]`
/// (and not a longer key that starts with it, such as `engine_old`).
fn find_key_line(text: &str, key: &str) -> usize {
    let after_key = |s: &str| -> Option<String> {
        let s = s.trim_start();
        [key.to_string(), format!("\"{key}\""), format!("'{key}'")]
            .iter()
            .find_map(|k| s.strip_prefix(k.as_str()))
            .map(|rest| rest.trim_start().to_string())
    };
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            match l.strip_prefix('[') {
                Some(header) => after_key(header.trim_start_matches('['))
                    .is_some_and(|r| r.starts_with(']') || r.starts_with('.')),
                None => after_key(l).is_some_and(|r| r.starts_with('=') || r.starts_with('.')),
            }
        })
        .map(|i| i + 1)
        .unwrap_or(1)
}

/// The 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

/// Reads a project file as text. A UTF-8 byte order mark (which Windows editors write) is
/// dropped; UTF-16 and bytes that are not UTF-8 are errors that say where and what to do.
pub fn read_text(path: &Path) -> Result<String, Diagnostic> {
    let file = display(path);
    let bytes = fs::read(path)
        .map_err(|err| Diagnostic::error(&file, 1, 1, format!("cannot read: {err}")))?;
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Diagnostic::error(
            &file,
            1,
            1,
            "the file is UTF-16: save it as UTF-8 (in most editors: \"Save with encoding\" → UTF-8)",
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(err) => {
            let good = &bytes[..err.valid_up_to()];
            let text = std::str::from_utf8(good).unwrap_or_default();
            let (line, column) = line_col(text, text.len());
            Err(Diagnostic::error(
                &file,
                line,
                column,
                format!(
                    "the file is not UTF-8 (byte 0x{:02x} here): save it as UTF-8",
                    bytes[err.valid_up_to()]
                ),
            ))
        }
    }
}

/// A parsed JSON or YAML document with its locator.
pub struct Document {
    pub value: Value,
    pub locator: Locator,
}

/// Reads a YAML text as a JSON value: merge keys (`<<: *base`) applied, a key written twice in a
/// mapping an error (YAML forbids it, and the later value would silently win).
fn yaml_to_json(file: &str, text: &str) -> Result<Value, Diagnostic> {
    let error = |err: serde_norway::Error| {
        let (line, col) = err
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((1, 1));
        let message = strip_position(&err.to_string());
        let hint = if message.contains("duplicate entry") {
            " (keys of a YAML mapping must be unique: remove one)"
        } else if message.contains("more than one document") {
            " (put the hooks in one list, `- name: …`, or in separate files)"
        } else if text
            .lines()
            .nth(line.saturating_sub(1))
            .is_some_and(|l| l.trim_start_matches(' ').starts_with('\t'))
        {
            " (this line is indented with a tab: YAML indentation must be spaces)"
        } else {
            ""
        };
        Diagnostic::error(file, line, col, format!("invalid YAML: {message}{hint}"))
    };
    let mut yaml: serde_norway::Value = serde_norway::from_str(text).map_err(error)?;
    yaml.apply_merge().map_err(error)?;
    serde_json::to_value(&yaml).map_err(|err| {
        // Keys that are not strings, numbers or booleans: the direct reading says where.
        serde_norway::from_str::<Value>(text)
            .err()
            .map(error)
            .unwrap_or_else(|| Diagnostic::error(file, 1, 1, format!("invalid YAML: {err}")))
    })
}

/// Parses a JSON or YAML document, or returns the diagnostic that says where it is broken.
pub fn parse_document(file: &str, text: &str, yaml: bool) -> Result<Document, Diagnostic> {
    if text.trim().is_empty() {
        return Err(Diagnostic::error(
            file,
            1,
            1,
            "file is empty: write an object (or a list of objects) in it, or delete it",
        ));
    }
    let value = if yaml {
        yaml_to_json(file, text)?
    } else {
        serde_json::from_str::<Value>(&lone_surrogates_replaced(text)).map_err(|err| {
            Diagnostic::error(
                file,
                err.line().max(1),
                json_char_column(text, err.line(), err.column()),
                format!("invalid JSON: {}", strip_position(&err.to_string())),
            )
        })?
    };
    Ok(Document {
        locator: Locator::new(text, yaml),
        value,
    })
}

/// `text` with every `\uXXXX` escape of an unpaired UTF-16 surrogate rewritten as `\ufffd`.
///
/// Go's `encoding/json` reads an unpaired surrogate escape (`"\ud800"`) as U+FFFD, where
/// `serde_json` refuses the whole document; the rewrite keeps every byte offset, so positions in
/// error messages and the locator stay right.
pub fn lone_surrogates_replaced(text: &str) -> std::borrow::Cow<'_, str> {
    fn unit(b: &[u8], i: usize) -> Option<u16> {
        let hex = b.get(i..i + 6)?;
        if hex[0] != b'\\' || hex[1] != b'u' {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&hex[2..]).ok()?, 16)
            .ok()
            .filter(|_| hex[2..].iter().all(u8::is_ascii_hexdigit))
    }
    let b = text.as_bytes();
    if !text.contains("\\u") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out: Option<Vec<u8>> = None;
    let (mut i, mut in_string) = (0, false);
    while i < b.len() {
        match b[i] {
            b'"' => in_string = !in_string,
            b'\\' if in_string => match unit(b, i) {
                // A valid pair: keep both escapes.
                Some(0xD800..=0xDBFF) if matches!(unit(b, i + 6), Some(0xDC00..=0xDFFF)) => {
                    i += 12;
                    continue;
                }
                Some(0xD800..=0xDFFF) => {
                    out.get_or_insert_with(|| b.to_vec())[i + 2..i + 6].copy_from_slice(b"fffd");
                    i += 6;
                    continue;
                }
                _ => i += 1, // also skip the escaped character
            },
            _ => {}
        }
        i += 1;
    }
    match out {
        // Only ASCII hex digits were replaced by ASCII: still UTF-8.
        Some(bytes) => std::borrow::Cow::Owned(String::from_utf8(bytes).unwrap_or_default()),
        None => std::borrow::Cow::Borrowed(text),
    }
}

/// A warning for each key written twice in one JSON object: neither tsuru nor hooktest says a
/// word about it, and they may not even read it the same way (hooktest keeps the later value; Go's
/// decoder ignores a later null and merges objects).
fn duplicate_key_warnings(file: &str, locator: &Locator) -> Vec<Diagnostic> {
    locator
        .duplicates()
        .iter()
        .map(|(path, (line, column), (first_line, first_column))| {
            Diagnostic::warning(
                file,
                *line,
                *column,
                format!(
                    "duplicate key `{path}` (also at {first_line}:{first_column}): hooktest uses only this later value, while tsuru's Go decoder may combine them (a later null is ignored, objects merge): remove one of them"
                ),
            )
        })
        .collect()
}

/// Loads one hook file: a hook object or a list of them.
pub fn load_hook_file(path: &Path, settings: &Settings) -> (Vec<HookEntry>, Vec<Diagnostic>) {
    let file = display(path);
    let mut diags = Vec::new();
    let text = match read_text(path) {
        Ok(t) => t,
        Err(d) => return (Vec::new(), vec![d]),
    };
    let yaml = path.extension().is_none_or(|e| e != "json");
    let doc = match parse_document(&file, &text, yaml) {
        Ok(d) => d,
        Err(d) => return (Vec::new(), vec![d]),
    };
    diags.extend(duplicate_key_warnings(&file, &doc.locator));
    let items: Vec<(JsonPath, &Value)> = match &doc.value {
        Value::Array(list) => list
            .iter()
            .enumerate()
            .map(|(i, v)| (JsonPath::root().index(i), v))
            .collect(),
        other => vec![(JsonPath::root(), other)],
    };
    // Where each line starts, so finding each hook's body costs the body, not the file.
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let mut hooks = Vec::new();
    for (path, value) in items {
        let mut findings: Vec<Finding> = Vec::new();
        let hook = Hook::from_json(value, &path, &mut findings);
        diags.extend(
            findings
                .into_iter()
                .map(|f| Diagnostic::place(&file, &doc.locator, f)),
        );
        if let Some(hook) = hook {
            let (line, column) = doc.locator.locate(&path);
            let body_at = (!hook.body.is_empty()).then(|| doc.locator.locate(&path.key("body")));
            let body_place = body_at.and_then(|(line, column)| {
                let start = *line_starts.get(line.checked_sub(1)?)?;
                TextPlace::find(&text[start..], (1, column), yaml).map(|p| p.below(line - 1))
            });
            let keys_at = LOCATED_KEYS
                .iter()
                .map(|k| {
                    let p = k.split('.').fold(path.clone(), |p, seg| p.key(seg));
                    (*k, doc.locator.locate(&p))
                })
                .collect();
            hooks.push(HookEntry {
                keys_at,
                engine: hook.engine.unwrap_or(settings.engine),
                hook,
                file: file.clone(),
                line,
                column,
                body_at,
                body_place,
            });
        }
    }
    (hooks, diags)
}

fn check_duplicate_names(hooks: &[HookEntry], diagnostics: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<&str, &HookEntry> = HashMap::new();
    for entry in hooks {
        if let Some(first) = seen.get(entry.hook.name.as_str()) {
            diagnostics.push(duplicate_name_error(entry, first));
        } else {
            seen.insert(&entry.hook.name, entry);
        }
    }
}

/// The error for `entry`, a hook whose name `first` (an earlier hook) already has.
pub fn duplicate_name_error(entry: &HookEntry, first: &HookEntry) -> Diagnostic {
    let (line, column) = entry.at("name");
    Diagnostic::error(
        &entry.file,
        line,
        column,
        format!(
            "duplicate hook name `{}` (first defined at {}:{}:{}): tsuru requires unique names",
            entry.hook.name,
            first.file,
            first.at("name").0,
            first.at("name").1
        ),
    )
}

/// Loads one event file: an object, a list (`*.json`), or one object per line (`*.jsonl`, `*.ndjson`).
pub fn load_event_file(path: &Path) -> (Vec<EventEntry>, Vec<Diagnostic>) {
    let file = display(path);
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("event")
        .to_string();
    let text = match read_text(path) {
        Ok(t) => t,
        Err(d) => return (Vec::new(), vec![d]),
    };
    let mut diags = Vec::new();
    let mut events = Vec::new();
    let lines_mode = path
        .extension()
        .is_some_and(|e| e == "jsonl" || e == "ndjson");
    // (id, line, value, locator) of every event document in the file.
    let mut docs: Vec<(String, usize, Value, Rc<Locator>, JsonPath)> = Vec::new();
    if lines_mode {
        let mut n = 0;
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            n += 1;
            match serde_json::from_str::<Value>(&lone_surrogates_replaced(line)) {
                Ok(v) => {
                    let locator = Locator::json_at_line(line, i + 1);
                    diags.extend(duplicate_key_warnings(&file, &locator));
                    docs.push((
                        format!("{stem}#{n}"),
                        i + 1,
                        v,
                        Rc::new(locator),
                        JsonPath::root(),
                    ))
                }
                Err(err) => diags.push(Diagnostic::error(
                    &file,
                    i + 1,
                    json_char_column(line, 1, err.column()),
                    format!(
                        "invalid JSON on line {}: {}",
                        i + 1,
                        strip_position(&err.to_string())
                    ),
                )),
            }
        }
        if n == 0 {
            diags.push(Diagnostic::error(
                &file,
                1,
                1,
                "file is empty: write one event object per line, or delete it",
            ));
        }
    } else {
        match parse_document(&file, &text, false) {
            Err(d) => diags.push(d),
            Ok(doc) => {
                diags.extend(duplicate_key_warnings(&file, &doc.locator));
                let locator = Rc::new(doc.locator);
                match doc.value {
                    Value::Array(list) if list.is_empty() => diags.push(Diagnostic::warning(
                        &file,
                        1,
                        1,
                        "holds an empty list, so no events: add event objects to it, or delete the file",
                    )),
                    Value::Array(list) => {
                        for (i, v) in list.into_iter().enumerate() {
                            let p = JsonPath::root().index(i);
                            let line = locator.locate(&p).0;
                            docs.push((format!("{stem}#{}", i + 1), line, v, locator.clone(), p));
                        }
                    }
                    v => docs.push((stem.clone(), 1, v, locator, JsonPath::root())),
                }
            }
        }
    }
    for (id, line, value, locator, path) in docs {
        let mut findings = Vec::new();
        let event = Event::from_json(&value, &path, &mut findings);
        diags.extend(
            findings
                .into_iter()
                .map(|f| Diagnostic::place(&file, &locator, f)),
        );
        if let Some(event) = event {
            if event.running {
                diags.push(Diagnostic::warning(
                    &file,
                    line,
                    1,
                    format!("event `{id}` is still running (`Running: true`): tsuru fires webhooks only for finished events, so no hook fires for it"),
                ));
            }
            events.push(EventEntry {
                id,
                file: file.clone(),
                line,
                event,
            });
        }
    }
    (events, diags)
}

#[cfg(test)]
mod surrogate_tests {
    use super::*;

    #[test]
    fn lone_surrogate_escapes_read_as_replacement_characters_like_go() {
        let cases = [
            (r#"{"Error":"\ud800"}"#, "\u{fffd}"),
            (r#"{"Error":"\udc00x"}"#, "\u{fffd}x"),
            (r#"{"Error":"\ud83dx"}"#, "\u{fffd}x"),
            (r#"{"Error":"\ud800\ud83d\ude00"}"#, "\u{fffd}\u{1f600}"),
            (r#"{"Error":"\\ud800"}"#, "\\ud800"),
            (r#"{"Error":"\u00e9\ud83d\ude00"}"#, "\u{e9}\u{1f600}"),
        ];
        for (text, want) in cases {
            let fixed = lone_surrogates_replaced(text);
            assert_eq!(fixed.len(), text.len());
            let v: Value = serde_json::from_str(&fixed).unwrap();
            assert_eq!(v["Error"], want, "{text}");
        }
    }

    #[test]
    fn event_files_with_lone_surrogates_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.json");
        std::fs::write(&path, r#"{"Error": "bad \udfff"}"#).unwrap();
        let (events, diags) = load_event_file(&path);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(events[0].event.error, "bad \u{fffd}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_folder_is_shown_as_a_dot() {
        // `watch` says "watching . for changes", not "watching  for changes", with the default --dir.
        assert_eq!(display(Path::new(".")), ".");
        assert_eq!(display(Path::new("./")), ".");
        assert_eq!(display(Path::new("./hooks/h.json")), "hooks/h.json");
        assert_eq!(display(Path::new("proj")), "proj");
    }
}
