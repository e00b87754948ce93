//! `hooktest watch`: keep the project loaded, and on every change print only what changed — a
//! diff of each request against its previous render, pairs that started or stopped firing — then
//! optionally re-run the contracts and re-deliver the changed requests.

mod watcher;
mod workspace;

use std::fmt::Write as _;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use clap::Args;
use colored::Colorize;
use hooktest_receiver::{parse_duration, ReceiverConfig, ReceiverHandle};
use url::Url;

use crate::cli::{exit, print, report, Cli};
use crate::deliver::{self, Destination, Job, Options};
use crate::project::display;
use crate::render::{Renderer, Selection};
pub use watcher::{explain, is_watch_limit};
pub use workspace::{Change, Changes, PairKey, PairRender, Update, Workspace};

/// Flags of `hooktest watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Only this hook (repeatable)
    #[arg(long = "hook", value_name = "NAME")]
    pub hooks: Vec<String>,
    /// Only this event: an id (`stem` or `stem#N`) (repeatable)
    #[arg(long = "event", value_name = "ID")]
    pub events: Vec<String>,
    /// Re-run the contracts in contracts/ after each change and print their summary
    #[arg(long)]
    pub test: bool,
    /// Start the built-in receiver and re-deliver each changed request to it
    #[arg(long, conflicts_with = "send_to")]
    pub mock: bool,
    /// Re-deliver each changed request to this base URL (each hook's path and query are kept)
    #[arg(long, value_name = "URL")]
    pub send_to: Option<String>,
    /// Poll for changes every INTERVAL instead of using file-system events (network mounts, some containers)
    #[arg(long, value_name = "INTERVAL", num_args = 0..=1, require_equals = true, default_missing_value = "500ms", value_parser = duration)]
    pub poll: Option<Duration>,
    /// Clear the screen before each update
    #[arg(long)]
    pub clear: bool,
}

fn duration(text: &str) -> Result<Duration, String> {
    match parse_duration(text) {
        Ok(d) if d.is_zero() => Err("the interval must be more than zero".into()),
        Ok(d) => Ok(d),
        Err(e) => Err(e.to_string()),
    }
}

/// Runs `hooktest watch` until Ctrl-C; returns the exit code.
pub fn run(cli: &Cli, args: &WatchArgs) -> anyhow::Result<i32> {
    let root = cli.dir.clone();
    if !root.is_dir() {
        eprintln!(
            "error: project folder `{}` does not exist or is not a folder: pass --dir with a folder that holds hooks/ and events/",
            display(&root)
        );
        return Ok(exit::CANNOT_RUN);
    }
    let base = match &args.send_to {
        Some(t) => match Url::parse(t) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => Some(u),
            Ok(u) => {
                eprintln!(
                    "error: --send-to {t}: scheme `{}` is not http or https",
                    u.scheme()
                );
                return Ok(exit::CANNOT_RUN);
            }
            Err(e) => {
                eprintln!("error: --send-to {t:?} is not a URL: {e}");
                return Ok(exit::CANNOT_RUN);
            }
        },
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let (tx, rx) = mpsc::channel();
    stop_on_signal(&runtime, tx.clone());

    // Arm the watcher before the first load, so that nothing written meanwhile is missed.
    let watched = root.canonicalize().unwrap_or_else(|_| root.clone());
    let mut watch = match watcher::Watch::start(&watched, args.poll, tx) {
        Ok(w) => w,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(exit::CANNOT_RUN);
        }
    };

    let mut session = Session {
        workspace: Workspace::new(
            root.clone(),
            Selection {
                hooks: args.hooks.clone(),
                events: args.events.clone(),
            },
        ),
        args,
        destination: None,
        receiver: None,
        runtime: &runtime,
    };
    if args.mock {
        match runtime.block_on(hooktest_receiver::start(ReceiverConfig::default())) {
            Ok(r) => {
                eprintln!("receiver listening on {}", r.url());
                session.destination = Url::parse(&r.url()).ok().map(Destination::Base);
                session.receiver = Some(r);
            }
            Err(e) => {
                eprintln!("error: the built-in receiver could not start: {e:#}");
                return Ok(exit::CANNOT_RUN);
            }
        }
    } else if let Some(b) = base {
        session.destination = Some(Destination::Base(b));
    }

    session.first()?;
    eprintln!(
        "watching {} for changes{} (Ctrl-C to stop)",
        display(&root),
        match args.poll {
            Some(d) => format!(", polling every {} ms", d.as_millis()),
            None => String::new(),
        }
    );
    while let watcher::Batch::Changes(mut changes) = watcher::next_batch(&rx, &watched, &root) {
        if watch.refresh() {
            changes.everything = true;
        }
        if !changes.is_empty() {
            session.next(&changes)?;
        }
    }
    if let Some(r) = session.receiver.take() {
        runtime.block_on(r.shutdown_async());
    }
    eprintln!("stopped watching");
    Ok(exit::OK)
}

/// Ctrl-C (and SIGTERM) end the watch loop, which then exits cleanly. The handlers are installed
/// before this returns, so a signal right after the readiness line is never missed.
fn stop_on_signal(runtime: &tokio::runtime::Runtime, tx: mpsc::Sender<watcher::Msg>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let signals = runtime.block_on(async {
            (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            )
        });
        if let (Ok(mut int), Ok(mut term)) = signals {
            runtime.spawn(async move {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
                let _ = tx.send(watcher::Msg::Stop);
            });
            return;
        }
    }
    runtime.spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        let _ = tx.send(watcher::Msg::Stop);
    });
}

/// Everything the watch loop keeps between batches.
struct Session<'a> {
    workspace: Workspace,
    args: &'a WatchArgs,
    destination: Option<Destination>,
    receiver: Option<ReceiverHandle>,
    runtime: &'a tokio::runtime::Runtime,
}

impl Session<'_> {
    /// The first load: every firing pair, like `render`.
    fn first(&mut self) -> anyhow::Result<()> {
        let started = Instant::now();
        let update = self.workspace.apply(&Changes::everything());
        report(&update.diagnostics);
        let hooks_dir = self.workspace.root().join(crate::project::HOOKS_DIR);
        if !hooks_dir.is_dir() {
            eprintln!(
                "warning: no `hooks/` folder in {} yet: create it and add hook files; they load as soon as they appear",
                display(self.workspace.root())
            );
        }
        for problem in self.workspace.unknown_selection() {
            eprintln!("warning: {problem}: it is watched for and shows up once it exists");
        }
        let mut out = String::new();
        if self.args.clear {
            out.push_str(CLEAR);
        }
        for (i, (_, r)) in self.workspace.firing().into_iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&r.colored);
        }
        print(&out)?;
        let firing = update.changes.len();
        let (hooks, events) = self.workspace.counts();
        eprintln!(
            "{firing} request{} from {hooks} hook{} × {events} event{} ({})",
            plural(firing),
            plural(hooks),
            plural(events),
            elapsed(started)
        );
        self.after(&update, true)
    }

    /// One batch of changes: reload, print what changed, then test and deliver.
    fn next(&mut self, changes: &Changes) -> anyhow::Result<()> {
        let started = Instant::now();
        let update = self.workspace.apply(changes);
        let mut out = String::new();
        if self.args.clear {
            out.push_str(CLEAR);
        }
        out.push_str(&changes_text(&update.changes));
        print(&out)?;
        report(&update.diagnostics);
        for file in &update.kept {
            eprintln!(
                "{}: {file}: keeping its last good version until the errors above are fixed",
                "note".cyan().bold()
            );
        }
        self.after(&update, changes.contracts || update.project_changed)?;
        eprintln!("{}", summary_line(&update, started));
        Ok(())
    }

    /// Contracts and deliveries after an update. The contracts run again when they or the loaded
    /// project changed: they see every hook and event, not only the pairs watched.
    fn after(&mut self, update: &Update, rerun_contracts: bool) -> anyhow::Result<()> {
        if self.args.test && (rerun_contracts || !update.changes.is_empty()) {
            print(&self.contracts())?;
        }
        if self.destination.is_some() {
            let jobs: Vec<Job> = update
                .changes
                .iter()
                .filter_map(Change::current)
                .filter_map(|(key, r)| {
                    Some(Job {
                        hook: key.0.clone(),
                        event: key.1.clone(),
                        request: Ok(r.request.clone()?),
                        proxy_url: r.proxy_url.clone(),
                        insecure: r.insecure,
                    })
                })
                .collect();
            if !jobs.is_empty() {
                print(&self.deliver(jobs))?;
            }
        }
        Ok(())
    }

    /// Runs the contracts on the loaded project: failures in full, then the summary.
    fn contracts(&self) -> String {
        use crate::contract;
        let project = self.workspace.project();
        let (contracts, diagnostics) = contract::load_contracts(&project.root);
        report(&diagnostics);
        if contracts.iter().all(|c| c.cases.is_empty()) {
            return format!(
                "{} no contracts found in {}/\n",
                "contracts:".bold(),
                crate::project::CONTRACTS_DIR
            );
        }
        let renderer = Renderer::new(self.workspace.all_hooks(), false)
            .with_sign_options(self.workspace.sign_options());
        let results = contract::run_contracts(
            &project,
            &renderer,
            &contracts,
            &contract::RunOptions::default(),
        );
        let failed: Vec<_> = results
            .iter()
            .filter(|r| r.status == contract::Status::Failed)
            .cloned()
            .collect();
        let mut out = String::new();
        if !failed.is_empty() {
            let text = contract::to_text(&failed);
            // Everything but to_text's own summary line, which counts only the failures.
            let mut lines: Vec<&str> = text.lines().collect();
            lines.pop();
            for l in lines {
                out.push_str(l);
                out.push('\n');
            }
        }
        let _ = writeln!(
            out,
            "{} {}",
            "contracts:".bold(),
            contract::summary(&results)
        );
        out
    }

    /// Delivers `jobs` to the destination; one line per delivery.
    fn deliver(&self, jobs: Vec<Job>) -> String {
        let Some(destination) = self.destination.clone() else {
            return String::new();
        };
        let options = Options {
            destination,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
            ..Options::default()
        };
        let outcomes = match self
            .runtime
            .block_on(deliver::deliver_all(jobs, &options, |_| {}))
        {
            Ok(o) => o,
            Err(e) => return format!("{}: cannot deliver: {e}\n", "error".red().bold()),
        };
        let mut out = String::new();
        for o in outcomes {
            let status = match o.attempts.last().and_then(|a| a.status) {
                Some(s) if deliver::is_success(s) => s.to_string().green(),
                Some(s) => s.to_string().red(),
                None => "ERR".red(),
            };
            let target = o
                .sent
                .as_ref()
                .map(|r| format!("{} {}", r.method, r.url))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{} {status} {} {} {}  {target}",
                "→".dimmed(),
                o.hook.magenta(),
                "←".dimmed(),
                o.event.blue()
            );
            if let Some(err) = &o.error {
                let _ = writeln!(out, "    {}: {err}", "failed".red());
            }
        }
        out
    }
}

/// Moves the cursor home and clears the screen.
const CLEAR: &str = "\x1b[2J\x1b[H";

/// The changed pairs: a diff for each changed request, the full request for a pair that started
/// firing, one line for a pair that stopped.
pub fn changes_text(changes: &[Change]) -> String {
    let mut out = String::new();
    for change in changes {
        match change {
            Change::Changed { key, old, new } => {
                let _ = writeln!(out, "{} {}", "~~".yellow().bold(), pair(key));
                if old.plain != new.plain {
                    out.push_str(&diff(&old.plain, &new.plain));
                } else {
                    // Only what pretty-printing hides changed: show the bytes sent.
                    out.push_str(&diff(&as_sent(old), &as_sent(new)));
                }
            }
            Change::Started { key, new } => {
                let _ = writeln!(out, "{} {} started firing", "++".green().bold(), pair(key));
                out.push_str(&new.colored);
            }
            Change::Stopped { key, .. } => {
                let _ = writeln!(out, "{} {} stopped firing", "--".red().bold(), pair(key));
            }
        }
    }
    out
}

/// The request as sent (the body not pretty-printed).
fn as_sent(r: &PairRender) -> String {
    let Some(request) = &r.request else {
        return String::new();
    };
    let mut out = format!("{} {}\n", request.method, request.url);
    for (name, value) in &request.headers {
        let _ = writeln!(out, "{name}: {value}");
    }
    let _ = writeln!(out, "\n{}", request.body.as_deref().unwrap_or("(no body)"));
    out
}

fn pair(key: &PairKey) -> String {
    format!(
        "{} {} {}",
        key.0.magenta().bold(),
        "←".dimmed(),
        key.1.blue().bold()
    )
}

/// The hunks of a unified diff from `old` to `new`, coloured when colour is on.
pub fn diff(old: &str, new: &str) -> String {
    let text_diff = similar::TextDiff::from_lines(old, new);
    let mut out = String::new();
    for hunk in text_diff.unified_diff().context_radius(2).iter_hunks() {
        for line in hunk.to_string().lines() {
            let colored = if line.starts_with("@@") {
                line.cyan().to_string()
            } else if line.starts_with('+') {
                line.green().to_string()
            } else if line.starts_with('-') {
                line.red().to_string()
            } else {
                line.to_string()
            };
            out.push_str(&colored);
            out.push('\n');
        }
    }
    out
}

/// `reloaded hooks/slack.json: 2 changed, 1 started firing, 0 stopped (3.1 ms)`.
pub fn summary_line(update: &Update, started: Instant) -> String {
    let (mut changed, mut began, mut stopped) = (0, 0, 0);
    for c in &update.changes {
        match c {
            Change::Changed { .. } => changed += 1,
            Change::Started { .. } => began += 1,
            Change::Stopped { .. } => stopped += 1,
        }
    }
    let files = match update.files.len() {
        0 => "the project".to_string(),
        1..=3 => update.files.join(", "),
        n => format!("{n} files"),
    };
    let errors = match update.broken {
        0 => String::new(),
        1 => ", 1 file with errors".to_string(),
        n => format!(", {n} files with errors"),
    };
    format!(
        "reloaded {files}: {changed} changed, {began} started firing, {stopped} stopped{errors} ({})",
        elapsed(started)
    )
}

fn elapsed(started: Instant) -> String {
    format!("{:.1} ms", started.elapsed().as_secs_f64() * 1000.0)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_shows_only_the_changed_lines_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\n";
        let new = "a\nb\nc\nD\ne\nf\ng\n";
        colored::control::set_override(false);
        let d = diff(old, new);
        assert!(d.starts_with("@@ -2,5 +2,5 @@"), "{d}");
        assert!(d.contains("-d\n+D\n"), "{d}");
        assert!(!d.contains("a\n"), "{d}");
    }
}
