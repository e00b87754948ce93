//! Sees request heads as they were on the wire.
//!
//! hyper 1 lowercases header names and groups repeated headers, and its extensions that keep the
//! original case and order are private. So each connection's reads pass through
//! [`crate::conn::Tap`], which
//! follows the HTTP/1 framing (heads, `Content-Length` and chunked bodies) and parses every head a
//! second time with `httparse`. The service pairs each hyper request with the head seen here and
//! falls back to hyper's view when they disagree.

use std::collections::VecDeque;
use std::ops::Range;
use std::sync::Mutex;

/// A request head as received: its bytes, with where each part lies in them.
///
/// One copy of the head and one list of offsets per request, rather than a string per header;
/// both buffers are reused for later heads of the connection once the service gives them back
/// ([`recycle`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawHead {
    bytes: Vec<u8>,
    method: Range<usize>,
    target: Range<usize>,
    headers: Vec<(Range<usize>, Range<usize>)>,
}

impl RawHead {
    /// Makes this the head `httparse` found in the first `len` bytes of `source`, copying them.
    fn fill(&mut self, source: &[u8], len: usize, request: &httparse::Request<'_, '_>) {
        let base = source.as_ptr() as usize;
        // httparse hands out slices of `source`; their offsets are found from their addresses and
        // hold in the copy too.
        let at = |part: &[u8]| {
            let start = part.as_ptr() as usize - base;
            start..start + part.len()
        };
        self.method = at(request.method.unwrap_or_default().as_bytes());
        self.target = at(request.path.unwrap_or_default().as_bytes());
        self.headers.clear();
        self.headers.extend(
            request
                .headers
                .iter()
                .map(|h| (at(h.name.as_bytes()), at(h.value))),
        );
        self.bytes.clear();
        self.bytes.extend_from_slice(&source[..len]);
    }

    /// The size of the head in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn method(&self) -> &[u8] {
        &self.bytes[self.method.clone()]
    }

    /// The request target as sent (httparse only accepts visible ASCII there).
    pub fn target(&self) -> &str {
        std::str::from_utf8(&self.bytes[self.target.clone()]).unwrap_or_default()
    }

    /// Header fields as on the wire: `(name, value)`, in order.
    pub fn headers(&self) -> impl ExactSizeIterator<Item = (&[u8], &[u8])> + '_ {
        self.headers
            .iter()
            .map(|(n, v)| (&self.bytes[n.clone()], &self.bytes[v.clone()]))
    }
}

/// Heads seen on one connection, not yet claimed by the service.
#[derive(Debug, Default)]
pub struct Heads {
    queue: VecDeque<RawHead>,
    broken: bool,
    /// Heads the service gave back, to be filled again.
    spare: Vec<RawHead>,
}

impl Heads {
    /// How many heads wait to be claimed.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }
}

/// Gives a claimed head back to its connection, so the next head reuses its buffers.
pub fn recycle(heads: &Mutex<Heads>, head: RawHead) {
    let mut heads = heads
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if heads.spare.len() < 4 {
        heads.spare.push(head);
    }
}

/// Takes the head hyper just handed over, if the tap saw the same one.
pub fn claim(heads: &Mutex<Heads>, method: &str, target: &str, count: usize) -> Option<RawHead> {
    let mut heads = heads
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if heads.broken {
        return None;
    }
    match heads.queue.pop_front() {
        Some(head)
            if head.method() == method.as_bytes()
                && head.target() == target
                && head.headers.len() == count =>
        {
            Some(head)
        }
        _ => {
            heads.broken = true;
            heads.queue.clear();
            None
        }
    }
}

const MAX_HEAD: usize = 1 << 20;

#[derive(Debug)]
enum State {
    Head,
    Body(u64),
    ChunkSize,
    ChunkData(u64),
    ChunkEnd,
    Trailers,
    Broken,
}

/// Follows HTTP/1 request framing over a byte stream and collects each head.
#[derive(Debug)]
pub struct Framer {
    state: State,
    buf: Vec<u8>,
}

impl Default for Framer {
    fn default() -> Framer {
        Framer::new()
    }
}

impl Framer {
    pub fn new() -> Framer {
        Framer {
            state: State::Head,
            buf: Vec::new(),
        }
    }

    fn broken(&mut self, heads: &mut Heads) {
        self.state = State::Broken;
        self.buf = Vec::new();
        heads.broken = true;
    }

    /// Whether the next bytes are (part of) a request head rather than a body.
    pub fn expects_head(&self) -> bool {
        // Once framing is lost (an `Upgrade` header hyper answers normally), assume a head.
        matches!(self.state, State::Head | State::Broken)
    }

    /// Feeds bytes read from the connection; complete heads are queued on `heads`.
    pub fn feed(&mut self, mut data: &[u8], heads: &mut Heads) {
        while !data.is_empty() {
            match self.state {
                State::Broken => return,
                State::Head if self.buf.is_empty() => {
                    // hyper ignores blank lines before a request line; so do we.
                    let skip = data
                        .iter()
                        .take_while(|&&b| b == b'\r' || b == b'\n')
                        .count();
                    data = &data[skip..];
                    if data.is_empty() {
                        return;
                    }
                    // The usual case: a whole head in one read, parsed where it lies.
                    match self.parse_head(data, heads) {
                        Some(used) => data = &data[used..],
                        None => {
                            if !matches!(self.state, State::Broken) {
                                self.buf.extend_from_slice(data);
                            }
                            return;
                        }
                    }
                }
                State::Head => {
                    let mut buf = std::mem::take(&mut self.buf);
                    buf.extend_from_slice(data);
                    data = &[];
                    match self.parse_head(&buf, heads) {
                        Some(used) => return self.feed(&buf[used..], heads),
                        None if matches!(self.state, State::Broken) => {}
                        None => self.buf = buf,
                    }
                }
                State::Body(left) => {
                    let n = left.min(data.len() as u64);
                    data = &data[n as usize..];
                    self.state = if left == n {
                        State::Head
                    } else {
                        State::Body(left - n)
                    };
                }
                State::ChunkData(left) => {
                    let n = left.min(data.len() as u64);
                    data = &data[n as usize..];
                    self.state = if left == n {
                        State::ChunkEnd
                    } else {
                        State::ChunkData(left - n)
                    };
                }
                State::ChunkSize | State::ChunkEnd | State::Trailers => {
                    let Some(end) = data.iter().position(|&b| b == b'\n') else {
                        self.buf.extend_from_slice(data);
                        if self.buf.len() > MAX_HEAD {
                            self.broken(heads);
                        }
                        return;
                    };
                    self.buf.extend_from_slice(&data[..=end]);
                    data = &data[end + 1..];
                    let line = std::mem::take(&mut self.buf);
                    self.line(&line, heads);
                }
            }
        }
    }

    fn line(&mut self, line: &[u8], heads: &mut Heads) {
        let text = line.strip_suffix(b"\n").unwrap_or(line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        match self.state {
            State::ChunkSize => {
                let size = text.split(|&b| b == b';').next().unwrap_or_default();
                let size = std::str::from_utf8(size)
                    .ok()
                    .and_then(|s| u64::from_str_radix(s.trim(), 16).ok());
                match size {
                    Some(0) => self.state = State::Trailers,
                    Some(n) => self.state = State::ChunkData(n),
                    None => self.broken(heads),
                }
            }
            State::ChunkEnd => self.state = State::ChunkSize,
            State::Trailers if text.is_empty() => self.state = State::Head,
            _ => {}
        }
    }

    /// Parses the head at the start of `data`: `Some(bytes used)` when it is complete (the head
    /// is queued and the state moves on to its body), `None` when more is needed or the stream is
    /// not HTTP/1 requests (then the state is `Broken`).
    fn parse_head(&mut self, data: &[u8], heads: &mut Heads) -> Option<usize> {
        // Uninitialized slots: initializing 128 headers would cost more than parsing most heads.
        let mut slots = [std::mem::MaybeUninit::<httparse::Header<'_>>::uninit(); 128];
        let mut request = httparse::Request::new(&mut []);
        let used = match request.parse_with_uninit_headers(data, &mut slots) {
            Ok(httparse::Status::Complete(used)) => used,
            Ok(httparse::Status::Partial) if data.len() <= MAX_HEAD => return None,
            _ => {
                self.broken(heads);
                return None;
            }
        };
        let Some(next) = body_framing(&request) else {
            self.broken(heads);
            return None;
        };
        let mut head = heads.spare.pop().unwrap_or_default();
        head.fill(data, used, &request);
        heads.queue.push_back(head);
        self.state = next;
        Some(used)
    }
}

/// What follows a head: `None` when the connection stops being HTTP/1 requests (upgrades).
fn body_framing(head: &httparse::Request<'_, '_>) -> Option<State> {
    if head
        .method
        .is_some_and(|m| m.eq_ignore_ascii_case("CONNECT"))
    {
        return None;
    }
    let mut length = None;
    let mut chunked = false;
    for header in head.headers.iter() {
        // Most names start with neither `c`, `t` nor `u`: skip those without comparing further.
        if !matches!(
            header.name.as_bytes().first(),
            Some(b'c' | b'C' | b't' | b'T' | b'u' | b'U')
        ) {
            continue;
        }
        let value = String::from_utf8_lossy(header.value);
        if header.name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value
                .rsplit(',')
                .next()
                .is_some_and(|last| last.trim().eq_ignore_ascii_case("chunked"));
        } else if header.name.eq_ignore_ascii_case("content-length") {
            length = Some(value.trim().parse::<u64>().ok()?);
        } else if header.name.eq_ignore_ascii_case("upgrade") {
            return None;
        }
    }
    Some(match (chunked, length) {
        (true, _) => State::ChunkSize,
        (false, Some(0) | None) => State::Head,
        (false, Some(n)) => State::Body(n),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heads_of(chunks: &[&[u8]]) -> (Vec<RawHead>, bool) {
        let mut heads = Heads::default();
        let mut framer = Framer::new();
        for chunk in chunks {
            framer.feed(chunk, &mut heads);
        }
        (heads.queue.iter().cloned().collect(), heads.broken)
    }

    #[test]
    fn keeps_case_order_and_repeats() {
        let (heads, broken) = heads_of(&[b"POST /a?b=1 HTTP/1.1\r\nX-One: 1\r\nHost: h\r\nx-one: 2\r\nContent-Length: 3\r\n\r\nabc"]);
        assert!(!broken);
        assert_eq!(heads.len(), 1);
        assert_eq!(heads[0].method(), b"POST");
        assert_eq!(heads[0].target(), "/a?b=1");
        let headers: Vec<_> = heads[0].headers().collect();
        assert_eq!(
            headers,
            [
                (&b"X-One"[..], &b"1"[..]),
                (b"Host", b"h"),
                (b"x-one", b"2"),
                (b"Content-Length", b"3")
            ]
        );
    }

    #[test]
    fn follows_bodies_across_reads() {
        let stream: &[u8] = b"POST /1 HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloPOST /2 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n10;ext=1\r\n0123456789abcdef\r\n0\r\nTrailer: x\r\n\r\nGET /3 HTTP/1.1\r\n\r\n";
        for split in 1..stream.len() {
            let (heads, broken) = heads_of(&[&stream[..split], &stream[split..]]);
            assert!(!broken, "split at {split}");
            let targets: Vec<_> = heads.iter().map(|h| h.target()).collect();
            assert_eq!(targets, ["/1", "/2", "/3"], "split at {split}");
        }
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(heads_of(&bytes).0.len(), 3);
    }

    #[test]
    fn claim_checks_agreement() {
        let mut queued = Heads::default();
        Framer::new().feed(
            b"GET /x HTTP/1.1\r\nA: 1\r\n\r\nGET /y HTTP/1.1\r\n\r\n",
            &mut queued,
        );
        let heads = Mutex::new(queued);
        assert!(claim(&heads, "GET", "/x", 1).is_some());
        assert!(claim(&heads, "GET", "/z", 0).is_none());
        assert!(
            claim(&heads, "GET", "/y", 0).is_none(),
            "a mismatch stops pairing"
        );
    }
}
