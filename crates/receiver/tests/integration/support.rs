//! Helpers: a raw HTTP/1.1 client (so tests control every byte) and receiver starters.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use hooktest_receiver::{Receiver, ReceiverConfig, ReceiverHandle};

pub const TIMEOUT: Duration = Duration::from_secs(20);

pub fn receiver(config: ReceiverConfig) -> ReceiverHandle {
    Receiver::start_background(config).expect("receiver starts")
}

pub fn default_receiver() -> ReceiverHandle {
    receiver(ReceiverConfig::default())
}

/// A parsed HTTP response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    stream
}

/// Reads one response (Content-Length framed, or to EOF) from a buffered stream.
pub fn read_reply(reader: &mut impl BufRead) -> Option<Reply> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let status = line.split_whitespace().nth(1)?.parse().ok()?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        let (name, value) = trimmed.split_once(':')?;
        headers.push((name.to_string(), value.trim().to_string()));
    }
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok());
    let mut body = Vec::new();
    match length {
        Some(n) => {
            body.resize(n, 0);
            reader.read_exact(&mut body).ok()?;
        }
        None => {
            reader.read_to_end(&mut body).ok()?;
        }
    }
    Some(Reply {
        status,
        headers,
        body,
    })
}

/// Sends raw bytes on a new connection and reads one response.
pub fn exchange(addr: SocketAddr, request: &[u8]) -> Reply {
    try_exchange(addr, request).expect("a response")
}

pub fn try_exchange(addr: SocketAddr, request: &[u8]) -> Option<Reply> {
    let mut stream = connect(addr);
    stream.write_all(request).unwrap();
    read_reply(&mut BufReader::new(stream))
}

/// A simple request with `Connection: close`.
pub fn request(addr: SocketAddr, method: &str, target: &str, body: &[u8]) -> Reply {
    let mut raw = format!(
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    raw.extend_from_slice(body);
    exchange(addr, &raw)
}

pub fn get(addr: SocketAddr, target: &str) -> Reply {
    request(addr, "GET", target, b"")
}
