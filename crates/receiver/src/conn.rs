//! One connection's socket, shared by hyper (through [`Tap`]) and the journal writer.
//!
//! An answer may only go out once its record's journal line is written. Waiting for that inside
//! the service would wake every connection task a second time per request (once to record, once
//! to answer after the journal write), and while a service waits hyper also re-reads the socket
//! and re-allocates its read buffer. Instead the service answers at once; when hyper writes an
//! answer whose journal batch is not written yet, [`Tap`] holds the bytes, and the task that
//! writes the batch sends the held answers itself right after ([`Commits::release`]). A
//! connection task then runs once per request, as in a server that records nothing, and a batch
//! still costs one journal write.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, Weak};
use std::task::{ready, Context, Poll, Waker};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;

use crate::wire::{Framer, Heads};

/// The body of the 500 a request gets when its journal line could not be written.
pub(crate) const JOURNAL_FAILED_BODY: &str = r#"{"error":"hooktest could not record this request: the journal could not be written (see the receiver's stderr)"}"#;

/// The error hyper gets on a connection whose journal batch failed.
fn journal_lost() -> io::Error {
    io::Error::new(
        io::ErrorKind::BrokenPipe,
        "the journal could not be written",
    )
}

/// What a client gets instead of its answer when the journal could not be written: its request is
/// not recorded, so it is not answered as if it were.
static JOURNAL_FAILED: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let body = JOURNAL_FAILED_BODY.as_bytes();
    let mut answer = format!(
        "HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(body);
    answer
});

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The state of one connection that outlives hyper's use of it.
pub(crate) struct Conn {
    /// Request heads as they were on the wire, for the service to claim.
    pub(crate) heads: Mutex<Heads>,
    out: Mutex<Out>,
    /// Requests being answered (the service runs).
    busy: AtomicU32,
    /// Since when (on the [`Watchdog`]'s clock) the connection waits for a request head; 0 when
    /// it does not (a body is being read).
    waiting_since: AtomicU64,
    /// The answer is a stream (the live page's events): the connection is never idle.
    streaming: AtomicBool,
    /// hyper has answer bytes the socket did not take yet (a slow reader): not idle.
    writing: AtomicBool,
}

struct Out {
    write: OwnedWriteHalf,
    /// Bytes hyper wrote that are not on the socket yet.
    buf: Vec<u8>,
    /// The journal batch that must be written before `buf` may go out (0: none).
    batch: u64,
    /// In the journal writer's list.
    listed: bool,
    /// The connection task, woken when held bytes need it: the socket was full, or it waits to
    /// shut down.
    waker: Option<Waker>,
    /// The connection task waits in `poll_shutdown` for the journal.
    shutting_down: bool,
    /// The journal write failed: the connection is answered with a 500 and closed.
    failed: bool,
}

impl Conn {
    /// Splits `stream`: reads go through the returned [`Tap`], writes through the shared state.
    /// The connection is watched by `watchdog`.
    pub(crate) fn new(
        stream: TcpStream,
        commits: Arc<Commits>,
        watchdog: Arc<Watchdog>,
    ) -> (Arc<Conn>, Tap) {
        let (read, write) = stream.into_split();
        let conn = Arc::new(Conn {
            heads: Mutex::new(Heads::default()),
            busy: AtomicU32::new(0),
            waiting_since: AtomicU64::new(watchdog.now()),
            streaming: AtomicBool::new(false),
            writing: AtomicBool::new(false),
            out: Mutex::new(Out {
                write,
                buf: Vec::new(),
                batch: 0,
                listed: false,
                waker: None,
                shutting_down: false,
                failed: false,
            }),
        });
        watchdog.watch(&conn);
        let tap = Tap {
            read,
            framer: Framer::new(),
            conn: conn.clone(),
            commits,
            watchdog,
        };
        (conn, tap)
    }

    /// Marks a request as being answered until the returned guard drops; then the connection
    /// waits for the next head, from that moment.
    pub(crate) fn answering<'a>(&'a self, watchdog: &'a Watchdog) -> Answering<'a> {
        self.busy.fetch_add(1, Ordering::Relaxed);
        Answering {
            conn: self,
            watchdog,
        }
    }

    /// The answer is a stream that lasts: the watchdog leaves the connection alone from now on.
    pub(crate) fn streaming(&self) {
        self.streaming.store(true, Ordering::Relaxed);
    }

    /// Closes the connection if it is idle: no request being answered, none of its answer held,
    /// and waiting for a head since before `before`. The pending read then ends and hyper drops
    /// the connection.
    fn close_if_idle(&self, before: u64) {
        let since = self.waiting_since.load(Ordering::Relaxed);
        if since == 0
            || since > before
            || self.busy.load(Ordering::Relaxed) > 0
            || self.streaming.load(Ordering::Relaxed)
            || self.writing.load(Ordering::Relaxed)
        {
            return;
        }
        let out = lock(&self.out);
        if out.buf.is_empty() {
            let stream: &TcpStream = out.write.as_ref();
            let _ = socket2::SockRef::from(stream).shutdown(std::net::Shutdown::Both);
        }
    }

    /// Answers written from now on wait until journal batch `batch` is written.
    pub(crate) fn hold_until(&self, batch: u64) {
        let mut out = lock(&self.out);
        out.batch = out.batch.max(batch);
    }

    /// Sends what was held for journal batches up to `written` (called by the journal writer);
    /// `false` when the connection waits for a later batch and must stay listed.
    fn release(&self, written: u64, commits: &Commits) -> bool {
        let mut out = lock(&self.out);
        if out.batch > written {
            // Stays listed: `Commits::release` puts it back without taking `out`.
            return false;
        }
        out.listed = false;
        if commits.lost(out.batch) {
            fail(&mut out);
        }
        let mut sent = 0;
        while sent < out.buf.len() {
            match out.write.try_write(&out.buf[sent..]) {
                Ok(0) => break,
                Ok(n) => sent += n,
                // The socket is full: the connection task sends the rest when it can.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                // The peer is gone; the connection task will find out when it reads.
                Err(_) => {
                    sent = out.buf.len();
                    break;
                }
            }
        }
        out.buf.drain(..sent);
        if !out.buf.is_empty() || out.shutting_down || out.failed {
            if let Some(waker) = &out.waker {
                waker.wake_by_ref();
            }
        }
        true
    }
}

/// Journal batches written, and the connections holding answers until theirs is.
#[derive(Default)]
pub(crate) struct Commits {
    /// Woken after each batch, for the rare answers that wait in the service ([`Commits::written_by`]).
    done: tokio::sync::Notify,
    written: AtomicU64,
    /// The first journal batch that could not be written (0: none).
    failed: AtomicU64,
    waiting: Mutex<Vec<Arc<Conn>>>,
}

impl Commits {
    fn written(&self) -> u64 {
        self.written.load(Ordering::Acquire)
    }

    /// Whether the journal could not be written at some point.
    pub(crate) fn has_failed(&self) -> bool {
        self.failed.load(Ordering::Relaxed) != 0
    }

    /// Whether the lines of journal batch `batch` (0: none) are lost: from the first batch that
    /// failed on, every answer is a 500.
    fn lost(&self, batch: u64) -> bool {
        let failed = self.failed.load(Ordering::Relaxed);
        batch != 0 && failed != 0 && batch >= failed
    }

    /// Lists `conn` until its batch is written; `false` when it already is.
    fn wait(&self, conn: &Arc<Conn>, out: &mut Out) -> bool {
        let mut waiting = lock(&self.waiting);
        // Checked under the list's lock, which `release` takes to move `written` on: a connection
        // cannot be listed just after the list was emptied for its batch.
        if self.written() >= out.batch {
            return false;
        }
        if !out.listed {
            out.listed = true;
            waiting.push(conn.clone());
        }
        true
    }

    /// Waits until journal batch `batch` is written; `false` when writing it failed. For what
    /// happens in the service after recording (a fault acted out, a delay): answers themselves
    /// wait in [`Tap`].
    pub(crate) async fn written_by(&self, batch: u64) -> bool {
        loop {
            let done = self.done.notified();
            if self.written() >= batch {
                return !self.lost(batch);
            }
            done.await;
        }
    }

    /// Journal batch `batch` was written (`ok`) or failed: sends the answers it held.
    pub(crate) fn release(&self, batch: u64, ok: bool) {
        let conns = {
            let mut waiting = lock(&self.waiting);
            if !ok && self.failed.load(Ordering::Relaxed) == 0 {
                self.failed.store(batch, Ordering::Relaxed);
            }
            self.written.store(batch, Ordering::Release);
            std::mem::take(&mut *waiting)
        };
        let mut later = Vec::new();
        for conn in conns {
            if !conn.release(batch, self) {
                later.push(conn);
            }
        }
        self.done.notify_waiters();
        if !later.is_empty() {
            // Still marked listed, so `wait` did not list them twice meanwhile; `out` is not
            // taken under `waiting` (`Tap::poll_write` takes them the other way round).
            lock(&self.waiting).extend(later);
        }
    }
}

/// A request being answered on a connection (see [`Conn::answering`]).
pub(crate) struct Answering<'a> {
    conn: &'a Conn,
    watchdog: &'a Watchdog,
}

impl Drop for Answering<'_> {
    fn drop(&mut self) {
        self.conn
            .waiting_since
            .store(self.watchdog.now(), Ordering::Relaxed);
        self.conn.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Closes connections that wait too long for a request head: a client that stalls in the middle
/// of one, or an idle keep-alive connection. One task checks every connection a few times per
/// timeout, so a request costs two relaxed stores instead of a timer armed and disarmed (what
/// hyper's own header-read timeout does).
pub(crate) struct Watchdog {
    start: Instant,
    timeout: Duration,
    /// Milliseconds since `start` as of the last round, plus one (0 means "not waiting").
    now: AtomicU64,
    conns: Mutex<Vec<Weak<Conn>>>,
}

impl Watchdog {
    pub(crate) fn new(timeout: Duration) -> Watchdog {
        Watchdog {
            start: Instant::now(),
            timeout,
            now: AtomicU64::new(1),
            conns: Mutex::new(Vec::new()),
        }
    }

    fn now(&self) -> u64 {
        self.now.load(Ordering::Relaxed)
    }

    fn watch(&self, conn: &Arc<Conn>) {
        lock(&self.conns).push(Arc::downgrade(conn));
    }

    /// How often a round runs: a quarter of the timeout, within 5 ms and 1 s.
    pub(crate) fn interval(&self) -> Duration {
        (self.timeout / 4).clamp(Duration::from_millis(5), Duration::from_secs(1))
    }

    /// One round: moves the clock on, forgets closed connections and closes those waiting for a
    /// head since `timeout` ago or longer.
    pub(crate) fn round(&self) {
        let now = self.start.elapsed().as_millis() as u64 + 1;
        self.now.store(now, Ordering::Relaxed);
        let conns: Vec<Arc<Conn>> = {
            let mut conns = lock(&self.conns);
            conns.retain(|conn| conn.strong_count() > 0);
            conns.iter().filter_map(Weak::upgrade).collect()
        };
        // Stamps are taken from this clock, which is up to one interval behind.
        let slack = self.timeout + self.interval();
        let Some(before) = now.checked_sub(slack.as_millis() as u64) else {
            return;
        };
        for conn in &conns {
            conn.close_if_idle(before);
        }
    }
}

/// hyper's side of a connection: reads are also fed to a [`Framer`] (see [`crate::wire`]),
/// writes wait for the journal as described in the module documentation.
pub(crate) struct Tap {
    read: OwnedReadHalf,
    framer: Framer,
    conn: Arc<Conn>,
    commits: Arc<Commits>,
    watchdog: Arc<Watchdog>,
}

impl Tap {
    /// Sends held bytes whose batch is written; `Pending` while the socket is full or, when
    /// `wait` is set, while the batch is not written yet.
    fn drain(&self, out: &mut Out, cx: &mut Context<'_>, wait: bool) -> Poll<io::Result<()>> {
        if out.failed {
            return Poll::Ready(Err(journal_lost()));
        }
        if out.buf.is_empty() {
            return Poll::Ready(Ok(()));
        }
        if out.batch > self.commits.written() {
            if !wait {
                return Poll::Ready(Ok(()));
            }
            out.shutting_down = true;
            set_waker(out, cx);
            return Poll::Pending;
        }
        let mut sent = 0;
        let result = loop {
            if sent == out.buf.len() {
                break Poll::Ready(Ok(()));
            }
            let Out { write, buf, .. } = &mut *out;
            match Pin::new(write).poll_write(cx, &buf[sent..]) {
                Poll::Ready(Ok(0)) => break Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => sent += n,
                Poll::Ready(Err(e)) => break Poll::Ready(Err(e)),
                Poll::Pending => break Poll::Pending,
            }
        };
        out.buf.drain(..sent);
        result
    }
}

/// The journal batch of an answer failed: the 500 goes out instead, and the connection ends.
fn fail(out: &mut Out) {
    out.failed = true;
    out.buf.clear();
    let _ = out.write.try_write(&JOURNAL_FAILED);
}

fn set_waker(out: &mut Out, cx: &Context<'_>) {
    if !out.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
        out.waker = Some(cx.waker().clone());
    }
}

impl AsyncRead for Tap {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        {
            // Held bytes the journal writer could not send (socket full) go out first; a full
            // socket does not stop reading.
            let mut out = lock(&this.conn.out);
            if let Poll::Ready(Err(e)) = this.drain(&mut out, cx, false) {
                return Poll::Ready(Err(e));
            }
        }
        let before = buf.filled().len();
        let poll = Pin::new(&mut this.read).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = poll {
            let mut heads = lock(&this.conn.heads);
            let queued = heads.queued();
            this.framer.feed(&buf.filled()[before..], &mut heads);
            let completed = heads.queued() > queued;
            drop(heads);
            // Waiting for a head starts when its first bytes (or none yet) leave the framer
            // expecting one, and keeps its start however slowly the rest comes. A head that just
            // completed starts the wait afresh: its request is about to be answered.
            let waiting = &this.conn.waiting_since;
            if !this.framer.expects_head() {
                waiting.store(0, Ordering::Relaxed);
            } else if completed || waiting.load(Ordering::Relaxed) == 0 {
                waiting.store(this.watchdog.now(), Ordering::Relaxed);
            }
        }
        poll
    }
}

impl AsyncWrite for Tap {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_vectored(cx, &[io::IoSlice::new(data)])
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let mut out = lock(&this.conn.out);
        if out.failed {
            return Poll::Ready(Err(journal_lost()));
        }
        // Bytes go behind bytes already held, and are held while their journal line is not
        // written; otherwise straight to the socket.
        let waiting = out.batch > this.commits.written() && this.commits.wait(&this.conn, &mut out);
        if !waiting && this.commits.lost(out.batch) {
            fail(&mut out);
            return Poll::Ready(Err(journal_lost()));
        }
        if out.buf.is_empty() && !waiting {
            let poll = Pin::new(&mut out.write).poll_write_vectored(cx, bufs);
            let total: usize = bufs.iter().map(|b| b.len()).sum();
            if !matches!(poll, Poll::Ready(Ok(n)) if n == total) {
                // hyper keeps the rest: the answer is still going out.
                this.conn.writing.store(true, Ordering::Relaxed);
            }
            return poll;
        }
        let mut n = 0;
        for b in bufs {
            out.buf.extend_from_slice(b);
            n += b.len();
        }
        set_waker(&mut out, cx);
        if out.batch <= this.commits.written() {
            if let Poll::Ready(Err(e)) = this.drain(&mut out, cx, false) {
                return Poll::Ready(Err(e));
            }
        }
        Poll::Ready(Ok(n))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    /// Held bytes wait for the journal writer, which sends them without this task: flushing does
    /// not wait for them (that would cost the second wake-up this module avoids).
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let mut out = lock(&this.conn.out);
        ready!(this.drain(&mut out, cx, false))?;
        ready!(Pin::new(&mut out.write).poll_flush(cx))?;
        if this.conn.writing.swap(false, Ordering::Relaxed) {
            // The answer is out: the wait for the next head starts now.
            let waiting = &this.conn.waiting_since;
            if waiting.load(Ordering::Relaxed) != 0 {
                waiting.store(this.watchdog.now(), Ordering::Relaxed);
            }
        }
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let mut out = lock(&this.conn.out);
        ready!(this.drain(&mut out, cx, true))?;
        out.shutting_down = false;
        Pin::new(&mut out.write).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// A connection on loopback: the server side as the receiver wraps it, and the client.
    async fn pair() -> (Arc<Commits>, Arc<Conn>, Tap, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let commits = Arc::new(Commits::default());
        let watchdog = Arc::new(Watchdog::new(Duration::from_secs(10)));
        let (conn, tap) = Conn::new(server, commits.clone(), watchdog);
        (commits, conn, tap, client)
    }

    const ANSWER: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";

    #[tokio::test]
    async fn an_answer_waits_for_its_journal_batch() {
        let (commits, conn, mut tap, mut client) = pair().await;
        conn.hold_until(1);
        tap.write_all(ANSWER).await.unwrap();
        tap.flush().await.unwrap();
        let mut buf = [0u8; 64];
        assert!(
            client.try_read(&mut buf).is_err(),
            "nothing is sent before the journal batch is written"
        );
        commits.release(1, true);
        client.read_exact(&mut buf[..ANSWER.len()]).await.unwrap();
        assert_eq!(&buf[..ANSWER.len()], ANSWER);
        // Once the batch is written, later answers go straight out.
        tap.write_all(ANSWER).await.unwrap();
        client.read_exact(&mut buf[..ANSWER.len()]).await.unwrap();
        assert_eq!(&buf[..ANSWER.len()], ANSWER);
    }

    #[tokio::test]
    async fn shutting_down_waits_for_held_bytes() {
        let (commits, conn, mut tap, mut client) = pair().await;
        conn.hold_until(1);
        tap.write_all(ANSWER).await.unwrap();
        let release = tokio::spawn(async move {
            tokio::task::yield_now().await;
            commits.release(1, true);
        });
        tap.shutdown().await.unwrap();
        release.await.unwrap();
        let mut got = Vec::new();
        client.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, ANSWER);
    }

    #[tokio::test]
    async fn a_failed_journal_write_answers_500_and_closes() {
        let (commits, conn, mut tap, mut client) = pair().await;
        conn.hold_until(1);
        tap.write_all(ANSWER).await.unwrap();
        commits.release(1, false);
        let mut buf = [0u8; 8];
        assert!(
            tap.read(&mut buf).await.is_err(),
            "the connection ends on the receiver's side"
        );
        drop((tap, conn));
        let mut got = Vec::new();
        client.read_to_end(&mut got).await.unwrap();
        let got = String::from_utf8(got).unwrap();
        assert!(got.starts_with("HTTP/1.1 500 "), "{got}");
        assert!(got.ends_with("could not be written (see the receiver's stderr)\"}"));
        let (head, body) = got.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("content-length: {}", body.len())));
    }

    /// The journal batch of a request fails before hyper writes its answer (a delay rule, or the
    /// writer on another thread simply being quick): the answer does not go out as if the
    /// request had been recorded.
    #[tokio::test]
    async fn an_answer_written_after_its_batch_failed_is_not_sent() {
        let (commits, conn, mut tap, mut client) = pair().await;
        conn.hold_until(1);
        commits.release(1, false);
        let _ = tap.write_all(ANSWER).await;
        let _ = tap.flush().await;
        drop((tap, conn));
        let mut got = Vec::new();
        let _ = client.read_to_end(&mut got).await;
        let got = String::from_utf8_lossy(&got);
        assert!(
            got.starts_with("HTTP/1.1 500 "),
            "sent as if recorded: {got:?}"
        );
    }

    /// Lock order: `Tap::poll_write` takes `out` then `waiting` (in `Commits::wait`), so
    /// `Commits::release` must never take `out` while it holds `waiting`. A connection task writes
    /// while the journal writer, on another thread, re-lists it for a later batch.
    #[test]
    fn release_and_poll_write_do_not_deadlock() {
        use std::sync::mpsc;
        use std::task::Waker;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let (commits, conn, tap, client) = rt.block_on(pair());
        let tap = Arc::new(Mutex::new(tap));
        let (progress_tx, progress_rx) = mpsc::channel::<u64>();
        let worker = {
            let (commits, conn, tap) = (commits.clone(), conn.clone(), tap.clone());
            std::thread::spawn(move || {
                let _guard = rt.enter();
                let mut cx = Context::from_waker(Waker::noop());
                let mut buf = [0u8; 4096];
                for k in 0..20_000u64 {
                    let (first, second) = (2 * k + 1, 2 * k + 2);
                    conn.hold_until(first);
                    let mut t = tap.lock().unwrap();
                    let _ = Pin::new(&mut *t).poll_write(&mut cx, b"a");
                    drop(t);
                    conn.hold_until(second);
                    let writer = {
                        let commits = commits.clone();
                        std::thread::spawn(move || commits.release(first, true))
                    };
                    // The connection task writes while the journal writer re-lists it.
                    let mut t = tap.lock().unwrap();
                    let _ = Pin::new(&mut *t).poll_write(&mut cx, b"b");
                    drop(t);
                    writer.join().unwrap();
                    commits.release(second, true);
                    let _ = client.try_read(&mut buf);
                    let _ = progress_tx.send(k);
                }
            })
        };
        let mut last = 0;
        loop {
            match progress_rx.recv_timeout(Duration::from_secs(5)) {
                Ok(k) => last = k,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    panic!("deadlock: no progress for 5 s after iteration {last}")
                }
            }
        }
        worker.join().unwrap();
    }
}
