//! The command line: flags parsed by clap, then each command as a short composition of the pipeline.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::diagnostic::Diagnostic;
use crate::output::{self, Format, Rendered};
use crate::project::Project;
use crate::render::{Renderer, Selection};

/// Exit codes shared by every command.
pub mod exit {
    /// Success.
    pub const OK: i32 = 0;
    /// The command ran and found failures (findings, mismatches, failed deliveries).
    pub const FAILURES: i32 = 1;
    /// The command could not do its job (usage, unreadable or malformed input).
    pub const CANNOT_RUN: i32 = 2;
}

#[derive(Debug, Parser)]
#[command(
    name = "hooktest",
    version,
    about = "Develop and test tsuru event webhooks locally",
    long_about = "Develop and test tsuru event webhooks locally.\n\nhooktest loads webhook definitions (hooks/) and sample events (events/) from a project folder, runs tsuru's filter logic and body templates, and shows the HTTP requests tsuru would send."
)]
pub struct Cli {
    /// The hook project folder (holds hooks/, events/, contracts/, hooktest.toml)
    #[arg(
        long,
        global = true,
        env = "HOOKTEST_DIR",
        default_value = ".",
        value_name = "DIR"
    )]
    pub dir: PathBuf,

    /// When to use colours (also honours NO_COLOR)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the requests tsuru would send for the project's events
    #[command(
        after_help = "Examples:\n  hooktest render --dir fixtures\n  hooktest render --hook slack-deploys --event app-deploy-ok\n  hooktest render --format json --explain\n  hooktest render --format curl --event events/app-deploy-ok.json"
    )]
    Render(RenderArgs),
    /// Check hooks, events and templates; report every finding as file:line:col
    #[command(
        after_help = "Examples:\n  hooktest validate --dir fixtures\n\nExit status: 0 no errors (warnings allowed), 1 errors found, 2 could not run."
    )]
    Validate,
    /// Check the contracts in contracts/: which hooks fire and what they send
    #[command(
        after_help = "Examples:\n  hooktest test --dir fixtures\n  hooktest test --filter deploy --junit report.xml\n  hooktest test --update        # write or refresh snapshot files\n\nExit status: 0 all cases pass, 1 a case failed, 2 the project or a contract cannot be read."
    )]
    Test(TestArgs),
    /// Send the rendered requests: to the built-in receiver (--mock), a base URL (--to) or for real (--live)
    #[command(
        after_help = "Examples:\n  hooktest send --mock --dir fixtures\n  hooktest send --to http://127.0.0.1:8080 --hook slack-deploys\n  hooktest send --live --event app-deploy-ok --retries 3\n  hooktest send --mock --concurrency 32 --format json\n\nExit status: 0 every delivery succeeded, 1 a delivery failed, 2 nothing could be sent."
    )]
    Send(crate::send::SendArgs),
    /// Run the mock receiver: record every request, answer as told, show them live
    #[command(
        after_help = "Examples:\n  hooktest serve --port 8080 --journal requests.jsonl\n  hooktest serve --responses responses.yaml\n  hooktest serve --status 500 --delay 2s\n\nThe first line on stdout is `listening on http://HOST:PORT`; the live page is at /_hooktest/."
    )]
    Serve(hooktest_receiver::ServeArgs),
    /// Print the requests a receiver recorded (from its journal or a running receiver)
    #[command(
        after_help = "Examples:\n  hooktest requests --journal requests.jsonl\n  hooktest requests --from http://127.0.0.1:8080 --follow\n  hooktest requests --journal requests.jsonl --format json"
    )]
    Requests(hooktest_receiver::RequestsArgs),
    /// Create, change, list and delete hooks with tsuru's `event-webhook-*` flags
    #[command(subcommand)]
    Hook(crate::authoring::HookCommand),
    /// Write sample tsuru events
    #[command(subcommand)]
    Event(crate::authoring::EventCommand),
    /// Create a hook project with one example hook, event and contract
    Init(crate::authoring::InitArgs),
    /// Print a shell completion script
    #[command(
        after_help = "Examples:\n  hooktest completions bash > ~/.local/share/bash-completion/completions/hooktest\n  hooktest completions zsh > ~/.zfunc/_hooktest\n  hooktest completions fish > ~/.config/fish/completions/hooktest.fish\n  hooktest completions powershell >> $PROFILE"
    )]
    Completions(crate::authoring::CompletionsArgs),
    /// Print the signature headers for a body, secret and time (to debug a receiver of your own)
    #[command(
        after_help = "Examples:\n  hooktest sign --scheme standard-webhooks --secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw --id msg_1 --timestamp 1614265330 --body '{\"test\": 2432232314}'\n  hooktest sign --scheme hmac-sha256 --secret env:HOOK_SECRET --body-file payload.json\n  echo -n 'payload' | hooktest sign --scheme hmac-sha256 --secret s3cret --header X-Signature --prefix ''"
    )]
    Sign(crate::signing::SignArgs),
    /// Re-render on every change of hooks/, events/, contracts/ and hooktest.toml; print what changed
    #[command(
        after_help = "Examples:\n  hooktest watch --dir fixtures\n  hooktest watch --hook slack-deploys --event app-deploy-ok\n  hooktest watch --test               # re-run the contracts after each change\n  hooktest watch --mock               # re-deliver changed requests to the built-in receiver\n  hooktest watch --send-to http://127.0.0.1:8080\n  hooktest watch --poll=1s            # network mounts and containers without file events\n\nOn stderr: `watching DIR for changes` once ready, then one `reloaded …` line per change. Ctrl-C stops (exit 0)."
    )]
    Watch(crate::watch::WatchArgs),
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Run only the cases whose name (or file) contains TEXT
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
    /// Write or refresh snapshot files instead of comparing with them
    #[arg(long)]
    pub update: bool,
    /// Also write a JUnit XML report to FILE
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = TestFormat::Text)]
    pub format: TestFormat,
    /// Also send every rendered request through the built-in receiver and check it arrives byte for byte
    #[arg(long)]
    pub deliver: bool,
    /// Sign requests at this time (RFC 3339) instead of now, so signatures are reproducible
    #[arg(long, value_name = "RFC3339", value_parser = crate::signing::parse_fixed_time)]
    pub fixed_time: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Only this hook (repeatable)
    #[arg(long = "hook", value_name = "NAME")]
    pub hooks: Vec<String>,
    /// Only this event: an id from events/ (`stem` or `stem#N`) or a path to an event file (repeatable)
    #[arg(long = "event", value_name = "ID|PATH")]
    pub events: Vec<String>,
    /// Output format [default: text on a terminal, json otherwise]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Show every hook × event pair and the filter clause that decided it
    #[arg(long)]
    pub explain: bool,
    /// Treat a Go body that does not parse as an error (tsuru would send its raw text)
    #[arg(long)]
    pub strict: bool,
    /// Sign requests at this time (RFC 3339) instead of now, so signatures are reproducible
    #[arg(long, value_name = "RFC3339", value_parser = crate::signing::parse_fixed_time)]
    pub fixed_time: Option<i64>,
}

impl RenderArgs {
    pub fn selection(&self) -> Selection {
        Selection {
            hooks: self.hooks.clone(),
            events: self.events.clone(),
        }
    }
}

/// Writes to stdout; a closed pipe (`hooktest render | head`) surfaces as `BrokenPipe`, which
/// `main` turns into a quiet exit.
pub fn print(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Decides colour once for the whole run.
pub fn set_color(choice: ColorChoice) {
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && io::stdout().is_terminal()
        }
    };
    colored::control::set_override(on);
}

/// Prints diagnostics to stderr, one per line.
pub fn report(diagnostics: &[Diagnostic]) {
    let mut err = io::stderr().lock();
    for d in diagnostics {
        let _ = writeln!(err, "{}", d.render());
    }
}

/// Runs the parsed command line; returns the exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    set_color(cli.color);
    match &cli.command {
        Command::Render(args) => render(&cli, args),
        Command::Validate => validate(&cli),
        Command::Test(args) => test(&cli, args),
        Command::Send(args) => crate::send::run(&cli, args),
        Command::Serve(args) => hooktest_receiver::run_serve(args),
        Command::Requests(args) => hooktest_receiver::run_requests(
            args,
            colored::control::SHOULD_COLORIZE.should_colorize(),
        ),
        Command::Hook(cmd) => crate::authoring::run_hook(&cli.dir, cmd),
        Command::Event(cmd) => crate::authoring::run_event(&cli.dir, cmd),
        Command::Init(args) => crate::authoring::run_init(&cli.dir, args),
        Command::Completions(args) => crate::authoring::run_completions(args),
        Command::Sign(args) => crate::signing::run_sign(args),
        Command::Watch(args) => crate::watch::run(&cli, args),
    }
}

/// Loads the project; on errors prints every diagnostic and returns `Err(exit code)`.
pub fn load_project(cli: &Cli) -> anyhow::Result<Result<Project, i32>> {
    let project = Project::load(&cli.dir)?;
    if project.has_errors() {
        report(&project.diagnostics);
        let n = project.diagnostics.iter().filter(|d| d.is_error()).count();
        eprintln!(
            "error: the project has {n} error{}; fix them (see above) and run again",
            if n == 1 { "" } else { "s" }
        );
        return Ok(Err(exit::CANNOT_RUN));
    }
    Ok(Ok(project))
}

fn render(cli: &Cli, args: &RenderArgs) -> anyhow::Result<i32> {
    let project = match load_project(cli)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let selection = args.selection();
    let (hooks, events) = match (selection.hooks(&project), selection.events(&project)) {
        (Ok(h), Ok(e)) => (h, e),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return Ok(exit::CANNOT_RUN);
        }
    };
    let format = args.format.unwrap_or(if io::stdout().is_terminal() {
        Format::Text
    } else {
        Format::Json
    });
    if format == Format::Text {
        report(&project.diagnostics);
    }
    if events.is_empty() {
        eprintln!(
            "error: no events to render: add event files to {}/events/ or pass --event PATH",
            crate::project::display(&cli.dir)
        );
        return Ok(exit::CANNOT_RUN);
    }
    let renderer =
        Renderer::new(hooks, args.strict).with_sign_options(crate::signing::SignOptions {
            fixed_time: args.fixed_time,
        });
    let outcomes: Vec<_> = events
        .iter()
        .enumerate()
        .flat_map(|(i, e)| renderer.render_event(i, &e.event, args.explain))
        .collect();
    let rendered = Rendered {
        renderer: &renderer,
        events: &events,
        outcomes: &outcomes,
    };
    let text = match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&output::json::to_json(&rendered))?;
            s.push('\n');
            s
        }
        Format::Text => {
            let mut s = String::new();
            if args.explain {
                s.push_str(&output::text::explain_table(&rendered));
                s.push('\n');
            }
            s.push_str(&output::text::to_text(&rendered));
            s
        }
        Format::Http | Format::Curl => {
            let mut parts = Vec::new();
            for o in outcomes.iter().filter(|o| o.fires) {
                if let Some(msg) = rendered.error_message(o) {
                    eprintln!("error: {msg}");
                }
                if let Some(r) = &o.request {
                    parts.push(if format == Format::Http {
                        output::http::to_http(r)
                    } else {
                        output::curl::to_curl(r)
                    });
                }
            }
            let mut s = parts.join("\n\n");
            if !s.is_empty() {
                s.push('\n');
            }
            s
        }
    };
    print(&text)?;
    let failed = outcomes.iter().filter(|o| o.error.is_some()).count();
    if format == Format::Text {
        let firing = outcomes.iter().filter(|o| o.fires).count();
        eprintln!(
            "{firing} request{} from {} hook{} × {} event{}{}",
            if firing == 1 { "" } else { "s" },
            renderer.hooks.len(),
            if renderer.hooks.len() == 1 { "" } else { "s" },
            events.len(),
            if events.len() == 1 { "" } else { "s" },
            if failed > 0 {
                format!(", {failed} failed to render")
            } else {
                String::new()
            }
        );
    }
    Ok(if failed > 0 { exit::FAILURES } else { exit::OK })
}

fn validate(cli: &Cli) -> anyhow::Result<i32> {
    let project = Project::load(&cli.dir)?;
    let diagnostics = crate::validate::validate(&project);
    let mut text = String::new();
    for d in &diagnostics {
        text.push_str(&d.render());
        text.push('\n');
    }
    print(&text)?;
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    eprintln!(
        "{} hook{}, {} event{}: {errors} error{}, {warnings} warning{}",
        project.hooks.len(),
        if project.hooks.len() == 1 { "" } else { "s" },
        project.events.len(),
        if project.events.len() == 1 { "" } else { "s" },
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" }
    );
    Ok(if errors > 0 { exit::FAILURES } else { exit::OK })
}

fn test(cli: &Cli, args: &TestArgs) -> anyhow::Result<i32> {
    use crate::contract;
    let project = match load_project(cli)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let (contracts, diagnostics) = contract::load_contracts(&project.root);
    report(&diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        eprintln!("error: fix the contract files above and run again");
        return Ok(exit::CANNOT_RUN);
    }
    if contracts.iter().all(|c| c.cases.is_empty()) {
        eprintln!(
            "error: no contracts found: add a contracts/*.yaml file to {} (see README, \"Contracts\")",
            crate::project::display(&project.root)
        );
        return Ok(exit::CANNOT_RUN);
    }
    let renderer = Renderer::new(project.hooks.clone(), false).with_sign_options(
        crate::signing::SignOptions {
            fixed_time: args.fixed_time,
        },
    );
    let options = contract::RunOptions {
        filter: args.filter.clone(),
        update: args.update,
    };
    let mut results = contract::run_contracts(&project, &renderer, &contracts, &options);
    if let (true, Some(filter)) = (results.is_empty(), &args.filter) {
        // A misspelt filter would otherwise pass CI while checking nothing.
        eprintln!(
            "error: no case matches --filter {filter:?}: it must be part of a case name or of a contract file's path"
        );
        return Ok(exit::CANNOT_RUN);
    }
    if args.deliver {
        contract::deliver_and_check(&mut results)?;
    }
    if let Some(path) = &args.junit {
        std::fs::write(path, contract::to_junit(&results)).map_err(|e| {
            anyhow::anyhow!("cannot write the JUnit report to {}: {e}", path.display())
        })?;
    }
    let text = match args.format {
        TestFormat::Text => contract::to_text(&results),
        TestFormat::Json => {
            let mut s = serde_json::to_string_pretty(&contract::to_json(&results))?;
            s.push('\n');
            s
        }
    };
    print(&text)?;
    let failed = results.iter().any(|r| r.status == contract::Status::Failed);
    Ok(if failed { exit::FAILURES } else { exit::OK })
}
