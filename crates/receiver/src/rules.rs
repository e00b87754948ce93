//! Response rules: which answer a request gets, from a responses file or from code.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{bail, Context};
use globset::{GlobBuilder, GlobMatcher};
use indexmap::IndexMap;
use serde::Deserialize;

use crate::config::parse_duration;
use crate::verify::Verifier;

/// A fault acted out instead of answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fault {
    /// Close the connection without answering.
    Close,
    /// Never answer (until the receiver shuts down).
    Hang,
}

impl Fault {
    /// The name used in responses files and records.
    pub fn name(self) -> &'static str {
        match self {
            Fault::Close => "close",
            Fault::Hang => "hang",
        }
    }
}

/// One answer, possibly partial: unset fields fall back to the rule's, then to the default answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Answer {
    /// Status code.
    pub status: Option<u16>,
    /// Extra response headers, in order.
    pub headers: Vec<(String, String)>,
    /// Response body.
    pub body: Option<String>,
    /// Wait this long before answering.
    pub delay: Option<Duration>,
    /// Act out a fault instead of answering.
    pub fault: Option<Fault>,
    /// Check the request's signature this way (a rule's `verify:`, or `--verify`).
    pub verify: Option<Verifier>,
}

impl Answer {
    /// Fills the fields this answer leaves unset from `base`.
    pub fn or(&self, base: &Answer) -> Answer {
        let mut headers = base.headers.clone();
        for (name, value) in &self.headers {
            headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
            headers.push((name.clone(), value.clone()));
        }
        Answer {
            status: self.status.or(base.status),
            headers,
            body: self.body.clone().or_else(|| base.body.clone()),
            delay: self.delay.or(base.delay),
            fault: self.fault.or(base.fault),
            verify: self.verify.clone().or_else(|| base.verify.clone()),
        }
    }
}

/// A rule: which requests it matches and how it answers them.
#[derive(Debug)]
pub struct Rule {
    method: Option<String>,
    path: Option<(String, GlobMatcher)>,
    answer: Answer,
    sequence: Vec<Answer>,
    calls: AtomicUsize,
}

impl Clone for Rule {
    fn clone(&self) -> Self {
        Rule {
            method: self.method.clone(),
            path: self.path.clone(),
            answer: self.answer.clone(),
            sequence: self.sequence.clone(),
            calls: AtomicUsize::new(0),
        }
    }
}

impl Rule {
    fn matches(&self, method: &str, path: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .path
                .as_ref()
                .is_none_or(|(_, glob)| glob.is_match(path))
    }

    /// The answer for the next call, advancing the sequence (whose last step repeats).
    fn next_answer(&self) -> Answer {
        if self.sequence.is_empty() {
            return self.answer.clone();
        }
        let call = self.calls.fetch_add(1, Ordering::Relaxed);
        let step = &self.sequence[call.min(self.sequence.len() - 1)];
        step.or(&self.answer)
    }
}

/// An ordered list of rules; the first that matches answers. Cloning resets sequence positions.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    rules: Vec<Rule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    method: Option<String>,
    path: Option<String>,
    status: Option<u16>,
    headers: Option<IndexMap<String, serde_json::Value>>,
    body: Option<serde_json::Value>,
    delay: Option<String>,
    fault: Option<Fault>,
    sequence: Option<Vec<StepSpec>>,
    /// `SCHEME:SECRET…`, as `--verify` takes it.
    verify: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum StepSpec {
    Status(u16),
    Full(AnswerSpec),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerSpec {
    status: Option<u16>,
    headers: Option<IndexMap<String, serde_json::Value>>,
    body: Option<serde_json::Value>,
    delay: Option<String>,
    fault: Option<Fault>,
}

impl Rules {
    /// Reads a responses file: JSON when it ends in `.json`, YAML otherwise.
    pub fn from_file(path: &Path) -> anyhow::Result<Rules> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read responses file `{}`", path.display()))?;
        let json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        Rules::parse(&text, json)
            .with_context(|| format!("invalid responses file `{}`", path.display()))
    }

    /// Parses rules from YAML text (which also accepts JSON).
    pub fn from_yaml(text: &str) -> anyhow::Result<Rules> {
        Rules::parse(text, false)
    }

    fn parse(text: &str, json: bool) -> anyhow::Result<Rules> {
        let specs: Vec<RuleSpec> = if json {
            serde_json::from_str(text)?
        } else if text.trim().is_empty() {
            Vec::new()
        } else {
            serde_norway::from_str(text)?
        };
        let rules = specs
            .into_iter()
            .enumerate()
            .map(|(index, spec)| compile(spec).with_context(|| format!("in rule {}", index + 1)))
            .collect::<anyhow::Result<_>>()?;
        Ok(Rules { rules })
    }

    /// How many rules there are.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The index of the first rule matching the request and the answer it gives now.
    pub fn answer(&self, method: &str, path: &str) -> Option<(usize, Answer)> {
        self.rules
            .iter()
            .enumerate()
            .find(|(_, rule)| rule.matches(method, path))
            .map(|(index, rule)| (index, rule.next_answer()))
    }
}

fn compile(spec: RuleSpec) -> anyhow::Result<Rule> {
    let path = match spec.path {
        Some(pattern) => {
            let glob = GlobBuilder::new(&pattern)
                .literal_separator(true)
                .build()
                .with_context(|| format!("invalid path glob `{pattern}`"))?;
            Some((pattern, glob.compile_matcher()))
        }
        None => None,
    };
    if let Some(method) = &spec.method {
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
            bail!("invalid method `{method}`");
        }
    }
    let mut answer = compile_answer(AnswerSpec {
        status: spec.status,
        headers: spec.headers,
        body: spec.body,
        delay: spec.delay,
        fault: spec.fault,
    })?;
    if let Some(text) = &spec.verify {
        let verifier = Verifier::parse(text).map_err(|e| anyhow::anyhow!("`verify`: {e}"))?;
        if let Some(problem) = verifier.secret_problem() {
            bail!("`verify`: {problem}");
        }
        answer.verify = Some(verifier);
    }
    let sequence = spec
        .sequence
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(index, step)| {
            match step {
                StepSpec::Status(status) => compile_answer(AnswerSpec {
                    status: Some(status),
                    headers: None,
                    body: None,
                    delay: None,
                    fault: None,
                }),
                StepSpec::Full(spec) => compile_answer(spec),
            }
            .with_context(|| format!("in sequence step {}", index + 1))
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(Rule {
        method: spec.method.map(|m| m.to_ascii_uppercase()),
        path,
        answer,
        sequence,
        calls: AtomicUsize::new(0),
    })
}

fn compile_answer(spec: AnswerSpec) -> anyhow::Result<Answer> {
    if let Some(status) = spec.status {
        if !(100..=999).contains(&status) {
            bail!("invalid status {status}: use a number from 100 to 999");
        }
    }
    let headers = spec
        .headers
        .unwrap_or_default()
        .into_iter()
        .map(|(name, value)| {
            let value = match value {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            http::HeaderName::from_bytes(name.as_bytes())
                .with_context(|| format!("invalid header name `{name}`"))?;
            http::HeaderValue::from_str(&value)
                .with_context(|| format!("invalid value for header `{name}`"))?;
            Ok((name, value))
        })
        .collect::<anyhow::Result<_>>()?;
    let body = spec.body.map(|body| match body {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    });
    let delay = spec.delay.as_deref().map(parse_duration).transpose()?;
    Ok(Answer {
        status: spec.status,
        headers,
        body,
        delay,
        fault: spec.fault,
        verify: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
- method: POST
  path: /flaky/*
  sequence: [500, 500, 200]
- path: /slow
  status: 202
  headers: {Retry-After: 1}
  body: '{"queued": true}'
  delay: 2s
- path: /broken
  fault: close
- path: /json
  body: {a: 1}
"#;

    #[test]
    fn sequence_repeats_last() {
        let rules = Rules::from_yaml(SAMPLE).unwrap();
        let statuses: Vec<_> = (0..5)
            .map(|_| rules.answer("POST", "/flaky/x").unwrap().1.status)
            .collect();
        assert_eq!(statuses, [500, 500, 200, 200, 200].map(Some));
        assert!(rules.answer("GET", "/flaky/x").is_none());
        assert!(rules.answer("POST", "/flaky/x/y").is_none());
    }

    #[test]
    fn fields() {
        let rules = Rules::from_yaml(SAMPLE).unwrap();
        let (index, slow) = rules.answer("GET", "/slow").unwrap();
        assert_eq!(index, 1);
        assert_eq!(slow.status, Some(202));
        assert_eq!(slow.headers, [("Retry-After".into(), "1".into())]);
        assert_eq!(slow.delay, Some(Duration::from_secs(2)));
        assert_eq!(
            rules.answer("PUT", "/broken").unwrap().1.fault,
            Some(Fault::Close)
        );
        assert_eq!(
            rules.answer("GET", "/json").unwrap().1.body.as_deref(),
            Some(r#"{"a":1}"#)
        );
    }

    #[test]
    fn verify_key() {
        let rules = Rules::from_yaml(
            "- path: /signed\n  verify: hmac-sha256:s3cret:X-Sig\n- path: /plain\n",
        )
        .unwrap();
        let (_, answer) = rules.answer("POST", "/signed").unwrap();
        assert_eq!(answer.verify.map(|v| v.scheme()), Some("hmac-sha256"));
        assert!(rules.answer("POST", "/plain").unwrap().1.verify.is_none());
        let err = Rules::from_yaml("- path: /a\n  verify: md5:x\n").unwrap_err();
        assert!(
            format!("{err:#}").contains("unknown signature scheme"),
            "{err:#}"
        );
    }

    #[test]
    fn errors_name_the_rule() {
        let err = Rules::from_yaml("- path: /a\n  stauts: 200\n").unwrap_err();
        assert!(format!("{err:#}").contains("stauts"), "{err:#}");
        let err = Rules::from_yaml("- path: /a\n- status: 42\n").unwrap_err();
        assert!(format!("{err:#}").contains("rule 2"), "{err:#}");
    }
}
