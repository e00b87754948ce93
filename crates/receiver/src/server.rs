//! The HTTP server: accepts connections, records requests, answers them, shuts down gracefully.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{anyhow, Context};
use base64::Engine;
use bytes::Bytes;
use http::{header, HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Either, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::{broadcast, watch, Notify};

use crate::admin;
use crate::config::ReceiverConfig;
use crate::journal::{self, Journal};
use crate::record::{Record, RecordedResponse};
use crate::rules::{Answer, Fault, Rules};
use crate::sse::SseBody;
use crate::wire::{self, SharedHeads, Tap};

/// The body of every response the receiver gives.
pub(crate) type Body = Either<Full<Bytes>, SseBody>;

/// Something that happened to the store, for live views.
#[derive(Debug, Clone)]
pub(crate) enum Event {
    Recorded(Arc<Record>),
    Cleared,
}

pub(crate) struct Store {
    pub(crate) records: VecDeque<Arc<Record>>,
    next_seq: u64,
    /// Journal lines not yet written, and the number of the batch they will be written in.
    pending: Vec<u8>,
    batch: u64,
}

/// State shared by every connection of one receiver.
pub(crate) struct Shared {
    pub(crate) config: ReceiverConfig,
    store: Mutex<Store>,
    changed: Condvar,
    waiters: AtomicUsize,
    pub(crate) events: broadcast::Sender<Event>,
    rules: RwLock<Arc<Rules>>,
    default_answer: Answer,
    pub(crate) shutdown: watch::Receiver<bool>,
    journal: Mutex<Option<Journal>>,
    flush_wanted: Notify,
    /// The last batch of journal lines written.
    flushed: watch::Sender<u64>,
    journal_failed: AtomicBool,
}

impl Shared {
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The held records, oldest first.
    pub(crate) fn snapshot(&self) -> Vec<Arc<Record>> {
        self.store().records.iter().cloned().collect()
    }

    pub(crate) fn clear(&self) -> usize {
        let cleared = {
            let mut store = self.store();
            let n = store.records.len();
            store.records.clear();
            n
        };
        let _ = self.events.send(Event::Cleared);
        cleared
    }

    /// Numbers and holds a record and queues its journal line; returns it with the journal batch
    /// to wait for before answering.
    fn record(
        &self,
        build: impl FnOnce(u64) -> Record,
    ) -> anyhow::Result<(Arc<Record>, Option<u64>)> {
        let journaled = self.config.journal.is_some();
        let (record, batch) = {
            let mut store = self.store();
            let record = build(store.next_seq);
            let mut batch = None;
            if journaled {
                let was_empty = store.pending.is_empty();
                serde_json::to_writer(&mut store.pending, &record)
                    .context("cannot encode a record")?;
                store.pending.push(b'\n');
                batch = Some(store.batch);
                if was_empty {
                    self.flush_wanted.notify_one();
                }
            }
            store.next_seq += 1;
            let record = Arc::new(record);
            if self.config.keep > 0 {
                if store.records.len() >= self.config.keep {
                    store.records.pop_front();
                }
                store.records.push_back(record.clone());
            }
            (record, batch)
        };
        if self.waiters.load(Ordering::SeqCst) > 0 {
            self.changed.notify_all();
        }
        let _ = self.events.send(Event::Recorded(record.clone()));
        Ok((record, batch))
    }

    /// Writes the queued journal lines as one batch.
    fn write_batch(&self) {
        let (lines, batch) = {
            let mut store = self.store();
            if store.pending.is_empty() {
                return;
            }
            let batch = store.batch;
            store.batch += 1;
            (std::mem::take(&mut store.pending), batch)
        };
        let result = match self.journal.lock() {
            Ok(mut journal) => journal.as_mut().map_or(Ok(()), |j| j.append(&lines)),
            Err(_) => Err(anyhow!("the journal is unusable after an earlier failure")),
        };
        if let Err(e) = result {
            if !self.journal_failed.swap(true, Ordering::SeqCst) {
                eprintln!("error: {e:#}");
            }
        }
        self.flushed.send_replace(batch);
    }

    /// Waits until the journal batch holding a record has been written; an error if writing failed.
    async fn journaled(&self, batch: u64) -> anyhow::Result<()> {
        let mut flushed = self.flushed.subscribe();
        let _ = flushed.wait_for(|written| *written >= batch).await;
        if self.journal_failed.load(Ordering::SeqCst) {
            anyhow::bail!("the journal could not be written (see the receiver's stderr)");
        }
        Ok(())
    }

    /// Blocks until at least `count` records are held or `timeout` passes.
    fn wait_for(&self, count: usize, timeout: Duration) -> Result<Vec<Record>, Vec<Record>> {
        let deadline = Instant::now() + timeout;
        self.waiters.fetch_add(1, Ordering::SeqCst);
        let mut store = self.store();
        let result = loop {
            if store.records.len() >= count {
                break Ok(());
            }
            let now = Instant::now();
            if now >= deadline {
                break Err(());
            }
            store = match self.changed.wait_timeout(store, deadline - now) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        };
        let records = store.records.iter().map(|r| (**r).clone()).collect();
        drop(store);
        self.waiters.fetch_sub(1, Ordering::SeqCst);
        match result {
            Ok(()) => Ok(records),
            Err(()) => Err(records),
        }
    }
}

/// A running receiver. Dropping it asks the receiver to stop (without waiting for it).
pub struct ReceiverHandle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: Task,
}

enum Task {
    Spawned(Option<tokio::task::JoinHandle<()>>),
    Thread(Option<std::thread::JoinHandle<()>>),
}

impl std::fmt::Debug for ReceiverHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiverHandle")
            .field("addr", &self.addr)
            .finish()
    }
}

impl ReceiverHandle {
    /// The address the receiver listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, `http://HOST:PORT` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Asks the receiver to stop without waiting for it.
    pub fn request_stop(&self) {
        let _ = self.stop.send(true);
    }

    /// A snapshot of the held records, oldest first.
    pub fn records(&self) -> Vec<Record> {
        self.shared
            .snapshot()
            .iter()
            .map(|r| (**r).clone())
            .collect()
    }

    /// Forgets the held records (the journal and the numbering are kept).
    pub fn clear(&self) {
        self.shared.clear();
    }

    /// Blocks until at least `count` records are held, then returns them all; an error after
    /// `timeout`. Do not call it on the thread of a current-thread runtime that runs the receiver:
    /// use [`ReceiverHandle::wait_for_async`] there.
    pub fn wait_for(&self, count: usize, timeout: Duration) -> anyhow::Result<Vec<Record>> {
        self.shared.wait_for(count, timeout).map_err(|got| {
            anyhow!(
                "timed out after {} waiting for {count} requests at the receiver; {} arrived",
                humantime::format_duration(timeout),
                got.len()
            )
        })
    }

    /// Waits until at least `count` records are held, then returns them all; an error after
    /// `timeout`.
    pub async fn wait_for_async(
        &self,
        count: usize,
        timeout: Duration,
    ) -> anyhow::Result<Vec<Record>> {
        let mut events = self.shared.events.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let records = self.records();
            if records.len() >= count {
                return Ok(records);
            }
            tokio::select! {
                _ = events.recv() => {}
                _ = tokio::time::sleep_until(deadline) => {
                    return Err(anyhow!(
                        "timed out after {} waiting for {count} requests at the receiver; {} arrived",
                        humantime::format_duration(timeout),
                        records.len()
                    ));
                }
            }
        }
    }

    /// Stops the receiver: no new connections, in-flight requests finish (up to the shutdown
    /// grace), the journal is flushed. Blocks until done when the receiver runs on its own thread;
    /// for one started with [`start`] on a runtime, use [`ReceiverHandle::shutdown_async`].
    pub fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Task::Thread(thread) = &mut self.task {
            if let Some(thread) = thread.take() {
                let _ = thread.join();
            }
        }
    }

    /// Stops the receiver and waits until it has stopped.
    pub async fn shutdown_async(mut self) {
        let _ = self.stop.send(true);
        match &mut self.task {
            Task::Spawned(task) => {
                if let Some(task) = task.take() {
                    let _ = task.await;
                }
            }
            Task::Thread(thread) => {
                if let Some(thread) = thread.take() {
                    let _ = tokio::task::spawn_blocking(move || thread.join()).await;
                }
            }
        }
    }
}

impl Drop for ReceiverHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Starting points for an in-process receiver.
#[derive(Debug, Clone, Copy)]
pub struct Receiver;

impl Receiver {
    /// Starts a receiver on the current tokio runtime; see [`start`].
    pub async fn start(config: ReceiverConfig) -> anyhow::Result<ReceiverHandle> {
        start(config).await
    }

    /// Starts a receiver on a thread of its own (with its own current-thread runtime), for use
    /// from code that is not async. Returns once it is listening.
    pub fn start_background(config: ReceiverConfig) -> anyhow::Result<ReceiverHandle> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("hooktest-receiver".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let _ = ready_tx
                            .send(Err(anyhow!(e).context("cannot start the receiver runtime")));
                        return;
                    }
                };
                runtime.block_on(async move {
                    match prepare(config).await {
                        Ok((prepared, handle)) => {
                            let _ = ready_tx.send(Ok(handle));
                            prepared.run().await;
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                        }
                    }
                });
            })
            .context("cannot start the receiver thread")?;
        let mut handle = ready_rx
            .recv()
            .map_err(|_| anyhow!("the receiver thread stopped before listening"))??;
        handle.task = Task::Thread(Some(thread));
        Ok(handle)
    }
}

/// Starts a receiver on the current tokio runtime and returns once it is listening.
pub async fn start(config: ReceiverConfig) -> anyhow::Result<ReceiverHandle> {
    let (prepared, mut handle) = prepare(config).await?;
    handle.task = Task::Spawned(Some(tokio::spawn(prepared.run())));
    Ok(handle)
}

/// A bound listener with its state, ready to serve.
pub(crate) struct Prepared {
    listener: TcpListener,
    shared: Arc<Shared>,
}

/// Binds, loads the journal and the rules; reports journal damage on stderr.
pub(crate) async fn prepare(config: ReceiverConfig) -> anyhow::Result<(Prepared, ReceiverHandle)> {
    let rules = match (&config.responses, &config.rules) {
        (Some(path), _) => Rules::from_file(path)?,
        (None, Some(rules)) => rules.clone(),
        (None, None) => Rules::default(),
    };
    let mut records = VecDeque::new();
    let mut next_seq = 1;
    let journal = match &config.journal {
        Some(path) => {
            let contents = journal::read(path, config.keep)?;
            for warning in &contents.warnings {
                eprintln!("warning: {warning}");
            }
            next_seq = contents.last_seq + 1;
            records = contents.records.into_iter().map(Arc::new).collect();
            Some(Journal::open(path)?)
        }
        None => None,
    };
    let addr = SocketAddr::new(config.bind, config.port);
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let addr = listener
        .local_addr()
        .context("cannot read the listening address")?;
    let default_answer = Answer {
        status: Some(config.status),
        headers: Vec::new(),
        body: Some(
            config
                .body
                .clone()
                .unwrap_or_else(|| r#"{"ok":true}"#.to_string()),
        ),
        delay: config.delay,
        fault: None,
        verify: config.verify.clone(),
    };
    let (stop, shutdown) = watch::channel(false);
    let (events, _) = broadcast::channel(1024);
    let shared = Arc::new(Shared {
        config,
        store: Mutex::new(Store {
            records,
            next_seq,
            pending: Vec::new(),
            batch: 1,
        }),
        journal: Mutex::new(journal),
        flush_wanted: Notify::new(),
        flushed: watch::Sender::new(0),
        changed: Condvar::new(),
        waiters: AtomicUsize::new(0),
        events,
        rules: RwLock::new(Arc::new(rules)),
        default_answer,
        shutdown,
        journal_failed: AtomicBool::new(false),
    });
    let handle = ReceiverHandle {
        addr,
        shared: shared.clone(),
        stop,
        task: Task::Spawned(None),
    };
    Ok((Prepared { listener, shared }, handle))
}

impl Prepared {
    /// Serves until shutdown is asked for, then drains connections and flushes the journal.
    pub(crate) async fn run(self) {
        let Prepared { listener, shared } = self;
        let mut shutdown = shared.shutdown.clone();
        if let Some(path) = shared.config.responses.clone() {
            tokio::spawn(watch_rules(shared.clone(), path));
        }
        // Group commit: lines queued while other connections were being served go out in one
        // write, and each answer waits for the write that holds its record.
        let flusher = shared.config.journal.is_some().then(|| {
            let shared = shared.clone();
            tokio::spawn(async move {
                loop {
                    shared.flush_wanted.notified().await;
                    tokio::task::yield_now().await;
                    shared.write_batch();
                }
            })
        });
        let graceful = GracefulShutdown::new();
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(shared.config.header_read_timeout)
            .keep_alive(true);
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, remote)) => {
                        let _ = stream.set_nodelay(true);
                        let heads = SharedHeads::default();
                        let io = TokioIo::new(Tap::new(stream, heads.clone()));
                        let conn_shared = shared.clone();
                        let service = service_fn(move |request| {
                            handle(conn_shared.clone(), remote, heads.clone(), request)
                        });
                        let connection = graceful.watch(builder.serve_connection(io, service));
                        tokio::spawn(async move {
                            let _ = connection.await;
                        });
                    }
                    // Out of file descriptors and the like: wait a little rather than spin.
                    Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                },
                _ = stopped(&mut shutdown) => break,
            }
        }
        drop(listener);
        tokio::select! {
            _ = graceful.shutdown() => {}
            _ = tokio::time::sleep(shared.config.shutdown_grace) => {}
        }
        if let Some(flusher) = flusher {
            flusher.abort();
            let _ = flusher.await;
        }
        shared.write_batch();
        let flushed = match shared.journal.lock() {
            Ok(mut journal) => journal.as_mut().map(Journal::flush),
            Err(_) => None,
        };
        if let Some(Err(e)) = flushed {
            eprintln!("error: {e:#}");
        }
    }
}

/// Reloads the responses file when its modification time or size changes. Polling the metadata
/// survives editors that save by renaming, which would end a watch on the file itself.
async fn watch_rules(shared: Arc<Shared>, path: std::path::PathBuf) {
    let stamp = |path: &std::path::Path| {
        std::fs::metadata(path)
            .ok()
            .map(|m| (m.modified().ok(), m.len()))
    };
    let mut last = stamp(&path);
    let mut shutdown = shared.shutdown.clone();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(shared.config.reload_interval) => {}
            _ = stopped(&mut shutdown) => return,
        }
        let now = stamp(&path);
        if now == last || now.is_none() {
            continue;
        }
        last = now;
        match Rules::from_file(&path) {
            Ok(rules) => {
                let count = rules.len();
                if let Ok(mut current) = shared.rules.write() {
                    *current = Arc::new(rules);
                }
                eprintln!("reloaded `{}` ({count} rules)", path.display());
            }
            Err(e) => eprintln!("warning: {e:#}; keeping the previous rules"),
        }
    }
}

/// Resolves once shutdown has been asked for.
pub(crate) async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// Why a connection was closed without an answer.
#[derive(Debug)]
struct Unanswered(&'static str);

impl std::fmt::Display for Unanswered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Unanswered {}

pub(crate) fn full(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Response<Body> {
    let mut response = Response::new(Either::Left(Full::new(body.into())));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn content_type_for(body: &str) -> &'static str {
    let trimmed = body.trim_start();
    if (trimmed.starts_with('{') || trimmed.starts_with('['))
        && serde_json::from_str::<serde::de::IgnoredAny>(body).is_ok()
    {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    }
}

async fn handle(
    shared: Arc<Shared>,
    remote: SocketAddr,
    heads: SharedHeads,
    request: Request<Incoming>,
) -> Result<Response<Body>, Unanswered> {
    let received_at = SystemTime::now();
    let path = request.uri().path();
    if path == "/_hooktest" || path.starts_with("/_hooktest/") {
        return Ok(admin::handle(shared, request).await);
    }
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str().to_string();
    let target = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str().to_string())
        .unwrap_or_else(|| parts.uri.to_string());
    // An origin-form target is the path and query as sent; others are compared in full.
    let hyper_target = match parts.uri.scheme() {
        None if target.starts_with('/') => std::borrow::Cow::Borrowed(target.as_str()),
        _ => std::borrow::Cow::Owned(parts.uri.to_string()),
    };
    let raw = wire::claim(&heads, &method, &hyper_target, parts.headers.len());
    let (path, query) = match raw
        .as_ref()
        .map(|raw| raw.target.as_str())
        .filter(|t| t.starts_with('/'))
    {
        Some(raw_target) => split_target(raw_target),
        None => split_target(&target),
    };
    let headers = match raw {
        Some(raw) => raw.headers,
        None => parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
    };

    let (bytes, rejected) = read_body(&parts.headers, body, shared.config.max_body).await;
    let rejected_message = rejected.then(|| {
        format!(
            "request body larger than the limit of {} bytes (--max-body)",
            shared.config.max_body
        )
    });

    let rules = shared.rules.read().map(|r| r.clone()).unwrap_or_default();
    let (rule, mut answer) = match (&rejected_message, rules.answer(&method, &path)) {
        (Some(_), _) => (None, Answer::default()),
        (None, Some((index, answer))) => (Some(index), answer.or(&shared.default_answer)),
        (None, None) => (None, shared.default_answer.clone()),
    };

    let verdict = match (&rejected_message, &answer.verify) {
        (None, Some(verifier)) => {
            let now = received_at
                .duration_since(SystemTime::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or_default();
            Some(verifier.verify(&headers, &bytes, now, shared.config.tolerance))
        }
        _ => None,
    };
    let refused = verdict
        .as_ref()
        .filter(|v| !v.valid && shared.config.reject_invalid);
    if refused.is_some() {
        // A refused request gets its 401 at once: no rule delay, no fault.
        answer.delay = None;
        answer.fault = None;
    }

    let (status, mut response_headers, response_body) = match (&rejected_message, refused) {
        (Some(message), _) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            Vec::new(),
            serde_json::json!({ "error": message }).to_string(),
        ),
        (None, Some(verdict)) => (
            StatusCode::UNAUTHORIZED,
            Vec::new(),
            serde_json::json!({
                "error": "signature verification failed",
                "reason": verdict.reason,
                "message": verdict.message,
            })
            .to_string(),
        ),
        (None, None) => (
            StatusCode::from_u16(answer.status.unwrap_or(200)).unwrap_or(StatusCode::OK),
            std::mem::take(&mut answer.headers),
            answer.body.take().unwrap_or_default(),
        ),
    };
    if !response_headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
    {
        response_headers.insert(
            0,
            (
                "Content-Type".to_string(),
                content_type_for(&response_body).to_string(),
            ),
        );
    }

    let fault = answer.fault.filter(|_| rejected_message.is_none());
    let recorded = shared.record(|seq| Record {
        seq,
        received_at: humantime::format_rfc3339_millis(received_at).to_string(),
        remote: remote.to_string(),
        method: method.clone(),
        path: path.clone(),
        query: query.clone(),
        body: std::str::from_utf8(&bytes).ok().map(str::to_string),
        body_base64: base64::engine::general_purpose::STANDARD.encode(&bytes),
        headers,
        response: RecordedResponse {
            status: fault.is_none().then_some(status.as_u16()),
            headers: response_headers.clone(),
            body: if fault.is_some() {
                String::new()
            } else {
                response_body.clone()
            },
            rule,
            delay_ms: answer.delay.map(|d| d.as_millis() as u64),
            fault: fault.map(|f| f.name().to_string()),
            rejected: rejected_message.clone(),
        },
        verification: verdict.as_ref().map(|v| v.to_json()),
    });
    let recorded = match recorded {
        Ok((_, Some(batch))) => shared.journaled(batch).await,
        Ok((_, None)) => Ok(()),
        Err(e) => Err(e),
    };
    if let Err(e) = recorded {
        let body = serde_json::json!({ "error": format!("hooktest could not record this request: {e:#}") });
        return Ok(full(
            StatusCode::INTERNAL_SERVER_ERROR,
            "application/json",
            body.to_string(),
        ));
    }

    let mut shutdown = shared.shutdown.clone();
    if let Some(delay) = answer.delay.filter(|_| rejected_message.is_none()) {
        tokio::time::sleep(delay).await;
    }
    match fault {
        Some(Fault::Close) => return Err(Unanswered("fault: close")),
        Some(Fault::Hang) => {
            stopped(&mut shutdown).await;
            return Err(Unanswered("fault: hang"));
        }
        None => {}
    }

    let mut response = Response::new(Either::Left(Full::new(Bytes::from(response_body))));
    *response.status_mut() = status;
    for (name, value) in &response_headers {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    Ok(response)
}

fn split_target(target: &str) -> (String, Option<String>) {
    match target.split_once('?') {
        Some((path, query)) => (path.to_string(), Some(query.to_string())),
        None => (target.to_string(), None),
    }
}

/// Reads the body up to `max` bytes; `true` when it was larger (the rest is not read).
async fn read_body(headers: &http::HeaderMap, mut body: Incoming, max: u64) -> (Bytes, bool) {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > max) {
        return (Bytes::new(), true);
    }
    let mut first: Option<Bytes> = None;
    let mut collected: Vec<u8> = Vec::new();
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else { break };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        let have = first.as_ref().map_or(0, |b| b.len()) + collected.len();
        if (have + data.len()) as u64 > max {
            return (Bytes::new(), true);
        }
        match &first {
            None if collected.is_empty() => first = Some(data),
            _ => {
                if let Some(first) = first.take() {
                    collected.extend_from_slice(&first);
                }
                collected.extend_from_slice(&data);
            }
        }
    }
    match first {
        Some(first) => (first, false),
        None => (Bytes::from(collected), false),
    }
}
