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
/// Everything lives in one buffer: room for the sequence number, the JSON, then the method and
/// the path (what the API filters on). Recording a request is then one allocation, and dropping
/// an old record one free.
#[derive(Debug)]
pub(crate) struct Held {
    pub(crate) seq: u64,
    buf: Vec<u8>,
    /// Where the JSON starts and ends in `buf`.
    start: usize,
    end: usize,
    method_len: usize,
}

/// Room left at the start of a record's buffer for `{"seq":` and the number.
pub(crate) const SEQ_ROOM: usize = 7 + 20;

impl Held {
    /// Holds a record from `buf`: [`SEQ_ROOM`] bytes of room, then the record's JSON after its
    /// sequence number (from the `,` before `"received_at"` to the closing `}`).
    pub(crate) fn new(seq: u64, method: &str, path: &str, mut buf: Vec<u8>) -> Held {
        let mut digits = itoa::Buffer::new();
        let digits = digits.format(seq).as_bytes();
        let start = SEQ_ROOM - 7 - digits.len();
        buf[start..start + 7].copy_from_slice(b"{\"seq\":");
        buf[start + 7..SEQ_ROOM].copy_from_slice(digits);
        let end = buf.len();
        buf.extend_from_slice(method.as_bytes());
        buf.extend_from_slice(path.as_bytes());
        // The buffer was sized for the worst case of escaping; a big record gives back what it
        // did not use, since up to `--keep` of them are held.
        if buf.capacity() - buf.len() > 4096 {
            buf.shrink_to_fit();
        }
        Held {
            seq,
            buf,
            start,
            end,
            method_len: method.len(),
        }
    }

    /// Holds a record read from a journal.
    pub(crate) fn from_record(record: &Record) -> Held {
        let mut buf = vec![b' '; SEQ_ROOM];
        // A Record always serializes, to an object starting `{"seq":N,`; what follows the number
        // is what `new` expects.
        let json = serde_json::to_vec(record).unwrap_or_default();
        let rest = json.iter().position(|&b| b == b',').unwrap_or(json.len());
        buf.extend_from_slice(&json[rest..]);
        Held::new(record.seq, &record.method, &record.path, buf)
    }

    /// The record as one JSON object, without a trailing newline.
    pub(crate) fn json(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    pub(crate) fn method(&self) -> &str {
        std::str::from_utf8(&self.buf[self.end..self.end + self.method_len]).unwrap_or_default()
    }

    pub(crate) fn path(&self) -> &str {
        std::str::from_utf8(&self.buf[self.end + self.method_len..]).unwrap_or_default()
    }

    /// The record itself, parsed back from its JSON (for callers in code; the server never needs
    /// it).
    pub(crate) fn record(&self) -> Option<Record> {
        serde_json::from_slice(self.json()).ok()
    }
}

/// Writes JSON by hand, field by field, in the exact form `serde_json` gives [`Record`]: that is
/// the hot path of the receiver, and going through a `Record` of owned strings costs about twenty
/// allocations per request.
pub(crate) mod write {

    /// How each byte is written in a JSON string: `0` as is, `1` as is but not ASCII, otherwise
    /// escaped: `u` as `\u00XX`, any other as a backslash and that byte (serde_json's escapes).
    static ESCAPE: [u8; 256] = {
        let mut table = [0u8; 256];
        let mut b = 0;
        while b < 0x20 {
            table[b] = b'u';
            b += 1;
        }
        table[0x08] = b'b';
        table[0x09] = b't';
        table[0x0a] = b'n';
        table[0x0c] = b'f';
        table[0x0d] = b'r';
        table[b'"' as usize] = b'"';
        table[b'\\' as usize] = b'\\';
        let mut b = 0x80;
        while b < 0x100 {
            table[b] = 1;
            b += 1;
        }
        table
    };

    /// Whether any of the 8 bytes in `word` is not written as is in ASCII: a control character,
    /// `"`, `\`, or not ASCII.
    fn special(word: u64) -> bool {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
        let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
        (below_space
            | has_zero(word ^ (ONES * b'"' as u64))
            | has_zero(word ^ (ONES * b'\\' as u64))
            | (word & HIGH))
            != 0
    }

    /// Appends `bytes` as a JSON string (quotes included); returns whether they were all ASCII.
    ///
    /// Plain ASCII goes eight bytes at a time, everything else a byte at a time: the strings of a
    /// record are short and full of quotes, where copying runs between escapes costs more.
    fn escaped(out: &mut Vec<u8>, bytes: &[u8]) -> bool {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        out.reserve(bytes.len() + 2);
        out.push(b'"');
        let mut ascii = true;
        let mut i = 0;
        while i < bytes.len() {
            if let Some(chunk) = bytes.get(i..i + 8) {
                let mut word = [0u8; 8];
                word.copy_from_slice(chunk);
                if !special(u64::from_le_bytes(word)) {
                    out.extend_from_slice(&word);
                    i += 8;
                    continue;
                }
            }
            let b = bytes[i];
            match ESCAPE[b as usize] {
                0 => out.push(b),
                1 => {
                    ascii = false;
                    out.push(b);
                }
                b'u' => out.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[(b >> 4) as usize],
                    HEX[(b & 0xf) as usize],
                ]),
                escape => out.extend_from_slice(&[b'\\', escape]),
            }
            i += 1;
        }
        out.push(b'"');
        ascii
    }

    /// Appends `text` as a JSON string, escaped the way `serde_json` escapes.
    pub(crate) fn str(out: &mut Vec<u8>, text: &str) {
        escaped(out, text.as_bytes());
    }

    /// Appends `bytes` as a JSON string when they are UTF-8 and returns `true`; appends nothing
    /// and returns `false` when they are not.
    pub(crate) fn utf8(out: &mut Vec<u8>, bytes: &[u8]) -> bool {
        let start = out.len();
        // ASCII needs no further check; anything else is checked once.
        if escaped(out, bytes) || std::str::from_utf8(bytes).is_ok() {
            return true;
        }
        out.truncate(start);
        false
    }

    /// Appends bytes that should be text as a JSON string, lossily like
    /// [`String::from_utf8_lossy`].
    pub(crate) fn lossy(out: &mut Vec<u8>, bytes: &[u8]) {
        if !utf8(out, bytes) {
            str(out, &String::from_utf8_lossy(bytes));
        }
    }

    pub(crate) fn uint(out: &mut Vec<u8>, n: u64) {
        out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }

    /// Appends `time` as a JSON string, RFC 3339 in UTC with milliseconds
    /// (`"2026-05-01T10:15:02.481Z"`). The part up to the seconds is formatted once per second.
    pub(crate) fn timestamp(out: &mut Vec<u8>, time: std::time::SystemTime) {
        use std::cell::RefCell;
        thread_local! {
            /// A second since the epoch and its `YYYY-MM-DDTHH:MM:SS`.
            static SECOND: RefCell<(u64, [u8; 19])> = const { RefCell::new((u64::MAX, [0; 19])) };
        }
        let since = time
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let (secs, millis) = (since.as_secs(), since.subsec_millis());
        out.push(b'"');
        SECOND.with(|cached| {
            let mut cached = cached.borrow_mut();
            if cached.0 != secs {
                let text = humantime::format_rfc3339_seconds(
                    std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs),
                )
                .to_string();
                cached.1.copy_from_slice(&text.as_bytes()[..19]);
                cached.0 = secs;
            }
            out.extend_from_slice(&cached.1);
        });
        out.extend_from_slice(&[
            b'.',
            b'0' + (millis / 100) as u8,
            b'0' + (millis / 10 % 10) as u8,
            b'0' + (millis % 10) as u8,
            b'Z',
            b'"',
        ]);
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

    /// Appends `[[name, value], …]` for header fields as parsed from a request: names are
    /// tokens (`httparse` and hyper accept nothing else), so only values need escaping.
    pub(crate) fn header_fields<'a>(
        out: &mut Vec<u8>,
        fields: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
    ) {
        out.push(b'[');
        for (i, (name, value)) in fields.into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            if name
                .iter()
                .all(|&b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
            {
                out.extend_from_slice(b"[\"");
                out.extend_from_slice(name);
                out.extend_from_slice(b"\",");
            } else {
                out.push(b'[');
                lossy(out, name);
                out.push(b',');
            }
            lossy(out, value);
            out.push(b']');
        }
        out.push(b']');
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
        let mut out = b"x".to_vec();
        assert!(!write::utf8(&mut out, b"0123456789\xff"));
        assert_eq!(out, b"x", "nothing is left of bytes that are not UTF-8");
    }

    #[test]
    fn every_byte_at_every_position_is_escaped_like_serde_json() {
        // Each byte value inside runs of every length around the 8-byte steps, and a
        // pseudo-random mix of text.
        let specials: Vec<char> = (0u8..0x80)
            .map(char::from)
            .chain(['é', '日', '🦀', '\u{2028}'])
            .collect();
        for c in &specials {
            for before in 0..18 {
                for after in [0, 1, 7, 8, 9] {
                    let text = format!("{}{c}{}", "a".repeat(before), "b".repeat(after));
                    let mut out = Vec::new();
                    write::str(&mut out, &text);
                    assert_eq!(out, serde_json::to_vec(&text).unwrap(), "{text:?}");
                }
            }
        }
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2000 {
            let len = (seed % 40) as usize;
            let text: String = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    specials[(seed % specials.len() as u64) as usize]
                })
                .collect();
            let mut out = Vec::new();
            write::str(&mut out, &text);
            assert_eq!(out, serde_json::to_vec(&text).unwrap(), "{text:?}");
            let mut out = Vec::new();
            assert!(write::utf8(&mut out, text.as_bytes()));
            assert_eq!(out, serde_json::to_vec(&text).unwrap());
        }
    }

    #[test]
    fn timestamps_are_rfc3339_millis_in_utc() {
        use std::time::{Duration, UNIX_EPOCH};
        for (secs, millis) in [
            (0, 0),
            (1_777_630_502, 481),
            (1_777_630_502, 7),
            (1_777_630_503, 999),
            (4_102_444_800, 50),
        ] {
            let time = UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_millis(millis);
            let mut out = Vec::new();
            write::timestamp(&mut out, time);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                format!("\"{}\"", humantime::format_rfc3339_millis(time))
            );
        }
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
        assert_eq!(held.json(), serde_json::to_vec(&record).unwrap());
        assert_eq!(held.record(), Some(record));
        for seq in [0, 9, 10, u64::MAX] {
            let held = Held::from_record(&Record {
                seq,
                ..held.record().unwrap()
            });
            assert_eq!(held.record().unwrap().seq, seq);
        }
    }
}
