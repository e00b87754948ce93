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

    /// The value of the first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
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
