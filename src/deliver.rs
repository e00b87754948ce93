//! Delivery: sending rendered requests over real HTTP as tsuru's client does (TSURU.md §4), with
//! hooktest's retries and concurrency on top.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CONTENT_LENGTH, COOKIE, LOCATION, REFERER,
    RETRY_AFTER, WWW_AUTHENTICATE,
};
use serde_json::{json, Value};
use url::Url;

use crate::request::Request;
use crate::validate::parse_proxy;

/// Where requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Each hook's own URL, proxy and TLS settings.
    Live,
    /// A base URL that replaces each hook URL's scheme, host and port (its path is prefixed).
    Base(Url),
}

/// How requests are sent.
#[derive(Debug, Clone)]
pub struct Options {
    pub destination: Destination,
    /// A proxy for every request (overrides `proxy_url`; with a base destination, the only proxy used).
    pub proxy: Option<String>,
    /// Skip certificate checks for every request.
    pub insecure: bool,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub follow_redirects: bool,
    /// Extra attempts after a failure (tsuru makes one attempt: 0).
    pub retries: u32,
    /// The first retry waits about this long; each further one twice as long (with jitter).
    pub backoff: Duration,
    /// Deliveries in flight at once (tsuru: 1, in order).
    pub concurrency: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            destination: Destination::Live,
            proxy: None,
            insecure: false,
            connect_timeout: Duration::from_secs(15),
            timeout: Duration::from_secs(60),
            follow_redirects: true,
            retries: 0,
            backoff: Duration::from_millis(500),
            concurrency: 1,
        }
    }
}

/// One request to deliver, with the hook settings that shape its transport.
#[derive(Debug, Clone)]
pub struct Job {
    pub hook: String,
    pub event: String,
    /// The rendered request, or the reason there is none (a template that failed).
    pub request: Result<Request, String>,
    pub proxy_url: String,
    pub insecure: bool,
}

/// One attempt and what came of it.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub status: Option<u16>,
    pub error: Option<String>,
    pub elapsed: Duration,
}

/// The response of the last attempt.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// The outcome of one delivery.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub hook: String,
    pub event: String,
    /// The request as sent (URL rewritten for a base destination); `None` when nothing was sent.
    pub sent: Option<Request>,
    pub attempts: Vec<Attempt>,
    pub response: Option<Response>,
    /// Why the delivery failed, when it did.
    pub error: Option<String>,
    pub elapsed: Duration,
}

impl Outcome {
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }
}

/// tsuru's success rule: a status in [200, 400).
pub fn is_success(status: u16) -> bool {
    (200..400).contains(&status)
}

/// Whether a failed attempt is worth repeating: transport errors, 408, 425, 429 and 5xx.
fn retryable(attempt: &Attempt) -> bool {
    match attempt.status {
        None => true,
        Some(s) => matches!(s, 408 | 425 | 429) || s >= 500,
    }
}

/// `base` with the hook URL's path appended and its query kept. A query of `base` itself (a token a
/// receiver needs, say) comes first and is kept; so is the hook URL's userinfo, which tsuru's client
/// sends as `Authorization: Basic`, unless `base` has userinfo of its own.
pub fn rebase(base: &Url, hook_url: &str) -> Result<Url, String> {
    let hook = Url::parse(hook_url).map_err(|e| format!("url {hook_url:?} does not parse: {e}"))?;
    let mut out = base.clone();
    let prefix = base.path().trim_end_matches('/');
    out.set_path(&format!("{prefix}{}", hook.path()));
    let query = match (base.query(), hook.query()) {
        (Some(b), Some(h)) if !b.is_empty() => Some(format!("{b}&{h}")),
        (Some(b), None) => Some(b.to_string()),
        (_, h) => h.map(str::to_string),
    };
    out.set_query(query.as_deref());
    if base.username().is_empty() && base.password().is_none() {
        // Only fails for URLs that cannot have userinfo, which an http(s) base can.
        let _ = out.set_username(hook.username());
        let _ = out.set_password(hook.password());
    }
    out.set_fragment(None);
    Ok(out)
}

/// A proxy URL for reqwest. Go's client hands a `socks5://` proxy the host name to resolve (reqwest
/// calls that `socks5h://`; its `socks5://` resolves locally, which fails for names only the
/// proxy's side knows).
fn proxy_for_reqwest(url: &Url) -> String {
    match url.as_str().strip_prefix("socks5://") {
        Some(rest) => format!("socks5h://{rest}"),
        None => url.to_string(),
    }
}

/// Installs the TLS crypto provider once per process (reqwest is built without a default one).
fn ensure_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The clients needed for a run, one per (proxy, insecure) combination, built once. A combination
/// whose client cannot be built (a proxy URL that does not parse) fails only the deliveries that
/// need it, as in tsuru, where a bad `proxy_url` fails that hook alone.
struct Clients {
    by_key: HashMap<(Option<String>, bool), Result<reqwest::Client, String>>,
}

impl Clients {
    fn key(options: &Options, job: &Job) -> (Option<String>, bool) {
        let proxy = match (&options.proxy, &options.destination) {
            (Some(p), _) => Some(p.clone()),
            (None, Destination::Live) if !job.proxy_url.is_empty() => Some(job.proxy_url.clone()),
            _ => None,
        };
        let insecure =
            options.insecure || (options.destination == Destination::Live && job.insecure);
        (proxy, insecure)
    }

    fn build(options: &Options, jobs: &[Job]) -> Clients {
        ensure_crypto();
        let mut by_key = HashMap::new();
        for job in jobs {
            let key = Clients::key(options, job);
            if by_key.contains_key(&key) {
                continue;
            }
            let client = Clients::client(options, &key);
            by_key.insert(key, client);
        }
        Clients { by_key }
    }

    fn client(options: &Options, key: &(Option<String>, bool)) -> Result<reqwest::Client, String> {
        let mut builder = reqwest::Client::builder()
            .http1_title_case_headers()
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            // Redirects are followed by `send_following`, the way Go's client does.
            .redirect(reqwest::redirect::Policy::none())
            .danger_accept_invalid_certs(key.1);
        builder = match &key.0 {
            Some(p) => {
                let url = parse_proxy(p)?;
                builder.proxy(
                    reqwest::Proxy::all(proxy_for_reqwest(&url))
                        .map_err(|e| format!("proxy {p:?}: {e}"))?,
                )
            }
            None => builder.no_proxy(),
        };
        builder
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))
    }
}

/// Delivers every job; results come back in job order. `progress` is told after each delivery.
pub async fn deliver_all(
    jobs: Vec<Job>,
    options: &Options,
    progress: impl Fn(&Outcome) + Send + Sync + 'static,
) -> Result<Vec<Outcome>, String> {
    let clients = Arc::new(Clients::build(options, &jobs));
    let total = jobs.len();
    // A fixed pool of `concurrency` workers pulling jobs in order, rather than a task per job: with
    // tens of thousands of deliveries that keeps memory and scheduling flat.
    let queue = Arc::new(std::sync::Mutex::new(jobs.into_iter().enumerate()));
    let progress = Arc::new(progress);
    let workers = options.concurrency.max(1).min(total.max(1));
    let mut handles = Vec::with_capacity(workers);
    for _ in 0..workers {
        let clients = clients.clone();
        let queue = queue.clone();
        let options = options.clone();
        let progress = progress.clone();
        handles.push(tokio::spawn(async move {
            let mut done = Vec::new();
            loop {
                let next = queue.lock().map(|mut q| q.next()).unwrap_or(None);
                let Some((index, job)) = next else { break };
                let key = Clients::key(&options, &job);
                let outcome = match clients
                    .by_key
                    .get(&key)
                    .expect("a client per key was built")
                {
                    Ok(client) => deliver_one(client, job, &options).await,
                    Err(e) => Outcome {
                        hook: job.hook,
                        event: job.event,
                        sent: None,
                        attempts: Vec::new(),
                        response: None,
                        error: Some(match job.request {
                            Err(template) => template,
                            Ok(_) => format!("not sent: {e}"),
                        }),
                        elapsed: Duration::ZERO,
                    },
                };
                progress(&outcome);
                done.push((index, outcome));
            }
            done
        }));
    }
    let mut out: Vec<Option<Outcome>> = (0..total).map(|_| None).collect();
    for h in handles {
        for (index, outcome) in h
            .await
            .map_err(|e| format!("a delivery task failed: {e}"))?
        {
            out[index] = Some(outcome);
        }
    }
    Ok(out.into_iter().flatten().collect())
}

async fn deliver_one(client: &reqwest::Client, job: Job, options: &Options) -> Outcome {
    let started = Instant::now();
    let mut outcome = Outcome {
        hook: job.hook.clone(),
        event: job.event.clone(),
        sent: None,
        attempts: Vec::new(),
        response: None,
        error: None,
        elapsed: Duration::ZERO,
    };
    let request = match job.request {
        Ok(r) => r,
        Err(e) => {
            outcome.error = Some(e);
            return outcome;
        }
    };
    let url = match &options.destination {
        Destination::Live => Url::parse(&request.url)
            .map_err(|e| format!("url {:?} does not parse: {e}", request.url)),
        Destination::Base(base) => rebase(base, &request.url),
    };
    let url = match url {
        Ok(u) => u,
        Err(e) => {
            outcome.error = Some(e);
            return outcome;
        }
    };
    let prepared = match prepare(&request) {
        Ok(p) => p,
        Err(e) => {
            outcome.error = Some(e);
            return outcome;
        }
    };
    outcome.sent = Some(Request {
        url: url.to_string(),
        ..request.clone()
    });
    for attempt_no in 0..=options.retries {
        let t0 = Instant::now();
        let mut retry_after = None;
        let sent = send_following(client, &prepared, &url, request.body.as_deref(), options).await;
        let attempt = match sent {
            Ok(resp) => {
                let status = resp.status().as_u16();
                retry_after = resp
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(parse_retry_after);
                let headers = resp
                    .headers()
                    .iter()
                    .map(|(n, v)| {
                        (
                            n.to_string(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect();
                let body = resp.text().await.unwrap_or_default();
                outcome.response = Some(Response {
                    status,
                    headers,
                    body,
                });
                Attempt {
                    status: Some(status),
                    error: (!is_success(status)).then(|| format!("status {status}")),
                    elapsed: t0.elapsed(),
                }
            }
            Err(e) => {
                outcome.response = None;
                Attempt {
                    status: None,
                    error: Some(e),
                    elapsed: t0.elapsed(),
                }
            }
        };
        let failed = attempt.error.is_some();
        let again = failed && attempt_no < options.retries && retryable(&attempt);
        outcome.attempts.push(attempt);
        if !again {
            break;
        }
        let exp = options.backoff.saturating_mul(1u32 << attempt_no.min(16));
        let jittered = exp.mul_f64(0.5 + fastrand::f64() * 0.5);
        let wait = retry_after
            .map(|r: Duration| r.min(Duration::from_secs(300)))
            .unwrap_or(jittered);
        tokio::time::sleep(wait).await;
    }
    let last = outcome.attempts.last().cloned();
    outcome.error = match last {
        Some(Attempt {
            error: Some(err),
            status: Some(_),
            ..
        }) => {
            let body = outcome
                .response
                .as_ref()
                .map(|r| r.body.as_str())
                .unwrap_or("");
            let start: String = body.chars().take(200).collect();
            let ellipsis = if body.chars().count() > 200 {
                "…"
            } else {
                ""
            };
            Some(if start.is_empty() {
                err
            } else {
                format!("{err}: {start}{ellipsis}")
            })
        }
        Some(Attempt {
            error: Some(err), ..
        }) => Some(err),
        _ => None,
    };
    outcome.elapsed = started.elapsed();
    outcome
}

/// Go's client stops at the 10th redirect: `len(via) >= 10` with `via` the requests already sent.
const MAX_REQUESTS: usize = 10;

/// One attempt: the request, then its redirects followed the way Go's `http.Client` follows them
/// (tsuru's client is Go's, with a 60 s timeout over the whole chain):
///
/// - 301, 302 and 303 turn every method but GET and HEAD into GET and drop the body (reqwest, like
///   browsers, keeps PUT and DELETE on 301 and 302); the other headers, Content-Type included, stay;
/// - 307 and 308 repeat the method and the body;
/// - a redirect without `Location` is the final response;
/// - the 10th redirect is an error (`stopped after 10 redirects`), not followed;
/// - `Referer` is the previous URL (without userinfo; none from https to http) unless the hook set
///   one; `Authorization`, `Cookie` and `Www-Authenticate` are dropped when the next host is neither
///   the first one nor below it.
///
/// A transport error comes back as its description.
async fn send_following(
    client: &reqwest::Client,
    prepared: &(reqwest::Method, HeaderMap),
    url: &Url,
    body: Option<&str>,
    options: &Options,
) -> Result<reqwest::Response, String> {
    let deadline = tokio::time::Instant::now() + options.timeout;
    let initial = url.clone();
    let mut method = prepared.0.clone();
    let mut url = url.clone();
    let mut body = body.map(str::to_string);
    let mut headers = prepared.1.clone();
    let mut sent = 0;
    loop {
        let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
        let mut builder = client
            .request(method.clone(), url.clone())
            .headers(headers.clone())
            .timeout(remaining);
        if let Some(b) = &body {
            // Go writes `Content-Length: 0` for an empty POST, PUT or PATCH (many servers answer
            // 411 without it); hyper leaves an empty body without any length.
            if b.is_empty()
                && matches!(
                    method,
                    reqwest::Method::POST | reqwest::Method::PUT | reqwest::Method::PATCH
                )
            {
                builder = builder.header(CONTENT_LENGTH, "0");
            }
            builder = builder.body(b.clone());
        }
        let response = builder.send().await.map_err(|e| transport_error(&e))?;
        sent += 1;
        if !options.follow_redirects {
            return Ok(response);
        }
        let keep_body = match response.status().as_u16() {
            301..=303 => false,
            307 | 308 => true,
            _ => return Ok(response),
        };
        let Some(location) = response.headers().get(LOCATION) else {
            return Ok(response);
        };
        let location = String::from_utf8_lossy(location.as_bytes()).into_owned();
        let next = url.join(&location).map_err(|e| {
            format!("request failed: failed to parse Location header {location:?}: {e}")
        })?;
        if sent >= MAX_REQUESTS {
            return Err(format!(
                "too many redirects: stopped after {MAX_REQUESTS} redirects (at {next})"
            ));
        }
        if !keep_body {
            body = None;
            if method != reqwest::Method::GET && method != reqwest::Method::HEAD {
                method = reqwest::Method::GET;
            }
        }
        headers = prepared.1.clone();
        if !same_or_subdomain(&next, &initial) {
            for name in [AUTHORIZATION, WWW_AUTHENTICATE, COOKIE] {
                headers.remove(name);
            }
            headers.remove("cookie2");
        }
        let downgrade = url.scheme() == "https" && next.scheme() == "http";
        if !headers.contains_key(REFERER) && !downgrade {
            let mut referer = url.clone();
            let _ = referer.set_username("");
            let _ = referer.set_password(None);
            if let Ok(v) = HeaderValue::from_str(referer.as_str()) {
                headers.insert(REFERER, v);
            }
        }
        url = next;
    }
}

/// Go's `shouldCopyHeaderOnRedirect`: the destination (host and port) is the initial one or a
/// subdomain of it.
fn same_or_subdomain(dest: &Url, initial: &Url) -> bool {
    let addr = |u: &Url| {
        format!(
            "{}:{}",
            u.host_str().unwrap_or("").to_ascii_lowercase(),
            u.port_or_known_default().unwrap_or(0)
        )
    };
    let (d, i) = (addr(dest), addr(initial));
    d == i || d.ends_with(&format!(".{i}"))
}

/// The method and headers as reqwest types, in order (repeated names kept).
fn prepare(request: &Request) -> Result<(reqwest::Method, HeaderMap), String> {
    let method = reqwest::Method::from_bytes(request.method.as_bytes())
        .map_err(|_| format!("method {:?} is not a valid HTTP method", request.method))?;
    let mut headers = HeaderMap::new();
    for (name, value) in &request.headers {
        let n = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("header name {name:?} is not valid in HTTP"))?;
        let v = HeaderValue::from_str(value)
            .map_err(|_| format!("header {name}: value {value:?} is not valid in HTTP"))?;
        headers.append(n, v);
    }
    Ok((method, headers))
}

/// `Retry-After` as seconds or an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    if let Ok(secs) = value.trim().parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value.trim()).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// A transport error in words, with its causes.
fn transport_error(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_redirect() {
        "too many redirects"
    } else {
        "request failed"
    };
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !causes.contains(&text) {
            causes.push(text);
        }
        source = s.source();
    }
    if causes.is_empty() {
        format!("{kind}: {e}")
    } else {
        format!("{kind}: {}", causes.join(": "))
    }
}

/// `--format json` of `send`: one element per delivery.
pub fn to_json(outcomes: &[Outcome]) -> Value {
    Value::Array(
        outcomes
            .iter()
            .map(|o| {
                json!({
                    "hook": o.hook,
                    "event": o.event,
                    "ok": o.ok(),
                    "request": o.sent.as_ref().map(crate::output::json::request_json),
                    "attempts": o.attempts.iter().map(|a| json!({
                        "status": a.status,
                        "error": a.error,
                        "ms": a.elapsed.as_millis() as u64,
                    })).collect::<Vec<_>>(),
                    "response": o.response.as_ref().map(|r| json!({
                        "status": r.status,
                        "headers": r.headers.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
                        "body": r.body,
                    })),
                    "error": o.error,
                    "ms": o.elapsed.as_millis() as u64,
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebase_keeps_path_and_query() {
        let base = Url::parse("http://127.0.0.1:8080/prefix/").unwrap();
        assert_eq!(
            rebase(&base, "https://hooks.slack.com/services/T/B?x=1&y=2")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:8080/prefix/services/T/B?x=1&y=2"
        );
        let base = Url::parse("http://localhost:9").unwrap();
        assert_eq!(
            rebase(&base, "https://a.example").unwrap().as_str(),
            "http://localhost:9/"
        );
    }

    #[test]
    fn rebase_merges_queries_and_keeps_userinfo() {
        let base = Url::parse("http://127.0.0.1:8080/in?token=abc").unwrap();
        assert_eq!(
            rebase(&base, "https://u:p@hooks.example/a?x=1#frag")
                .unwrap()
                .as_str(),
            "http://u:p@127.0.0.1:8080/in/a?token=abc&x=1"
        );
        assert_eq!(
            rebase(&base, "https://hooks.example/a").unwrap().as_str(),
            "http://127.0.0.1:8080/in/a?token=abc"
        );
        let own = Url::parse("http://me:secret@127.0.0.1:8080/").unwrap();
        assert_eq!(
            rebase(&own, "https://u:p@hooks.example/a")
                .unwrap()
                .as_str(),
            "http://me:secret@127.0.0.1:8080/a"
        );
    }

    #[test]
    fn socks5_proxies_resolve_names_remotely() {
        let url = Url::parse("socks5://127.0.0.1:1080").unwrap();
        assert_eq!(proxy_for_reqwest(&url), "socks5h://127.0.0.1:1080");
        let url = Url::parse("http://proxy:3128").unwrap();
        assert_eq!(proxy_for_reqwest(&url), "http://proxy:3128/");
    }

    #[test]
    fn sensitive_headers_follow_only_to_the_same_host_or_below() {
        let a = |s: &str| Url::parse(s).unwrap();
        assert!(same_or_subdomain(
            &a("https://x.example/b"),
            &a("https://x.example/a")
        ));
        assert!(same_or_subdomain(
            &a("https://api.x.example/"),
            &a("https://x.example/")
        ));
        assert!(!same_or_subdomain(
            &a("https://evilx.example/"),
            &a("https://x.example/")
        ));
        assert!(!same_or_subdomain(
            &a("http://x.example/"),
            &a("https://x.example/")
        ));
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn success_is_200_to_399() {
        assert!(is_success(200) && is_success(302) && is_success(399));
        assert!(!is_success(199) && !is_success(400) && !is_success(500));
    }
}
