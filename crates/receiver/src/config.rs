//! Settings of one receiver, built from `hooktest serve` flags or in code.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};

use crate::rules::Rules;
use crate::verify::Verifier;

/// Everything that shapes a running receiver. `Default` gives the same as `hooktest serve` with
/// no flags: loopback, a free port, no journal, `200` with a small JSON body.
#[derive(Debug, Clone)]
pub struct ReceiverConfig {
    /// Address to bind to.
    pub bind: IpAddr,
    /// Port to bind to; 0 picks a free one.
    pub port: u16,
    /// Append every record to this file (one JSON object per line) and read it back on start.
    pub journal: Option<PathBuf>,
    /// Responses file (YAML or JSON rules), reloaded when it changes.
    pub responses: Option<PathBuf>,
    /// Rules given in code; used when `responses` is `None`.
    pub rules: Option<Rules>,
    /// Status of the default answer.
    pub status: u16,
    /// Delay before the default answer.
    pub delay: Option<Duration>,
    /// Body of the default answer; `None` gives `{"ok":true}`.
    pub body: Option<String>,
    /// Largest request body accepted; larger ones get `413` and are recorded as rejected.
    pub max_body: u64,
    /// How many records are held in memory for the API and the page.
    pub keep: usize,
    /// How long a client may take to send a request head.
    pub header_read_timeout: Duration,
    /// How long shutdown waits for in-flight requests before closing their connections.
    pub shutdown_grace: Duration,
    /// How often the responses file is checked for changes.
    pub reload_interval: Duration,
    /// Check every request's signature this way (a rule's `verify:` wins for its paths).
    pub verify: Option<Verifier>,
    /// How far a Standard Webhooks timestamp may be from the time of arrival.
    pub tolerance: Duration,
    /// Answer `401` to requests whose signature does not verify.
    pub reject_invalid: bool,
}

impl Default for ReceiverConfig {
    fn default() -> Self {
        ReceiverConfig {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            journal: None,
            responses: None,
            rules: None,
            status: 200,
            delay: None,
            body: None,
            max_body: 10 * 1024 * 1024,
            keep: 10_000,
            header_read_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(5),
            reload_interval: Duration::from_millis(250),
            verify: None,
            tolerance: Duration::from_secs(300),
            reject_invalid: false,
        }
    }
}

/// Parses a humane duration such as `250ms`, `2s` or `1m 30s`; a bare number means seconds.
pub fn parse_duration(text: &str) -> anyhow::Result<Duration> {
    let text = text.trim();
    if let Ok(secs) = text.parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            return Ok(Duration::from_secs_f64(secs));
        }
    }
    humantime::parse_duration(text)
        .with_context(|| format!("invalid duration `{text}`: use forms like `250ms`, `2s`, `1m`"))
}

/// Parses a size such as `10MiB`, `512k`, `1mb` or `4096`.
///
/// `k`, `m`, `g` and their `KiB`/`MiB`/`GiB` spellings are powers of 1024; `kB`, `MB` and `GB` are
/// powers of 1000; a bare number counts bytes.
pub fn parse_size(text: &str) -> anyhow::Result<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .ok()
        .filter(|n: &f64| n.is_finite() && *n >= 0.0)
        .with_context(|| {
            format!("invalid size `{text}`: use forms like `10MiB`, `512k`, `4096`")
        })?;
    let factor: u64 = match unit.trim() {
        "" | "b" | "B" => 1,
        "k" | "K" | "KiB" | "kib" | "Ki" | "ki" => 1 << 10,
        "m" | "M" | "MiB" | "mib" | "Mi" | "mi" => 1 << 20,
        "g" | "G" | "GiB" | "gib" | "Gi" | "gi" => 1 << 30,
        "kB" | "KB" | "kb" => 1_000,
        "MB" | "mb" => 1_000_000,
        "GB" | "gb" => 1_000_000_000,
        other => bail!(
            "invalid size `{text}`: unknown unit `{other}` (use B, k, KiB, MiB, GiB, kB, MB, GB)"
        ),
    };
    Ok((number * factor as f64).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10MiB").unwrap(), 10 * 1024 * 1024);
        assert_eq!(parse_size("512k").unwrap(), 512 * 1024);
        assert_eq!(parse_size("1MB").unwrap(), 1_000_000);
        assert_eq!(parse_size("4096").unwrap(), 4096);
        assert_eq!(parse_size("1.5k").unwrap(), 1536);
        assert!(parse_size("ten").is_err());
        assert!(parse_size("10 parsecs").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("2s").unwrap(), Duration::from_secs(2));
        assert_eq!(parse_duration("1.5").unwrap(), Duration::from_millis(1500));
        assert!(parse_duration("soon").is_err());
    }
}
