//! Human-readable rendering of records for `hooktest requests`.

use std::fmt::Write;

use crate::record::Record;

fn paint(text: &str, code: &str, color: bool) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// Renders one record as text: a summary line, the headers, then the body (pretty when JSON).
pub fn render_text(record: &Record, color: bool) -> String {
    let mut out = String::new();
    let response = &record.response;
    let status = match (response.status, &response.fault) {
        (Some(status), _) => {
            let code = if status < 400 { "32" } else { "31" };
            paint(&status.to_string(), code, color)
        }
        (None, Some(fault)) => paint(&format!("no answer (fault: {fault})"), "33", color),
        (None, None) => paint("no answer", "33", color),
    };
    let _ = writeln!(
        out,
        "{} {} {} -> {}  {}  from {}",
        paint(&format!("#{}", record.seq), "2", color),
        paint(&record.method, "1;36", color),
        paint(&record.target(), "1", color),
        status,
        paint(&record.received_at, "2", color),
        record.remote
    );
    if let Some(rejected) = &response.rejected {
        let _ = writeln!(
            out,
            "  {}",
            paint(&format!("rejected: {rejected}"), "31", color)
        );
    }
    if let Some(verification) = &record.verification {
        out.push_str(&verification_text(verification, color));
    }
    for (name, value) in &record.headers {
        let _ = writeln!(out, "  {}: {value}", paint(name, "34", color));
    }
    match &record.body {
        Some(body) if body.is_empty() => {}
        Some(body) => {
            out.push('\n');
            for line in pretty_body(body).lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
        None => {
            let bytes = record.body_bytes();
            let _ = writeln!(
                out,
                "\n  {}",
                paint(
                    &format!("(binary body, {} bytes, base64)", bytes.len()),
                    "2",
                    color
                )
            );
            let _ = writeln!(out, "  {}", record.body_base64);
        }
    }
    out.push('\n');
    out
}

/// The lines about a record's signature verdict: `signature: valid (scheme)`, or why not, with the
/// signed content (escaped) and the expected and received signatures.
pub fn verification_text(verification: &serde_json::Value, color: bool) -> String {
    let mut out = String::new();
    let field = |name: &str| verification.get(name).and_then(|v| v.as_str());
    let scheme = field("scheme").unwrap_or("?");
    if verification.get("valid").and_then(|v| v.as_bool()) == Some(true) {
        let _ = writeln!(
            out,
            "  {} ({scheme})",
            paint("signature: valid", "32", color)
        );
        return out;
    }
    let reason = field("reason").unwrap_or("invalid").replace('_', " ");
    let _ = writeln!(
        out,
        "  {} ({scheme}): {}",
        paint(&format!("signature: INVALID, {reason}"), "31", color),
        field("message").unwrap_or_default()
    );
    if let Some(content) = field("signed_content_escaped") {
        let _ = writeln!(out, "    signed content: {content}");
    }
    if let Some(expected) = field("expected") {
        let _ = writeln!(out, "    expected:       {expected}");
    }
    if let Some(received) = field("received") {
        let _ = writeln!(out, "    received:       {received}");
    }
    out
}

/// Pretty-prints a JSON body; any other text is returned as it is.
pub fn pretty_body(body: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(value @ (serde_json::Value::Object(_) | serde_json::Value::Array(_))) => {
            serde_json::to_string_pretty(&value).unwrap_or_else(|_| body.to_string())
        }
        _ => body.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RecordedResponse;

    #[test]
    fn renders_text() {
        let record = Record {
            seq: 7,
            received_at: "2026-01-02T03:04:05.678Z".into(),
            remote: "127.0.0.1:5000".into(),
            method: "POST".into(),
            path: "/hook".into(),
            query: Some("a=1".into()),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: Some(r#"{"b":[1,2]}"#.into()),
            body_base64: String::new(),
            response: RecordedResponse {
                status: Some(200),
                ..RecordedResponse::default()
            },
            verification: None,
        };
        assert_eq!(
            render_text(&record, false),
            "#7 POST /hook?a=1 -> 200  2026-01-02T03:04:05.678Z  from 127.0.0.1:5000\n  Content-Type: application/json\n\n  {\n    \"b\": [\n      1,\n      2\n    ]\n  }\n\n"
        );
    }
}
