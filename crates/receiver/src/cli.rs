//! `hooktest serve` and `hooktest requests`: flags, and the functions that run them.

use std::io::{BufReader, ErrorKind, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};

use crate::client::BaseUrl;
use crate::config::{parse_duration, parse_size, ReceiverConfig};
use crate::journal;
use crate::output::render_text;
use crate::record::Record;
use crate::server::prepare;
use crate::verify::Verifier;

/// Flags of `hooktest serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on (anything but loopback is reachable from other machines)
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub bind: std::net::IpAddr,
    /// Port to listen on; 0 picks a free one
    #[arg(long, default_value_t = 0, value_name = "PORT")]
    pub port: u16,
    /// Append every request to FILE (one JSON record per line) and continue its numbering
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Answer by the rules in FILE (YAML or JSON), reloaded when it changes
    #[arg(long, value_name = "FILE")]
    pub responses: Option<PathBuf>,
    /// Status of the default answer
    #[arg(long, default_value_t = 200, value_name = "N", value_parser = clap::value_parser!(u16).range(100..=999))]
    pub status: u16,
    /// Wait this long before the default answer (e.g. 250ms, 2s)
    #[arg(long, value_name = "DURATION", value_parser = duration_arg)]
    pub delay: Option<Duration>,
    /// Body of the default answer [default: {"ok":true}]
    #[arg(long, value_name = "TEXT")]
    pub body: Option<String>,
    /// Largest request body accepted; larger ones get 413 (e.g. 512k, 10MiB)
    #[arg(long, default_value = "10MiB", value_name = "SIZE", value_parser = size_arg)]
    pub max_body: u64,
    /// How many requests to hold in memory for the API and the page
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub keep: usize,
    /// Verify every request's signature: standard-webhooks:SECRET or hmac-sha256:SECRET[:HEADER[:PREFIX]] (SECRET may be env:NAME)
    #[arg(long, value_name = "SCHEME:SECRET", value_parser = verify_arg)]
    pub verify: Option<Verifier>,
    /// How far a Standard Webhooks timestamp may be from the time of arrival
    #[arg(long, default_value = "5m", value_name = "DURATION", value_parser = duration_arg)]
    pub tolerance: Duration,
    /// Answer 401 to requests whose signature does not verify
    #[arg(long)]
    pub reject_invalid: bool,
}

fn verify_arg(text: &str) -> Result<Verifier, String> {
    Verifier::parse(text)
}

fn duration_arg(text: &str) -> Result<Duration, String> {
    parse_duration(text).map_err(|e| format!("{e:#}"))
}

fn size_arg(text: &str) -> Result<u64, String> {
    parse_size(text).map_err(|e| format!("{e:#}"))
}

impl ServeArgs {
    /// The receiver settings these flags ask for.
    pub fn config(&self) -> ReceiverConfig {
        ReceiverConfig {
            bind: self.bind,
            port: self.port,
            journal: self.journal.clone(),
            responses: self.responses.clone(),
            status: self.status,
            delay: self.delay,
            body: self.body.clone(),
            max_body: self.max_body,
            keep: self.keep,
            verify: self.verify.clone(),
            tolerance: self.tolerance,
            reject_invalid: self.reject_invalid,
            ..ReceiverConfig::default()
        }
    }
}

/// Runs `hooktest serve`: prints `listening on http://HOST:PORT` as the first stdout line, serves
/// until SIGINT or SIGTERM, then stops gracefully. Returns the exit code.
pub fn run_serve(args: &ServeArgs) -> anyhow::Result<i32> {
    let config = args.config();
    if !config.bind.is_loopback() {
        eprintln!(
            "warning: listening on {}: other machines can reach this receiver and read what it records",
            config.bind
        );
    }
    if let Some(problem) = config.verify.as_ref().and_then(Verifier::secret_problem) {
        eprintln!("warning: --verify: {problem}; every request will fail verification");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the receiver runtime")?;
    runtime.block_on(async move {
        let (prepared, handle) = prepare(config).await?;
        let mut stdout = std::io::stdout();
        // A closed stdout must not stop the receiver; scripts may read the first line and leave.
        let _ = writeln!(stdout, "listening on {}", handle.url());
        let _ = stdout.flush();
        let run = prepared.run();
        tokio::pin!(run);
        tokio::select! {
            _ = &mut run => return Ok(0),
            signal = stop_signal() => signal?,
        }
        eprintln!("stopping: finishing requests in flight");
        handle.request_stop();
        run.await;
        Ok(0)
    })
}

async fn stop_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut terminate = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result.context("cannot listen for SIGINT")?,
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c()
        .await
        .context("cannot listen for Ctrl-C")?;
    Ok(())
}

/// Output format of `hooktest requests`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum RequestsFormat {
    /// Readable text: summary line, headers, pretty body
    #[default]
    Text,
    /// One JSON record per line (the journal's shape)
    Json,
}

/// Flags of `hooktest requests`.
#[derive(Debug, Clone, Args)]
pub struct RequestsArgs {
    /// Read the requests recorded in this journal file
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "from",
        required_unless_present = "from"
    )]
    pub journal: Option<PathBuf>,
    /// Read the requests held by the receiver running at URL (e.g. http://127.0.0.1:8080)
    #[arg(long, value_name = "URL")]
    pub from: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = RequestsFormat::Text)]
    pub format: RequestsFormat,
    /// Keep printing requests as they arrive
    #[arg(long, short = 'f')]
    pub follow: bool,
}

/// Runs `hooktest requests`. Returns the exit code; a closed stdout ends it quietly with 0.
pub fn run_requests(args: &RequestsArgs, color: bool) -> anyhow::Result<i32> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut print = |record: &Record| -> std::io::Result<()> {
        match args.format {
            RequestsFormat::Text => out.write_all(render_text(record, color).as_bytes())?,
            RequestsFormat::Json => {
                let line = serde_json::to_string(record).map_err(std::io::Error::other)?;
                writeln!(out, "{line}")?;
            }
        }
        if args.follow {
            out.flush()?;
        }
        Ok(())
    };
    let result = match (&args.journal, &args.from) {
        (Some(path), _) => from_journal(path, args.follow, &mut print),
        (None, Some(url)) => from_receiver(url, args.follow, &mut print),
        (None, None) => bail!("say where the requests are: --journal FILE or --from URL"),
    };
    match result {
        Ok(()) => Ok(0),
        Err(e) if is_broken_pipe(&e) => Ok(0),
        Err(e) => Err(e),
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|e| e.downcast_ref::<std::io::Error>())
        .any(|e| e.kind() == ErrorKind::BrokenPipe)
}

type Print<'a> = dyn FnMut(&Record) -> std::io::Result<()> + 'a;

fn from_journal(path: &Path, follow: bool, print: &mut Print<'_>) -> anyhow::Result<()> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot read journal `{}`", path.display()))?;
    let mut reader = BufReader::new(file);
    let mut failure = None;
    let mut contents = journal::Contents::default();
    journal::read_from(&mut reader, path, 0, &mut contents, |record| {
        if failure.is_none() {
            failure = print(record).err();
        }
    })?;
    if let Some(e) = failure {
        return Err(e.into());
    }
    for warning in &contents.warnings {
        eprintln!("warning: {warning}");
    }
    if !follow {
        return Ok(());
    }
    let mut position = reader
        .stream_position()
        .with_context(|| format!("cannot read journal `{}`", path.display()))?;
    let mut partial = Vec::new();
    loop {
        std::thread::sleep(Duration::from_millis(200));
        let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if len < position {
            // Truncated or replaced: start over from its beginning.
            position = 0;
            partial.clear();
        }
        if len == position {
            continue;
        }
        let mut file = std::fs::File::open(path)
            .with_context(|| format!("cannot read journal `{}`", path.display()))?;
        file.seek(SeekFrom::Start(position))?;
        let mut fresh = Vec::new();
        file.read_to_end(&mut fresh)?;
        position += fresh.len() as u64;
        partial.extend_from_slice(&fresh);
        let complete = match partial.iter().rposition(|&b| b == b'\n') {
            Some(end) => partial.drain(..=end).collect::<Vec<u8>>(),
            None => continue,
        };
        for line in complete.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            match serde_json::from_slice::<Record>(line) {
                Ok(record) => print(&record)?,
                Err(e) => eprintln!("warning: {}: damaged record skipped ({e})", path.display()),
            }
        }
    }
}

fn from_receiver(url: &str, follow: bool, print: &mut Print<'_>) -> anyhow::Result<()> {
    let base = BaseUrl::parse(url)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start a runtime")?;
    let mut last: Option<u64> = None;
    loop {
        let path = match (last, follow) {
            (None, _) => "/_hooktest/requests".to_string(),
            (Some(seq), _) => format!("/_hooktest/requests?since={seq}&wait=30s&count=1"),
        };
        let (status, body) = runtime.block_on(base.get(&path))?;
        if status != 200 {
            bail!(
                "the receiver at {url} answered {status} to {path}: {}",
                String::from_utf8_lossy(&body)
                    .chars()
                    .take(200)
                    .collect::<String>()
            );
        }
        let records: Vec<Record> = serde_json::from_slice(&body).with_context(|| {
            format!("{url} did not answer with hooktest records; is it a hooktest receiver?")
        })?;
        for record in &records {
            print(record)?;
            last = Some(last.map_or(record.seq, |l| l.max(record.seq)));
        }
        if !follow {
            return Ok(());
        }
        last.get_or_insert(0);
    }
}
