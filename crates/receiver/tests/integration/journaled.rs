//! With a journal, an answer goes out only after its record's line is written, and every held
//! answer reaches its client: keep-alive, pipelined, `Connection: close`, and answers larger than
//! the socket buffers.

use std::io::{BufReader, Write};
use std::path::Path;

use hooktest_receiver::ReceiverConfig;

use crate::support::*;

fn journal_lines(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .map(|text| text.lines().count())
        .unwrap_or(0)
}

fn journaled(dir: &tempfile::TempDir, config: ReceiverConfig) -> hooktest_receiver::ReceiverHandle {
    receiver(ReceiverConfig {
        journal: Some(dir.path().join("journal.jsonl")),
        ..config
    })
}

#[test]
fn every_answer_follows_its_journal_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let receiver = journaled(&dir, ReceiverConfig::default());
    let mut stream = connect(receiver.addr());
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut answered = 0;
    // One at a time on a keep-alive connection.
    for i in 0..20 {
        write!(
            stream,
            "POST /one/{i} HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi"
        )
        .unwrap();
        assert_eq!(read_reply(&mut reader).unwrap().status, 200);
        answered += 1;
        assert!(
            journal_lines(&path) >= answered,
            "answer {i} came before its line"
        );
    }
    // Pipelined: ten requests in one write, ten answers in order.
    let mut burst = Vec::new();
    for i in 0..10 {
        burst.extend_from_slice(format!("GET /burst/{i} HTTP/1.1\r\nHost: h\r\n\r\n").as_bytes());
    }
    stream.write_all(&burst).unwrap();
    for _ in 0..10 {
        assert_eq!(read_reply(&mut reader).unwrap().status, 200);
        answered += 1;
        assert!(journal_lines(&path) >= answered);
    }
    // `Connection: close`: the answer is held while hyper closes the connection.
    for i in 0..10 {
        let reply = request(receiver.addr(), "PUT", &format!("/close/{i}"), b"x");
        assert_eq!(reply.status, 200);
        answered += 1;
        assert!(journal_lines(&path) >= answered);
    }
    let records = receiver.wait_for(answered, TIMEOUT).unwrap();
    let paths: Vec<&str> = records.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths[20], "/burst/0");
    assert_eq!(paths[29], "/burst/9");
    assert_eq!(paths[39], "/close/9");
    assert_eq!(journal_lines(&path), answered);
}

#[test]
fn answers_larger_than_the_socket_buffers_arrive_whole() {
    let dir = tempfile::tempdir().unwrap();
    // Far more than loopback socket buffers hold, so the writer finds the socket full and the
    // connection's own task sends the rest.
    let body: String = (0..6 * 1024 * 1024)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    let receiver = journaled(
        &dir,
        ReceiverConfig {
            body: Some(body.clone()),
            ..ReceiverConfig::default()
        },
    );
    let mut stream = connect(receiver.addr());
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    for i in 0..3 {
        write!(stream, "GET /big/{i} HTTP/1.1\r\nHost: h\r\n\r\n").unwrap();
        let reply = read_reply(&mut reader).unwrap();
        assert_eq!(reply.status, 200);
        assert!(reply.body == body.as_bytes(), "answer {i} arrived whole");
    }
    // Two pipelined requests with big answers, read only after both were sent.
    stream
        .write_all(b"GET /big/3 HTTP/1.1\r\nHost: h\r\n\r\nGET /big/4 HTTP/1.1\r\nHost: h\r\n\r\n")
        .unwrap();
    for _ in 0..2 {
        let reply = read_reply(&mut reader).unwrap();
        assert!(reply.body == body.as_bytes());
    }
    assert_eq!(receiver.wait_for(5, TIMEOUT).unwrap().len(), 5);
}

#[test]
fn a_close_fault_comes_after_the_journal_line() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let receiver = journaled(
        &dir,
        ReceiverConfig {
            rules: Some(
                hooktest_receiver::Rules::from_yaml("- path: /broken\n  fault: close\n").unwrap(),
            ),
            ..ReceiverConfig::default()
        },
    );
    for i in 1..=5 {
        let mut stream = connect(receiver.addr());
        stream
            .write_all(b"POST /broken HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nx")
            .unwrap();
        let mut got = Vec::new();
        let _ = stream.read_to_end(&mut got);
        assert!(
            got.is_empty(),
            "no answer: {:?}",
            String::from_utf8_lossy(&got)
        );
        assert!(
            journal_lines(&path) >= i,
            "closed before its line was written"
        );
    }
}
