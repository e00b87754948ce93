//! The header-read timeout: clients that stall before or inside a request head are disconnected;
//! requests being answered, held answers and the live event stream are not.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use hooktest_receiver::{ReceiverConfig, Rules};

use crate::support::*;

const HEADER_TIMEOUT: Duration = Duration::from_millis(300);

fn quick(rules: &str) -> hooktest_receiver::ReceiverHandle {
    receiver(ReceiverConfig {
        header_read_timeout: HEADER_TIMEOUT,
        rules: Some(Rules::from_yaml(rules).unwrap()),
        ..ReceiverConfig::default()
    })
}

/// Reads until the server closes the connection; how long that took.
fn closed_after(stream: &mut TcpStream, started: Instant) -> Duration {
    let mut buf = [0u8; 512];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return started.elapsed(),
            Ok(_) => continue,
        }
    }
}

#[test]
fn an_idle_keep_alive_connection_is_closed_after_the_timeout() {
    let receiver = quick("[]");
    let mut stream = connect(receiver.addr());
    stream
        .write_all(b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n")
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    assert_eq!(read_reply(&mut reader).unwrap().status, 200);
    let idle = closed_after(&mut stream, Instant::now());
    assert!(
        idle >= HEADER_TIMEOUT - Duration::from_millis(50) && idle < Duration::from_secs(5),
        "closed after {idle:?}"
    );
}

#[test]
fn a_head_sent_a_byte_at_a_time_is_cut_off() {
    let receiver = quick("[]");
    let mut stream = connect(receiver.addr());
    let started = Instant::now();
    // Each byte comes well within the timeout, the whole head never does: the timeout is for
    // the head, not for each read.
    let head = b"POST /slow HTTP/1.1\r\nHost: h\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
    let mut cut = false;
    for byte in head {
        if stream.write_all(&[*byte]).is_err() {
            cut = true;
            break;
        }
        // Pacing the client is the point of this test: there is nothing to wait for instead.
        std::thread::sleep(Duration::from_millis(40));
        if started.elapsed() > Duration::from_secs(10) {
            break;
        }
    }
    let took = if cut {
        started.elapsed()
    } else {
        closed_after(&mut stream, started)
    };
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert!(receiver.records().is_empty());
}

#[test]
fn an_answer_slower_than_the_timeout_is_still_given() {
    let receiver = quick("- path: /slow\n  delay: 900ms\n  body: done\n");
    let mut stream = connect(receiver.addr());
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    for _ in 0..2 {
        stream
            .write_all(b"GET /slow HTTP/1.1\r\nHost: h\r\n\r\n")
            .unwrap();
        let reply = read_reply(&mut reader).unwrap();
        assert_eq!((reply.status, reply.text().as_str()), (200, "done"));
    }
}

#[test]
fn the_live_event_stream_outlasts_the_timeout() {
    let receiver = quick("- path: /slow\n  delay: 900ms\n");
    let mut stream = connect(receiver.addr());
    stream
        .write_all(b"GET /_hooktest/events?since=0 HTTP/1.1\r\nHost: h\r\n\r\n")
        .unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.starts_with("HTTP/1.1 200"), "{line}");
    // This request takes three times the header timeout; the stream stays open meanwhile and
    // then carries its record.
    assert_eq!(request(receiver.addr(), "POST", "/slow", b"").status, 200);
    loop {
        line.clear();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "the stream was closed"
        );
        if line.starts_with("data: ") && line.contains("\"/slow\"") {
            break;
        }
    }
}

/// A big answer to a client that reads it slowly: while hyper is still writing it, the connection
/// is not waiting for a head.
#[test]
fn a_slow_reader_gets_the_whole_answer() {
    let body: String = (0..8 * 1024 * 1024)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    let receiver = receiver(ReceiverConfig {
        header_read_timeout: Duration::from_millis(300),
        body: Some(body.clone()),
        ..ReceiverConfig::default()
    });
    let mut stream = connect(receiver.addr());
    stream
        .write_all(b"GET /big HTTP/1.1\r\nHost: h\r\n\r\n")
        .unwrap();
    // The client is busy for a while before it reads (or reads over a slow link).
    std::thread::sleep(Duration::from_millis(1500));
    let reply = read_reply(&mut BufReader::new(stream)).expect("an answer");
    assert_eq!(reply.body.len(), body.len(), "the answer was cut short");
}

/// An idle keep-alive connection is closed after the timeout, not up to a quarter before it.
#[test]
fn idle_connections_get_the_whole_timeout() {
    let timeout = Duration::from_millis(400);
    let receiver = receiver(ReceiverConfig {
        header_read_timeout: timeout,
        ..ReceiverConfig::default()
    });
    let mut shortest = Duration::MAX;
    for i in 0..4 {
        // Spread the answers over the watchdog's rounds (a quarter of the timeout each).
        std::thread::sleep(Duration::from_millis(25 * i));
        let mut stream = connect(receiver.addr());
        stream
            .write_all(b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n")
            .unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        assert_eq!(read_reply(&mut reader).unwrap().status, 200);
        shortest = shortest.min(closed_after(&mut stream, Instant::now()));
    }
    assert!(
        shortest >= timeout - Duration::from_millis(20),
        "closed after {shortest:?}"
    );
}

/// After a request with an `Upgrade` header (answered normally, the connection kept alive) the
/// tap's framer gives up; the watchdog still sees the connection wait for a head.
#[test]
fn a_stalled_head_after_an_upgrade_header_is_still_cut_off() {
    let receiver = receiver(ReceiverConfig {
        header_read_timeout: Duration::from_millis(300),
        ..ReceiverConfig::default()
    });
    let mut stream = connect(receiver.addr());
    stream
        .write_all(b"GET /a HTTP/1.1\r\nHost: h\r\nUpgrade: h2c\r\n\r\n")
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    assert_eq!(read_reply(&mut reader).unwrap().status, 200);
    // A head that never ends.
    stream.write_all(b"GET /b HTTP/1.1\r\nHost: h\r\n").unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(3)))
        .unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 64];
    let closed =
        matches!(stream.read(&mut buf), Ok(0)) || started.elapsed() < Duration::from_secs(2);
    assert!(closed, "still open after {:?}", started.elapsed());
}
