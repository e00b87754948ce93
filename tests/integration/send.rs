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
