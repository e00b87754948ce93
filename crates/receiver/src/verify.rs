//! Signature verification of received requests, and the small pure functions of the HMAC maths
//! that hooktest's signing shares.
//!
//! Two schemes:
//!
//! - `standard-webhooks` ([Standard Webhooks](https://www.standardwebhooks.com)): headers
//!   `webhook-id`, `webhook-timestamp` (unix seconds) and `webhook-signature`, a space-separated
//!   list of `v1,BASE64` entries; the signature is HMAC-SHA256 of `{id}.{timestamp}.{body}` keyed
//!   with the base64-decoded secret (its `whsec_` prefix removed).
//! - `hmac-sha256`: lowercase hex HMAC-SHA256 of the exact body bytes keyed with the secret's
//!   UTF-8 bytes, in one header behind a prefix (GitHub's `X-Hub-Signature-256: sha256=…`).
//!
//! A [`Verdict`] never holds the secret.

use std::fmt;
use std::time::Duration;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The header of the `hmac-sha256` scheme unless one is given.
pub const DEFAULT_HMAC_HEADER: &str = "X-Hub-Signature-256";
/// The prefix of the `hmac-sha256` scheme unless one is given.
pub const DEFAULT_HMAC_PREFIX: &str = "sha256=";
/// The prefix Standard Webhooks secrets carry.
pub const SECRET_PREFIX: &str = "whsec_";
/// The scheme names, as written in hooks, flags and responses files.
pub const SCHEMES: &[&str] = &["standard-webhooks", "hmac-sha256"];

/// Base64 that accepts the secret with or without its `=` padding, as the reference libraries do.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// HMAC-SHA256 of `message` keyed with `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> Result<[u8; 32], String> {
    // HMAC accepts keys of any length; the error arm exists only because the trait is general.
    let mut mac = HmacSha256::new_from_slice(key)
        .map_err(|_| "the secret cannot be used as an HMAC key".to_string())?;
    mac.update(message);
    Ok(mac.finalize().into_bytes().into())
}

/// The key of a Standard Webhooks secret: `whsec_` removed, the rest base64-decoded.
pub fn decode_standard_secret(secret: &str) -> Result<Vec<u8>, String> {
    let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    if encoded.is_empty() {
        return Err("the secret is empty".into());
    }
    match LENIENT.decode(encoded) {
        Ok(key) if key.is_empty() => Err("the secret decodes to no bytes".into()),
        Ok(key) => Ok(key),
        Err(e) => Err(format!(
            "the secret is not base64 after `{SECRET_PREFIX}` ({e}); Standard Webhooks secrets look like `whsec_` followed by base64 of 24 to 64 random bytes"
        )),
    }
}

/// The bytes a Standard Webhooks signature covers: `{id}.{timestamp}.{body}`.
pub fn standard_signed_content(id: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
    let mut content = format!("{id}.{timestamp}.").into_bytes();
    content.extend_from_slice(body);
    content
}

/// A Standard Webhooks signature entry, `v1,BASE64`, for a decoded key.
pub fn standard_signature(
    key: &[u8],
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, String> {
    let mac = hmac_sha256(key, &standard_signed_content(id, timestamp, body))?;
    Ok(format!("v1,{}", STANDARD.encode(mac)))
}

/// The lowercase hex HMAC-SHA256 of `body` keyed with the secret's bytes (no prefix).
pub fn hmac_hex(secret: &str, body: &[u8]) -> Result<String, String> {
    let mac = hmac_sha256(secret.as_bytes(), body)?;
    Ok(mac.iter().map(|b| format!("{b:02x}")).collect())
}

/// Text with every character that is hard to see escaped: `\\`, `\n`, `\r`, `\t`, and
/// `\u{…}` for other control characters and invisible or unusual whitespace (U+2028, NBSP, BOM,
/// zero-width characters). Re-escaped slashes (`\/`) therefore show as `\\/`.
pub fn escape_visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ' ' => out.push(' '),
            c if c.is_control()
                || c.is_whitespace()
                || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}') =>
            {
                out.push_str(&format!("\\u{{{:04X}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// How requests are checked: a scheme with its secret (and, for `hmac-sha256`, header and prefix).
///
/// `Debug` and `Display` never show the secret.
#[derive(Clone, PartialEq, Eq)]
pub enum Verifier {
    /// Standard Webhooks with a `whsec_…` secret.
    StandardWebhooks {
        /// The secret as given (with or without `whsec_`).
        secret: String,
    },
    /// Hex HMAC-SHA256 of the body in `header`, behind `prefix`.
    HmacSha256 {
        /// The secret; its UTF-8 bytes are the key.
        secret: String,
        /// The header that carries the signature.
        header: String,
        /// The text before the hex digest.
        prefix: String,
    },
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Verifier({self})")
    }
}

impl fmt::Display for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verifier::StandardWebhooks { .. } => write!(f, "standard-webhooks:***"),
            Verifier::HmacSha256 { header, prefix, .. } => {
                write!(f, "hmac-sha256:***:{header}:{prefix}")
            }
        }
    }
}

impl Verifier {
    /// Parses `standard-webhooks:SECRET` or `hmac-sha256:SECRET[:HEADER[:PREFIX]]`.
    ///
    /// `SECRET` may be `env:NAME` to read it from the environment variable `NAME` now. An
    /// `hmac-sha256` secret given inline cannot contain `:` (use `env:NAME` for such secrets).
    pub fn parse(spec: &str) -> Result<Verifier, String> {
        let (scheme, rest) = spec.split_once(':').ok_or_else(|| {
            format!("`{}` is not SCHEME:SECRET: use `standard-webhooks:SECRET` or `hmac-sha256:SECRET[:HEADER[:PREFIX]]`", mask_spec(spec))
        })?;
        let (secret, rest) = match rest.strip_prefix("env:") {
            Some(after) => {
                let (name, rest) = match after.split_once(':') {
                    Some((name, rest)) => (name, Some(rest)),
                    None => (after, None),
                };
                let value = std::env::var(name).map_err(|_| {
                    format!(
                        "the secret comes from the environment variable `{name}`, which is not set"
                    )
                })?;
                (value, rest)
            }
            None => match rest.split_once(':') {
                Some((secret, rest)) if scheme == "hmac-sha256" => (secret.to_string(), Some(rest)),
                _ => (rest.to_string(), None),
            },
        };
        if secret.is_empty() {
            return Err(format!("`{scheme}:` needs a secret after the colon"));
        }
        match scheme {
            "standard-webhooks" => {
                if rest.is_some() {
                    return Err(
                        "`standard-webhooks:SECRET` takes no header or prefix (its headers are fixed)"
                            .into(),
                    );
                }
                Ok(Verifier::StandardWebhooks { secret })
            }
            "hmac-sha256" => {
                let (header, prefix) = match rest {
                    None => (
                        DEFAULT_HMAC_HEADER.to_string(),
                        DEFAULT_HMAC_PREFIX.to_string(),
                    ),
                    Some(rest) => match rest.split_once(':') {
                        Some((header, prefix)) => (header.to_string(), prefix.to_string()),
                        None => (rest.to_string(), DEFAULT_HMAC_PREFIX.to_string()),
                    },
                };
                let header = if header.is_empty() {
                    DEFAULT_HMAC_HEADER.to_string()
                } else {
                    header
                };
                if http::HeaderName::from_bytes(header.as_bytes()).is_err() {
                    return Err(format!("`{header}` is not a valid header name"));
                }
                Ok(Verifier::HmacSha256 {
                    secret,
                    header,
                    prefix,
                })
            }
            other => Err(format!(
                "unknown signature scheme `{other}`: use `standard-webhooks` or `hmac-sha256`"
            )),
        }
    }

    /// The scheme name.
    pub fn scheme(&self) -> &'static str {
        match self {
            Verifier::StandardWebhooks { .. } => "standard-webhooks",
            Verifier::HmacSha256 { .. } => "hmac-sha256",
        }
    }

    /// A problem with the secret itself, found before any request arrives.
    pub fn secret_problem(&self) -> Option<String> {
        match self {
            Verifier::StandardWebhooks { secret } => decode_standard_secret(secret).err(),
            Verifier::HmacSha256 { .. } => None,
        }
    }

    /// Checks one request. `now` is the unix time (seconds) the request arrived; a Standard
    /// Webhooks timestamp is accepted when it is at most `tolerance` away from it (edges included).
    pub fn verify(
        &self,
        headers: &[(String, String)],
        body: &[u8],
        now: i64,
        tolerance: Duration,
    ) -> Verdict {
        match self {
            Verifier::StandardWebhooks { secret } => {
                verify_standard(secret, headers, body, now, tolerance)
            }
            Verifier::HmacSha256 {
                secret,
                header,
                prefix,
            } => verify_hmac(secret, header, prefix, headers, body),
        }
    }
}

/// A `--verify` value with its secret replaced by `***`, for error messages.
fn mask_spec(spec: &str) -> String {
    match spec.split_once(':') {
        Some((scheme, _)) => format!("{scheme}:***"),
        None if spec.len() > 4 => "***".into(),
        None => spec.to_string(),
    }
}

/// Why a signature did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// A header the scheme needs is absent.
    MissingHeader,
    /// A header is there but not in the scheme's form.
    MalformedHeader,
    /// The Standard Webhooks timestamp is too old or too new.
    TimestampOutOfTolerance,
    /// The configured secret is not usable (not base64 after `whsec_`).
    SecretNotDecodable,
    /// Well-formed, but no signature matches the one computed.
    Mismatch,
}

/// The verdict on one request: the JSON kept in a record's `verification`.
///
/// `signed_content` is the exact text the signature covers (lossy when the body is not UTF-8);
/// `signed_content_escaped` shows it with invisible differences made visible (see
/// [`escape_visible`]). `expected` is the signature the receiver computed, `received` what the
/// request carried. Fields that do not apply are left out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// `standard-webhooks` or `hmac-sha256`.
    pub scheme: &'static str,
    /// Whether the signature verifies.
    pub valid: bool,
    /// Why not, when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// One sentence for people.
    pub message: String,
    /// The header the verdict is about (the signature header, or the one missing or malformed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// The exact signed content.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_content: Option<String>,
    /// The signed content with invisible characters escaped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_content_escaped: Option<String>,
    /// The signature the receiver computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// The signature header's value as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received: Option<String>,
    /// `webhook-id` (Standard Webhooks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `webhook-timestamp` (Standard Webhooks), unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
    /// Seconds between the timestamp and arrival (positive: the timestamp is in the past).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_seconds: Option<i64>,
    /// The accepted distance, in seconds (Standard Webhooks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tolerance_seconds: Option<u64>,
}

impl Verdict {
    fn new(scheme: &'static str) -> Verdict {
        Verdict {
            scheme,
            valid: false,
            reason: None,
            message: String::new(),
            header: None,
            signed_content: None,
            signed_content_escaped: None,
            expected: None,
            received: None,
            id: None,
            timestamp: None,
            age_seconds: None,
            tolerance_seconds: None,
        }
    }

    fn fail(mut self, reason: Reason, message: String) -> Verdict {
        self.valid = false;
        self.reason = Some(reason);
        self.message = message;
        self
    }

    fn content(&mut self, content: &[u8]) {
        let text = String::from_utf8_lossy(content).into_owned();
        self.signed_content_escaped = Some(escape_visible(&text));
        self.signed_content = Some(text);
    }

    /// The verdict as the JSON value a record keeps.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn verify_standard(
    secret: &str,
    headers: &[(String, String)],
    body: &[u8],
    now: i64,
    tolerance: Duration,
) -> Verdict {
    let mut verdict = Verdict::new("standard-webhooks");
    verdict.tolerance_seconds = Some(tolerance.as_secs());
    let key = match decode_standard_secret(secret) {
        Ok(key) => key,
        Err(e) => {
            return verdict.fail(
                Reason::SecretNotDecodable,
                format!("the receiver's secret is not usable: {e}"),
            )
        }
    };
    for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        if header(headers, name).is_none_or(str::is_empty) {
            verdict.header = Some(name.into());
            return verdict.fail(
                Reason::MissingHeader,
                format!("the request has no `{name}` header"),
            );
        }
    }
    let id = header(headers, "webhook-id").unwrap_or_default();
    let raw_timestamp = header(headers, "webhook-timestamp").unwrap_or_default();
    let received = header(headers, "webhook-signature").unwrap_or_default();
    verdict.id = Some(id.to_string());
    verdict.received = Some(received.to_string());
    let Ok(timestamp) = raw_timestamp.trim().parse::<i64>() else {
        verdict.header = Some("webhook-timestamp".into());
        return verdict.fail(
            Reason::MalformedHeader,
            format!("`webhook-timestamp: {raw_timestamp}` is not unix seconds (an integer)"),
        );
    };
    verdict.timestamp = Some(timestamp);
    verdict.age_seconds = Some(now.saturating_sub(timestamp));
    let content = standard_signed_content(id, timestamp, body);
    verdict.content(&content);
    let expected = match hmac_sha256(&key, &content) {
        Ok(mac) => mac,
        Err(e) => return verdict.fail(Reason::SecretNotDecodable, e),
    };
    verdict.expected = Some(format!("v1,{}", STANDARD.encode(expected)));
    verdict.header = Some("webhook-signature".into());
    let mut v1 = 0;
    let mut matched = false;
    let mut malformed = Vec::new();
    for entry in received.split(' ').filter(|e| !e.is_empty()) {
        let Some((version, encoded)) = entry.split_once(',') else {
            malformed.push(entry);
            continue;
        };
        if version != "v1" {
            continue;
        }
        v1 += 1;
        if let Ok(bytes) = STANDARD.decode(encoded) {
            if constant_time_eq(&bytes, &expected) {
                matched = true;
            }
        }
    }
    if v1 == 0 {
        let detail = if malformed.is_empty() {
            "it has no `v1,` entry".to_string()
        } else {
            format!("`{}` is not VERSION,BASE64", malformed.join(" "))
        };
        return verdict.fail(
            Reason::MalformedHeader,
            format!("`webhook-signature` is malformed: {detail} (want `v1,BASE64`, several separated by spaces)"),
        );
    }
    let distance = now.abs_diff(timestamp);
    if distance > tolerance.as_secs() {
        let when = if timestamp < now { "old" } else { "new" };
        verdict.header = Some("webhook-timestamp".into());
        return verdict.fail(
            Reason::TimestampOutOfTolerance,
            format!(
                "`webhook-timestamp` {timestamp} is {distance} s too far from the time of arrival {now} (too {when}; the tolerance is {} s)",
                tolerance.as_secs()
            ),
        );
    }
    if !matched {
        return verdict.fail(
            Reason::Mismatch,
            "no `v1` signature in `webhook-signature` matches the one computed over the signed content: the body, id or timestamp differ from what was signed, or the secrets differ".into(),
        );
    }
    verdict.valid = true;
    verdict.message = "the signature verifies".into();
    verdict
}

fn verify_hmac(
    secret: &str,
    name: &str,
    prefix: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Verdict {
    let mut verdict = Verdict::new("hmac-sha256");
    verdict.header = Some(name.to_string());
    verdict.content(body);
    let expected = match hmac_hex(secret, body) {
        Ok(hex) => hex,
        Err(e) => return verdict.fail(Reason::SecretNotDecodable, e),
    };
    verdict.expected = Some(format!("{prefix}{expected}"));
    let Some(received) = header(headers, name) else {
        return verdict.fail(
            Reason::MissingHeader,
            format!("the request has no `{name}` header"),
        );
    };
    verdict.received = Some(received.to_string());
    let Some(hex) = received.trim().strip_prefix(prefix) else {
        return verdict.fail(
            Reason::MalformedHeader,
            format!("`{name}` does not start with `{prefix}`"),
        );
    };
    let Some(bytes) = decode_hex(hex) else {
        return verdict.fail(
            Reason::MalformedHeader,
            format!("`{name}` is not `{prefix}` followed by 64 hex digits"),
        );
    };
    let wanted = decode_hex(&expected).unwrap_or_default();
    if !constant_time_eq(&bytes, &wanted) {
        return verdict.fail(
            Reason::Mismatch,
            format!("`{name}` does not match the HMAC of the body: the body differs from what was signed, or the secrets differ"),
        );
    }
    verdict.valid = true;
    verdict.message = "the signature verifies".into();
    verdict
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// Compares without stopping at the first difference, so timing says nothing about the secret.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: i64 = 1614265330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const TOLERANCE: Duration = Duration::from_secs(300);

    fn headers(id: &str, ts: &str, sig: &str) -> Vec<(String, String)> {
        vec![
            ("webhook-id".into(), id.into()),
            ("webhook-timestamp".into(), ts.into()),
            ("webhook-signature".into(), sig.into()),
        ]
    }

    fn valid_signature() -> String {
        standard_signature(&decode_standard_secret(SECRET).unwrap(), ID, TS, BODY).unwrap()
    }

    #[test]
    fn signs_the_specification_vector() {
        assert_eq!(
            valid_signature(),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        // The secret works with and without its prefix.
        assert_eq!(
            decode_standard_secret(SECRET),
            decode_standard_secret(&SECRET[6..])
        );
    }

    #[test]
    fn verifies_and_accepts_several_signatures() {
        let sig = valid_signature();
        let verifier = Verifier::parse(&format!("standard-webhooks:{SECRET}")).unwrap();
        let v = verifier.verify(&headers(ID, "1614265330", &sig), BODY, TS, TOLERANCE);
        assert!(v.valid, "{v:?}");
        let many = format!("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= {sig} v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=");
        let v = verifier.verify(&headers(ID, "1614265330", &many), BODY, TS, TOLERANCE);
        assert!(v.valid, "{v:?}");
    }

    #[test]
    fn each_failure_has_its_reason() {
        let sig = valid_signature();
        let verifier = Verifier::parse(&format!("standard-webhooks:{SECRET}")).unwrap();
        let check = |h: Vec<(String, String)>, body: &[u8], now: i64| {
            verifier.verify(&h, body, now, TOLERANCE).reason
        };
        let mut missing = headers(ID, "1614265330", &sig);
        missing.remove(0);
        assert_eq!(check(missing, BODY, TS), Some(Reason::MissingHeader));
        assert_eq!(
            check(headers(ID, "hello", &sig), BODY, TS),
            Some(Reason::MalformedHeader)
        );
        assert_eq!(
            check(headers(ID, "1614265330", "nocomma"), BODY, TS),
            Some(Reason::MalformedHeader)
        );
        assert_eq!(
            check(
                headers(ID, "1614265330", "v1,dawfeoifkpqwoekfpqoekf"),
                BODY,
                TS
            ),
            Some(Reason::Mismatch)
        );
        assert_eq!(
            check(
                headers(ID, "1614265330", &sig),
                b"{\"test\":2432232314}",
                TS
            ),
            Some(Reason::Mismatch)
        );
        // Tolerance edges: exactly 300 s away either way passes, 301 s fails.
        for (now, ok) in [
            (TS + 300, true),
            (TS - 300, true),
            (TS + 301, false),
            (TS - 301, false),
        ] {
            let reason = check(headers(ID, "1614265330", &sig), BODY, now);
            assert_eq!(reason.is_none(), ok, "now {now}: {reason:?}");
            if !ok {
                assert_eq!(reason, Some(Reason::TimestampOutOfTolerance));
            }
        }
        let bad = Verifier::parse("standard-webhooks:whsec_!!!not-base64").unwrap();
        assert_eq!(
            bad.verify(&headers(ID, "1614265330", &sig), BODY, TS, TOLERANCE)
                .reason,
            Some(Reason::SecretNotDecodable)
        );
    }

    #[test]
    fn mismatch_shows_content_and_both_signatures() {
        let verifier = Verifier::parse(&format!("standard-webhooks:{SECRET}")).unwrap();
        let v = verifier.verify(
            &headers(ID, "1614265330", &valid_signature()),
            b"{\"url\":\"a\\/b\"}\n",
            TS,
            TOLERANCE,
        );
        assert_eq!(v.reason, Some(Reason::Mismatch));
        assert_eq!(
            v.signed_content_escaped.as_deref(),
            Some("msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{\"url\":\"a\\\\/b\"}\\n")
        );
        assert!(v.expected.is_some() && v.received.is_some());
        assert!(!serde_json::to_string(&v).unwrap().contains("MfKQ9r8G"));
    }

    #[test]
    fn hmac_scheme() {
        let body = b"hello";
        let hex = hmac_hex("s3cret", body).unwrap();
        let verifier = Verifier::parse("hmac-sha256:s3cret").unwrap();
        let h = vec![("x-hub-signature-256".to_string(), format!("sha256={hex}"))];
        assert!(verifier.verify(&h, body, 0, TOLERANCE).valid);
        assert_eq!(
            verifier.verify(&h, b"hello ", 0, TOLERANCE).reason,
            Some(Reason::Mismatch)
        );
        let h = vec![("X-Hub-Signature-256".to_string(), hex.clone())];
        assert_eq!(
            verifier.verify(&h, body, 0, TOLERANCE).reason,
            Some(Reason::MalformedHeader)
        );
        assert_eq!(
            verifier.verify(&[], body, 0, TOLERANCE).reason,
            Some(Reason::MissingHeader)
        );
        let custom = Verifier::parse("hmac-sha256:s3cret:X-Sig:").unwrap();
        let h = vec![("X-Sig".to_string(), hex)];
        assert!(custom.verify(&h, body, 0, TOLERANCE).valid);
    }

    #[test]
    fn parses_specs_and_masks_secrets() {
        assert!(matches!(
            Verifier::parse("hmac-sha256:k:X-Signature:v1="),
            Ok(Verifier::HmacSha256 { header, prefix, .. }) if header == "X-Signature" && prefix == "v1="
        ));
        let err = Verifier::parse("hmac-sha512:topsecret").unwrap_err();
        assert!(err.contains("unknown signature scheme"), "{err}");
        let err = Verifier::parse("topsecretvalue").unwrap_err();
        assert!(!err.contains("topsecret"), "{err}");
        let err = Verifier::parse("standard-webhooks:env:HOOKTEST_NO_SUCH_VAR_9").unwrap_err();
        assert!(err.contains("HOOKTEST_NO_SUCH_VAR_9"), "{err}");
        let v = Verifier::parse("hmac-sha256:topsecret").unwrap();
        assert!(!format!("{v:?} {v}").contains("topsecret"));
    }

    #[test]
    fn escapes_what_is_hard_to_see() {
        assert_eq!(
            escape_visible("a\u{2028}b\u{a0}c\td é"),
            "a\\u{2028}b\\u{00A0}c\\td é"
        );
    }
}
