//! `--format http`: each request as raw HTTP/1.1, as it would be written on the socket.

use url::Url;

use crate::request::Request;

/// The request as HTTP/1.1 bytes: request line, `Host`, headers, `Content-Length`, blank line, body.
pub fn to_http(r: &Request) -> String {
    let (target, host) = match Url::parse(&r.url) {
        Ok(u) => {
            let mut target = u.path().to_string();
            if let Some(q) = u.query() {
                target.push('?');
                target.push_str(q);
            }
            let host = match (u.host_str(), u.port()) {
                (Some(h), Some(p)) => format!("{h}:{p}"),
                (Some(h), None) => h.to_string(),
                _ => String::new(),
            };
            (target, host)
        }
        Err(_) => (r.url.clone(), String::new()),
    };
    let mut out = format!("{} {target} HTTP/1.1\r\nHost: {host}\r\n", r.method);
    for (name, value) in &r.headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(body) = &r.body {
        out.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    } else {
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_request_line_host_and_length() {
        let r = Request {
            method: "PUT".into(),
            url: "https://a.example:8443/p/q?x=1".into(),
            headers: vec![("X-T".into(), "1".into()), ("X-T".into(), "2".into())],
            body: Some("héllo".into()),
        };
        assert_eq!(
            to_http(&r),
            "PUT /p/q?x=1 HTTP/1.1\r\nHost: a.example:8443\r\nX-T: 1\r\nX-T: 2\r\nContent-Length: 6\r\n\r\nhéllo"
        );
    }
}
