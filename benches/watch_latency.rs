//! Latency of `hooktest watch`: from a hook file being written to its updated render on stdout.
//!
//! Starts the real binary on a temporary project, then N times (default 50, `WATCH_LATENCY_RUNS`)
//! rewrites the hook's body with a new number and timestamps the moment the diff line carrying
//! that number is read from stdout. Prints the median, p95 and max. Target: median under 100 ms.
//!
//! Run: `cargo bench --bench watch_latency` (uses the release binary).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Whether a line (from stderr when the flag is set) is the one waited for.
type LineTest<'a> = dyn Fn(bool, &str) -> bool + 'a;

fn hook(n: usize) -> String {
    format!(
        r#"{{"name": "h", "url": "http://127.0.0.1:9/h", "body": "{{\"n\": {n}, \"app\": \"{{{{.Target.Value}}}}\"}}"}}"#
    )
}

fn main() {
    let runs: usize = std::env::var("WATCH_LATENCY_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("hooks")).expect("hooks/");
    std::fs::create_dir_all(root.join("events")).expect("events/");
    std::fs::write(root.join("hooks/h.json"), hook(0)).expect("hook");
    std::fs::write(
        root.join("events/deploy.json"),
        r#"{"Target": {"Type": "app", "Value": "shop"}, "Kind": {"Type": "permission", "Name": "app.deploy"}}"#,
    )
    .expect("event");

    let mut child = Command::new(env!("CARGO_BIN_EXE_hooktest"))
        .args(["watch", "--dir"])
        .arg(root)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start hooktest watch");
    // (is stderr, line, when it was read)
    let (tx, rx) = mpsc::channel::<(bool, String, Instant)>();
    for (is_err, pipe) in [
        (
            false,
            Box::new(child.stdout.take().expect("stdout")) as Box<dyn std::io::Read + Send>,
        ),
        (true, Box::new(child.stderr.take().expect("stderr"))),
    ] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if tx.send((is_err, line, Instant::now())).is_err() {
                    break;
                }
            }
        });
    }
    // Waits until every predicate has matched a line (in any order: stdout and stderr are two
    // pipes); returns when each matched.
    let wait_all = |preds: &[&LineTest<'_>]| -> Vec<Instant> {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut seen: Vec<Option<Instant>> = vec![None; preds.len()];
        while seen.iter().any(Option::is_none) {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok((is_err, line, at)) = rx.recv_timeout(left) else {
                panic!("timed out waiting for hooktest watch");
            };
            for (i, pred) in preds.iter().enumerate() {
                if seen[i].is_none() && pred(is_err, &line) {
                    seen[i] = Some(at);
                }
            }
        }
        seen.into_iter().flatten().collect()
    };
    wait_all(&[&|is_err, l| is_err && l.starts_with("watching ")]);

    let mut latencies = Vec::with_capacity(runs);
    for n in 1..=runs {
        let wanted = format!("+  \"n\": {n},");
        let written = Instant::now();
        std::fs::write(root.join("hooks/h.json"), hook(n)).expect("write hook");
        // The batch is over once its summary is printed too; the next write starts a new one.
        let seen = wait_all(&[&|is_err, l| !is_err && l == wanted, &|is_err, l| {
            is_err && l.starts_with("reloaded ")
        }]);
        latencies.push(seen[0].duration_since(written));
    }
    let _ = child.kill();
    let _ = child.wait();

    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "watch latency over {runs} writes: median {:.1} ms, p95 {:.1} ms, min {:.1} ms, max {:.1} ms (target: median < 100 ms)",
        ms(at(0.5)),
        ms(at(0.95)),
        ms(latencies[0]),
        ms(latencies[latencies.len() - 1]),
    );
}
