//! The admin API and the live page, under `/_hooktest/`.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use globset::{GlobBuilder, GlobMatcher};
use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::Either;
use hyper::body::Incoming;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use crate::config::parse_duration;
use crate::record::Held;
use crate::server::{full, stopped, Body, Event, Shared};
use crate::sse::SseBody;

const PAGE: &str = include_str!("page.html");
/// How many records the page starts with.
const PAGE_RECORDS: usize = 500;

pub(crate) async fn handle(shared: Arc<Shared>, request: Request<Incoming>) -> Response<Body> {
    let path = request.uri().path().trim_end_matches('/').to_string();
    let query = request.uri().query().unwrap_or("").to_string();
    let method = request.method().clone();
    let route = path.strip_prefix("/_hooktest").unwrap_or("");
    match (route, method) {
        ("", Method::GET | Method::HEAD) => page(&shared),
        ("/health", Method::GET | Method::HEAD) => {
            let store = shared.store();
            let body = json!({
                "status": "ok",
                "held": store.records.len(),
                "last_seq": store.records.back().map(|r| r.seq),
            });
            json_response(StatusCode::OK, body.to_string())
        }
        ("/requests", Method::GET) => match Filter::parse(&query) {
            Ok(filter) => list(&shared, filter).await,
            Err(message) => error(StatusCode::BAD_REQUEST, &message),
        },
        ("/requests", Method::DELETE) => {
            let cleared = shared.clear();
            json_response(StatusCode::OK, json!({ "cleared": cleared }).to_string())
        }
        ("/events", Method::GET) => events(&shared, &query),
        (route, Method::GET) if route.starts_with("/requests/") => {
            let seq = &route["/requests/".len()..];
            let Ok(seq) = seq.parse::<u64>() else {
                return error(StatusCode::BAD_REQUEST, &format!("`{seq}` is not a sequence number"));
            };
            let found = shared.store().records.iter().find(|r| r.seq == seq).cloned();
            match found {
                Some(record) => json_response(StatusCode::OK, record.json().to_vec()),
                None => error(
                    StatusCode::NOT_FOUND,
                    &format!("no request #{seq} is held (it may not exist yet, have been cleared, or be older than --keep allows; the journal has every request)"),
                ),
            }
        }
        ("" | "/health" | "/requests" | "/events", _) => error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed here"),
        (route, _) => error(
            StatusCode::NOT_FOUND,
            &format!("no admin endpoint `/_hooktest{route}`: try /_hooktest/requests, /_hooktest/health or the page at /_hooktest/"),
        ),
    }
}

fn json_response(status: StatusCode, body: impl Into<Bytes>) -> Response<Body> {
    full(status, "application/json", body)
}

fn error(status: StatusCode, message: &str) -> Response<Body> {
    json_response(status, json!({ "error": message }).to_string())
}

/// Filters of `GET /_hooktest/requests`.
#[derive(Debug, Default)]
struct Filter {
    method: Option<String>,
    path: Option<GlobMatcher>,
    since: Option<u64>,
    limit: Option<usize>,
    wait: Option<Duration>,
    count: usize,
}

impl Filter {
    fn parse(query: &str) -> Result<Filter, String> {
        let mut filter = Filter {
            count: 1,
            ..Filter::default()
        };
        for (key, value) in query_pairs(query) {
            match key.as_str() {
                "method" => filter.method = Some(value.to_ascii_uppercase()),
                "path" => {
                    let glob = GlobBuilder::new(&value)
                        .literal_separator(true)
                        .build()
                        .map_err(|e| format!("invalid path glob `{value}`: {e}"))?;
                    filter.path = Some(glob.compile_matcher());
                }
                "since" => filter.since = Some(number(&key, &value)?),
                "limit" => filter.limit = Some(number(&key, &value)? as usize),
                "count" => filter.count = number(&key, &value)? as usize,
                "wait" => {
                    filter.wait =
                        Some(parse_duration(&value).map_err(|e| format!("invalid `wait`: {e:#}"))?)
                }
                _ => {
                    return Err(format!(
                        "unknown filter `{key}`: use method, path, since, limit, wait, count"
                    ))
                }
            }
        }
        Ok(filter)
    }

    fn matches(&self, record: &Held) -> bool {
        self.since.is_none_or(|since| record.seq > since)
            && self
                .method
                .as_deref()
                .is_none_or(|m| record.method().eq_ignore_ascii_case(m))
            && self
                .path
                .as_ref()
                .is_none_or(|glob| glob.is_match(record.path()))
    }

    fn select(&self, shared: &Shared) -> Vec<Arc<Held>> {
        let store = shared.store();
        store
            .records
            .iter()
            .filter(|r| self.matches(r))
            .cloned()
            .collect()
    }
}

fn number(key: &str, value: &str) -> Result<u64, String> {
    value
        .parse()
        .map_err(|_| format!("`{key}` must be a whole number, not `{value}`"))
}

/// Splits a query string into decoded pairs.
pub(crate) fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn list(shared: &Shared, filter: Filter) -> Response<Body> {
    let mut events = shared.events.subscribe();
    let mut shutdown = shared.shutdown.clone();
    let deadline = filter.wait.map(|wait| tokio::time::Instant::now() + wait);
    let (mut records, satisfied) = loop {
        let records = filter.select(shared);
        let Some(deadline) = deadline else {
            break (records, true);
        };
        if records.len() >= filter.count {
            break (records, true);
        }
        tokio::select! {
            event = events.recv() => if let Err(RecvError::Closed) = event { break (records, false) },
            _ = tokio::time::sleep_until(deadline) => break (filter.select(shared), false),
            _ = stopped(&mut shutdown) => break (records, false),
        }
    };
    if let Some(limit) = filter.limit {
        let skip = records.len().saturating_sub(limit);
        records.drain(..skip);
    }
    let mut body =
        Vec::with_capacity(records.iter().map(|r| r.json().len() + 1).sum::<usize>() + 2);
    body.push(b'[');
    for (i, record) in records.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(record.json());
    }
    body.push(b']');
    let mut response = json_response(StatusCode::OK, body);
    if filter.wait.is_some() {
        let outcome = if satisfied || records.len() >= filter.count {
            "satisfied"
        } else {
            "timeout"
        };
        response
            .headers_mut()
            .insert("hooktest-wait", HeaderValue::from_static(outcome));
    }
    response
}

fn sse_record(record: &Held) -> Bytes {
    let mut chunk = format!("id: {}\nevent: record\ndata: ", record.seq).into_bytes();
    chunk.extend_from_slice(record.json());
    chunk.extend_from_slice(b"\n\n");
    Bytes::from(chunk)
}

/// `GET /_hooktest/events?since=SEQ`: held records after `since`, then each new one as it comes.
fn events(shared: &Arc<Shared>, query: &str) -> Response<Body> {
    let since = query_pairs(query)
        .into_iter()
        .find(|(k, _)| k == "since")
        .and_then(|(_, v)| v.parse::<u64>().ok())
        .unwrap_or(0);
    let (tx, body) = SseBody::channel();
    let mut events = shared.events.subscribe();
    let backlog: Vec<Arc<Held>> = shared
        .store()
        .records
        .iter()
        .filter(|r| r.seq > since)
        .cloned()
        .collect();
    let mut shutdown = shared.shutdown.clone();
    let shared = shared.clone();
    tokio::spawn(async move {
        let mut last = since;
        if tx
            .send(Bytes::from_static(b"retry: 1000\n\n"))
            .await
            .is_err()
        {
            return;
        }
        for record in backlog {
            last = record.seq;
            if tx.send(sse_record(&record)).await.is_err() {
                return;
            }
        }
        loop {
            let chunk = tokio::select! {
                event = events.recv() => match event {
                    Ok(Event::Recorded(record)) if record.seq > last => {
                        last = record.seq;
                        sse_record(&record)
                    }
                    Ok(Event::Recorded(_)) => continue,
                    Ok(Event::Cleared) => Bytes::from_static(b"event: clear\ndata: {}\n\n"),
                    Err(RecvError::Lagged(_)) => {
                        let missed: Vec<Arc<Held>> = shared.store().records.iter().filter(|r| r.seq > last).cloned().collect();
                        let mut chunk = Vec::new();
                        for record in missed {
                            last = record.seq;
                            chunk.extend_from_slice(&sse_record(&record));
                        }
                        Bytes::from(chunk)
                    }
                    Err(RecvError::Closed) => return,
                },
                _ = tokio::time::sleep(Duration::from_secs(15)) => Bytes::from_static(b": keep-alive\n\n"),
                _ = stopped(&mut shutdown) => return,
            };
            if tx.send(chunk).await.is_err() {
                return;
            }
        }
    });
    let mut response = Response::new(Either::Right(body));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The live page, with the most recent records embedded so it shows them without waiting.
fn page(shared: &Shared) -> Response<Body> {
    let records = shared.snapshot();
    let start = records.len().saturating_sub(PAGE_RECORDS);
    let mut initial = String::from("[");
    for (i, record) in records[start..].iter().enumerate() {
        if i > 0 {
            initial.push(',');
        }
        // Records are written from `str`s, so their JSON is UTF-8.
        initial.push_str(&String::from_utf8_lossy(record.json()));
    }
    initial.push(']');
    // Inside a <script> element `<` must not start `</script>`; JSON allows `\u003c` instead.
    let initial = initial.replace('<', "\\u003c");
    let html = PAGE.replace("/*INITIAL*/[]", &initial);
    let mut response = full(StatusCode::OK, "text/html; charset=utf-8", html);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_queries() {
        assert_eq!(
            query_pairs("path=%2Fa%2F*&method=post&x"),
            [
                ("path".into(), "/a/*".into()),
                ("method".into(), "post".into()),
                ("x".into(), String::new())
            ]
        );
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("a+b%20c"), "a b c");
    }
}
