//! The stand-alone binary: first line, journal, restart, graceful shutdown, `requests`.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::support::*;

const BIN: &str = env!("CARGO_BIN_EXE_hooktest-receiver");

struct Serve {
    child: Child,
    addr: SocketAddr,
}

impl Serve {
    fn start(args: &[&str]) -> Serve {
        let mut child = Command::new(BIN)
            .arg("serve")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .trim_end_matches('\n');
        assert!(first.ends_with('\n'));
        Serve {
            addr: url.parse().unwrap(),
            child,
        }
    }

    fn terminate(mut self) -> (i32, String) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let exit = self.child.wait().unwrap();
        let mut stderr = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        (exit.code().unwrap_or(-1), stderr)
    }
}

fn lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

#[test]
fn journal_survives_restarts_and_a_damaged_last_line() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.jsonl");
    let journal_arg = journal.to_str().unwrap();

    let serve = Serve::start(&["--journal", journal_arg]);
    request(serve.addr, "POST", "/one", b"1");
    request(serve.addr, "POST", "/two", b"2");
    let (code, _) = serve.terminate();
    assert_eq!(code, 0);
    assert_eq!(lines(&journal).len(), 2);

    // A crash mid-write leaves a torn last line.
    let mut text = std::fs::read_to_string(&journal).unwrap();
    text.push_str(r#"{"seq":3,"received_at":"2026-"#);
    std::fs::write(&journal, &text).unwrap();

    let serve = Serve::start(&["--journal", journal_arg]);
    let held = get(serve.addr, "/_hooktest/requests").json();
    assert_eq!(
        held.as_array().unwrap().len(),
        2,
        "the journal is read back"
    );
    request(serve.addr, "POST", "/three", b"3");
    let (code, stderr) = serve.terminate();
    assert_eq!(code, 0);
    assert!(
        stderr.contains("journal.jsonl:3: damaged last line skipped"),
        "stderr: {stderr}"
    );
    let records = lines(&journal);
    let seqs: Vec<u64> = records.iter().map(|r| r["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, [1, 2, 3], "numbering continues");
    assert_eq!(records[2]["path"], "/three");
    let raw = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(
        raw.lines().count(),
        4,
        "the damaged line stays, on a line of its own"
    );

    let contents = hooktest_receiver::read_journal(&journal, 10).unwrap();
    assert_eq!(contents.records.len(), 3);
    assert_eq!(contents.warnings.len(), 1);
}

#[test]
fn sigterm_finishes_requests_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.jsonl");
    let serve = Serve::start(&["--journal", journal.to_str().unwrap(), "--delay", "1s"]);
    let addr = serve.addr;
    let in_flight = std::thread::spawn(move || request(addr, "POST", "/slow", b"payload"));
    // Readiness: the long-poll returns once the request is recorded (its answer is delayed 1s).
    let polled = get(addr, "/_hooktest/requests?wait=20s&count=1");
    assert_eq!(polled.json().as_array().unwrap().len(), 1);
    let (code, stderr) = serve.terminate();
    assert_eq!(code, 0, "stderr: {stderr}");
    let reply = in_flight.join().unwrap();
    assert_eq!(reply.status, 200, "the request in flight was answered");
    assert!(std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_err());
    assert_eq!(lines(&journal).len(), 1);
}

#[test]
fn requests_prints_a_journal_and_a_running_receiver() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.jsonl");
    let serve = Serve::start(&["--journal", journal.to_str().unwrap()]);
    request(serve.addr, "POST", "/hooks/a?x=1", br#"{"b":[1]}"#);

    let text = Command::new(BIN)
        .args(["requests", "--journal", journal.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(text.status.success());
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.starts_with("#1 POST /hooks/a?x=1 -> 200  "), "{text}");
    assert!(text.contains("\n  Content-Length: 9\n"), "{text}");
    assert!(
        text.contains("\n  {\n    \"b\": [\n      1\n    ]\n  }\n"),
        "{text}"
    );

    let json = Command::new(BIN)
        .args([
            "requests",
            "--format",
            "json",
            "--from",
            &format!("http://{}", serve.addr),
        ])
        .output()
        .unwrap();
    assert!(
        json.status.success(),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let record: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(record["path"], "/hooks/a");
    assert_eq!(record["body"], r#"{"b":[1]}"#);

    let missing = Command::new(BIN).args(["requests"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    serve.terminate();
}

#[test]
fn requests_follow_prints_new_requests() {
    let serve = Serve::start(&[]);
    let mut follow = Command::new(BIN)
        .args([
            "requests",
            "--follow",
            "--format",
            "json",
            "--from",
            &format!("http://{}", serve.addr),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    request(serve.addr, "POST", "/followed", b"");
    let mut line = String::new();
    BufReader::new(follow.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let record: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(record["path"], "/followed");
    follow.kill().unwrap();
    let _ = follow.wait();
    serve.terminate();
}

#[test]
fn a_journal_that_is_not_a_regular_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(BIN)
        .args(["serve", "--journal"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is not a regular file"), "{stderr}");
    assert!(output.stdout.is_empty(), "it never listened");
}
