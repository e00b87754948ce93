//! The HTTP server: accepts connections, records requests, answers them, shuts down gracefully.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{anyhow, Context};
use bytes::Bytes;
use http::{header, HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Either, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::{broadcast, watch, Notify};

use crate::admin;
use crate::config::ReceiverConfig;
use crate::conn::{Commits, Conn, Watchdog, JOURNAL_FAILED_BODY};
use crate::journal::{self, Journal};
use crate::record::{write, Held, Record, SEQ_ROOM};
use crate::rules::{Answer, Fault, Rules};
use crate::sse::SseBody;
use crate::wire;

/// The body of every response the receiver gives.
pub(crate) type Body = Either<Full<Bytes>, SseBody>;

/// Something that happened to the store, for live views.
#[derive(Debug, Clone)]
pub(crate) enum Event {
    Recorded(Arc<Held>),
    Cleared,
}

pub(crate) struct Store {
    pub(crate) records: VecDeque<Arc<Held>>,
    next_seq: u64,
    /// Journal lines not yet written, and the number of the batch they will be written in.
    pending: Vec<u8>,
    batch: u64,
    /// The buffer of the last batch written, kept to take the next batch's lines.
    spare: Vec<u8>,
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
    /// The default answer's body, and the `Content-Type` it gets when it sets none itself:
    /// worked out once instead of for every request.
    default_body: Bytes,
    default_content_type: Option<&'static str>,
    /// The `,"response":{…}` part of the record of a request given the default answer.
    default_response_json: Vec<u8>,
    pub(crate) shutdown: watch::Receiver<bool>,
    journal: Mutex<Option<Journal>>,
    flush_wanted: Notify,
    /// Journal batches written, and the answers waiting for theirs.
    commits: Arc<Commits>,
    /// Closes connections that take too long to send a request head.
    watchdog: Arc<Watchdog>,
}

impl Shared {
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The held records, oldest first.
    pub(crate) fn snapshot(&self) -> Vec<Arc<Held>> {
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

    /// Numbers and holds a record and queues its journal line; returns the journal batch the
    /// line will be written in. `buf` is [`SEQ_ROOM`] bytes of room and then the record's JSON
    /// after the sequence number: from the `,` before `"received_at"` to the closing `}`.
    fn record(&self, method: &str, path: &str, buf: Vec<u8>) -> Option<u64> {
        let (held, batch) = {
            let mut store = self.store();
            let seq = store.next_seq;
            store.next_seq += 1;
            let held = Arc::new(Held::new(seq, method, path, buf));
            let mut batch = None;
            if self.config.journal.is_some() {
                if store.pending.is_empty() {
                    self.flush_wanted.notify_one();
                }
                store.pending.extend_from_slice(held.json());
                store.pending.push(b'\n');
                batch = Some(store.batch);
            }
            if self.config.keep > 0 {
                if store.records.len() >= self.config.keep {
                    store.records.pop_front();
                }
                store.records.push_back(held.clone());
            }
            (held, batch)
        };
        if self.waiters.load(Ordering::SeqCst) > 0 {
            self.changed.notify_all();
        }
        if self.events.receiver_count() > 0 {
            let _ = self.events.send(Event::Recorded(held));
        }
        batch
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
            let spare = std::mem::take(&mut store.spare);
            (std::mem::replace(&mut store.pending, spare), batch)
        };
        let result = match self.journal.lock() {
            Ok(mut journal) => journal.as_mut().map_or(Ok(()), |j| j.append(&lines)),
            Err(_) => Err(anyhow!("the journal is unusable after an earlier failure")),
        };
        if let Err(e) = &result {
            // Said once: every later request is answered with a 500 that points here.
            if !self.commits.has_failed() {
                eprintln!("error: {e:#}");
            }
        }
        self.commits.release(batch, result.is_ok());
        let mut lines = lines;
        lines.clear();
        self.store().spare = lines;
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
        let held: Vec<Arc<Held>> = store.records.iter().cloned().collect();
        drop(store);
        self.waiters.fetch_sub(1, Ordering::SeqCst);
        let records = held.iter().filter_map(|h| h.record()).collect();
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
            .filter_map(|held| held.record())
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
            // A device or a pipe would be read back forever (or block) before serving.
            if let Ok(meta) = std::fs::metadata(path) {
                if !meta.is_file() {
                    anyhow::bail!(
                        "the journal `{}` is not a regular file; give --journal the path of a file (it is created if missing)",
                        path.display()
                    );
                }
            }
            let contents = journal::read(path, config.keep)?;
            for warning in &contents.warnings {
                eprintln!("warning: {warning}");
            }
            next_seq = contents.last_seq + 1;
            records = contents
                .records
                .iter()
                .map(|record| Arc::new(Held::from_record(record)))
                .collect();
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
    let default_body = Bytes::from(default_answer.body.clone().unwrap_or_default());
    let default_content_type = content_type(
        &default_answer.headers,
        default_answer.body.as_deref().unwrap_or_default(),
    );
    let mut default_response_json = Vec::new();
    write_response(
        &mut default_response_json,
        &Given {
            status: Some(StatusCode::from_u16(config.status).unwrap_or(StatusCode::OK)),
            content_type: default_content_type,
            headers: &default_answer.headers,
            body: &default_body,
            rule: None,
            delay: default_answer.delay,
            fault: None,
            rejected: None,
        },
    );
    let watchdog = Arc::new(Watchdog::new(config.header_read_timeout));
    let (stop, shutdown) = watch::channel(false);
    let (events, _) = broadcast::channel(1024);
    let shared = Arc::new(Shared {
        config,
        store: Mutex::new(Store {
            records,
            next_seq,
            pending: Vec::new(),
            batch: 1,
            spare: Vec::new(),
        }),
        journal: Mutex::new(journal),
        flush_wanted: Notify::new(),
        commits: Arc::new(Commits::default()),
        watchdog,
        changed: Condvar::new(),
        waiters: AtomicUsize::new(0),
        events,
        rules: RwLock::new(Arc::new(rules)),
        default_answer,
        default_response_json,
        default_body,
        default_content_type,
        shutdown,
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
        let watchdog = {
            let watchdog = shared.watchdog.clone();
            let mut shutdown = shared.shutdown.clone();
            tokio::spawn(async move {
                loop {
                    tokio::select! {
                        _ = tokio::time::sleep(watchdog.interval()) => watchdog.round(),
                        _ = stopped(&mut shutdown) => break,
                    }
                }
            })
        };
        // No header-read timeout from hyper: the watchdog does it (see `crate::conn::Watchdog`).
        let mut builder = http1::Builder::new();
        builder.keep_alive(true);
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, remote)) => {
                        let _ = stream.set_nodelay(true);
                        // The peer address as it appears in every record of the connection.
                        let mut remote_json = Vec::new();
                        write::str(&mut remote_json, &remote.to_string());
                        let remote: Arc<[u8]> = remote_json.into();
                        let (conn, tap) =
                            Conn::new(stream, shared.commits.clone(), shared.watchdog.clone());
                        let io = TokioIo::new(tap);
                        let conn_shared = shared.clone();
                        let service = service_fn(move |request| {
                            handle(conn_shared.clone(), remote.clone(), conn.clone(), request)
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
        watchdog.abort();
        let _ = watchdog.await;
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

/// The header value of a `Content-Type` the receiver picked; the usual ones are built once.
fn content_type_value(content_type: &'static str) -> HeaderValue {
    const JSON: HeaderValue = HeaderValue::from_static("application/json");
    const TEXT: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");
    match content_type {
        "application/json" => JSON,
        "text/plain; charset=utf-8" => TEXT,
        other => HeaderValue::from_static(other),
    }
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

/// The `Content-Type` an answer gets from the receiver: none when its headers set one.
fn content_type(headers: &[(String, String)], body: &str) -> Option<&'static str> {
    (!headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-type")))
    .then(|| content_type_for(body))
}

/// The answer given to a request, as its record describes it.
struct Given<'a> {
    /// `None` when a fault meant no answer was sent.
    status: Option<StatusCode>,
    content_type: Option<&'static str>,
    headers: &'a [(String, String)],
    body: &'a [u8],
    rule: Option<usize>,
    delay: Option<Duration>,
    fault: Option<Fault>,
    rejected: Option<&'a str>,
}

/// Appends `,"response":{…}` for the answer `given` (see [`crate::record::RecordedResponse`]).
fn write_response(json: &mut Vec<u8>, given: &Given<'_>) {
    json.extend_from_slice(b",\"response\":{\"status\":");
    match given.status {
        Some(status) => write::uint(json, status.as_u16().into()),
        None => json.extend_from_slice(b"null"),
    }
    json.extend_from_slice(b",\"headers\":");
    write::pairs(
        json,
        given
            .content_type
            .map(|ct| (&b"Content-Type"[..], ct.as_bytes()))
            .into_iter()
            .chain(
                given
                    .headers
                    .iter()
                    .map(|(n, v)| (n.as_bytes(), v.as_bytes())),
            ),
    );
    json.extend_from_slice(b",\"body\":");
    match given.fault {
        None => write::lossy(json, given.body),
        Some(_) => json.extend_from_slice(b"\"\""),
    }
    if let Some(rule) = given.rule {
        json.extend_from_slice(b",\"rule\":");
        write::uint(json, rule as u64);
    }
    if let Some(delay) = given.delay {
        json.extend_from_slice(b",\"delay_ms\":");
        write::uint(json, delay.as_millis() as u64);
    }
    if let Some(fault) = given.fault {
        json.extend_from_slice(b",\"fault\":");
        write::str(json, fault.name());
    }
    if let Some(rejected) = given.rejected {
        json.extend_from_slice(b",\"rejected\":");
        write::str(json, rejected);
    }
    json.push(b'}');
}

async fn handle(
    shared: Arc<Shared>,
    remote: Arc<[u8]>,
    conn: Arc<Conn>,
    request: Request<Incoming>,
) -> Result<Response<Body>, Unanswered> {
    let received_at = SystemTime::now();
    // While this runs (and the answer is held), the connection is not idle.
    let _answering = conn.answering(&shared.watchdog);
    let path = request.uri().path();
    if path == "/_hooktest" || path.starts_with("/_hooktest/") {
        // The tap queued this request's raw head too: take it off the queue, or the next request
        // on this keep-alive connection would be paired with it and lose its header case.
        let target = request
            .uri()
            .path_and_query()
            .map(|pq| pq.as_str())
            .unwrap_or(path);
        let _ = wire::claim(
            &conn.heads,
            request.method().as_str(),
            target,
            request.headers().len(),
        );
        let response = admin::handle(shared.clone(), request).await;
        if matches!(response.body(), Either::Right(_)) {
            conn.streaming();
        }
        return Ok(response);
    }
    if shared.commits.has_failed() {
        // Nothing can be recorded any more: say so at once rather than answer as if it were.
        return Ok(full(
            StatusCode::INTERNAL_SERVER_ERROR,
            "application/json",
            JOURNAL_FAILED_BODY,
        ));
    }
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str();
    let target = match parts.uri.path_and_query() {
        Some(pq) => Cow::Borrowed(pq.as_str()),
        None => Cow::Owned(parts.uri.to_string()),
    };
    // An origin-form target is the path and query as sent; others are compared in full.
    let hyper_target = match parts.uri.scheme() {
        None if target.starts_with('/') => Cow::Borrowed(&*target),
        _ => Cow::Owned(parts.uri.to_string()),
    };
    let raw = wire::claim(&conn.heads, method, &hyper_target, parts.headers.len());
    let (path, query) = match raw
        .as_ref()
        .map(|raw| raw.target())
        .filter(|t| t.starts_with('/'))
    {
        Some(raw_target) => split_target(raw_target),
        None => split_target(&target),
    };

    let (bytes, rejected) = read_body(&parts.headers, body, shared.config.max_body).await;
    let rejected_message = rejected.then(|| {
        format!(
            "request body larger than the limit of {} bytes (--max-body)",
            shared.config.max_body
        )
    });

    let rules = shared.rules.read().map(|r| r.clone()).unwrap_or_default();
    // The default answer is borrowed, not copied: most requests get it.
    let (rule, answer) = match (&rejected_message, rules.answer(method, path)) {
        (Some(_), _) => (None, Cow::Owned(Answer::default())),
        (None, Some((index, answer))) => {
            (Some(index), Cow::Owned(answer.or(&shared.default_answer)))
        }
        (None, None) => (None, Cow::Borrowed(&shared.default_answer)),
    };

    let verdict = match (&rejected_message, &answer.verify) {
        (None, Some(verifier)) => {
            let now = received_at
                .duration_since(SystemTime::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or_default();
            let headers = match &raw {
                Some(raw) => owned_pairs(raw.headers()),
                None => owned_pairs(hyper_pairs(&parts.headers)),
            };
            Some(verifier.verify(&headers, &bytes, now, shared.config.tolerance))
        }
        _ => None,
    };
    let refused = verdict
        .as_ref()
        .filter(|v| !v.valid && shared.config.reject_invalid);
    // A refused request gets its 401 at once: no rule delay, no fault.
    let (delay, fault) = match (&rejected_message, refused) {
        (None, None) => (answer.delay, answer.fault),
        (Some(_), _) => (None, None),
        (None, Some(_)) => (None, None),
    };
    let delay = delay.filter(|_| rejected_message.is_none());

    let (status, response_headers, response_body, content_type): (_, &[(String, String)], _, _) =
        match (&rejected_message, refused) {
            (Some(message), _) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                &[],
                Bytes::from(serde_json::json!({ "error": message }).to_string()),
                Some("application/json"),
            ),
            (None, Some(verdict)) => (
                StatusCode::UNAUTHORIZED,
                &[],
                Bytes::from(
                    serde_json::json!({
                        "error": "signature verification failed",
                        "reason": verdict.reason,
                        "message": verdict.message,
                    })
                    .to_string(),
                ),
                Some("application/json"),
            ),
            (None, None) => {
                let status =
                    StatusCode::from_u16(answer.status.unwrap_or(200)).unwrap_or(StatusCode::OK);
                match &answer {
                    Cow::Borrowed(_) => (
                        status,
                        &answer.headers[..],
                        shared.default_body.clone(),
                        shared.default_content_type,
                    ),
                    Cow::Owned(answer) => {
                        let body = answer.body.clone().unwrap_or_default();
                        let content_type = content_type(&answer.headers, &body);
                        (status, &answer.headers[..], Bytes::from(body), content_type)
                    }
                }
            }
        };

    // The record's JSON after its sequence number (see `Shared::record`).
    let mut json = Vec::with_capacity(
        SEQ_ROOM
            + 384
            + raw.as_ref().map_or(512, |raw| raw.len() + raw.len() / 4)
            + bytes.len() * 7 / 3
            + response_body.len() * 5 / 4
            + method.len()
            + path.len(),
    );
    json.resize(SEQ_ROOM, b' ');
    json.extend_from_slice(b",\"received_at\":");
    write::timestamp(&mut json, received_at);
    json.extend_from_slice(b",\"remote\":");
    json.extend_from_slice(&remote);
    json.extend_from_slice(b",\"method\":");
    write::str(&mut json, method);
    json.extend_from_slice(b",\"path\":");
    write::str(&mut json, path);
    json.extend_from_slice(b",\"query\":");
    write::opt_str(&mut json, query);
    json.extend_from_slice(b",\"headers\":");
    match &raw {
        Some(raw) => write::header_fields(&mut json, raw.headers()),
        None => write::header_fields(&mut json, hyper_pairs(&parts.headers)),
    }
    json.extend_from_slice(b",\"body\":");
    if !write::utf8(&mut json, &bytes) {
        json.extend_from_slice(b"null");
    }
    json.extend_from_slice(b",\"body_base64\":");
    write::base64(&mut json, &bytes);
    match (&answer, &rejected_message, refused) {
        // Most requests get the default answer, whose part of the record never changes.
        (Cow::Borrowed(_), None, None) => json.extend_from_slice(&shared.default_response_json),
        _ => write_response(
            &mut json,
            &Given {
                status: fault.is_none().then_some(status),
                content_type,
                headers: response_headers,
                body: &response_body,
                rule,
                delay,
                fault,
                rejected: rejected_message.as_deref(),
            },
        ),
    }
    if let Some(verdict) = &verdict {
        json.extend_from_slice(b",\"verification\":");
        // Serializing a plain struct into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut json, verdict);
    }
    json.push(b'}');

    let batch = shared.record(method, path, json);
    if let Some(batch) = batch {
        // The answer goes out once the journal line is written: see `crate::conn`.
        conn.hold_until(batch);
    }
    if let Some(raw) = raw {
        wire::recycle(&conn.heads, raw);
    }
    drop((bytes, parts));

    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    if let (Some(_), Some(batch)) = (fault, batch) {
        // A fault has no answer to hold back: it is acted out once the line is written.
        if !shared.commits.written_by(batch).await {
            return Err(Unanswered("the journal could not be written"));
        }
    }
    match fault {
        Some(Fault::Close) => return Err(Unanswered("fault: close")),
        Some(Fault::Hang) => {
            let mut shutdown = shared.shutdown.clone();
            stopped(&mut shutdown).await;
            return Err(Unanswered("fault: hang"));
        }
        None => {}
    }

    let mut response = Response::new(Either::Left(Full::new(response_body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if let Some(content_type) = content_type {
        headers.insert(header::CONTENT_TYPE, content_type_value(content_type));
    }
    for (name, value) in response_headers {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.append(name, value);
        }
    }
    Ok(response)
}

/// hyper's view of the request headers (names lowercased), for when the wire tap has none.
fn hyper_pairs(headers: &http::HeaderMap) -> impl Iterator<Item = (&[u8], &[u8])> + '_ {
    headers
        .iter()
        .map(|(n, v)| (n.as_str().as_bytes(), v.as_bytes()))
}

fn owned_pairs<'a>(pairs: impl Iterator<Item = (&'a [u8], &'a [u8])>) -> Vec<(String, String)> {
    pairs
        .map(|(n, v)| {
            (
                String::from_utf8_lossy(n).into_owned(),
                String::from_utf8_lossy(v).into_owned(),
            )
        })
        .collect()
}

fn split_target(target: &str) -> (&str, Option<&str>) {
    match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// The journal batch of a request with a delay fails while the service sleeps: the client
    /// must get the 500, as before the change (the old code checked after the batch was written).
    #[tokio::test]
    async fn a_delayed_answer_whose_journal_line_failed_is_a_500() {
        let dir = tempfile::tempdir().unwrap();
        let config = ReceiverConfig {
            journal: Some(dir.path().join("journal.jsonl")),
            rules: Some(Rules::from_yaml("- path: /slow\n  delay: 300ms\n").unwrap()),
            ..ReceiverConfig::default()
        };
        let (prepared, handle) = prepare(config).await.unwrap();
        // Every later write fails (ENOSPC).
        *handle.shared.journal.lock().unwrap() =
            Some(Journal::open(std::path::Path::new("/dev/full")).unwrap());
        let task = tokio::spawn(prepared.run());
        let addr = handle.addr();
        let reply = tokio::task::spawn_blocking(move || {
            let mut stream = std::net::TcpStream::connect(addr).unwrap();
            stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            stream
                .write_all(b"POST /slow HTTP/1.1\r\nHost: h\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
                .unwrap();
            let mut got = Vec::new();
            let _ = stream.read_to_end(&mut got);
            String::from_utf8_lossy(&got).into_owned()
        })
        .await
        .unwrap();
        handle.request_stop();
        let _ = task.await;
        assert!(
            reply.starts_with("HTTP/1.1 500 "),
            "answered as if recorded: {reply:?}"
        );
    }
}
