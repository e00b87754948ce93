//! File-system events for `watch`: the project folder itself (for `hooktest.toml` and for project
//! folders appearing) and its `hooks/`, `events/` and `contracts/` folders recursively (editors save
//! by renaming, which a watch on a single file would lose), filtered to the project's own files,
//! and debounced into batches. Nothing else in the folder is watched, so a `target/` or
//! `node_modules/` beside the project costs no watches and wakes nothing.

use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use notify::{Config, PollWatcher, RecursiveMode, Watcher};

use super::workspace::Changes;
use crate::project::{is_editor_leftover, CONTRACTS_DIR, EVENTS_DIR, HOOKS_DIR, SETTINGS_FILE};

/// A batch ends after this long without a new event.
const QUIET: Duration = Duration::from_millis(50);
/// A batch never waits longer than this, even when events keep coming.
const MAX_WAIT: Duration = Duration::from_secs(1);

/// What the watch loop receives.
#[derive(Debug)]
pub enum Msg {
    /// An event (or an error) from the watcher.
    Fs(notify::Result<notify::Event>),
    /// Ctrl-C or SIGTERM: stop.
    Stop,
}

/// The next thing the watch loop has to do.
#[derive(Debug)]
pub enum Batch {
    /// Files changed.
    Changes(Changes),
    /// Stop watching.
    Stop,
}

/// A running watch on a project folder.
pub struct Watch {
    watcher: Box<dyn Watcher>,
    /// The project's folders, with the identity of the folder watched under each name (`None`
    /// when there is none).
    dirs: Vec<(PathBuf, Option<DirId>)>,
}

/// Tells a folder from another one that later takes its name (device and inode where there are
/// such things).
type DirId = (u64, u64);

fn dir_id(path: &Path) -> Option<DirId> {
    let meta = std::fs::metadata(path).ok().filter(|m| m.is_dir())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Some((0, 0))
    }
}

impl Watch {
    /// Starts watching `root` (inotify, FSEvents, … or polling every `poll`); events go to `tx`.
    /// The error is a sentence for the user.
    pub fn start(root: &Path, poll: Option<Duration>, tx: Sender<Msg>) -> Result<Watch, String> {
        let handler = move |event| {
            let _ = tx.send(Msg::Fs(event));
        };
        let mut watcher: Box<dyn Watcher> = match poll {
            Some(interval) => Box::new(
                // notify's poller compares whole-second mtimes; hashing catches edits within a
                // second (project files are small).
                PollWatcher::new(
                    handler,
                    Config::default()
                        .with_poll_interval(interval)
                        .with_compare_contents(true),
                )
                .map_err(|e| explain(&e, root))?,
            ),
            None => Box::new(notify::recommended_watcher(handler).map_err(|e| explain(&e, root))?),
        };
        watcher
            .watch(root, RecursiveMode::NonRecursive)
            .map_err(|e| explain(&e, root))?;
        let mut watch = Watch {
            watcher,
            dirs: [HOOKS_DIR, EVENTS_DIR, CONTRACTS_DIR]
                .iter()
                .map(|dir| (root.join(dir), None))
                .collect(),
        };
        watch.refresh_dirs().map_err(|(e, dir)| explain(&e, &dir))?;
        Ok(watch)
    }

    /// Watches project folders that appeared (or were replaced) since the last call; `true` when
    /// one did, so that the caller reloads everything: files may have been written into it before
    /// its watch began. A folder that cannot be watched is reported on stderr.
    pub fn refresh(&mut self) -> bool {
        match self.refresh_dirs() {
            Ok(added) => added,
            Err((e, dir)) => {
                eprintln!("warning: {}", explain(&e, &dir));
                true
            }
        }
    }

    fn refresh_dirs(&mut self) -> Result<bool, (notify::Error, PathBuf)> {
        let mut added = false;
        for (dir, watched) in &mut self.dirs {
            let now = dir_id(dir);
            if now == *watched {
                continue;
            }
            if watched.is_some() {
                // Gone or replaced: its watch (if the system kept one) is of the old folder.
                let _ = self.watcher.unwatch(dir);
            }
            *watched = now;
            if now.is_some() {
                added = true;
                if let Err(e) = self.watcher.watch(dir, RecursiveMode::Recursive) {
                    *watched = None;
                    return Err((e, dir.clone()));
                }
            }
        }
        Ok(added)
    }
}

/// Whether the error is the system's limit on watches (inotify's `max_user_watches`).
pub fn is_watch_limit(err: &notify::Error) -> bool {
    match &err.kind {
        notify::ErrorKind::MaxFilesWatch => true,
        notify::ErrorKind::Io(io) => {
            io.raw_os_error() == Some(28) || io.to_string().contains("No space left on device")
        }
        notify::ErrorKind::Generic(text) => text.contains("No space left on device"),
        _ => false,
    }
}

/// A watcher error as a sentence that says what to do.
pub fn explain(err: &notify::Error, root: &Path) -> String {
    if is_watch_limit(err) {
        return format!(
            "cannot watch {}: the system's limit on file watches is reached (fs.inotify.max_user_watches); \
             raise it with `sudo sysctl fs.inotify.max_user_watches=524288` (add the setting to /etc/sysctl.conf to keep it), \
             or run `hooktest watch --poll`",
            crate::project::display(root)
        );
    }
    if let notify::ErrorKind::Io(io) = &err.kind {
        if io.raw_os_error() == Some(24) {
            return format!(
                "cannot watch {}: too many open watchers (fs.inotify.max_user_instances); \
                 raise it with `sudo sysctl fs.inotify.max_user_instances=512`, or run `hooktest watch --poll`",
                crate::project::display(root)
            );
        }
    }
    format!(
        "cannot watch {}: {err}; if this file system sends no change events (a network mount, some containers), run `hooktest watch --poll`",
        crate::project::display(root)
    )
}

/// Waits for the next batch: the first event, then every event until [`QUIET`] passes without one.
/// `root` is the watched folder as the watcher reports it; paths are rebased onto `project` (the
/// folder as the user gave it, so messages show the same paths as `render`).
pub fn next_batch(rx: &Receiver<Msg>, root: &Path, project: &Path) -> Batch {
    let mut changes = Changes::default();
    let mut started: Option<Instant> = None;
    loop {
        let msg = match started {
            None => match rx.recv() {
                Ok(m) => m,
                Err(_) => return Batch::Stop,
            },
            Some(start) => {
                if start.elapsed() >= MAX_WAIT {
                    return Batch::Changes(changes);
                }
                match rx.recv_timeout(QUIET) {
                    Ok(m) => m,
                    Err(RecvTimeoutError::Timeout) => return Batch::Changes(changes),
                    Err(RecvTimeoutError::Disconnected) => return Batch::Stop,
                }
            }
        };
        match msg {
            Msg::Stop => return Batch::Stop,
            // Reading a file is an event too (inotify's open and close): ignoring them keeps the
            // watcher's own reloads from triggering more reloads.
            Msg::Fs(Ok(event)) if matches!(event.kind, notify::EventKind::Access(_)) => {}
            Msg::Fs(Ok(event)) => {
                if event.need_rescan() {
                    changes.everything = true;
                }
                for path in &event.paths {
                    classify(root, project, path, &mut changes);
                }
            }
            Msg::Fs(Err(err)) => {
                eprintln!("warning: {}", explain(&err, project));
                changes.everything = true;
            }
        }
        if started.is_none() && !changes.is_empty() {
            started = Some(Instant::now());
        }
    }
}

/// Records `path` in `changes` when it is one of the project's files (not an editor's swap or
/// backup file, not something else in the folder).
pub fn classify(root: &Path, project: &Path, path: &Path, changes: &mut Changes) {
    let Ok(rel) = path.strip_prefix(root) else {
        return;
    };
    let parts: Vec<&str> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect();
    let Some(first) = parts.first() else {
        return;
    };
    if parts.iter().any(|p| is_editor_leftover(Path::new(p))) {
        return;
    }
    let full: PathBuf = parts.iter().fold(project.to_path_buf(), |p, s| p.join(s));
    match *first {
        SETTINGS_FILE if parts.len() == 1 => changes.settings = true,
        HOOKS_DIR => {
            changes.hooks_touched = true;
            changes.hooks.insert(full);
        }
        EVENTS_DIR => {
            changes.events_touched = true;
            changes.events.insert(full);
        }
        CONTRACTS_DIR => changes.contracts = true,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(path: &str) -> Changes {
        let mut c = Changes::default();
        classify(
            Path::new("/p"),
            Path::new("proj"),
            &Path::new("/p").join(path),
            &mut c,
        );
        c
    }

    #[test]
    fn keeps_project_files_and_drops_the_rest() {
        let c = seen("hooks/slack.json");
        assert!(c.hooks_touched);
        assert!(c.hooks.contains(Path::new("proj/hooks/slack.json")));
        assert!(seen("events/e.jsonl").events_touched);
        assert!(seen("contracts/c.yaml").contracts);
        assert!(seen("hooktest.toml").settings);
        for ignored in [
            "hooks/.slack.json.swp",
            "hooks/slack.json~",
            "hooks/4913",
            "events/#e.json#",
            "target/debug/x",
            ".git/index",
            "README.md",
        ] {
            assert!(seen(ignored).is_empty(), "{ignored} should be ignored");
        }
    }

    #[test]
    fn only_the_project_folders_are_watched() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("target/debug")).unwrap();
        std::fs::create_dir_all(root.join("hooks")).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let _watch = Watch::start(&root, None, tx).unwrap();
        // Events arrive in order: had `target/` been watched, its write would come first.
        std::fs::write(root.join("target/debug/x.o"), "x").unwrap();
        std::fs::write(root.join("hooks/h.json"), "{}").unwrap();
        let first = loop {
            match rx.recv_timeout(Duration::from_secs(20)).expect("an event") {
                Msg::Fs(Ok(event)) if !matches!(event.kind, notify::EventKind::Access(_)) => {
                    break event
                }
                _ => continue,
            }
        };
        assert!(
            first
                .paths
                .iter()
                .all(|p| p.starts_with(root.join("hooks"))),
            "{first:?}"
        );
    }

    #[test]
    fn the_watch_limit_says_how_to_raise_it() {
        for err in [
            notify::Error::new(notify::ErrorKind::MaxFilesWatch),
            notify::Error::io(std::io::Error::from_raw_os_error(28)),
        ] {
            let text = explain(&err, Path::new("proj"));
            assert!(text.contains("fs.inotify.max_user_watches"), "{text}");
            assert!(text.contains("sysctl"), "{text}");
            assert!(text.contains("--poll"), "{text}");
        }
        let other = explain(&notify::Error::path_not_found(), Path::new("proj"));
        assert!(!other.contains("max_user_watches"));
    }
}
