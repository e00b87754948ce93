//! Signed webhooks: hooktest's own `signing` hook key, and the signature headers it adds.
//!
//! tsuru does not sign; a hook may declare a signature so its receiver can be developed against
//! one. The HMAC maths lives in the receiver crate (`hooktest_receiver::verify`), which checks the
//! same signatures on the other end, so signing and verifying share one implementation.
//!
//! - `standard-webhooks`: `webhook-id`, `webhook-timestamp` (unix seconds) and `webhook-signature`
//!   (`v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`, keyed with the base64-decoded
//!   `whsec_` secret).
//! - `hmac-sha256`: lowercase hex HMAC-SHA256 of the body bytes in `header` (default
//!   `X-Hub-Signature-256`) behind `prefix` (default `sha256=`).
//!
//! Signature headers come after every other header of the request, `User-Agent` included, so the
//! headers tsuru itself would send keep their place. A secret is never printed: serialising a hook
//! writes `***` in its place, and errors name the variable or the key, never the value.

use std::fmt;

use hooktest_receiver::verify::{
    decode_standard_secret, hmac_hex, standard_signature, Verifier, DEFAULT_HMAC_HEADER,
    DEFAULT_HMAC_PREFIX, SCHEMES,
};
use serde::{Serialize, Serializer};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::event::describe;
use crate::hook::suggest;
use crate::located::{Finding, PathBuf as JsonPath};

/// What is shown instead of a secret.
pub const MASK: &str = "***";

const KEYS: &[&str] = &["scheme", "secret", "header", "prefix"];

/// A signature scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// The Standard Webhooks specification.
    StandardWebhooks,
    /// A hex HMAC-SHA256 of the body in one header (GitHub's style).
    HmacSha256,
}

impl Scheme {
    /// Parses `standard-webhooks` or `hmac-sha256`.
    pub fn parse(text: &str) -> Option<Scheme> {
        match text {
            "standard-webhooks" => Some(Scheme::StandardWebhooks),
            "hmac-sha256" => Some(Scheme::HmacSha256),
            _ => None,
        }
    }

    /// The name used in hooks and flags.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::StandardWebhooks => "standard-webhooks",
            Scheme::HmacSha256 => "hmac-sha256",
        }
    }
}

/// Where the secret comes from. `Debug` never shows an inline secret.
#[derive(Clone, PartialEq, Eq)]
pub enum Secret {
    /// Written in the hook file.
    Inline(String),
    /// `env:NAME`: read from the environment variable `NAME` when a request is signed.
    Env(String),
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Secret::Inline(_) => write!(f, "Inline({MASK})"),
            Secret::Env(name) => write!(f, "Env({name})"),
        }
    }
}

impl Secret {
    /// The secret's value: the inline text, or the environment variable read now.
    pub fn resolve(&self) -> Result<String, SigningError> {
        match self {
            Secret::Inline(s) => Ok(s.clone()),
            Secret::Env(name) => match std::env::var(name) {
                Ok(value) if !value.is_empty() => Ok(value),
                Ok(_) => Err(SigningError(format!(
                    "the signing secret comes from the environment variable `{name}`, which is empty"
                ))),
                Err(_) => Err(SigningError(format!(
                    "the signing secret comes from the environment variable `{name}`, which is not set: export it (or write the secret in the hook)"
                ))),
            },
        }
    }

    /// The form shown to people and written by `hook list`: `env:NAME`, or `***`.
    pub fn masked(&self) -> String {
        match self {
            Secret::Inline(_) => MASK.into(),
            Secret::Env(name) => format!("env:{name}"),
        }
    }

    fn as_written(&self) -> String {
        match self {
            Secret::Inline(s) => s.clone(),
            Secret::Env(name) => format!("env:{name}"),
        }
    }
}

/// A signing problem found while signing (a missing environment variable, an unusable secret).
/// The message never contains the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SigningError(pub String);

/// A hook's `signing` key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signing {
    pub scheme: Scheme,
    pub secret: Secret,
    /// The signature header (`hmac-sha256` only).
    pub header: String,
    /// The text before the hex digest (`hmac-sha256` only).
    pub prefix: String,
}

impl Serialize for Signing {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json(true).serialize(serializer)
    }
}

/// Settings of signing that come from the command line, not the hook.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignOptions {
    /// Sign with this unix time instead of the current one (`--fixed-time`), for reproducible
    /// signatures.
    pub fixed_time: Option<i64>,
}

impl SignOptions {
    /// The timestamp to sign with: the fixed time, or now.
    pub fn timestamp(&self) -> i64 {
        self.fixed_time.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or_default()
        })
    }
}

/// Parses `--fixed-time`: an RFC 3339 time such as `2026-05-01T10:00:00Z`, as unix seconds.
pub fn parse_fixed_time(text: &str) -> Result<i64, String> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.timestamp())
        .map_err(|e| {
            format!("`{text}` is not an RFC 3339 time ({e}): write it like 2026-05-01T10:00:00Z")
        })
}

/// The `webhook-id` of a (hook, event) pair: `msg_` and the hex of the first 16 bytes of
/// SHA-256 over the hook name, a newline, and the event's `UniqueID` in hex. The same pair always
/// gets the same id, so signatures are reproducible with `--fixed-time`.
pub fn webhook_id(hook: &str, event_id: &str) -> String {
    let digest = Sha256::digest(format!("{hook}\n{event_id}").as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("msg_{hex}")
}

impl Signing {
    /// The key as JSON; `masked` replaces an inline secret with `***`.
    pub fn to_json(&self, masked: bool) -> Value {
        let secret = if masked {
            self.secret.masked()
        } else {
            self.secret.as_written()
        };
        match self.scheme {
            Scheme::StandardWebhooks => json!({"scheme": self.scheme.as_str(), "secret": secret}),
            Scheme::HmacSha256 => json!({
                "scheme": self.scheme.as_str(),
                "secret": secret,
                "header": self.header,
                "prefix": self.prefix,
            }),
        }
    }

    /// Reads the `signing` value, collecting every problem as a finding at its path.
    pub fn from_json(
        value: &Value,
        path: &JsonPath,
        findings: &mut Vec<Finding>,
    ) -> Option<Signing> {
        let before = findings.len();
        let obj = match value {
            Value::Null => return None,
            Value::Object(o) => o,
            other => {
                findings.push(Finding::error(
                    path.clone(),
                    format!(
                        "`{path}` must be an object like {{\"scheme\": \"standard-webhooks\", \"secret\": \"whsec_…\"}}, found {}",
                        describe(other)
                    ),
                ));
                return None;
            }
        };
        let mut scheme = None;
        let mut secret = None;
        let mut header = None;
        let mut prefix = None;
        for (key, v) in obj {
            let p = path.key(key);
            let text = |findings: &mut Vec<Finding>| match v {
                Value::String(s) => Some(s.clone()),
                other => {
                    findings.push(Finding::error(
                        p.clone(),
                        format!("`{p}` must be a string, found {}", describe(other)),
                    ));
                    None
                }
            };
            match key.as_str() {
                "scheme" => {
                    if let Some(s) = text(findings) {
                        match Scheme::parse(&s) {
                            Some(found) => scheme = Some(found),
                            None => findings.push(Finding::error(
                                p.clone(),
                                format!(
                                    "unknown signing scheme `{s}`: use `standard-webhooks` or `hmac-sha256`{}",
                                    suggest(&s, SCHEMES)
                                ),
                            )),
                        }
                    }
                }
                "secret" => secret = text(findings).map(|s| (s, p.clone())),
                "header" => header = text(findings).map(|s| (s, p.clone())),
                "prefix" => {
                    prefix = text(findings);
                    if let Some(pre) = prefix
                        .as_deref()
                        .filter(|pre| crate::request::header_problem("X", pre).is_some())
                    {
                        findings.push(Finding::error(
                            p.clone(),
                            format!("the signing `prefix` {pre:?} has a control character (CR, LF, …), which no HTTP header value may hold: remove it"),
                        ));
                    }
                }
                _ => findings.push(Finding::error(
                    p.clone(),
                    format!(
                        "unknown signing key `{key}`: `signing` takes scheme, secret, header and prefix{}",
                        suggest(key, KEYS)
                    ),
                )),
            }
        }
        if !obj.contains_key("scheme") {
            findings.push(Finding::error(
                path.clone(),
                format!("`{path}` has no `scheme`: add \"scheme\": \"standard-webhooks\" or \"hmac-sha256\""),
            ));
        }
        let secret = match secret {
            None if !obj.contains_key("secret") => {
                findings.push(Finding::error(
                    path.clone(),
                    format!("`{path}` has no `secret`: add one, or \"env:NAME\" to read it from the environment"),
                ));
                None
            }
            None => None,
            Some((s, p)) if s.is_empty() => {
                findings.push(Finding::error(p, "the signing secret is empty".to_string()));
                None
            }
            Some((s, p)) => match s.strip_prefix("env:") {
                Some("") => {
                    findings.push(Finding::error(
                        p,
                        "`env:` needs the name of an environment variable, as in \"env:HOOK_SECRET\"".to_string(),
                    ));
                    None
                }
                Some(name) => Some(Secret::Env(name.to_string())),
                None => {
                    if scheme == Some(Scheme::StandardWebhooks) {
                        if let Err(e) = decode_standard_secret(&s) {
                            findings.push(Finding::error(
                                p.clone(),
                                format!("the standard-webhooks secret is not usable: {e}"),
                            ));
                        }
                    }
                    Some(Secret::Inline(s))
                }
            },
        };
        if scheme == Some(Scheme::StandardWebhooks) {
            for (key, given) in [("header", header.is_some()), ("prefix", prefix.is_some())] {
                if given {
                    findings.push(Finding::warning(
                        path.key(key),
                        format!("`{key}` is ignored by standard-webhooks, whose headers are fixed (webhook-id, webhook-timestamp, webhook-signature)"),
                    ));
                }
            }
        }
        let header = match header {
            Some((h, _)) if http_header_name_ok(&h) => h,
            Some((h, p)) => {
                findings.push(Finding::error(
                    p,
                    format!("`{h}` is not a valid header name"),
                ));
                h
            }
            None => DEFAULT_HMAC_HEADER.to_string(),
        };
        let failed = findings[before..]
            .iter()
            .any(|f| f.severity == crate::located::Severity::Error);
        if failed {
            return None;
        }
        Some(Signing {
            scheme: scheme?,
            secret: secret?,
            header,
            prefix: prefix.unwrap_or_else(|| DEFAULT_HMAC_PREFIX.to_string()),
        })
    }

    /// The signature headers for a request of hook `hook` for the event whose `UniqueID` is
    /// `event_id`, over `body`, at unix time `timestamp`.
    pub fn headers(
        &self,
        hook: &str,
        event_id: &str,
        body: &[u8],
        timestamp: i64,
    ) -> Result<Vec<(String, String)>, SigningError> {
        let secret = self.secret.resolve()?;
        match self.scheme {
            Scheme::StandardWebhooks => {
                sign_standard(&secret, &webhook_id(hook, event_id), timestamp, body)
            }
            Scheme::HmacSha256 => sign_hmac(&secret, &self.header, &self.prefix, body),
        }
    }

    /// The receiver-side check with the same scheme and secret (for `signature: valid`).
    pub fn verifier(&self) -> Result<Verifier, SigningError> {
        let secret = self.secret.resolve()?;
        Ok(match self.scheme {
            Scheme::StandardWebhooks => Verifier::StandardWebhooks { secret },
            Scheme::HmacSha256 => Verifier::HmacSha256 {
                secret,
                header: self.header.clone(),
                prefix: self.prefix.clone(),
            },
        })
    }
}

/// The three Standard Webhooks headers for a message.
pub fn sign_standard(
    secret: &str,
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<Vec<(String, String)>, SigningError> {
    let key = decode_standard_secret(secret)
        .map_err(|e| SigningError(format!("the standard-webhooks secret is not usable: {e}")))?;
    let signature = standard_signature(&key, id, timestamp, body).map_err(SigningError)?;
    Ok(vec![
        ("webhook-id".into(), id.to_string()),
        ("webhook-timestamp".into(), timestamp.to_string()),
        ("webhook-signature".into(), signature),
    ])
}

/// The one `hmac-sha256` header for a body.
pub fn sign_hmac(
    secret: &str,
    header: &str,
    prefix: &str,
    body: &[u8],
) -> Result<Vec<(String, String)>, SigningError> {
    let hex = hmac_hex(secret, body).map_err(SigningError)?;
    Ok(vec![(header.to_string(), format!("{prefix}{hex}"))])
}

fn http_header_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Flags of `hooktest sign`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("body_source").args(["body", "body_file"])))]
#[command(group(clap::ArgGroup::new("time").args(["timestamp", "fixed_time"])))]
pub struct SignArgs {
    /// The signature scheme
    #[arg(long, value_parser = ["standard-webhooks", "hmac-sha256"])]
    pub scheme: String,
    /// The secret (`whsec_…` for standard-webhooks), or env:NAME to read it from the environment
    #[arg(long, value_name = "SECRET")]
    pub secret: String,
    /// The signature header (hmac-sha256)
    #[arg(long, value_name = "NAME", default_value = DEFAULT_HMAC_HEADER)]
    pub header: String,
    /// The text before the hex digest (hmac-sha256)
    #[arg(long, value_name = "TEXT", default_value = DEFAULT_HMAC_PREFIX)]
    pub prefix: String,
    /// Sign at this unix time in seconds (standard-webhooks) [default: now]
    #[arg(long, value_name = "UNIX", allow_negative_numbers = true)]
    pub timestamp: Option<i64>,
    /// Sign at this RFC 3339 time (standard-webhooks)
    #[arg(long, value_name = "RFC3339", value_parser = parse_fixed_time)]
    pub fixed_time: Option<i64>,
    /// The webhook-id (standard-webhooks) [default: msg_ + hex of SHA-256 of the body]
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// The body, exactly (otherwise --body-file, or standard input)
    #[arg(long, value_name = "TEXT")]
    pub body: Option<String>,
    /// Read the body's bytes from PATH
    #[arg(long, value_name = "PATH")]
    pub body_file: Option<std::path::PathBuf>,
}

/// Runs `hooktest sign`: prints one `Name: value` line per signature header.
pub fn run_sign(args: &SignArgs) -> anyhow::Result<i32> {
    use std::io::Read;
    let body: Vec<u8> = match (&args.body, &args.body_file) {
        (Some(text), _) => text.clone().into_bytes(),
        (None, Some(path)) => std::fs::read(path)
            .map_err(|e| anyhow::anyhow!("cannot read the body from `{}`: {e}", path.display()))?,
        (None, None) => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| anyhow::anyhow!("cannot read the body from standard input: {e}"))?;
            bytes
        }
    };
    let secret = match args.secret.strip_prefix("env:") {
        Some(name) => Secret::Env(name.to_string()),
        None => Secret::Inline(args.secret.clone()),
    };
    let secret = match secret.resolve() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(crate::cli::exit::CANNOT_RUN);
        }
    };
    let headers = if args.scheme == "standard-webhooks" {
        let timestamp = args
            .timestamp
            .or(args.fixed_time)
            .unwrap_or_else(|| SignOptions::default().timestamp());
        let id = args.id.clone().unwrap_or_else(|| {
            let digest = Sha256::digest(&body);
            let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
            format!("msg_{hex}")
        });
        sign_standard(&secret, &id, timestamp, &body)
    } else {
        sign_hmac(&secret, &args.header, &args.prefix, &body)
    };
    match headers {
        Ok(headers) => {
            let text: String = headers
                .iter()
                .map(|(name, value)| format!("{name}: {value}\n"))
                .collect();
            crate::cli::print(&text)?;
            Ok(crate::cli::exit::OK)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(crate::cli::exit::CANNOT_RUN)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> (Option<Signing>, Vec<Finding>) {
        let v: Value = serde_json::from_str(json).unwrap();
        let mut f = Vec::new();
        (
            Signing::from_json(&v, &JsonPath::root().key("signing"), &mut f),
            f,
        )
    }

    #[test]
    fn reads_both_schemes_with_defaults() {
        let (s, f) = read(r#"{"scheme": "hmac-sha256", "secret": "s3cret"}"#);
        assert!(f.is_empty(), "{f:?}");
        let s = s.unwrap();
        assert_eq!(
            (s.header.as_str(), s.prefix.as_str()),
            ("X-Hub-Signature-256", "sha256=")
        );
        let (s, f) = read(r#"{"scheme": "standard-webhooks", "secret": "env:HOOK_SECRET"}"#);
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(s.unwrap().secret, Secret::Env("HOOK_SECRET".into()));
    }

    #[test]
    fn reports_bad_configs() {
        let messages =
            |json: &str| -> Vec<String> { read(json).1.into_iter().map(|f| f.message).collect() };
        let m = messages(r#"{"scheme": "standard-webhook", "secret": "x"}"#);
        assert!(
            m.iter()
                .any(|m| m.contains("did you mean `standard-webhooks`")),
            "{m:?}"
        );
        let m = messages(r#"{"scheme": "hmac-sha256"}"#);
        assert!(m.iter().any(|m| m.contains("has no `secret`")), "{m:?}");
        let m = messages(r#"{"scheme": "standard-webhooks", "secret": "whsec_!!"}"#);
        assert!(m.iter().any(|m| m.contains("not base64")), "{m:?}");
        assert!(!m.iter().any(|m| m.contains("whsec_!!")), "{m:?}");
        let m = messages(r#"{"scheme": "hmac-sha256", "secret": "x", "secert": "y"}"#);
        assert!(
            m.iter().any(|m| m.contains("did you mean `secret`")),
            "{m:?}"
        );
        let m = messages(r#""standard-webhooks""#);
        assert!(m.iter().any(|m| m.contains("must be an object")), "{m:?}");
    }

    #[test]
    fn serialises_masked() {
        let (s, _) = read(r#"{"scheme": "hmac-sha256", "secret": "topsecret"}"#);
        let s = s.unwrap();
        let text = serde_json::to_string(&s).unwrap();
        assert!(!text.contains("topsecret") && text.contains(MASK), "{text}");
        assert!(!format!("{s:?}").contains("topsecret"));
        assert_eq!(s.to_json(false)["secret"], "topsecret");
    }

    #[test]
    fn ids_are_stable_and_distinct() {
        assert_eq!(webhook_id("a", "1"), webhook_id("a", "1"));
        assert_ne!(webhook_id("a", "1"), webhook_id("a", "2"));
        assert_eq!(webhook_id("a", "1").len(), 4 + 32);
    }

    #[test]
    fn missing_env_secret_names_the_variable() {
        let err = Secret::Env("HOOKTEST_SURELY_UNSET_7".into())
            .resolve()
            .unwrap_err();
        assert!(err.0.contains("`HOOKTEST_SURELY_UNSET_7`"), "{err}");
    }

    #[test]
    fn fixed_time() {
        assert_eq!(parse_fixed_time("2021-02-25T15:02:10Z"), Ok(1614265330));
        assert!(parse_fixed_time("yesterday").is_err());
    }
}
