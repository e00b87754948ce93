//! `--format json`: one array, one element per (hook, event) pair. A stable contract for scripts.

use serde_json::{json, Value};

use super::Rendered;
use crate::request::Request;

/// A request as JSON: `{"method", "url", "headers": [[name, value], …], "body"}`.
pub fn request_json(r: &Request) -> Value {
    json!({
        "method": r.method,
        "url": r.url,
        "headers": r.headers.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
        "body": r.body,
    })
}

/// The whole run as the documented JSON array.
pub fn to_json(rendered: &Rendered) -> Value {
    Value::Array(
        rendered
            .outcomes
            .iter()
            .map(|o| {
                json!({
                    "hook": rendered.hook_name(o),
                    "event": rendered.event_id(o),
                    "fires": o.fires,
                    "request": o.request.as_ref().map(request_json),
                    "error": o.error.as_ref().map(|e| json!({"kind": e.kind, "message": rendered.error_message(o)})),
                    "reason": o.reason,
                    "warnings": o.warnings,
                })
            })
            .collect(),
    )
}
