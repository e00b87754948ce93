//! `hooktest send`: real deliveries over loopback sockets.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::{event_json, fixtures, hook_json, Serve, Test};

fn project(hooks: &str) -> Test {
    Test::new().file("hooks/hooks.json", hooks).file(
        "events/deploy.json",
        &event_json("app.deploy", "app", "shop", ""),
    )
}

#[test]
fn needs_a_destination() {
    let run = Test::new().project(fixtures()).args(&["send"]).run();
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("say where to send: --mock"),
        "{}",
        run.stderr
    );
    let run = Test::new()
        .project(fixtures())
        .args(&["send", "--mock", "--live"])
        .run();
    assert_eq!(run.code, 2);
}

#[test]
fn mock_end_to_end_on_the_sample_project() {
    let run = Test::new()
        .project(fixtures())
        .args(&["send", "--mock", "--format", "json"])
        .run();
    let items = run.json();
    let items = items.as_array().unwrap();
    let rendered = Test::new()
        .project(fixtures())
        .args(&["render", "--format", "json"])
        .run()
        .json();
    assert_eq!(items.len(), rendered.as_array().unwrap().len());
    for (item, r) in items.iter().zip(rendered.as_array().unwrap()) {
        assert_eq!(item["hook"], r["hook"]);
        if r["request"].is_null() {
            assert_eq!(item["ok"], false);
            continue;
        }
        assert_eq!(item["ok"], true, "{item}");
        assert_eq!(item["identical"], true, "{item}");
        let received = &item["received"];
        assert_eq!(received["method"], r["request"]["method"]);
        assert_eq!(
            received["body"],
            r["request"]["body"]
                .as_str()
                .map(|_| r["request"]["body"].clone())
                .unwrap_or("".into())
        );
        // Every rendered header arrives, in order, with its value.
        let got: Vec<(String, String)> =
            serde_json::from_value(received["headers"].clone()).unwrap();
        let mut at = 0;
        for h in r["request"]["headers"].as_array().unwrap() {
            let (n, v) = (h[0].as_str().unwrap(), h[1].as_str().unwrap());
            let pos = got[at..]
                .iter()
                .position(|(gn, gv)| gn.eq_ignore_ascii_case(n) && gv == v);
            assert!(pos.is_some(), "header {n}: {v} missing in {got:?}");
            at += pos.unwrap() + 1;
        }
    }
    let text = Test::new()
        .project(fixtures())
        .args(&["send", "--mock"])
        .run();
    assert!(
        text.stdout
            .contains("received as sent (headers in order, body byte for byte)"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("hook") && text.stdout.contains("attempts"),
        "{}",
        text.stdout
    );
}

#[test]
fn to_a_running_receiver_keeps_path_query_and_bytes() {
    let serve = Serve::start(&[]);
    let body = "{\"a\":\"<&>\",\"é\":\"\\u2028\"}";
    let hooks = format!(
        "[{}]",
        hook_json(
            "h",
            &format!(
                r#", "url": "https://real.example/p/q?x=1&y=%20", "engine": "tera", "headers": {{"X-Rep": ["1", "2"]}}, "body": {}"#,
                serde_json::to_string(body).unwrap()
            )
        )
    );
    let run = project(&hooks)
        .args(&["send", "--to", &format!("{}/base", serve.url)])
        .run();
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let records = serve.records();
    assert_eq!(records.len(), 1, "{records:?}");
    let r = &records[0];
    assert_eq!(r["path"], "/base/p/q");
    assert_eq!(r["query"], "x=1&y=%20");
    assert_eq!(r["body"], body);
    let headers: Vec<(String, String)> = serde_json::from_value(r["headers"].clone()).unwrap();
    let reps: Vec<&str> = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("x-rep"))
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(reps, ["1", "2"]);
    assert!(headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("user-agent") && v == "tsuru-webhook-client/1.0"));
}

#[test]
fn retries_follow_a_sequence_and_retry_after() {
    let t = project(&format!("[{}]", hook_json("h", r#", "url": "http://x/flaky/1""#)))
        .file(
            "responses.yaml",
            "- path: /flaky/*\n  sequence: [500, 500, 200]\n- path: /busy\n  sequence:\n    - {status: 429, headers: {Retry-After: \"1\"}}\n    - 200\n",
        );
    let serve = Serve::start(&[
        "--responses",
        t.path().join("responses.yaml").to_str().unwrap(),
    ]);
    let run = Test::new()
        .project(t.path())
        .args(&[
            "send",
            "--to",
            &serve.url,
            "--retries",
            "3",
            "--backoff",
            "10ms",
            "--format",
            "json",
        ])
        .run();
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let item = &run.json()[0];
    let statuses: Vec<u64> = item["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [500, 500, 200]);

    // Without retries the first 500 is a failure: exit 1, status and body shown.
    let serve2 = Serve::start(&[
        "--responses",
        t.path().join("responses.yaml").to_str().unwrap(),
    ]);
    let once = Test::new()
        .project(t.path())
        .args(&["send", "--to", &serve2.url])
        .run();
    assert_eq!(once.code, 1);
    assert!(
        once.stdout.contains("failed: status 500"),
        "{}",
        once.stdout
    );

    let busy = project(&format!(
        "[{}]",
        hook_json("h", r#", "url": "http://x/busy""#)
    ));
    let started = Instant::now();
    let run = Test::new()
        .project(busy.path())
        .args(&[
            "send",
            "--to",
            &serve.url,
            "--retries",
            "1",
            "--backoff",
            "10ms",
        ])
        .run();
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "Retry-After: 1 was not honoured"
    );
    assert!(
        run.stdout.contains("attempt 1: 429") && run.stdout.contains("attempt 2: 200"),
        "{}",
        run.stdout
    );
}

#[test]
fn timeouts_and_redirects() {
    let t = project(&format!(
        "[{}, {}]",
        hook_json("slow", r#", "url": "http://x/hang""#),
        hook_json("moved", r#", "url": "http://x/old""#)
    ))
    .file(
        "responses.yaml",
        "- path: /hang\n  fault: hang\n- path: /old\n  status: 302\n  headers: {Location: /new}\n",
    );
    let serve = Serve::start(&[
        "--responses",
        t.path().join("responses.yaml").to_str().unwrap(),
    ]);
    let run = Test::new()
        .project(t.path())
        .args(&[
            "send",
            "--to",
            &serve.url,
            "--timeout",
            "300ms",
            "--format",
            "json",
        ])
        .run();
    assert_eq!(run.code, 1);
    let items = run.json();
    assert_eq!(items[0]["ok"], false);
    assert!(
        items[0]["error"].as_str().unwrap().contains("timed out"),
        "{}",
        items[0]
    );
    assert_eq!(items[1]["ok"], true);
    assert_eq!(
        items[1]["response"]["status"], 200,
        "the redirect was followed"
    );
    let paths: Vec<String> = serve
        .records()
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_string())
        .collect();
    assert!(
        paths.contains(&"/old".to_string()) && paths.contains(&"/new".to_string()),
        "{paths:?}"
    );

    let no_follow = Test::new()
        .project(t.path())
        .args(&[
            "send",
            "--to",
            &serve.url,
            "--hook",
            "moved",
            "--no-follow",
            "--format",
            "json",
        ])
        .run();
    assert_eq!(no_follow.json()[0]["response"]["status"], 302);
    assert_eq!(no_follow.code, 0, "302 is a success for tsuru");
}

/// A forward proxy that records the request lines it forwards.
fn start_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let log = log.clone();
            thread::spawn(move || proxy_one(stream, log));
        }
    });
    (format!("http://{addr}"), seen)
}

fn read_head(stream: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).to_string();
    let len = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
        })
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).ok()?;
    Some((head, body))
}

fn proxy_one(mut client: TcpStream, log: Arc<Mutex<Vec<String>>>) {
    // One request per connection: the upstream is asked to close, and so is the client.
    if let Some((head, body)) = read_head(&mut client) {
        let first = head.lines().next().unwrap_or("").to_string();
        log.lock().unwrap().push(first.clone());
        let mut parts = first.split(' ');
        let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let url = url::Url::parse(target).unwrap();
        let mut upstream =
            TcpStream::connect((url.host_str().unwrap(), url.port().unwrap())).unwrap();
        let rest: String = head.split_once("\r\n").unwrap().1.to_string();
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        write!(
            upstream,
            "{method} {path} HTTP/1.1\r\nConnection: close\r\n{rest}"
        )
        .unwrap();
        upstream.write_all(&body).unwrap();
        let mut response = Vec::new();
        upstream.read_to_end(&mut response).unwrap();
        client.write_all(&response).unwrap();
    }
}

#[test]
fn proxies_per_hook_and_by_flag() {
    let serve = Serve::start(&[]);
    let (proxy, seen) = start_proxy();
    let target = format!("{}/via-hook", serve.url);
    let t = project(&format!(
        "[{}]",
        hook_json(
            "h",
            &format!(
                r#", "url": "{target}", "proxy_url": "{}""#,
                proxy.trim_start_matches("http://")
            )
        )
    ));
    let run = Test::new()
        .project(t.path())
        .args(&["send", "--live"])
        .run();
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        [format!("POST {target} HTTP/1.1")]
    );
    assert_eq!(serve.records().len(), 1);

    // With --to the hook's proxy is not used, unless --proxy is given.
    let run = Test::new()
        .project(t.path())
        .args(&["send", "--to", &serve.url])
        .run();
    assert_eq!(run.code, 0);
    assert_eq!(seen.lock().unwrap().len(), 1);
    let run = Test::new()
        .project(t.path())
        .args(&["send", "--to", &serve.url, "--proxy", &proxy])
        .run();
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(seen.lock().unwrap().len(), 2);
    assert_eq!(serve.records().len(), 3);
}

/// An HTTPS server with a self-signed certificate that answers 200 to each request.
fn start_tls() -> u16 {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let der = rustls::pki_types::CertificateDer::from(cert.cert.der().to_vec());
    let key = rustls::pki_types::PrivateKeyDer::try_from(cert.signing_key.serialize_der()).unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(vec![der], key)
            .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let config = config.clone();
            thread::spawn(move || {
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, stream);
                let mut buf = [0u8; 4096];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = tls.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                );
                let _ = tls.flush();
            });
        }
    });
    port
}

#[test]
fn self_signed_https_needs_insecure() {
    let port = start_tls();
    let url = format!("https://localhost:{port}/hook");
    let strict = project(&format!(
        "[{}]",
        hook_json("h", &format!(r#", "url": "{url}", "method": "GET""#))
    ));
    let run = Test::new()
        .project(strict.path())
        .args(&["send", "--live", "--format", "json"])
        .run();
    assert_eq!(run.code, 1);
    let err = run.json()[0]["error"].as_str().unwrap().to_string();
    assert!(
        err.contains("certificate") || err.contains("Unknown") || err.contains("invalid peer"),
        "{err}"
    );
    let insecure = project(&format!(
        "[{}]",
        hook_json(
            "h",
            &format!(r#", "url": "{url}", "method": "GET", "insecure": true"#)
        )
    ));
    let run = Test::new()
        .project(insecure.path())
        .args(&["send", "--live"])
        .run();
    assert_eq!(run.code, 0, "{}", run.stdout);
    let run = Test::new()
        .project(strict.path())
        .args(&["send", "--live", "--insecure"])
        .run();
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn unreachable_target_is_a_failure_not_a_crash() {
    let free = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let t = project(&format!("[{}]", hook_json("h", "")));
    let run = Test::new()
        .project(t.path())
        .args(&["send", "--to", &format!("http://127.0.0.1:{free}")])
        .run();
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("could not connect"), "{}", run.stdout);
}

/// Requests a raw server saw: head and body.
type Seen = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

/// A raw HTTP server that records every request (head and body) and answers from `answer`, given
/// the request target: `(status, extra header lines)`.
fn start_raw(answer: fn(&str) -> (u16, String)) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let log = log.clone();
            thread::spawn(move || {
                while let Some((head, body)) = read_head(&mut stream) {
                    let target = head.split(' ').nth(1).unwrap_or("").to_string();
                    log.lock().unwrap().push((head, body));
                    let (status, extra) = answer(&target);
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status} X\r\n{extra}Content-Length: 0\r\n\r\n"
                    );
                }
            });
        }
    });
    (format!("http://{addr}"), seen)
}

/// `/chain/N` redirects (302) to `/chain/N-1`, down to `/final`; `/moved/CODE` answers CODE with
/// `Location: /final`.
fn redirects(target: &str) -> (u16, String) {
    if let Some(n) = target.strip_prefix("/chain/") {
        let n: u32 = n.parse().unwrap();
        let next = if n > 1 {
            format!("/chain/{}", n - 1)
        } else {
            "/final".into()
        };
        return (302, format!("Location: {next}\r\n"));
    }
    if let Some(code) = target.strip_prefix("/moved/") {
        return (code.parse().unwrap(), "Location: /final\r\n".into());
    }
    (200, String::new())
}

fn request_lines(seen: &Seen) -> Vec<(String, String)> {
    seen.lock()
        .unwrap()
        .iter()
        .map(|(head, body)| {
            (
                head.lines().next().unwrap_or("").to_string(),
                String::from_utf8_lossy(body).into_owned(),
            )
        })
        .collect()
}

#[test]
fn redirects_change_the_method_and_stop_as_gos_client_does() {
    // Go's http.Client: 301/302/303 turn PUT, PATCH, DELETE and POST into a GET without a body
    // (reqwest keeps PUT and DELETE on 301 and 302); 307/308 repeat method and body; the 10th
    // redirect is an error ("stopped after 10 redirects"), 9 are followed.
    let (url, seen) = start_raw(redirects);
    let hooks = format!(
        "[{}, {}, {}, {}, {}, {}]",
        hook_json(
            "put-301",
            &format!(
                r#", "url": "{url}/moved/301", "method": "PUT", "body": "b1", "headers": {{"Content-Type": ["text/plain"]}}"#
            )
        ),
        hook_json(
            "delete-302",
            &format!(r#", "url": "{url}/moved/302", "method": "DELETE", "body": "b2""#)
        ),
        hook_json(
            "patch-307",
            &format!(r#", "url": "{url}/moved/307", "method": "PATCH", "body": "b3""#)
        ),
        hook_json(
            "post-303",
            &format!(r#", "url": "{url}/moved/303", "body": "b4""#)
        ),
        hook_json(
            "nine",
            &format!(r#", "url": "{url}/chain/9", "body": "b5""#)
        ),
        hook_json(
            "ten",
            &format!(r#", "url": "{url}/chain/10", "body": "b6""#)
        ),
    );
    let t = project(&hooks);
    let run = Test::new()
        .project(t.path())
        .args(&["send", "--live", "--format", "json"])
        .run();
    let items = run.json();
    let ok: Vec<(String, bool)> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["hook"].as_str().unwrap().to_string(), i["ok"] == true))
        .collect();
    assert_eq!(
        ok,
        [
            ("put-301".to_string(), true),
            ("delete-302".into(), true),
            ("patch-307".into(), true),
            ("post-303".into(), true),
            ("nine".into(), true),
            ("ten".into(), false)
        ],
        "{}",
        run.stdout
    );
    assert!(
        items[5]["error"]
            .as_str()
            .unwrap()
            .contains("stopped after 10 redirects"),
        "{}",
        items[5]
    );
    let lines = request_lines(&seen);
    let after = |first: &str| -> (String, String) {
        let i = lines
            .iter()
            .position(|(l, _)| l.starts_with(first))
            .unwrap();
        lines[i + 1].clone()
    };
    assert_eq!(
        after("PUT /moved/301 "),
        ("GET /final HTTP/1.1".into(), "".into())
    );
    assert_eq!(
        after("DELETE /moved/302 "),
        ("GET /final HTTP/1.1".into(), "".into())
    );
    assert_eq!(
        after("PATCH /moved/307 "),
        ("PATCH /final HTTP/1.1".into(), "b3".into())
    );
    assert_eq!(
        after("POST /moved/303 "),
        ("GET /final HTTP/1.1".into(), "".into())
    );
    // Go keeps the other headers (Content-Type included) on the GET, and sends a Referer.
    let heads = seen.lock().unwrap();
    let i = heads
        .iter()
        .position(|(h, _)| h.starts_with("PUT /moved/301 "))
        .unwrap();
    let next = heads[i + 1].0.to_ascii_lowercase();
    assert!(next.contains("\r\ncontent-type: text/plain\r\n"), "{next}");
    assert!(
        next.contains(&format!("\r\nreferer: {url}/moved/301\r\n")),
        "{next}"
    );
    assert!(!next.contains("content-length"), "{next}");
    drop(heads);
    // 9 redirects: 10 requests, the last one answered 200; 10 redirects: Go stops before the 11th.
    let nine = lines
        .iter()
        .position(|(l, _)| l.starts_with("POST /chain/9 "))
        .unwrap();
    let ten = lines
        .iter()
        .position(|(l, _)| l.starts_with("POST /chain/10 "))
        .unwrap();
    assert_eq!(ten - nine, 10, "{lines:?}");
    assert_eq!(lines[ten - 1].0, "GET /final HTTP/1.1");
    assert_eq!(lines.len() - ten, 10, "{lines:?}");
    assert_eq!(lines.last().unwrap().0, "GET /chain/1 HTTP/1.1");
}

#[test]
fn an_empty_post_put_or_patch_says_content_length_zero() {
    // Go writes `Content-Length: 0` for POST, PUT and PATCH with an empty body (servers may answer
    // 411 without it), and no length for a GET or DELETE without a body.
    let (url, seen) = start_raw(|_| (200, String::new()));
    let hooks = format!(
        "[{}, {}, {}]",
        hook_json(
            "empty-post",
            &format!(r#", "url": "{url}/post", "body": "{{{{if false}}}}x{{{{end}}}}""#)
        ),
        hook_json(
            "empty-put",
            &format!(
                r#", "url": "{url}/put", "method": "PUT", "body": "{{{{if false}}}}x{{{{end}}}}""#
            )
        ),
        hook_json(
            "delete",
            &format!(r#", "url": "{url}/delete", "method": "DELETE""#)
        ),
    );
    let t = project(&hooks);
    let run = Test::new()
        .project(t.path())
        .args(&["send", "--live"])
        .run();
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let heads: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|(h, _)| h.to_ascii_lowercase())
        .collect();
    assert_eq!(heads.len(), 3, "{heads:?}");
    for h in &heads[..2] {
        assert!(h.contains("\r\ncontent-length: 0\r\n"), "{h}");
    }
    assert!(!heads[2].contains("content-length"), "{}", heads[2]);
}

/// A SOCKS5 proxy (no authentication) that records the address it is asked for and connects every
/// request to `upstream`, whatever the name.
fn start_socks(upstream: std::net::SocketAddr) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    thread::spawn(move || {
        for mut client in listener.incoming().flatten() {
            let log = log.clone();
            thread::spawn(move || {
                let mut b = [0u8; 2];
                client.read_exact(&mut b).unwrap();
                let mut methods = vec![0u8; b[1] as usize];
                client.read_exact(&mut methods).unwrap();
                client.write_all(&[5, 0]).unwrap();
                let mut req = [0u8; 4];
                client.read_exact(&mut req).unwrap();
                let asked = match req[3] {
                    1 => {
                        let mut ip = [0u8; 4];
                        client.read_exact(&mut ip).unwrap();
                        format!("ip {}", std::net::Ipv4Addr::from(ip))
                    }
                    3 => {
                        let mut len = [0u8; 1];
                        client.read_exact(&mut len).unwrap();
                        let mut name = vec![0u8; len[0] as usize];
                        client.read_exact(&mut name).unwrap();
                        format!("name {}", String::from_utf8_lossy(&name))
                    }
                    _ => {
                        let mut ip = [0u8; 16];
                        client.read_exact(&mut ip).unwrap();
                        "ipv6".to_string()
                    }
                };
                let mut port = [0u8; 2];
                client.read_exact(&mut port).unwrap();
                log.lock().unwrap().push(asked);
                let upstream = TcpStream::connect(upstream).unwrap();
                client.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0]).unwrap();
                let (mut a, mut b) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
                thread::spawn(move || {
                    let _ = std::io::copy(&mut a, &mut b);
                    let _ = b.shutdown(std::net::Shutdown::Write);
                });
                let (mut up, mut down) = (upstream, client);
                let _ = std::io::copy(&mut up, &mut down);
                let _ = down.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    (format!("socks5://{addr}"), seen)
}

#[test]
fn a_socks5_proxy_resolves_the_host_name_as_with_go() {
    // Go's client sends a socks5:// proxy the host name; resolving it locally fails for names only
    // the proxy's side knows.
    let serve = Serve::start(&[]);
    let upstream: std::net::SocketAddr = serve.url.trim_start_matches("http://").parse().unwrap();
    let (proxy, seen) = start_socks(upstream);
    let t = project(&format!(
        "[{}]",
        hook_json(
            "h",
            &format!(
                r#", "url": "http://only-the-proxy-knows.invalid/via-socks", "proxy_url": "{proxy}""#
            )
        )
    ));
    let run = Test::new()
        .project(t.path())
        .args(&["send", "--live"])
        .run();
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        ["name only-the-proxy-knows.invalid"]
    );
    assert_eq!(serve.records()[0]["path"], "/via-socks");
}

#[test]
fn to_keeps_the_base_query_and_the_hook_userinfo() {
    let serve = Serve::start(&[]);
    let t = project(&format!(
        "[{}, {}]",
        hook_json(
            "with-query",
            r#", "url": "https://user:pa%20ss@real.example/p?x=1", "method": "GET""#
        ),
        hook_json(
            "without",
            r#", "url": "https://real.example/q", "method": "GET""#
        )
    ));
    let run = Test::new()
        .project(t.path())
        .args(&["send", "--to", &format!("{}/base/?token=abc", serve.url)])
        .run();
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let records = serve.records();
    assert_eq!(records.len(), 2, "{records:?}");
    assert_eq!(records[0]["path"], "/base/p");
    assert_eq!(records[0]["query"], "token=abc&x=1");
    let headers: Vec<(String, String)> =
        serde_json::from_value(records[0]["headers"].clone()).unwrap();
    assert!(
        headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("authorization") && v == "Basic dXNlcjpwYSBzcw=="),
        "tsuru's client sends the URL's userinfo as basic auth: {headers:?}"
    );
    assert_eq!(records[1]["path"], "/base/q");
    assert_eq!(records[1]["query"], "token=abc");
}

#[test]
fn a_bad_proxy_url_fails_its_hook_only() {
    // In tsuru a proxy_url that cannot be used fails that hook's delivery; the others go out.
    let serve = Serve::start(&[]);
    let t = project(&format!(
        "[{}, {}]",
        hook_json("good", &format!(r#", "url": "{}/good""#, serve.url)),
        hook_json(
            "bad-proxy",
            &format!(
                r#", "url": "{}/bad", "proxy_url": "ftp://proxy:21""#,
                serve.url
            )
        )
    ));
    let run = Test::new()
        .project(t.path())
        .args(&["send", "--live", "--format", "json"])
        .run();
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let items = run.json();
    assert_eq!(items[0]["ok"], true, "{}", items[0]);
    assert_eq!(items[1]["ok"], false);
    assert!(
        items[1]["error"].as_str().unwrap().contains("ftp"),
        "{}",
        items[1]
    );
    assert_eq!(serve.records().len(), 1);
}
