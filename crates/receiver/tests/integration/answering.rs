//! Default answers, rules, sequences, delays, faults and reloading the responses file.

use std::io::{BufReader, Read, Write};
use std::time::{Duration, Instant};

use hooktest_receiver::{ReceiverConfig, Rules};

use crate::support::*;

#[test]
fn default_answer_can_be_changed() {
    let receiver = receiver(ReceiverConfig {
        status: 202,
        body: Some("accepted".into()),
        delay: Some(Duration::from_millis(200)),
        ..ReceiverConfig::default()
    });
    let started = Instant::now();
    let reply = request(receiver.addr(), "POST", "/x", b"");
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(reply.status, 202);
    assert_eq!(reply.text(), "accepted");
    assert_eq!(
        reply.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    let record = &receiver.records()[0];
    assert_eq!(record.response.status, Some(202));
    assert_eq!(record.response.delay_ms, Some(200));
}

const RULES: &str = r#"
- method: POST
  path: /flaky/*
  sequence: [500, 500, 200]
- path: /slow
  status: 202
  headers: {Retry-After: "1", X-Extra: yes}
  body: '{"queued": true}'
  delay: 150ms
- path: /steps
  headers: {X-Rule: base}
  sequence:
    - {status: 429, headers: {Retry-After: "2"}, body: slow down}
    - 201
- path: /broken
  fault: close
- path: /stuck
  fault: hang
"#;

fn rules_receiver() -> hooktest_receiver::ReceiverHandle {
    receiver(ReceiverConfig {
        rules: Some(Rules::from_yaml(RULES).unwrap()),
        ..ReceiverConfig::default()
    })
}

#[test]
fn sequences_repeat_their_last_step() {
    let receiver = rules_receiver();
    let statuses: Vec<u16> = (0..5)
        .map(|_| request(receiver.addr(), "POST", "/flaky/thing", b"").status)
        .collect();
    assert_eq!(statuses, [500, 500, 200, 200, 200]);
    assert_eq!(
        request(receiver.addr(), "GET", "/flaky/thing", b"").status,
        200
    );
    assert_eq!(receiver.records()[0].response.rule, Some(0));
    assert_eq!(receiver.records()[5].response.rule, None);

    let first = request(receiver.addr(), "POST", "/steps", b"");
    assert_eq!((first.status, first.text().as_str()), (429, "slow down"));
    assert_eq!(first.header("retry-after"), Some("2"));
    assert_eq!(first.header("x-rule"), Some("base"));
    let second = request(receiver.addr(), "POST", "/steps", b"");
    assert_eq!(
        (second.status, second.text().as_str()),
        (201, r#"{"ok":true}"#)
    );
    assert_eq!(second.header("x-rule"), Some("base"));
}

#[test]
fn rule_status_headers_body_and_delay() {
    let receiver = rules_receiver();
    let started = Instant::now();
    let reply = request(receiver.addr(), "PUT", "/slow", b"");
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(reply.status, 202);
    assert_eq!(reply.header("retry-after"), Some("1"));
    assert_eq!(reply.header("x-extra"), Some("yes"));
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.json(), serde_json::json!({"queued": true}));
    let record = &receiver.records()[0];
    assert_eq!(record.response.rule, Some(1));
    assert_eq!(record.response.body, r#"{"queued": true}"#);
}

#[test]
fn fault_close_answers_nothing() {
    let receiver = rules_receiver();
    let reply = try_exchange(
        receiver.addr(),
        b"POST /broken HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi",
    );
    assert!(reply.is_none(), "the connection closes without an answer");
    let record = &receiver.wait_for(1, TIMEOUT).unwrap()[0];
    assert_eq!(record.response.fault.as_deref(), Some("close"));
    assert_eq!(record.response.status, None);
    assert_eq!(record.body.as_deref(), Some("hi"));
}

#[test]
fn fault_hang_never_answers_until_shutdown() {
    let receiver = rules_receiver();
    let mut stream = connect(receiver.addr());
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    stream
        .write_all(b"GET /stuck HTTP/1.1\r\nHost: h\r\n\r\n")
        .unwrap();
    receiver.wait_for(1, TIMEOUT).unwrap();
    let mut byte = [0u8; 1];
    let waited = stream.read(&mut byte);
    assert!(waited.is_err(), "no answer while hanging: {waited:?}");
    assert_eq!(
        receiver.records()[0].response.fault.as_deref(),
        Some("hang")
    );
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    let started = Instant::now();
    receiver.shutdown();
    let mut rest = Vec::new();
    let _ = BufReader::new(stream).read_to_end(&mut rest);
    assert!(rest.is_empty(), "closed without an answer");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn responses_file_is_reloaded_when_it_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("responses.yaml");
    std::fs::write(&path, "- path: /x\n  status: 201\n").unwrap();
    let receiver = receiver(ReceiverConfig {
        responses: Some(path.clone()),
        reload_interval: Duration::from_millis(20),
        ..ReceiverConfig::default()
    });
    assert_eq!(request(receiver.addr(), "POST", "/x", b"").status, 201);
    // Editors save by writing a new file and renaming it over the old one.
    let fresh = dir.path().join("responses.yaml.tmp");
    std::fs::write(&fresh, "- path: /x\n  status: 418\n  body: teapot\n").unwrap();
    std::fs::rename(&fresh, &path).unwrap();
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let reply = request(receiver.addr(), "POST", "/x", b"");
        if reply.status == 418 {
            assert_eq!(reply.text(), "teapot");
            break;
        }
        assert_eq!(reply.status, 201);
        assert!(Instant::now() < deadline, "the new rules were never used");
        std::thread::sleep(Duration::from_millis(20));
    }
    // A broken file keeps the previous rules.
    std::fs::write(&path, "- path: [unclosed\n").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(request(receiver.addr(), "POST", "/x", b"").status, 418);
}

#[test]
fn invalid_responses_file_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("responses.json");
    std::fs::write(&path, r#"[{"path": "/x", "satus": 201}]"#).unwrap();
    let err = hooktest_receiver::Receiver::start_background(ReceiverConfig {
        responses: Some(path.clone()),
        ..ReceiverConfig::default()
    })
    .unwrap_err();
    let message = format!("{err:#}");
    assert!(message.contains("responses.json"), "{message}");
    assert!(message.contains("satus"), "{message}");
}
