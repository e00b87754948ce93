//! Randomised check of `watch`'s incremental state: random edits on a project, fed to a
//! `Workspace` the way the watcher feeds them, and after each batch the workspace compared with a
//! fresh load of the same files (and with `render`'s pipeline when the project has no errors).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use hooktest::diagnostic::Diagnostic;
use hooktest::project::{load_event_file, load_hook_file, load_settings, Project, Settings};
use hooktest::render::{Renderer, Selection};
use hooktest::request::Request;
use hooktest::watch::{Change, Changes, Workspace};
use serde_json::{json, Value};

const HOOK_FILES: &[&str] = &["h1.json", "h2.yaml", "h3.yml", "h4.json"];
const EVENT_FILES: &[&str] = &["e1.json", "e2.json", "e1.jsonl", "e3.ndjson"];
const NAMES: &[&str] = &["a", "b", "c", "d"];

struct Gen(fastrand::Rng);

impl Gen {
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.0.usize(..items.len())]
    }
    fn chance(&mut self, p: f64) -> bool {
        self.0.f64() < p
    }

    fn body(&mut self) -> (String, Option<&'static str>) {
        let n = self.0.u8(..4);
        match self.0.u8(..11) {
            0 => (String::new(), None),
            1 => (
                format!("{{\"k\": \"{{{{.Kind.Name}}}}\", \"t\": \"{{{{.Target.Value}}}}\", \"n\": {n}}}"),
                None,
            ),
            2 => (format!("v={{{{.Target.Value}}}} n={n}"), None),
            3 => ("{{.Kind.Name".into(), None),
            4 => ("{{.Nope}}".into(), None),
            5 => (format!("{{{{ Kind.Name }}}}-{{{{ hook.name }}}}-{n}"), Some("tera")),
            6 => ("{{ Kind.Name ".into(), Some("tera")),
            7 => ("{{ nope }}".into(), Some("tera")),
            8 => (format!("{{\"v\":{n}}}"), None),
            9 => (format!("{{\"v\": {n}}}"), None),
            _ => (format!("plain {n} {{{{ Target.Value }}}}"), None),
        }
    }

    fn hook(&mut self) -> Value {
        let name = *self.pick(NAMES);
        let mut h = serde_json::Map::new();
        h.insert("name".into(), json!(name));
        h.insert("url".into(), json!(format!("http://x.example/{name}")));
        let method = *self.pick(&["", "GET", "post", "PUT"]);
        if !method.is_empty() {
            h.insert("method".into(), json!(method));
        }
        let mut f = serde_json::Map::new();
        if self.chance(0.5) {
            f.insert(
                "kind_names".into(),
                json!([self.pick(&["app.deploy", "app", "app.update", "pool.create"])]),
            );
        }
        if self.chance(0.3) {
            f.insert("target_types".into(), json!([self.pick(&["app", "pool"])]));
        }
        if self.chance(0.2) {
            f.insert("success_only".into(), json!(true));
        } else if self.chance(0.2) {
            f.insert("error_only".into(), json!(true));
        }
        if !f.is_empty() {
            h.insert("event_filter".into(), Value::Object(f));
        }
        let (body, engine_hint) = self.body();
        if !body.is_empty() {
            h.insert("body".into(), json!(body));
        }
        match self.0.u8(..10) {
            0..=3 => {}
            4..=5 => {
                h.insert("engine".into(), json!(engine_hint.unwrap_or("go")));
            }
            6..=7 => {
                h.insert("engine".into(), json!(engine_hint.unwrap_or("tera")));
            }
            8 => {
                h.insert("engine".into(), json!("bogus"));
            }
            _ => {
                h.insert(
                    "engine".into(),
                    json!(if engine_hint.is_some() { "go" } else { "tera" }),
                );
            }
        }
        if self.chance(0.2) {
            h.insert(
                "headers".into(),
                json!({"X-N": [format!("{}", self.0.u8(..3))]}),
            );
        }
        if self.chance(0.1) {
            h.insert(
                "signing".into(),
                json!({"scheme": "hmac-sha256", "secret": "s3cret"}),
            );
        }
        if self.chance(0.05) {
            h.insert("insecure".into(), json!("yes"));
        }
        Value::Object(h)
    }

    fn hook_file(&mut self, yaml: bool) -> String {
        if self.chance(0.07) {
            return if yaml {
                "name: [\n".into()
            } else {
                "{\"name\": ".into()
            };
        }
        let value = if self.chance(0.6) {
            self.hook()
        } else {
            let n = self.0.usize(1..4);
            Value::Array((0..n).map(|_| self.hook()).collect())
        };
        if yaml {
            serde_norway::to_string(&value).unwrap()
        } else {
            serde_json::to_string_pretty(&value).unwrap()
        }
    }

    fn event(&mut self) -> Value {
        if self.chance(0.05) {
            return json!({"Target": 5});
        }
        let mut e = json!({
            "Target": {"Type": self.pick(&["app", "pool"]), "Value": self.pick(&["shop", "cart"])},
            "Kind": {"Type": "permission", "Name": self.pick(&["app.deploy", "app.update.env.set", "pool.create"])},
        });
        if self.chance(0.3) {
            e["Error"] = json!("boom");
        }
        if self.chance(0.1) {
            e["Running"] = json!(true);
        }
        e
    }

    fn event_file(&mut self, lines: bool) -> String {
        if self.chance(0.07) {
            return "{\"Target\": ".into();
        }
        if lines {
            let n = self.0.usize(1..4);
            (0..n)
                .map(|_| serde_json::to_string(&self.event()).unwrap() + "\n")
                .collect()
        } else if self.chance(0.6) {
            serde_json::to_string_pretty(&self.event()).unwrap()
        } else {
            let n = self.0.usize(0..4);
            serde_json::to_string_pretty(&Value::Array((0..n).map(|_| self.event()).collect()))
                .unwrap()
        }
    }

    fn settings(&mut self) -> Option<String> {
        match self.0.u8(..5) {
            0 => None,
            1 => Some("engine = \"go\"\n".into()),
            2 | 3 => Some("engine = \"tera\"\n".into()),
            _ => Some("engine = 3\n".into()),
        }
    }
}

/// Whether a hook file loads without errors (bodies compiled), as `watch` judges it.
fn hook_file_ok(path: &Path, settings: &Settings) -> bool {
    let (entries, diags) = load_hook_file(path, settings);
    let renderer = Renderer::new(entries, false);
    !diags.iter().any(Diagnostic::is_error)
        && (0..renderer.hooks.len()).all(|i| renderer.body(i).is_ok())
}

fn event_file_ok(path: &Path) -> bool {
    !load_event_file(path).1.iter().any(Diagnostic::is_error)
}

/// What `watch` should have loaded: per file, the text it holds (the last version without errors,
/// or the first one seen) and, for hooks, the default engine it was compiled with.
#[derive(Default, Clone)]
struct Model {
    settings: Settings,
    settings_text: Option<String>,
    hooks: BTreeMap<String, (String, Settings)>,
    events: BTreeMap<String, String>,
}

fn read_dir_files(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Ok(rd) = fs::read_dir(dir) {
        for e in rd.flatten() {
            if e.path().is_file() {
                out.insert(
                    e.file_name().to_string_lossy().into_owned(),
                    fs::read_to_string(e.path()).unwrap_or_default(),
                );
            }
        }
    }
    out
}

impl Model {
    fn update(&mut self, root: &Path, changes: &Changes) {
        let mut all_hooks = changes.everything;
        if changes.settings || changes.everything {
            let mut diags = Vec::new();
            let s = load_settings(root, &mut diags);
            if !diags.iter().any(Diagnostic::is_error) {
                self.settings_text = fs::read_to_string(root.join("hooktest.toml")).ok();
                if s != self.settings {
                    self.settings = s;
                    all_hooks = true;
                }
            }
        }
        if all_hooks || changes.hooks_touched {
            let disk = read_dir_files(&root.join("hooks"));
            self.hooks.retain(|k, _| disk.contains_key(k));
            for (name, text) in disk {
                let path = root.join("hooks").join(&name);
                let touched =
                    all_hooks || changes.hooks.contains(&path) || !self.hooks.contains_key(&name);
                if !touched {
                    continue;
                }
                if hook_file_ok(&path, &self.settings) || !self.hooks.contains_key(&name) {
                    self.hooks.insert(name, (text, self.settings.clone()));
                }
            }
        }
        if changes.everything || changes.events_touched {
            let disk = read_dir_files(&root.join("events"));
            self.events.retain(|k, _| disk.contains_key(k));
            for (name, text) in disk {
                let path = root.join("events").join(&name);
                let touched = changes.everything
                    || changes.events.contains(&path)
                    || !self.events.contains_key(&name);
                if !touched {
                    continue;
                }
                if event_file_ok(&path) || !self.events.contains_key(&name) {
                    self.events.insert(name, text);
                }
            }
        }
    }

    /// Whether every loaded hook file was compiled with the current default engine (else a
    /// fresh load of the same texts would differ on purpose).
    fn comparable(&self) -> bool {
        self.hooks.values().all(|(_, s)| *s == self.settings)
    }

    fn write_to(&self, dir: &Path) {
        let _ = fs::remove_dir_all(dir);
        fs::create_dir_all(dir.join("hooks")).unwrap();
        fs::create_dir_all(dir.join("events")).unwrap();
        let toml = match self.settings.engine {
            hooktest::hook::Engine::Go => "engine = \"go\"\n",
            hooktest::hook::Engine::Tera => "engine = \"tera\"\n",
        };
        fs::write(dir.join("hooktest.toml"), toml).unwrap();
        for (n, (t, _)) in &self.hooks {
            fs::write(dir.join("hooks").join(n), t).unwrap();
        }
        for (n, t) in &self.events {
            fs::write(dir.join("events").join(n), t).unwrap();
        }
    }

    /// Whether the disk holds exactly what the model says is loaded.
    fn matches_disk(&self, root: &Path) -> bool {
        let hooks = read_dir_files(&root.join("hooks"));
        let events = read_dir_files(&root.join("events"));
        let toml = fs::read_to_string(root.join("hooktest.toml")).ok();
        toml == self.settings_text
            && hooks.len() == self.hooks.len()
            && hooks
                .iter()
                .all(|(k, v)| self.hooks.get(k).is_some_and(|(t, _)| t == v))
            && events == self.events
    }
}

type View = Vec<((String, String), String, Option<Request>)>;
/// A pair's text and request, by (hook, event).
type Renders = BTreeMap<(String, String), (String, Option<Request>)>;
/// (hook, event, request, error message) of a pair `render` renders.
type RenderPair = (String, String, Option<Request>, Option<String>);

fn view(ws: &Workspace, root: &Path, as_root: &Path) -> View {
    let from = root.display().to_string();
    let to = as_root.display().to_string();
    ws.firing()
        .into_iter()
        .map(|(k, r)| (k.clone(), r.plain.replace(&from, &to), r.request.clone()))
        .collect()
}

fn event_selected(id: &str, wanted: &str) -> bool {
    id == wanted || id.split_once('#').is_some_and(|(stem, _)| stem == wanted)
}

/// `render`'s pipeline on the disk: (hook, event, request, error message) of every firing pair.
fn reference(root: &Path, sel: &Selection, fixed: Option<i64>) -> Option<Vec<RenderPair>> {
    let project = Project::load(root).ok()?;
    if project.has_errors() {
        return None;
    }
    let hooks: Vec<_> = project
        .hooks
        .iter()
        .filter(|h| sel.hooks.is_empty() || sel.hooks.contains(&h.hook.name))
        .cloned()
        .collect();
    let mut events: Vec<hooktest::project::EventEntry> = Vec::new();
    for e in &project.events {
        if sel.events.is_empty() || sel.events.iter().any(|w| event_selected(&e.id, w)) {
            events.push(e.clone());
        }
    }
    let renderer = Renderer::new(hooks, false)
        .with_sign_options(hooktest::signing::SignOptions { fixed_time: fixed });
    let mut out = Vec::new();
    for (i, e) in events.iter().enumerate() {
        for o in renderer.render_event(i, &e.event, false) {
            let rendered = hooktest::output::Rendered {
                renderer: &renderer,
                events: &events,
                outcomes: std::slice::from_ref(&o),
            };
            out.push((
                renderer.hooks[o.hook].hook.name.clone(),
                e.id.clone(),
                o.request.clone(),
                rendered.error_message(&o),
            ));
        }
    }
    Some(out)
}

#[derive(Default, Debug)]
struct Stats {
    steps: usize,
    compared: usize,
    rendered: usize,
    problems: BTreeMap<String, (usize, String)>,
}

impl Stats {
    fn problem(&mut self, kind: &str, detail: String) {
        let e = self.problems.entry(kind.to_string()).or_insert((0, detail));
        e.0 += 1;
    }
}

fn selections() -> Vec<Selection> {
    vec![
        Selection::default(),
        Selection {
            hooks: vec!["a".into(), "c".into()],
            events: vec![],
        },
        Selection {
            hooks: vec![],
            events: vec!["e1".into(), "e2#2".into(), "e3#1".into()],
        },
        Selection {
            hooks: vec!["b".into()],
            events: vec!["e2".into(), "e1#1".into()],
        },
    ]
}

fn run_seed(seed: u64, steps: usize, stats: &mut Stats, log: bool) {
    let mut g = Gen(fastrand::Rng::with_seed(seed));
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("p");
    let oracle_root = dir.path().join("o");
    fs::create_dir_all(root.join("hooks")).unwrap();
    fs::create_dir_all(root.join("events")).unwrap();
    // A starting project.
    for f in &HOOK_FILES[..2] {
        fs::write(
            root.join("hooks").join(f),
            g.hook_file(!f.ends_with(".json")),
        )
        .unwrap();
    }
    for f in &EVENT_FILES[..2] {
        fs::write(
            root.join("events").join(f),
            g.event_file(!f.ends_with(".json")),
        )
        .unwrap();
    }
    let sels = selections();
    let mut wss: Vec<Workspace> = sels
        .iter()
        .map(|s| Workspace::new(root.clone(), s.clone()))
        .collect();
    let mut model = Model::default();
    let mut prev: Vec<Renders> = vec![BTreeMap::new(); sels.len()];
    let mut history: Vec<String> = Vec::new();
    let mut changes = Changes::everything();
    for step in 0..steps {
        stats.steps += 1;
        let updates: Vec<_> = wss.iter_mut().map(|ws| ws.apply(&changes)).collect();
        model.update(&root, &changes);
        let comparable = model.comparable();
        if comparable {
            stats.compared += 1;
            model.write_to(&oracle_root);
        }
        let on_disk = model.matches_disk(&root);
        for (si, (ws, update)) in wss.iter().zip(&updates).enumerate() {
            let sel = &sels[si];
            let now = view(ws, &root, &root);
            let tag = format!("seed {seed} step {step} sel {si}");
            // 1. The workspace against a fresh load of what should be loaded.
            if comparable {
                let mut fresh = Workspace::new(oracle_root.clone(), sel.clone());
                fresh.apply(&Changes::everything());
                let expected = view(&fresh, &oracle_root, &root);
                let a: Vec<_> = now.iter().map(|(k, p, _)| (k.clone(), p.clone())).collect();
                let b: Vec<_> = expected
                    .iter()
                    .map(|(k, p, _)| (k.clone(), p.clone()))
                    .collect();
                if a != b {
                    let ak: BTreeSet<_> = a.iter().cloned().collect();
                    let bk: BTreeSet<_> = b.iter().cloned().collect();
                    let only_ws: Vec<_> = ak.difference(&bk).collect();
                    let only_fresh: Vec<_> = bk.difference(&ak).collect();
                    stats.problem(
                        "drift from a fresh load",
                        format!("{tag}: only incremental {only_ws:#?}\nonly fresh {only_fresh:#?}\nhistory:\n{}", history.join("\n")),
                    );
                }
            }
            // 2. `render` when the disk is what is loaded and has no errors.
            if on_disk && comparable {
                if let Some(reference) = reference(&root, sel, ws.sign_options().fixed_time) {
                    stats.rendered += 1;
                    let mut ids: Vec<&String> = reference.iter().map(|r| &r.1).collect();
                    ids.dedup();
                    let r: Vec<_> = reference
                        .iter()
                        .map(|(h, e, req, _)| ((h.clone(), e.clone()), req.clone()))
                        .collect();
                    let w: Vec<_> = now
                        .iter()
                        .map(|(k, _, req)| (k.clone(), req.clone()))
                        .collect();
                    if r != w {
                        let rk: BTreeSet<_> = r.iter().map(|x| format!("{:?}", x)).collect();
                        let wk: BTreeSet<_> = w.iter().map(|x| format!("{:?}", x)).collect();
                        let mut seen = BTreeSet::new();
                        let dup_ids = Project::load(&root)
                            .unwrap()
                            .events
                            .iter()
                            .any(|e| !seen.insert(e.id.clone()));
                        let kind = if dup_ids {
                            "known: an event id defined twice (render shows both)"
                        } else {
                            "differs from render"
                        };
                        stats.problem(
                            kind,
                            format!(
                                "{tag}: only render {:#?}\nonly watch {:#?}\nhistory:\n{}",
                                rk.difference(&wk).collect::<Vec<_>>(),
                                wk.difference(&rk).collect::<Vec<_>>(),
                                history.join("\n")
                            ),
                        );
                    }
                }
            }
            // 3. The reported changes against the previous state.
            let cur: BTreeMap<_, _> = now
                .iter()
                .map(|(k, p, r)| (k.clone(), (p.clone(), r.clone())))
                .collect();
            let mut reported = BTreeSet::new();
            for c in &update.changes {
                match c {
                    Change::Started { key, new } => {
                        reported.insert(key.clone());
                        if prev[si].contains_key(key) {
                            stats
                                .problem("++ for a pair already firing", format!("{tag}: {key:?}"));
                        }
                        if cur.get(key).map(|x| &x.0) != Some(&new.plain) {
                            stats.problem(
                                "++ shows a render that is not the current one",
                                format!("{tag}: {key:?}"),
                            );
                        }
                    }
                    Change::Stopped { key, old } => {
                        reported.insert(key.clone());
                        if prev[si].get(key).map(|x| &x.0) != Some(&old.plain) {
                            stats.problem(
                                "-- for a pair that was not firing",
                                format!("{tag}: {key:?}"),
                            );
                        }
                        if cur.contains_key(key) {
                            stats.problem(
                                "-- for a pair still firing",
                                format!("{tag}: {key:?}\nhistory:\n{}", history.join("\n")),
                            );
                        }
                    }
                    Change::Changed { key, old, new } => {
                        reported.insert(key.clone());
                        if prev[si].get(key).map(|x| &x.0) != Some(&old.plain) {
                            stats.problem(
                                "~~ old side is not the previous render",
                                format!("{tag}: {key:?}"),
                            );
                        }
                        if cur.get(key).map(|x| &x.0) != Some(&new.plain) {
                            stats.problem(
                                "~~ new side is not the current render",
                                format!("{tag}: {key:?}"),
                            );
                        }
                        if old.plain == new.plain && old.request == new.request {
                            stats.problem("~~ with no change", format!("{tag}: {key:?}"));
                        }
                    }
                }
            }
            if step > 0 {
                let keys: BTreeSet<_> = prev[si].keys().chain(cur.keys()).cloned().collect();
                for k in keys {
                    let (a, b) = (prev[si].get(&k), cur.get(&k));
                    let text_changed = a.map(|x| &x.0) != b.map(|x| &x.0);
                    let req_changed = a.map(|x| &x.1) != b.map(|x| &x.1);
                    if text_changed && !reported.contains(&k) {
                        stats.problem(
                            "a change that is not reported",
                            format!("{tag}: {k:?}\nhistory:\n{}", history.join("\n")),
                        );
                    }
                    if req_changed && !reported.contains(&k) {
                        stats.problem(
                            "the request changed but nothing is reported",
                            format!(
                                "{tag}: {k:?}: {:?} -> {:?}",
                                a.map(|x| &x.1),
                                b.map(|x| &x.1)
                            ),
                        );
                    }
                }
            }
            prev[si] = cur;
        }
        if log {
            eprintln!(
                "step {step}: {}",
                history.last().map(String::as_str).unwrap_or("")
            );
        }
        // Next batch of edits.
        changes = Changes::default();
        let n = 1 + g.0.usize(..3);
        for _ in 0..n {
            let op = random_op(&mut g, &root, &mut changes);
            history.push(format!("{step}: {op}"));
        }
    }
}

fn touch(root: &Path, rel: &str, changes: &mut Changes) {
    let full = root.join(rel);
    if rel == "hooktest.toml" {
        changes.settings = true;
    } else if rel.starts_with("hooks") {
        changes.hooks_touched = true;
        changes.hooks.insert(full);
    } else if rel.starts_with("events") {
        changes.events_touched = true;
        changes.events.insert(full);
    }
}

fn random_op(g: &mut Gen, root: &Path, changes: &mut Changes) -> String {
    let write = |root: &Path, rel: &str, text: &str, changes: &mut Changes| {
        let full = root.join(rel);
        let parent = full.parent().unwrap().to_path_buf();
        if !parent.is_dir() {
            // A folder made while watching: the watcher reloads everything.
            fs::create_dir_all(&parent).unwrap();
            changes.everything = true;
        }
        fs::write(&full, text).unwrap();
        touch(root, rel, changes);
    };
    match g.0.u8(..24) {
        0..=6 => {
            let f = *g.pick(HOOK_FILES);
            let text = g.hook_file(!f.ends_with(".json"));
            write(root, &format!("hooks/{f}"), &text, changes);
            format!("write hooks/{f}:\n{text}")
        }
        7..=11 => {
            let f = *g.pick(EVENT_FILES);
            let text = g.event_file(!f.ends_with(".json"));
            write(root, &format!("events/{f}"), &text, changes);
            format!("write events/{f}:\n{text}")
        }
        12 | 13 => {
            let (dir, files) = if g.chance(0.5) {
                ("hooks", HOOK_FILES)
            } else {
                ("events", EVENT_FILES)
            };
            let f = *g.pick(files);
            let _ = fs::remove_file(root.join(dir).join(f));
            touch(root, &format!("{dir}/{f}"), changes);
            format!("rm {dir}/{f}")
        }
        14 | 15 => {
            let (dir, files) = if g.chance(0.5) {
                ("hooks", HOOK_FILES)
            } else {
                ("events", EVENT_FILES)
            };
            let (a, b) = (*g.pick(files), *g.pick(files));
            if root.join(dir).join(a).is_file() && a != b {
                fs::rename(root.join(dir).join(a), root.join(dir).join(b)).unwrap();
                touch(root, &format!("{dir}/{a}"), changes);
                touch(root, &format!("{dir}/{b}"), changes);
            }
            format!("mv {dir}/{a} {dir}/{b}")
        }
        16 | 17 => match g.settings() {
            Some(t) => {
                fs::write(root.join("hooktest.toml"), &t).unwrap();
                changes.settings = true;
                format!("write hooktest.toml: {t}")
            }
            None => {
                let _ = fs::remove_file(root.join("hooktest.toml"));
                changes.settings = true;
                "rm hooktest.toml".into()
            }
        },
        18 => {
            let dir = *g.pick(&["hooks", "events"]);
            let files = read_dir_files(&root.join(dir));
            let _ = fs::remove_dir_all(root.join(dir));
            for f in files.keys() {
                touch(root, &format!("{dir}/{f}"), changes);
            }
            touch(root, dir, changes);
            format!("rm -r {dir}")
        }
        19..=22 => {
            // A small edit of one hook in a JSON hook file.
            let f = *g.pick(&["h1.json", "h4.json"]);
            let path = root.join("hooks").join(f);
            let Ok(text) = fs::read_to_string(&path) else {
                return format!("(no {f})");
            };
            let Ok(mut v) = serde_json::from_str::<Value>(&text) else {
                return format!("(broken {f})");
            };
            let target = match &mut v {
                Value::Array(list) if !list.is_empty() => {
                    let i = g.0.usize(..list.len());
                    &mut list[i]
                }
                Value::Array(_) => return format!("(empty {f})"),
                other => other,
            };
            let Value::Object(h) = target else {
                return format!("(odd {f})");
            };
            let what = match g.0.u8(..6) {
                0 => {
                    let n = g.0.u8(..3);
                    h.insert(
                        "body".into(),
                        json!(if g.chance(0.5) {
                            format!("{{\"v\":{n}}}")
                        } else {
                            format!("{{\"v\": {n}}}")
                        }),
                    );
                    "body json"
                }
                1 => {
                    h.insert("name".into(), json!(g.pick(NAMES)));
                    "name"
                }
                2 => {
                    h.insert(
                        "event_filter".into(),
                        json!({"kind_names": [g.pick(&["app", "pool", "app.update"])]}),
                    );
                    "filter"
                }
                3 => {
                    h.insert("engine".into(), json!(g.pick(&["go", "tera"])));
                    "engine"
                }
                4 => {
                    h.insert(
                        "body".into(),
                        json!(format!("{{{{ Kind.Name }}}} {}", g.0.u8(..2))),
                    );
                    "tera-ish body"
                }
                _ => {
                    h.insert("method".into(), json!(g.pick(&["GET", "POST", "DELETE"])));
                    "method"
                }
            };
            let text = serde_json::to_string_pretty(&v).unwrap();
            fs::write(&path, &text).unwrap();
            touch(root, &format!("hooks/{f}"), changes);
            format!("edit {what} in hooks/{f}:\n{text}")
        }
        _ => {
            // Touch without change (an editor saving the same text).
            let f = *g.pick(HOOK_FILES);
            touch(root, &format!("hooks/{f}"), changes);
            format!("touch hooks/{f}")
        }
    }
}

#[test]
fn incremental_state_matches_a_fresh_load() {
    let seeds: u64 = std::env::var("WATCH_MODEL_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(6);
    let steps: usize = std::env::var("WATCH_MODEL_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let first: u64 = std::env::var("WATCH_MODEL_FIRST")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let log = std::env::var("WATCH_MODEL_LOG").is_ok();
    let mut stats = Stats::default();
    for seed in first..first + seeds {
        run_seed(seed, steps, &mut stats, log);
    }
    eprintln!(
        "{} steps, {} compared with a fresh load, {} with render",
        stats.steps, stats.compared, stats.rendered
    );
    for (kind, (n, example)) in &stats.problems {
        eprintln!("=== {kind}: {n} times; first:\n{example}\n");
    }
    let real: Vec<_> = stats
        .problems
        .keys()
        .filter(|k| !k.starts_with("known:"))
        .collect();
    assert!(real.is_empty(), "{real:?}");
}
