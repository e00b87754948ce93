//! `--format curl`: a copy-pasteable `curl` command per request.

use crate::request::Request;

/// Quotes a word for POSIX shells.
pub fn shell_quote(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c))
    {
        return word.to_string();
    }
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// The request as a `curl` command that sends the same method, headers and body bytes.
pub fn to_curl(r: &Request) -> String {
    let mut lines = vec![format!(
        "curl -X {} {}",
        shell_quote(&r.method),
        shell_quote(&r.url)
    )];
    for (name, value) in &r.headers {
        lines.push(format!("-H {}", shell_quote(&format!("{name}: {value}"))));
    }
    if let Some(body) = &r.body {
        lines.push(format!("--data-binary {}", shell_quote(body)));
    }
    lines.join(" \\\n  ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_everything_that_needs_it() {
        let r = Request {
            method: "POST".into(),
            url: "http://x/y?a=1&b=2".into(),
            headers: vec![("X-A".into(), "it's".into())],
            body: Some("{\"a\": 1}".into()),
        };
        assert_eq!(
            to_curl(&r),
            "curl -X POST 'http://x/y?a=1&b=2' \\\n  -H 'X-A: it'\\''s' \\\n  --data-binary '{\"a\": 1}'"
        );
    }
}
