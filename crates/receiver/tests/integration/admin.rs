//! The admin API under /_hooktest/.

use std::time::{Duration, Instant};

use crate::support::*;

fn seqs(reply: &Reply) -> Vec<u64> {
    reply
        .json()
        .as_array()
        .expect("an array")
        .iter()
        .map(|r| r["seq"].as_u64().unwrap())
        .collect()
}

#[test]
fn list_filter_get_and_clear() {
    let receiver = default_receiver();
    let addr = receiver.addr();
    request(addr, "POST", "/hooks/a", b"1");
    request(addr, "GET", "/hooks/b?x=1", b"");
    request(addr, "POST", "/other/c", b"3");
    request(addr, "POST", "/hooks/a/deep", b"4");

    assert_eq!(seqs(&get(addr, "/_hooktest/requests")), [1, 2, 3, 4]);
    assert_eq!(
        seqs(&get(addr, "/_hooktest/requests?method=post")),
        [1, 3, 4]
    );
    assert_eq!(
        seqs(&get(addr, "/_hooktest/requests?path=/hooks/*")),
        [1, 2]
    );
    assert_eq!(
        seqs(&get(addr, "/_hooktest/requests?path=%2Fhooks%2F**")),
        [1, 2, 4]
    );
    assert_eq!(seqs(&get(addr, "/_hooktest/requests?since=2")), [3, 4]);
    assert_eq!(seqs(&get(addr, "/_hooktest/requests?limit=2")), [3, 4]);
    assert_eq!(
        seqs(&get(
            addr,
            "/_hooktest/requests?method=POST&since=1&limit=1"
        )),
        [4]
    );
    assert_eq!(get(addr, "/_hooktest/requests?bogus=1").status, 400);
    assert_eq!(get(addr, "/_hooktest/requests?since=x").status, 400);

    let one = get(addr, "/_hooktest/requests/2");
    assert_eq!(one.status, 200);
    assert_eq!(one.json()["path"], "/hooks/b");
    assert_eq!(one.json()["query"], "x=1");
    assert_eq!(get(addr, "/_hooktest/requests/99").status, 404);
    assert_eq!(get(addr, "/_hooktest/requests/abc").status, 400);

    let health = get(addr, "/_hooktest/health");
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");
    assert_eq!(health.json()["held"], 4);

    let cleared = request(addr, "DELETE", "/_hooktest/requests", b"");
    assert_eq!(cleared.json()["cleared"], 4);
    assert_eq!(seqs(&get(addr, "/_hooktest/requests")), Vec::<u64>::new());
    request(addr, "POST", "/after", b"");
    assert_eq!(
        seqs(&get(addr, "/_hooktest/requests")),
        [5],
        "numbering continues after a clear"
    );

    assert_eq!(get(addr, "/_hooktest/nope").status, 404);
    assert_eq!(request(addr, "POST", "/_hooktest/health", b"").status, 405);
    assert_eq!(
        receiver.records().len(),
        1,
        "admin requests are not recorded"
    );
}

#[test]
fn long_poll_returns_once_enough_requests_arrived() {
    let receiver = default_receiver();
    let addr = receiver.addr();
    request(addr, "POST", "/before", b"");
    let poll = std::thread::spawn(move || {
        let started = Instant::now();
        let reply = get(
            addr,
            "/_hooktest/requests?since=1&path=/wanted/*&wait=20s&count=2",
        );
        (reply, started.elapsed())
    });
    // The poll is in flight once the receiver has a second connection; sending before it starts
    // would also satisfy it, so no ordering is needed for correctness.
    request(addr, "POST", "/wanted/1", b"");
    request(addr, "POST", "/unwanted", b"");
    request(addr, "POST", "/wanted/2", b"");
    let (reply, elapsed) = poll.join().unwrap();
    assert_eq!(reply.header("hooktest-wait"), Some("satisfied"));
    assert_eq!(seqs(&reply), [2, 4]);
    assert!(
        elapsed < Duration::from_secs(15),
        "returned early, not at the wait's end"
    );
}

#[test]
fn long_poll_gives_up_after_the_wait() {
    let receiver = default_receiver();
    let started = Instant::now();
    let reply = get(receiver.addr(), "/_hooktest/requests?wait=300ms&count=1");
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("hooktest-wait"), Some("timeout"));
    assert_eq!(seqs(&reply), Vec::<u64>::new());
    assert_eq!(
        get(receiver.addr(), "/_hooktest/requests?wait=soon").status,
        400
    );
}
