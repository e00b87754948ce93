//! The record of one received request: the shape shared by the journal, the admin API and the page.

use serde::{Deserialize, Serialize};

/// One request the receiver got, and the answer it gave.
///
/// Serialized as one JSON object; the journal holds one per line and the admin API returns the same
/// shape. See the crate README for the field-by-field description.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Sequence number, starting at 1 and continuing across restarts that share a journal.
    pub seq: u64,
    /// When the request head arrived, RFC 3339 UTC with milliseconds.
    pub received_at: String,
    /// The peer address, `IP:PORT`.
    pub remote: String,
    /// The request method as sent.
    pub method: String,
    /// The path part of the request target, undecoded.
    pub path: String,
    /// The query string without the `?`, undecoded; `null` when the target had no `?`.
    pub query: Option<String>,
    /// Header fields as they were on the wire: original case, order and repeats kept.
    pub headers: Vec<(String, String)>,
    /// The body as text, or `null` when it is not valid UTF-8.
    pub body: Option<String>,
    /// The body bytes, base64 (standard alphabet, padded); always present.
    pub body_base64: String,
    /// The answer the receiver gave.
    pub response: RecordedResponse,
    /// Signature verification verdict, when verification is configured (reserved for later use).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<serde_json::Value>,
}

/// What the receiver answered to a recorded request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RecordedResponse {
    /// The status sent, or `null` when a fault meant no answer was sent.
    pub status: Option<u16>,
    /// Response header fields set by the receiver (not counting `date` and `content-length`).
    pub headers: Vec<(String, String)>,
    /// The response body text.
    pub body: String,
    /// Index (0-based) of the responses-file rule that answered, when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<usize>,
    /// The configured delay before answering, in milliseconds, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// The fault acted out instead of answering: `close` or `hang`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
    /// Why the request was refused by the receiver itself (for example a body over `--max-body`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected: Option<String>,
}

impl Record {
    /// The body bytes, decoded from `body_base64` (empty when that is not valid base64).
    pub fn body_bytes(&self) -> Vec<u8> {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(&self.body_base64)
            .unwrap_or_default()
    }

    /// The request target as sent: path plus `?query` when there was one.
    pub fn target(&self) -> String {
        match &self.query {
            Some(q) => format!("{}?{}", self.path, q),
            None => self.path.clone(),
        }
    }

    /// The values of a header, matched case-insensitively, in the order received.
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A held record: its JSON, written once when the request is recorded and reused as is by the
/// journal, the admin API, the live page and the event stream, plus what the API filters on.
///
/// Keeping the bytes instead of a [`Record`] makes recording a request a handful of allocations
/// instead of one per string, and dropping an old record a single free.
#[derive(Debug)]
pub(crate) struct Held {
    pub(crate) seq: u64,
    /// `METHOD` followed by the path, in one allocation; split at `method_len`.
    key: Box<str>,
    method_len: usize,
    /// The record as one JSON object, without a trailing newline.
    pub(crate) json: Vec<u8>,
}

impl Held {
    pub(crate) fn new(seq: u64, method: &str, path: &str, json: Vec<u8>) -> Held {
        let mut key = String::with_capacity(method.len() + path.len());
        key.push_str(method);
        key.push_str(path);
        Held {
            seq,
            key: key.into_boxed_str(),
            method_len: method.len(),
            json,
        }
    }

    /// Holds a record read from a journal.
    pub(crate) fn from_record(record: &Record) -> Held {
        let json = serde_json::to_vec(record).unwrap_or_else(|_| b"null".to_vec());
        Held::new(record.seq, &record.method, &record.path, json)
    }

    pub(crate) fn method(&self) -> &str {
        &self.key[..self.method_len]
    }

    pub(crate) fn path(&self) -> &str {
        &self.key[self.method_len..]
    }

    /// The record itself, parsed back from its JSON (for callers in code; the server never needs
    /// it).
    pub(crate) fn record(&self) -> Option<Record> {
        serde_json::from_slice(&self.json).ok()
    }
}

/// Writes JSON by hand, field by field, in the exact form `serde_json` gives [`Record`]: that is
/// the hot path of the receiver, and going through a `Record` of owned strings costs about twenty
/// allocations per request.
pub(crate) mod write {
    use std::io::Write;

    /// Appends `text` as a JSON string, escaped the way `serde_json` escapes.
    pub(crate) fn str(out: &mut Vec<u8>, text: &str) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let needs_escape = |b: u8| b < 0x20 || b == b'"' || b == b'\\';
        out.reserve(text.len() + 2);
        out.push(b'"');
        let mut rest = text.as_bytes();
        // Most text needs no escaping: copy the runs between escapes whole.
        while let Some(i) = rest.iter().position(|&b| needs_escape(b)) {
            out.extend_from_slice(&rest[..i]);
            let b = rest[i];
            match b {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.extend_from_slice(b"\\t"),
                0x08 => out.extend_from_slice(b"\\b"),
                0x0c => out.extend_from_slice(b"\\f"),
                _ => {
                    out.extend_from_slice(b"\\u00");
                    out.push(HEX[(b >> 4) as usize]);
                    out.push(HEX[(b & 0xf) as usize]);
                }
            }
            rest = &rest[i + 1..];
        }
        out.extend_from_slice(rest);
        out.push(b'"');
    }

    /// Appends bytes that should be text as a JSON string, lossily like
    /// [`String::from_utf8_lossy`].
    pub(crate) fn lossy(out: &mut Vec<u8>, bytes: &[u8]) {
        match std::str::from_utf8(bytes) {
            Ok(text) => str(out, text),
            Err(_) => str(out, &String::from_utf8_lossy(bytes)),
        }
    }

    /// Appends `"name":` (the name must need no escaping) after a `,` unless `first`.
    pub(crate) fn key(out: &mut Vec<u8>, name: &str, first: bool) {
        if !first {
            out.push(b',');
        }
        out.push(b'"');
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\":");
    }

    pub(crate) fn uint(out: &mut Vec<u8>, n: u64) {
        // Writing into a Vec cannot fail.
        let _ = write!(out, "{n}");
    }

    /// Appends `bytes` as a JSON string of their standard base64 (padded).
    pub(crate) fn base64(out: &mut Vec<u8>, bytes: &[u8]) {
        use base64::Engine;
        out.push(b'"');
        let start = out.len();
        let len = base64::encoded_len(bytes.len(), true).unwrap_or(0);
        out.resize(start + len, 0);
        let written = base64::engine::general_purpose::STANDARD
            .encode_slice(bytes, &mut out[start..])
            .unwrap_or(0);
        out.truncate(start + written);
        out.push(b'"');
    }

    pub(crate) fn opt_str(out: &mut Vec<u8>, text: Option<&str>) {
        match text {
            Some(text) => str(out, text),
            None => out.extend_from_slice(b"null"),
        }
    }

    /// Appends `[[name, value], …]`.
    pub(crate) fn pairs<'a>(
        out: &mut Vec<u8>,
        pairs: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
    ) {
        out.push(b'[');
        for (i, (name, value)) in pairs.into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.push(b'[');
            lossy(out, name);
            out.push(b',');
            lossy(out, value);
            out.push(b']');
        }
        out.push(b']');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_like_serde_json() {
        let all_controls: String = (0u8..0x20).map(char::from).collect();
        for text in [
            "",
            "plain",
            "quote \" backslash \\ slash /",
            "tab\tnewline\nreturn\r",
            &all_controls,
            "\u{7f} é ü 日本 🦀 \u{2028}",
        ] {
            let mut out = Vec::new();
            write::str(&mut out, text);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(text).unwrap()
            );
        }
        let mut out = Vec::new();
        write::lossy(&mut out, b"a\xffb");
        assert_eq!(out, "\"a\u{fffd}b\"".as_bytes());
    }

    #[test]
    fn base64_is_standard_and_padded() {
        use base64::Engine;
        for bytes in [&b""[..], b"a", b"ab", b"abc", b"\x00\xff\xfe binary"] {
            let mut out = Vec::new();
            write::base64(&mut out, bytes);
            let expected = base64::engine::general_purpose::STANDARD.encode(bytes);
            assert_eq!(out, format!("\"{expected}\"").into_bytes());
        }
    }

    #[test]
    fn held_records_parse_back() {
        let record = Record {
            seq: 7,
            received_at: "2026-05-01T10:15:02.481Z".into(),
            remote: "127.0.0.1:1".into(),
            method: "POST".into(),
            path: "/a".into(),
            query: None,
            headers: vec![("X-A".into(), "1".into())],
            body: Some("hi".into()),
            body_base64: "aGk=".into(),
            response: RecordedResponse::default(),
            verification: None,
        };
        let held = Held::from_record(&record);
        assert_eq!((held.seq, held.method(), held.path()), (7, "POST", "/a"));
        assert_eq!(held.record(), Some(record));
    }
}
