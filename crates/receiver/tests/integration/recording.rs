//! Requests are recorded exactly: bytes, header case, order and repeats.

use std::io::{BufReader, Write};

use hooktest_receiver::ReceiverConfig;

use crate::support::*;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

#[test]
fn text_body_and_headers_exactly() {
    let receiver = default_receiver();
    let body = "{\"text\": \"caf\u{e9} \\u00e9\"}\n";
    let raw = format!(
        "POST /hooks/deploy?app=checkout&x=%2F HTTP/1.1\r\nHost: example\r\nX-Custom: one\r\ncontent-TYPE: application/json\r\nX-Custom: two\r\nx-custom: three\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let reply = exchange(receiver.addr(), raw.as_bytes());
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), serde_json::json!({"ok": true}));
    let records = receiver.wait_for(1, TIMEOUT).unwrap();
    let record = &records[0];
    assert_eq!(record.seq, 1);
    assert_eq!(record.method, "POST");
    assert_eq!(record.path, "/hooks/deploy");
    assert_eq!(record.query.as_deref(), Some("app=checkout&x=%2F"));
    assert_eq!(
        record.headers,
        pairs(&[
            ("Host", "example"),
            ("X-Custom", "one"),
            ("content-TYPE", "application/json"),
            ("X-Custom", "two"),
            ("x-custom", "three"),
            ("Content-Length", &body.len().to_string()),
            ("Connection", "close"),
        ])
    );
    assert_eq!(record.body.as_deref(), Some(body));
    assert_eq!(record.body_bytes(), body.as_bytes());
    assert!(record.remote.starts_with("127.0.0.1:"));
    assert_eq!(record.response.status, Some(200));
    assert_eq!(
        record.header_values("x-custom").collect::<Vec<_>>(),
        ["one", "two", "three"]
    );
}

#[test]
fn binary_body_is_kept_in_base64() {
    let receiver = default_receiver();
    let body: Vec<u8> = (0..=255u8).rev().collect();
    let reply = request(receiver.addr(), "PUT", "/bin", &body);
    assert_eq!(reply.status, 200);
    let record = &receiver.wait_for(1, TIMEOUT).unwrap()[0];
    assert_eq!(record.body, None);
    assert_eq!(record.body_bytes(), body);
    assert_eq!(record.query, None);
    let json = serde_json::to_value(record).unwrap();
    assert_eq!(json["body"], serde_json::Value::Null);
    assert!(
        json.get("verification").is_none(),
        "unset verification is left out"
    );
}

#[test]
fn chunked_and_keep_alive_requests_on_one_connection() {
    let receiver = default_receiver();
    let mut stream = connect(receiver.addr());
    stream
        .write_all(
            b"POST /one HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nX-N: 1\r\n\r\n5\r\nhello\r\n7;ext\r\n, world\r\n0\r\n\r\n",
        )
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    assert_eq!(read_reply(&mut reader).unwrap().status, 200);
    stream
        .write_all(b"POST /two HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nX-n: 2\r\n\r\nabcGET /three?x HTTP/1.1\r\nhost: h\r\nX-THREE: 3\r\n\r\n")
        .unwrap();
    assert_eq!(read_reply(&mut reader).unwrap().status, 200);
    assert_eq!(read_reply(&mut reader).unwrap().status, 200);
    let records = receiver.wait_for(3, TIMEOUT).unwrap();
    assert_eq!(records[0].body.as_deref(), Some("hello, world"));
    assert_eq!(records[0].headers[2], ("X-N".into(), "1".into()));
    assert_eq!(records[1].body.as_deref(), Some("abc"));
    assert_eq!(records[1].headers[2], ("X-n".into(), "2".into()));
    assert_eq!(
        records[2].headers,
        pairs(&[("host", "h"), ("X-THREE", "3")])
    );
    assert_eq!(records[2].query.as_deref(), Some("x"));
}

#[test]
fn admin_requests_do_not_disturb_the_next_request_on_the_connection() {
    let receiver = default_receiver();
    let mut stream = connect(receiver.addr());
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    stream
        .write_all(b"GET /_hooktest/health HTTP/1.1\r\nHost: h\r\n\r\n")
        .unwrap();
    assert_eq!(read_reply(&mut reader).unwrap().status, 200);
    stream
        .write_all(
            b"POST /after HTTP/1.1\r\nHost: h\r\nX-Mixed-CASE: 1\r\nContent-Length: 0\r\n\r\n",
        )
        .unwrap();
    assert_eq!(read_reply(&mut reader).unwrap().status, 200);
    let records = receiver.wait_for(1, TIMEOUT).unwrap();
    assert_eq!(
        records[0].headers,
        pairs(&[
            ("Host", "h"),
            ("X-Mixed-CASE", "1"),
            ("Content-Length", "0")
        ])
    );
}

#[test]
fn body_over_the_limit_gets_413_and_is_recorded_as_rejected() {
    let receiver = receiver(ReceiverConfig {
        max_body: 16,
        ..ReceiverConfig::default()
    });
    let reply = request(receiver.addr(), "POST", "/big", &[b'x'; 17]);
    assert_eq!(reply.status, 413);
    let chunked = exchange(
        receiver.addr(),
        b"POST /big-chunked HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n10\r\n0123456789abcdef\r\n1\r\nx\r\n0\r\n\r\n",
    );
    assert_eq!(chunked.status, 413);
    let fits = request(receiver.addr(), "POST", "/fits", &[b'x'; 16]);
    assert_eq!(fits.status, 200);
    let records = receiver.wait_for(3, TIMEOUT).unwrap();
    for record in &records[..2] {
        assert_eq!(record.response.status, Some(413));
        assert!(record
            .response
            .rejected
            .as_deref()
            .unwrap()
            .contains("16 bytes"));
        assert_eq!(record.body_base64, "");
    }
    assert_eq!(records[2].response.rejected, None);
    assert_eq!(records[2].body.as_deref(), Some("xxxxxxxxxxxxxxxx"));
}

#[test]
fn memory_holds_only_the_last_keep_records() {
    let receiver = receiver(ReceiverConfig {
        keep: 3,
        ..ReceiverConfig::default()
    });
    for i in 0..5 {
        request(receiver.addr(), "POST", &format!("/{i}"), b"");
    }
    let seqs: Vec<u64> = receiver.records().iter().map(|r| r.seq).collect();
    assert_eq!(seqs, [3, 4, 5]);
}

/// The receiver writes each record's JSON by hand; it must be exactly what serde_json writes for
/// the same `Record`, for awkward text, binary bodies and non-UTF-8 header values alike.
#[test]
fn record_json_is_serde_json_form() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.jsonl");
    let receiver = receiver(ReceiverConfig {
        journal: Some(journal.clone()),
        rules: Some(
            hooktest_receiver::Rules::from_yaml(
                "- path: /r\n  status: 202\n  headers: {X-Q: \"a\\\"b\"}\n  body: \"tab\\there\"\n  delay: 1ms\n",
            )
            .unwrap(),
        ),
        ..ReceiverConfig::default()
    });
    let mut raw = b"POST /r?q=%22x HTTP/1.1\r\nHost: h\r\nX-Bin: \xff\xfe\r\nX-Esc: a\\b\"c\tdone\r\nContent-Length: 6\r\n\r\n\x00\x01\"\\\xc3".to_vec();
    raw.push(b'\n');
    let _ = exchange(receiver.addr(), &raw);
    let _ = request(
        receiver.addr(),
        "PUT",
        "/plain",
        "caf\u{e9} \u{2028}\u{1}".as_bytes(),
    );
    receiver.wait_for(2, TIMEOUT).unwrap();
    let list = get(receiver.addr(), "/_hooktest/requests");
    let one = get(receiver.addr(), "/_hooktest/requests/2");
    receiver.shutdown();
    let lines = std::fs::read(&journal).unwrap();
    let lines: Vec<&[u8]> = lines
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines.len(), 2);
    for line in &lines {
        let record: hooktest_receiver::Record = serde_json::from_slice(line).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&serde_json::to_vec(&record).unwrap()),
            String::from_utf8_lossy(line)
        );
    }
    assert_eq!(
        list.body,
        [&b"["[..], lines[0], b",", lines[1], b"]"].concat()
    );
    assert_eq!(one.body, lines[1]);
}

#[test]
fn a_client_that_never_finishes_its_head_is_disconnected() {
    use std::io::Read;
    use std::time::{Duration, Instant};
    let receiver = receiver(ReceiverConfig {
        header_read_timeout: Duration::from_millis(300),
        ..ReceiverConfig::default()
    });
    let mut stream = connect(receiver.addr());
    stream
        .write_all(b"POST /slow HTTP/1.1\r\nHost: h\r\nX-Half")
        .unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 512];
    // The server gives up on the head and closes the connection (possibly after a 408).
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(_) => continue,
        }
    }
    assert!(
        started.elapsed() < TIMEOUT,
        "the slow client was not disconnected"
    );
    assert!(
        receiver.records().is_empty(),
        "an unfinished request is not a record"
    );
}

#[test]
fn the_default_answer_is_recorded_as_configured() {
    let receiver = receiver(ReceiverConfig {
        status: 201,
        delay: Some(std::time::Duration::from_millis(1)),
        body: Some("made \"it\"".into()),
        ..ReceiverConfig::default()
    });
    for _ in 0..2 {
        let reply = request(receiver.addr(), "POST", "/x", b"{}");
        assert_eq!((reply.status, reply.text().as_str()), (201, "made \"it\""));
    }
    let records = receiver.wait_for(2, TIMEOUT).unwrap();
    for record in &records {
        let response = serde_json::to_value(&record.response).unwrap();
        assert_eq!(
            response,
            serde_json::json!({
                "status": 201,
                "headers": [["Content-Type", "text/plain; charset=utf-8"]],
                "body": "made \"it\"",
                "delay_ms": 1,
            })
        );
    }
    assert_eq!(records[1].seq, records[0].seq + 1);
}
