//! The project as `watch` keeps it loaded: parsed files cached one by one, and the last render of
//! every firing (hook, event) pair, so that a change re-renders and reports only what it affects.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::output::{self, Rendered};
use crate::project::{
    self, display, load_event_file, load_hook_file, EventEntry, HookEntry, Settings, EVENTS_DIR,
    HOOKS_DIR,
};
use crate::render::{Outcome, Renderer, Selection};
use crate::request::Request;
use crate::signing::SignOptions;

/// A firing pair: (hook name, event id).
pub type PairKey = (String, String);

/// The last render of one firing pair.
#[derive(Debug, Clone)]
pub struct PairRender {
    /// The block `render` prints for the pair, without colour (what diffs compare).
    pub plain: String,
    /// The same block with colour (when colour is on).
    pub colored: String,
    /// The request, when the template rendered.
    pub request: Option<Request>,
    /// The hook's transport settings, for re-delivery.
    pub proxy_url: String,
    pub insecure: bool,
}

/// How one pair changed in an update.
#[derive(Debug, Clone)]
pub enum Change {
    /// The pair fired before and fires now, with a different request (or error).
    Changed {
        key: PairKey,
        old: PairRender,
        new: PairRender,
    },
    /// The pair fires now and did not before.
    Started { key: PairKey, new: PairRender },
    /// The pair fired before and does not now (or its hook or event is gone).
    Stopped { key: PairKey, old: PairRender },
}

impl Change {
    /// The render the pair has now, if it fires.
    pub fn current(&self) -> Option<(&PairKey, &PairRender)> {
        match self {
            Change::Changed { key, new, .. } | Change::Started { key, new } => Some((key, new)),
            Change::Stopped { .. } => None,
        }
    }
}

/// What changed on disk since the last update, as the watcher saw it.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// Reload everything (the first load, or the watcher lost events).
    pub everything: bool,
    /// `hooktest.toml` changed.
    pub settings: bool,
    /// Something under `hooks/` changed; the paths are the files named by the events.
    pub hooks_touched: bool,
    pub hooks: BTreeSet<PathBuf>,
    /// Something under `events/` changed.
    pub events_touched: bool,
    pub events: BTreeSet<PathBuf>,
    /// Something under `contracts/` changed.
    pub contracts: bool,
}

impl Changes {
    /// Reload every file.
    pub fn everything() -> Changes {
        Changes {
            everything: true,
            ..Changes::default()
        }
    }

    /// Whether nothing was seen.
    pub fn is_empty(&self) -> bool {
        !self.everything
            && !self.settings
            && !self.hooks_touched
            && !self.events_touched
            && !self.contracts
    }
}

/// The result of applying [`Changes`].
#[derive(Debug, Default)]
pub struct Update {
    /// Files read again or dropped, relative to the project folder.
    pub files: Vec<String>,
    /// Findings in the files read again, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// Files that have errors and whose last good version stays loaded.
    pub kept: Vec<String>,
    /// Files read again that have errors.
    pub broken: usize,
    /// The pairs whose render changed, in render order (events, then hooks), stopped pairs last.
    pub changes: Vec<Change>,
    /// Whether the loaded project changed (a file read again or dropped, the settings): what the
    /// contracts see, including hooks and events outside `--hook`/`--event`.
    pub project_changed: bool,
}

const HOOK_EXTENSIONS: &[&str] = &["json", "yaml", "yml"];
const EVENT_EXTENSIONS: &[&str] = &["json", "jsonl", "ndjson"];

/// A project held in memory between changes.
pub struct Workspace {
    root: PathBuf,
    settings: Settings,
    selection: Selection,
    /// Each hook file compiled on its own, so a change recompiles only its file.
    hooks: BTreeMap<PathBuf, Renderer>,
    events: BTreeMap<PathBuf, Vec<EventEntry>>,
    renders: HashMap<PairKey, PairRender>,
    /// Signatures use the time the watch started, so a signed request only shows as changed when
    /// its body or headers really change, not on every re-render.
    signing: SignOptions,
}

impl Workspace {
    /// An empty workspace for the project in `root`; [`Workspace::apply`] with
    /// [`Changes::everything`] loads it.
    pub fn new(root: PathBuf, selection: Selection) -> Workspace {
        Workspace {
            root,
            settings: Settings::default(),
            selection,
            hooks: BTreeMap::new(),
            events: BTreeMap::new(),
            renders: HashMap::new(),
            signing: SignOptions {
                fixed_time: Some(SignOptions::default().timestamp()),
            },
        }
    }

    /// How requests are signed while watching (a fixed time: see the field).
    pub fn sign_options(&self) -> SignOptions {
        self.signing
    }

    /// The project folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// How many hooks and events are watched (after `--hook`/`--event`).
    pub fn counts(&self) -> (usize, usize) {
        (self.active_hooks().len(), self.active_events().len())
    }

    /// The firing pairs, in render order.
    pub fn firing(&self) -> Vec<(&PairKey, &PairRender)> {
        let hooks = self.active_hooks();
        let mut out = Vec::new();
        for (event, _, _) in self.active_events() {
            for (hook, _, _) in &hooks {
                let key = (hook.clone(), event.clone());
                if let Some((k, r)) = self.renders.get_key_value(&key) {
                    out.push((k, r));
                }
            }
        }
        out
    }

    /// Names given with `--hook` and ids given with `--event` that the project does not have (now).
    pub fn unknown_selection(&self) -> Vec<String> {
        let names: HashSet<&str> = self
            .hooks
            .values()
            .flat_map(|r| r.hooks.iter().map(|h| h.hook.name.as_str()))
            .collect();
        let ids: Vec<&str> = self
            .events
            .values()
            .flat_map(|e| e.iter().map(|e| e.id.as_str()))
            .collect();
        let mut out: Vec<String> = self
            .selection
            .hooks
            .iter()
            .filter(|n| !names.contains(n.as_str()))
            .map(|n| format!("no hook named `{n}` (yet)"))
            .collect();
        out.extend(
            self.selection
                .events
                .iter()
                .filter(|w| !ids.iter().any(|id| event_selected(id, w)))
                .map(|w| format!("no event `{w}` (yet)")),
        );
        out
    }

    /// A project value holding every loaded hook and event (for contracts).
    pub fn project(&self) -> project::Project {
        project::Project {
            root: self.root.clone(),
            settings: self.settings.clone(),
            hooks: self.all_hooks(),
            events: self.events.values().flatten().cloned().collect(),
            diagnostics: Vec::new(),
        }
    }

    /// Every loaded hook, first of each name only, in project order.
    pub fn all_hooks(&self) -> Vec<HookEntry> {
        let mut seen = HashSet::new();
        self.hooks
            .values()
            .flat_map(|r| r.hooks.iter())
            .filter(|h| seen.insert(h.hook.name.clone()))
            .cloned()
            .collect()
    }

    /// Reloads what `changes` names, re-renders the pairs it affects and reports how they changed.
    pub fn apply(&mut self, changes: &Changes) -> Update {
        let mut update = Update::default();
        let hooks_before = self.active_hooks();
        let events_before = self.active_events();

        let mut all_hooks = changes.everything;
        if changes.settings || changes.everything {
            let path = self.root.join(project::SETTINGS_FILE);
            let mut diags = Vec::new();
            let settings = project::load_settings(&self.root, &mut diags);
            if changes.settings {
                update.files.push(self.relative(&path));
            }
            if diags.iter().any(Diagnostic::is_error) {
                update.broken += 1;
                update.kept.push(display(&path));
            } else if settings != self.settings {
                self.settings = settings;
                all_hooks = true;
                update.project_changed = true;
            }
            update.diagnostics.extend(diags);
        }

        let hooks_dir = self.root.join(HOOKS_DIR);
        let mut reloaded: HashSet<PathBuf> = HashSet::new();
        let mut hook_files_seen: HashSet<String> = HashSet::new();
        if all_hooks || changes.hooks_touched {
            let candidates = candidates(
                &hooks_dir,
                HOOK_EXTENSIONS,
                self.hooks.keys(),
                &changes.hooks,
                all_hooks,
            );
            for (path, exists) in candidates {
                let replaced = if exists {
                    self.reload_hooks(&path, &mut update)
                } else {
                    self.hooks.remove(&path).is_some()
                };
                if !changes.everything {
                    update.files.push(self.relative(&path));
                }
                hook_files_seen.insert(display(&path));
                if replaced {
                    reloaded.insert(path);
                }
            }
            update
                .diagnostics
                .extend(self.duplicate_names(&hook_files_seen));
        }
        let events_dir = self.root.join(EVENTS_DIR);
        if changes.everything || changes.events_touched {
            let candidates = candidates(
                &events_dir,
                EVENT_EXTENSIONS,
                self.events.keys(),
                &changes.events,
                changes.everything,
            );
            for (path, exists) in candidates {
                let replaced = if exists {
                    self.reload_events(&path, &mut update)
                } else {
                    self.events.remove(&path).is_some()
                };
                if !changes.everything {
                    update.files.push(self.relative(&path));
                }
                if replaced {
                    reloaded.insert(path);
                }
            }
        }
        if changes.contracts {
            update.files.push(format!("{}/", project::CONTRACTS_DIR));
        }
        update.project_changed |= !reloaded.is_empty();

        let hooks_now = self.active_hooks();
        let events_now = self.active_events();
        let dirty_hooks = dirty(&owners(&hooks_before), &owners(&hooks_now), &reloaded);
        let dirty_events = dirty(&owners(&events_before), &owners(&events_now), &reloaded);
        if dirty_hooks.is_empty() && dirty_events.is_empty() {
            return update;
        }

        let mut fresh: HashMap<PairKey, PairRender> = HashMap::new();
        for (path, renderer) in &self.hooks {
            let active: HashMap<usize, &str> = hooks_now
                .iter()
                .filter(|(_, p, _)| p == path)
                .map(|(name, _, i)| (*i, name.as_str()))
                .collect();
            if active.is_empty() {
                continue;
            }
            let file_dirty = active.values().any(|n| dirty_hooks.contains(*n));
            for (id, event_path, index) in &events_now {
                let event_dirty = dirty_events.contains(id);
                if !file_dirty && !event_dirty {
                    continue;
                }
                let Some(entries) = self.events.get(event_path) else {
                    continue;
                };
                for o in renderer.render_event(*index, &entries[*index].event, false) {
                    let Some(name) = active.get(&o.hook) else {
                        continue;
                    };
                    if event_dirty || dirty_hooks.contains(*name) {
                        fresh.insert(
                            (name.to_string(), id.clone()),
                            pair_render(renderer, entries, &o),
                        );
                    }
                }
            }
        }

        let stale: Vec<PairKey> = self
            .renders
            .keys()
            .filter(|(h, e)| dirty_hooks.contains(h.as_str()) || dirty_events.contains(e.as_str()))
            .cloned()
            .collect();
        let mut old: HashMap<PairKey, PairRender> = stale
            .into_iter()
            .filter_map(|k| self.renders.remove_entry(&k))
            .collect();
        for (id, _, _) in &events_now {
            for (name, _, _) in &hooks_now {
                let key = (name.clone(), id.clone());
                let Some(new) = fresh.remove(&key) else {
                    continue;
                };
                match old.remove(&key) {
                    // The text shows JSON bodies pretty-printed: a change of the bytes sent (a
                    // space, key order, escapes) can leave it unchanged.
                    Some(prev) if prev.plain == new.plain && prev.request == new.request => {}
                    Some(prev) => update.changes.push(Change::Changed {
                        key: key.clone(),
                        old: prev,
                        new: new.clone(),
                    }),
                    None => update.changes.push(Change::Started {
                        key: key.clone(),
                        new: new.clone(),
                    }),
                }
                self.renders.insert(key, new);
            }
        }
        let mut stopped: Vec<(PairKey, PairRender)> = old.into_iter().collect();
        stopped.sort_by(|a, b| a.0.cmp(&b.0));
        update.changes.extend(
            stopped
                .into_iter()
                .map(|(key, old)| Change::Stopped { key, old }),
        );
        update
    }

    /// `render`'s error for each hook whose name an earlier hook already has (watch uses the
    /// first), when either of the two is in one of `files` (the hook files just looked at).
    fn duplicate_names(&self, files: &HashSet<String>) -> Vec<Diagnostic> {
        let mut first: HashMap<&str, &HookEntry> = HashMap::new();
        let mut out = Vec::new();
        for entry in self.hooks.values().flat_map(|r| r.hooks.iter()) {
            match first.get(entry.hook.name.as_str()) {
                Some(earlier) => {
                    if files.contains(&entry.file) || files.contains(&earlier.file) {
                        out.push(project::duplicate_name_error(entry, earlier));
                    }
                }
                None => {
                    first.insert(&entry.hook.name, entry);
                }
            }
        }
        out
    }

    /// `path` relative to the project folder, as the summary line names files.
    fn relative(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| display(path))
    }

    /// Reads a hook file again; returns whether its hooks were replaced (an erroneous file keeps
    /// its last good version).
    fn reload_hooks(&mut self, path: &Path, update: &mut Update) -> bool {
        let (entries, mut diags) = load_hook_file(path, &self.settings);
        let renderer = Renderer::new(entries, false).with_sign_options(self.signing);
        for (i, entry) in renderer.hooks.iter().enumerate() {
            if let Err(err) = renderer.body(i) {
                let (line, column) = entry.body_position(err.line, err.column);
                let pos = err.position();
                diags.push(Diagnostic::error(
                    &entry.file,
                    line,
                    column,
                    format!(
                        "hook `{}`: the {} body does not compile{}: {}",
                        entry.hook.name,
                        entry.engine.as_str(),
                        if pos.is_empty() {
                            String::new()
                        } else {
                            format!(" ({pos})")
                        },
                        err.message
                    ),
                ));
            }
        }
        let broken = diags.iter().any(Diagnostic::is_error);
        update.diagnostics.extend(diags);
        if broken {
            update.broken += 1;
            if self.hooks.contains_key(path) {
                update.kept.push(display(path));
                return false;
            }
        }
        self.hooks.insert(path.to_path_buf(), renderer);
        true
    }

    /// Reads an event file again; returns whether its events were replaced.
    fn reload_events(&mut self, path: &Path, update: &mut Update) -> bool {
        let (entries, diags) = load_event_file(path);
        let broken = diags.iter().any(Diagnostic::is_error);
        update.diagnostics.extend(diags);
        if broken {
            update.broken += 1;
            if self.events.contains_key(path) {
                update.kept.push(display(path));
                return false;
            }
        }
        self.events.insert(path.to_path_buf(), entries);
        true
    }

    /// The watched hooks in project order: (name, file, index in file); the first hook of a name
    /// wins, as a duplicate is an error anyway.
    fn active_hooks(&self) -> Vec<Active> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for (path, renderer) in &self.hooks {
            for (i, h) in renderer.hooks.iter().enumerate() {
                let name = h.hook.name.as_str();
                if seen.insert(name)
                    && (self.selection.hooks.is_empty()
                        || self.selection.hooks.iter().any(|n| n == name))
                {
                    out.push((name.to_string(), path.clone(), i));
                }
            }
        }
        out
    }

    /// The watched events in project order: (id, file, index in file).
    fn active_events(&self) -> Vec<Active> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for (path, entries) in &self.events {
            for (i, e) in entries.iter().enumerate() {
                let id = e.id.as_str();
                if seen.insert(id)
                    && (self.selection.events.is_empty()
                        || self.selection.events.iter().any(|w| event_selected(id, w)))
                {
                    out.push((id.to_string(), path.clone(), i));
                }
            }
        }
        out
    }
}

/// Whether `--event wanted` selects the event `id` (its id, or the stem of a multi-event file).
fn event_selected(id: &str, wanted: &str) -> bool {
    id == wanted || id.split_once('#').is_some_and(|(stem, _)| stem == wanted)
}

/// A watched hook or event: (name or id, file, index in the file).
type Active = (String, PathBuf, usize);

/// Which file each name or id comes from.
fn owners(active: &[Active]) -> HashMap<&str, (&PathBuf, usize)> {
    active
        .iter()
        .map(|(n, p, i)| (n.as_str(), (p, *i)))
        .collect()
}

/// Names whose definition may have changed: from a file read again, or now from another place.
fn dirty(
    before: &HashMap<&str, (&PathBuf, usize)>,
    after: &HashMap<&str, (&PathBuf, usize)>,
    reloaded: &HashSet<PathBuf>,
) -> HashSet<String> {
    let mut out = HashSet::new();
    for (name, owner) in before.iter().chain(after.iter()) {
        let moved = before.get(name) != after.get(name);
        if moved || reloaded.contains(owner.0) {
            out.insert(name.to_string());
        }
    }
    out
}

/// The files of `dir` to look at again, with whether each exists: those named by events, those
/// that appeared (a folder created or renamed, a missed event) and those that disappeared.
fn candidates<'a>(
    dir: &Path,
    extensions: &[&str],
    cached: impl Iterator<Item = &'a PathBuf>,
    named: &BTreeSet<PathBuf>,
    all: bool,
) -> Vec<(PathBuf, bool)> {
    let mut ignored = Vec::new();
    let on_disk: BTreeSet<PathBuf> = if dir.is_dir() {
        project::list_files(dir, extensions, &mut ignored)
            .into_iter()
            .collect()
    } else {
        BTreeSet::new()
    };
    let cached: BTreeSet<&PathBuf> = cached.collect();
    let mut out: BTreeMap<PathBuf, bool> = BTreeMap::new();
    for p in &on_disk {
        if all || named.contains(p) || !cached.contains(p) {
            out.insert(p.clone(), true);
        }
    }
    for p in cached {
        if !on_disk.contains(p) {
            out.insert(p.clone(), false);
        }
    }
    out.into_iter().collect()
}

fn pair_render(renderer: &Renderer, events: &[EventEntry], o: &Outcome) -> PairRender {
    let rendered = Rendered {
        renderer,
        events,
        outcomes: std::slice::from_ref(o),
    };
    let colored = output::text::to_text(&rendered);
    let hook = &renderer.hooks[o.hook].hook;
    PairRender {
        plain: strip_ansi(&colored),
        colored,
        request: o.request.clone(),
        proxy_url: hook.proxy_url.clone(),
        insecure: hook.insecure,
    }
}

/// Text without ANSI colour sequences.
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let full = dir.path().join(path);
            fs::create_dir_all(full.parent().unwrap()).unwrap();
            fs::write(full, text).unwrap();
        }
        dir
    }

    const HOOK: &str = r#"{"name": "h", "url": "http://x/", "body": "{\"v\": 1}"}"#;
    const EVENT: &str = r#"{"Target": {"Type": "app", "Value": "a"}, "Kind": {"Type": "permission", "Name": "app.deploy"}}"#;

    fn changed(ws: &Workspace, hooks: &[&str], events: &[&str]) -> Changes {
        Changes {
            hooks_touched: !hooks.is_empty(),
            hooks: hooks.iter().map(|p| ws.root.join(p)).collect(),
            events_touched: !events.is_empty(),
            events: events.iter().map(|p| ws.root.join(p)).collect(),
            ..Changes::default()
        }
    }

    #[test]
    fn first_load_starts_every_pair_and_an_edit_changes_one() {
        let dir = project(&[("hooks/h.json", HOOK), ("events/e.json", EVENT)]);
        let mut ws = Workspace::new(dir.path().to_path_buf(), Selection::default());
        let first = ws.apply(&Changes::everything());
        assert_eq!(first.changes.len(), 1);
        assert!(matches!(first.changes[0], Change::Started { .. }));

        fs::write(dir.path().join("hooks/h.json"), HOOK.replace("1}", "2}")).unwrap();
        let update = ws.apply(&changed(&ws, &["hooks/h.json"], &[]));
        assert_eq!(update.changes.len(), 1);
        let Change::Changed { old, new, .. } = &update.changes[0] else {
            panic!("expected a change, got {:?}", update.changes)
        };
        assert!(old.plain.contains("\"v\": 1") && new.plain.contains("\"v\": 2"));

        let again = ws.apply(&changed(&ws, &["hooks/h.json"], &[]));
        assert!(
            again.changes.is_empty(),
            "an unchanged file reports nothing"
        );
    }

    #[test]
    fn a_broken_file_keeps_its_last_good_version() {
        let dir = project(&[("hooks/h.json", HOOK), ("events/e.json", EVENT)]);
        let mut ws = Workspace::new(dir.path().to_path_buf(), Selection::default());
        ws.apply(&Changes::everything());
        fs::write(dir.path().join("hooks/h.json"), "{\"name\": ").unwrap();
        let update = ws.apply(&changed(&ws, &["hooks/h.json"], &[]));
        assert!(update.changes.is_empty());
        assert_eq!(update.broken, 1);
        assert_eq!(update.kept.len(), 1);
        assert!(update.diagnostics[0].to_string().contains("h.json:1:"));
        assert_eq!(ws.firing().len(), 1);
    }

    #[test]
    fn deleted_and_new_files_stop_and_start_pairs() {
        let dir = project(&[("hooks/h.json", HOOK), ("events/e.json", EVENT)]);
        let mut ws = Workspace::new(dir.path().to_path_buf(), Selection::default());
        ws.apply(&Changes::everything());
        fs::write(dir.path().join("events/f.json"), EVENT).unwrap();
        // The watcher may only say "something in events/ changed": new files are found by listing.
        let update = ws.apply(&changed(&ws, &[], &["events"]));
        assert!(matches!(&update.changes[..], [Change::Started { key, .. }] if key.1 == "f"));
        fs::remove_file(dir.path().join("hooks/h.json")).unwrap();
        let update = ws.apply(&changed(&ws, &["hooks/h.json"], &[]));
        assert_eq!(update.changes.len(), 2);
        assert!(update
            .changes
            .iter()
            .all(|c| matches!(c, Change::Stopped { .. })));
    }

    #[test]
    fn a_request_change_hidden_by_pretty_printing_is_reported() {
        let hook = |body: &str| format!(r#"{{"name": "h", "url": "http://x/", "body": {body:?}}}"#);
        let dir = project(&[
            ("hooks/h.json", &hook(r#"{"v":1}"#)),
            ("events/e.json", EVENT),
        ]);
        let mut ws = Workspace::new(dir.path().to_path_buf(), Selection::default());
        ws.apply(&Changes::everything());
        // The body sent changes (a space), its pretty-printed form does not.
        fs::write(dir.path().join("hooks/h.json"), hook(r#"{"v": 1}"#)).unwrap();
        let update = ws.apply(&changed(&ws, &["hooks/h.json"], &[]));
        let [Change::Changed { old, new, .. }] = &update.changes[..] else {
            panic!("expected one change, got {:?}", update.changes)
        };
        assert_eq!(
            old.request.as_ref().unwrap().body.as_deref(),
            Some(r#"{"v":1}"#)
        );
        assert_eq!(
            new.request.as_ref().unwrap().body.as_deref(),
            Some(r#"{"v": 1}"#)
        );
        let text = super::super::changes_text(&update.changes);
        assert!(
            text.contains(r#"-{"v":1}"#) && text.contains(r#"+{"v": 1}"#),
            "{text}"
        );
    }

    #[test]
    fn a_duplicate_name_is_reported_and_its_tera_body_does_not_replace_the_first() {
        let dir = project(&[
            (
                "hooks/h.json",
                r#"[{"name": "h", "url": "http://x/1", "engine": "tera", "body": "first"}]"#,
            ),
            ("events/e.json", EVENT),
        ]);
        let mut ws = Workspace::new(dir.path().to_path_buf(), Selection::default());
        ws.apply(&Changes::everything());
        fs::write(
            dir.path().join("hooks/h.json"),
            r#"[{"name": "h", "url": "http://x/1", "engine": "tera", "body": "first"},
                {"name": "h", "url": "http://x/2", "engine": "tera", "body": "second"}]"#,
        )
        .unwrap();
        let update = ws.apply(&changed(&ws, &["hooks/h.json"], &[]));
        assert!(
            update.changes.is_empty(),
            "the first `h` still renders `first`: {:?}",
            update.changes
        );
        let body = |ws: &Workspace| ws.firing()[0].1.request.clone().unwrap().body.unwrap();
        assert_eq!(body(&ws), "first");
        assert!(
            update
                .diagnostics
                .iter()
                .any(|d| d.line == 2 && d.message.contains("duplicate hook name `h`")),
            "{:?}",
            update.diagnostics
        );
        // A copy of the file in another one is reported too.
        fs::copy(
            dir.path().join("hooks/h.json"),
            dir.path().join("hooks/i.json"),
        )
        .unwrap();
        let update = ws.apply(&changed(&ws, &["hooks/i.json"], &[]));
        assert!(
            update.diagnostics.iter().any(
                |d| d.file.ends_with("i.json") && d.message.contains("duplicate hook name `h`")
            ),
            "{:?}",
            update.diagnostics
        );
        assert_eq!(body(&ws), "first");
    }

    #[test]
    fn a_change_outside_the_selection_still_changes_the_project() {
        let other = r#"{"name": "o", "url": "http://x/", "body": "1"}"#;
        let dir = project(&[
            ("hooks/h.json", HOOK),
            ("hooks/o.json", other),
            ("events/e.json", EVENT),
        ]);
        let selection = Selection {
            hooks: vec!["h".into()],
            events: vec![],
        };
        let mut ws = Workspace::new(dir.path().to_path_buf(), selection);
        ws.apply(&Changes::everything());
        fs::write(dir.path().join("hooks/o.json"), other.replace('1', "2")).unwrap();
        let update = ws.apply(&changed(&ws, &["hooks/o.json"], &[]));
        assert!(update.changes.is_empty());
        assert!(
            update.project_changed,
            "contracts see every hook: they must run again"
        );
        let again = ws.apply(&changed(&ws, &["hooks/o.json"], &[]));
        assert!(
            again.project_changed,
            "a file read again counts, even if unchanged"
        );
        fs::write(dir.path().join("hooks/o.json"), "{").unwrap();
        let broken = ws.apply(&changed(&ws, &["hooks/o.json"], &[]));
        assert!(
            !broken.project_changed,
            "a broken file keeps its last good version"
        );
    }

    #[test]
    fn strips_colour() {
        assert_eq!(strip_ansi("\x1b[1;32mPOST\x1b[0m x"), "POST x");
    }
}
