//! `hooktest send`: render, then deliver to the built-in receiver, a base URL, or each hook's own URL.

use std::io::IsTerminal;
use std::time::Duration;

use clap::{ArgGroup, Args, ValueEnum};
use colored::Colorize;
use hooktest_receiver::{parse_duration, ReceiverConfig, Record};
use url::Url;

use crate::cli::{exit, load_project, print, Cli};
use crate::deliver::{self, Destination, Job, Options, Outcome};
use crate::render::{Renderer, Selection};
use crate::request::Request;

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("target").args(["mock", "to", "live"])))]
pub struct SendArgs {
    /// Only this hook (repeatable)
    #[arg(long = "hook", value_name = "NAME")]
    pub hooks: Vec<String>,
    /// Only this event: an id or a path (repeatable)
    #[arg(long = "event", value_name = "ID|PATH")]
    pub events: Vec<String>,
    /// Start the built-in receiver and send everything to it
    #[arg(long)]
    pub mock: bool,
    /// Send everything to this base URL (each hook's path and query are kept)
    #[arg(long, value_name = "URL")]
    pub to: Option<String>,
    /// Send to each hook's own URL (real endpoints!)
    #[arg(long)]
    pub live: bool,
    /// Send through this proxy (http://, https://, socks5://; no scheme means http://)
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    /// Skip TLS certificate checks for every request
    #[arg(long)]
    pub insecure: bool,
    /// Connect timeout
    #[arg(long, value_name = "DURATION", default_value = "15s", value_parser = duration)]
    pub connect_timeout: Duration,
    /// Total timeout of one attempt
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = duration)]
    pub timeout: Duration,
    /// Do not follow redirects (tsuru follows up to 10)
    #[arg(long)]
    pub no_follow: bool,
    /// Extra attempts after a failure (transport errors, 408, 425, 429, 5xx)
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub retries: u32,
    /// First retry delay; doubles each time, with jitter; Retry-After wins when given
    #[arg(long, value_name = "DURATION", default_value = "500ms", value_parser = duration)]
    pub backoff: Duration,
    /// Deliveries in flight at once (1 sends in order, as tsuru does)
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub concurrency: u32,
    /// Output format
    #[arg(long, value_enum, default_value_t = SendFormat::Text)]
    pub format: SendFormat,
    /// Treat a Go body that does not parse as an error (tsuru would send its raw text)
    #[arg(long)]
    pub strict: bool,
    /// Sign requests at this time (RFC 3339) instead of now (a receiver's tolerance may refuse it)
    #[arg(long, value_name = "RFC3339", value_parser = crate::signing::parse_fixed_time)]
    pub fixed_time: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SendFormat {
    Text,
    Json,
}

fn duration(text: &str) -> Result<Duration, String> {
    parse_duration(text).map_err(|e| e.to_string())
}

/// Runs `hooktest send`.
pub fn run(cli: &Cli, args: &SendArgs) -> anyhow::Result<i32> {
    if !args.mock && args.to.is_none() && !args.live {
        eprintln!("error: say where to send: --mock (the built-in receiver), --to URL, or --live (each hook's real URL)");
        return Ok(exit::CANNOT_RUN);
    }
    let base = match &args.to {
        Some(t) => match Url::parse(t) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => Some(u),
            Ok(u) => {
                eprintln!(
                    "error: --to {t}: scheme `{}` is not http or https",
                    u.scheme()
                );
                return Ok(exit::CANNOT_RUN);
            }
            Err(e) => {
                eprintln!("error: --to {t:?} is not a URL: {e}");
                return Ok(exit::CANNOT_RUN);
            }
        },
        None => None,
    };
    if let Some(p) = &args.proxy {
        if let Err(e) = crate::validate::parse_proxy(p) {
            eprintln!("error: --proxy: {e}");
            return Ok(exit::CANNOT_RUN);
        }
    }
    let project = match load_project(cli)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let selection = Selection {
        hooks: args.hooks.clone(),
        events: args.events.clone(),
    };
    let (hooks, events) = match (selection.hooks(&project), selection.events(&project)) {
        (Ok(h), Ok(e)) => (h, e),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return Ok(exit::CANNOT_RUN);
        }
    };
    let renderer =
        Renderer::new(hooks, args.strict).with_sign_options(crate::signing::SignOptions {
            fixed_time: args.fixed_time,
        });
    let mut jobs = Vec::new();
    for (i, entry) in events.iter().enumerate() {
        for o in renderer.render_event(i, &entry.event, false) {
            let hook = &renderer.hooks[o.hook].hook;
            let request = match (o.request, o.error) {
                (Some(r), _) => Ok(r),
                (None, Some(err)) if err.kind == "signing" => {
                    Err(format!("not sent: cannot sign: {}", err.message))
                }
                (None, Some(err)) if err.kind == "request" => {
                    Err(format!("not sent: {}", err.message))
                }
                (None, err) => Err(format!(
                    "not sent: the template failed: {}",
                    err.map(|e| e.message).unwrap_or_default()
                )),
            };
            jobs.push(Job {
                hook: hook.name.clone(),
                event: entry.id.clone(),
                request,
                proxy_url: hook.proxy_url.clone(),
                insecure: hook.insecure,
            });
        }
    }
    if jobs.is_empty() {
        eprintln!("nothing to send: no hook fires for the selected events");
        return Ok(exit::OK);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(send_all(args, base, jobs))
}

async fn send_all(args: &SendArgs, base: Option<Url>, jobs: Vec<Job>) -> anyhow::Result<i32> {
    let receiver = if args.mock {
        match hooktest_receiver::start(ReceiverConfig::default()).await {
            Ok(r) => {
                eprintln!("receiver listening on {}", r.url());
                Some(r)
            }
            Err(e) => {
                eprintln!("error: the built-in receiver could not start: {e:#}");
                return Ok(exit::CANNOT_RUN);
            }
        }
    } else {
        None
    };
    let destination = match (&receiver, base) {
        (Some(r), _) => Destination::Base(Url::parse(&r.url())?),
        (None, Some(b)) => Destination::Base(b),
        (None, None) => Destination::Live,
    };
    let options = Options {
        destination,
        proxy: args.proxy.clone(),
        insecure: args.insecure,
        connect_timeout: args.connect_timeout,
        timeout: args.timeout,
        follow_redirects: !args.no_follow,
        retries: args.retries,
        backoff: args.backoff,
        concurrency: args.concurrency as usize,
    };
    let total = jobs.len() as u64;
    let bar = (args.format == SendFormat::Text && total > 20 && std::io::stderr().is_terminal())
        .then(|| {
            let bar = indicatif::ProgressBar::new(total);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} deliveries {elapsed}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
    let tick = bar.clone();
    let outcomes = match deliver::deliver_all(jobs, &options, move |_| {
        if let Some(b) = &tick {
            b.inc(1);
        }
    })
    .await
    {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::CANNOT_RUN);
        }
    };
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let records = match &receiver {
        Some(r) => r.records(),
        None => Vec::new(),
    };
    let text = match args.format {
        SendFormat::Json => {
            let mut value = deliver::to_json(&outcomes);
            if receiver.is_some() {
                attach_received(&mut value, &outcomes, &records);
            }
            let mut s = serde_json::to_string_pretty(&value)?;
            s.push('\n');
            s
        }
        SendFormat::Text => to_text(&outcomes, receiver.as_ref().map(|_| records.as_slice())),
    };
    if let Some(r) = receiver {
        r.shutdown_async().await;
    }
    print(&text)?;
    Ok(if outcomes.iter().all(Outcome::ok) {
        exit::OK
    } else {
        exit::FAILURES
    })
}

/// Pairs each delivery with the record the receiver made of it (same method, target and body).
pub fn received_for<'r>(outcomes: &[Outcome], records: &'r [Record]) -> Vec<Option<&'r Record>> {
    let mut used = vec![false; records.len()];
    outcomes
        .iter()
        .map(|o| {
            let sent = o.sent.as_ref()?;
            let url = Url::parse(&sent.url).ok()?;
            let target = match url.query() {
                Some(q) => format!("{}?{q}", url.path()),
                None => url.path().to_string(),
            };
            let body = sent.body.as_deref().unwrap_or("").as_bytes();
            let i = records.iter().enumerate().position(|(i, r)| {
                !used[i]
                    && r.method == sent.method
                    && r.target() == target
                    && r.body_bytes() == body
            })?;
            used[i] = true;
            Some(&records[i])
        })
        .collect()
}

/// Differences between what was sent and what arrived: every sent header must arrive, in order,
/// with its value; the body bytes must be equal.
pub fn compare(sent: &Request, received: &Record) -> Vec<String> {
    let mut problems = Vec::new();
    if sent.method != received.method {
        problems.push(format!(
            "method {} arrived as {}",
            sent.method, received.method
        ));
    }
    let mut from = 0;
    for (name, value) in &sent.headers {
        match received.headers[from..]
            .iter()
            .position(|(n, v)| n.eq_ignore_ascii_case(name) && v == value)
        {
            Some(p) => from += p + 1,
            None => problems.push(format!(
                "header `{name}: {value}` did not arrive (in order)"
            )),
        }
    }
    if sent.body.as_deref().unwrap_or("").as_bytes() != received.body_bytes().as_slice() {
        problems.push("the body arrived different".into());
    }
    problems
}

fn attach_received(value: &mut serde_json::Value, outcomes: &[Outcome], records: &[Record]) {
    let pairs = received_for(outcomes, records);
    if let Some(items) = value.as_array_mut() {
        for ((item, record), outcome) in items.iter_mut().zip(pairs).zip(outcomes) {
            item["received"] = serde_json::to_value(record).unwrap_or_default();
            if let (Some(r), Some(sent)) = (record, &outcome.sent) {
                item["identical"] = compare(sent, r).is_empty().into();
            }
        }
    }
}

fn status_text(o: &Outcome) -> String {
    match o.attempts.last().and_then(|a| a.status) {
        Some(s) if deliver::is_success(s) => s.to_string().green().to_string(),
        Some(s) => s.to_string().red().to_string(),
        None if o.sent.is_none() => "—".dimmed().to_string(),
        None => "ERR".red().to_string(),
    }
}

fn to_text(outcomes: &[Outcome], records: Option<&[Record]>) -> String {
    let mut out = String::new();
    let received = records.map(|r| received_for(outcomes, r));
    for (i, o) in outcomes.iter().enumerate() {
        let mark = if o.ok() {
            "✓".green().bold()
        } else {
            "✗".red().bold()
        };
        let line = match &o.sent {
            Some(r) => format!("{} {}", r.method, r.url),
            None => String::new(),
        };
        out.push_str(&format!(
            "{mark} {} {} {} {}  {line}\n",
            status_text(o),
            o.hook.magenta().bold(),
            "←".dimmed(),
            o.event.blue()
        ));
        if o.attempts.len() > 1 {
            for (n, a) in o.attempts.iter().enumerate() {
                let what = match (a.status, &a.error) {
                    (Some(s), _) => s.to_string(),
                    (None, Some(e)) => e.clone(),
                    (None, None) => "?".into(),
                };
                out.push_str(&format!(
                    "    attempt {}: {what} ({} ms)\n",
                    n + 1,
                    a.elapsed.as_millis()
                ));
            }
        }
        if let Some(err) = &o.error {
            out.push_str(&format!("    {}: {err}\n", "failed".red()));
        }
        if let (Some(received), Some(sent)) = (&received, &o.sent) {
            match received[i] {
                Some(record) => {
                    let problems = compare(sent, record);
                    if problems.is_empty() {
                        out.push_str(&format!(
                            "    {} received as sent (headers in order, body byte for byte)\n",
                            "=".green()
                        ));
                    } else {
                        for p in problems {
                            out.push_str(&format!("    {} {p}\n", "≠".red()));
                        }
                    }
                    let color = colored::control::SHOULD_COLORIZE.should_colorize();
                    for l in hooktest_receiver::render_text(record, color).lines() {
                        out.push_str(&format!("    │ {l}\n"));
                    }
                }
                None => out.push_str(&format!(
                    "    {} the receiver has no record of this request\n",
                    "≠".red()
                )),
            }
        }
    }
    out.push('\n');
    out.push_str(&results_table(outcomes));
    let failed = outcomes.iter().filter(|o| !o.ok()).count();
    out.push_str(&format!(
        "{} delivered, {} failed\n",
        outcomes.len() - failed,
        failed
    ));
    out
}

/// The final table: hook, event, status, attempts, time.
fn results_table(outcomes: &[Outcome]) -> String {
    let rows: Vec<[String; 5]> = outcomes
        .iter()
        .map(|o| {
            [
                o.hook.clone(),
                o.event.clone(),
                match o.attempts.last().and_then(|a| a.status) {
                    Some(s) => s.to_string(),
                    None if o.sent.is_none() => "not sent".into(),
                    None => "error".into(),
                },
                o.attempts.len().to_string(),
                format!("{} ms", o.elapsed.as_millis()),
            ]
        })
        .collect();
    let header = ["hook", "event", "status", "attempts", "time"];
    let widths: Vec<usize> = (0..5)
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain([header[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let fmt_row = |cells: [&str; 5]| -> String {
        let mut line = String::new();
        for (c, cell) in cells.iter().enumerate() {
            line.push_str(&format!("{cell:w$}  ", w = widths[c]));
        }
        line.trim_end().to_string() + "\n"
    };
    let mut out = fmt_row(header).bold().to_string();
    for r in &rows {
        out.push_str(&fmt_row([&r[0], &r[1], &r[2], &r[3], &r[4]]));
    }
    out
}
