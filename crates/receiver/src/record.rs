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
