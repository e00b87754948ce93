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
///
/// curl reads some arguments specially, so they are written in the forms it takes literally: a
/// URL that starts with `-` goes after `--url` (else it is an option); a body that starts with `@`
/// goes in `--data-raw` (with `--data-binary`, curl would send the contents of the file named after
/// the `@`); a header with an empty value is written `Name;` (curl drops `Name:`); and a body sent
/// without a `Content-Type` gets `-H 'Content-Type:'`, which stops curl from adding its own
/// `application/x-www-form-urlencoded`.
pub fn to_curl(r: &Request) -> String {
    let url = if r.url.starts_with('-') {
        format!("--url {}", shell_quote(&r.url))
    } else {
        shell_quote(&r.url)
    };
    let mut lines = vec![format!("curl -X {} {url}", shell_quote(&r.method))];
    for (name, value) in &r.headers {
        let header = if value.trim_matches([' ', '\t']).is_empty() {
            format!("{name};")
        } else {
            format!("{name}: {value}")
        };
        lines.push(format!("-H {}", shell_quote(&header)));
    }
    if let Some(body) = &r.body {
        if r.header("Content-Type").is_none() {
            lines.push(format!("-H {}", shell_quote("Content-Type:")));
        }
        let flag = if body.starts_with('@') {
            "--data-raw"
        } else {
            "--data-binary"
        };
        lines.push(format!("{flag} {}", shell_quote(body)));
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
            headers: vec![
                ("X-A".into(), "it's".into()),
                ("Content-Type".into(), "application/json".into()),
            ],
            body: Some("{\"a\": 1}".into()),
        };
        assert_eq!(
            to_curl(&r),
            "curl -X POST 'http://x/y?a=1&b=2' \\\n  -H 'X-A: it'\\''s' \\\n  -H 'Content-Type: application/json' \\\n  --data-binary '{\"a\": 1}'"
        );
    }

    #[test]
    fn writes_what_curl_would_misread_in_forms_it_takes_literally() {
        let r = Request {
            method: "POST".into(),
            url: "-o/tmp/x".into(),
            headers: vec![("X-Empty".into(), "".into())],
            body: Some("@/etc/passwd".into()),
        };
        assert_eq!(
            to_curl(&r),
            "curl -X POST --url -o/tmp/x \\\n  -H 'X-Empty;' \\\n  -H Content-Type: \\\n  --data-raw @/etc/passwd"
        );
    }
}
