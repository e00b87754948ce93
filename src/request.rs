//! The HTTP request tsuru sends for a (hook, event) pair (TSURU.md §4).

use serde::Serialize;

use crate::hook::Hook;

/// The `User-Agent` tsuru's webhook client sends unless the hook sets one.
pub const USER_AGENT: &str = "tsuru-webhook-client/1.0";

/// A rendered request, exactly as it would go on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    pub method: String,
    pub url: String,
    /// Header lines in send order; a header with several values appears once per value.
    pub headers: Vec<(String, String)>,
    /// `None` when nothing is sent (a default body with a method other than POST, PUT, PATCH).
    pub body: Option<String>,
}

impl Request {
    /// Builds the request from the hook and its rendered body. `rendered` is `None` when the hook
    /// has no body of its own, in which case `default_body` (the event as JSON) is used for POST,
    /// PUT and PATCH along with `Content-Type: application/json`.
    pub fn build(
        hook: &Hook,
        rendered: Option<String>,
        default_body: impl FnOnce() -> String,
    ) -> Request {
        let method = hook.effective_method();
        let mut headers: Vec<(String, String)> = hook
            .headers
            .iter()
            .flat_map(|(name, values)| values.iter().map(move |v| (name.clone(), v.clone())))
            .collect();
        let body = match rendered {
            Some(body) => Some(body),
            None if matches!(method.as_str(), "POST" | "PUT" | "PATCH") => {
                headers.retain(|(n, _)| !n.eq_ignore_ascii_case("Content-Type"));
                headers.push(("Content-Type".into(), "application/json".into()));
                Some(default_body())
            }
            None => None,
        };
        if !headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("User-Agent"))
        {
            headers.push(("User-Agent".into(), USER_AGENT.into()));
        }
        Request {
            method,
            url: hook.url.clone(),
            headers,
            body,
        }
    }

    /// What would stop Go's HTTP client (and so tsuru) from sending this request: a method or a
    /// header name that is not an HTTP token, a header value with control characters (a CR or LF
    /// would start a new header line), or a URL with them. `None` when the request can be sent.
    pub fn problem(&self) -> Option<String> {
        if let Some(p) = method_problem(&self.method) {
            return Some(p);
        }
        if self.url.bytes().any(|b| b < b' ' || b == 0x7f) {
            return Some(format!(
                "url {:?} has a control character (a newline or tab?), which Go's URL parser refuses: remove it",
                self.url
            ));
        }
        self.headers
            .iter()
            .find_map(|(name, value)| header_problem(name, value))
    }

    /// The value of the first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Whether `text` is an HTTP token (RFC 9110), as Go requires of methods and header names.
pub fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Why Go's `http.NewRequest` refuses `method`, if it does.
pub fn method_problem(method: &str) -> Option<String> {
    (!method.is_empty() && !is_token(method)).then(|| {
        format!(
            "method {method:?} is not a valid HTTP method (Go's client refuses it: \"net/http: invalid method\"); use a plain word such as POST"
        )
    })
}

/// Why Go's HTTP client refuses the header `name: value`, if it does: a name that is not a token,
/// or a value with a control character other than a tab (CR and LF above all).
pub fn header_problem(name: &str, value: &str) -> Option<String> {
    if !is_token(name) {
        return Some(format!(
            "header name {name:?} is not valid in HTTP (Go's client refuses it): use letters, digits and `-`"
        ));
    }
    value
        .bytes()
        .any(|b| (b < b' ' && b != b'\t') || b == 0x7f)
        .then(|| {
            format!(
                "header `{name}`: value {value:?} has a control character (CR, LF, …), which Go's client refuses: remove it"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(method: &str, body: &str, headers: &[(&str, &[&str])]) -> Hook {
        Hook {
            method: method.into(),
            body: body.into(),
            url: "http://x/y".into(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.iter().map(|s| s.to_string()).collect()))
                .collect(),
            ..Hook::default()
        }
    }

    #[test]
    fn default_body_for_post_put_patch_replaces_content_type() {
        for method in ["", "post", "PUT", "patch"] {
            let h = hook(
                method,
                "",
                &[("content-type", &["text/plain"]), ("X-A", &["1", "2"])],
            );
            let r = Request::build(&h, None, || "{}".into());
            assert_eq!(r.body.as_deref(), Some("{}"));
            assert_eq!(
                r.headers,
                [
                    ("X-A".to_string(), "1".to_string()),
                    ("X-A".into(), "2".into()),
                    ("Content-Type".into(), "application/json".into()),
                    ("User-Agent".into(), USER_AGENT.into())
                ]
            );
        }
    }

    #[test]
    fn other_methods_send_no_default_body_but_templates_always() {
        let r = Request::build(&hook("get", "", &[]), None, || unreachable!());
        assert_eq!((r.method.as_str(), r.body), ("GET", None));
        let r = Request::build(
            &hook("GET", "x", &[("user-agent", &["me"])]),
            Some("x".into()),
            || unreachable!(),
        );
        assert_eq!(r.body.as_deref(), Some("x"));
        assert_eq!(r.headers, [("user-agent".to_string(), "me".to_string())]);
    }
}
