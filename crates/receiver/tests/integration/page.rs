//! The live page at /_hooktest/ and its event stream, over HTTP and in a headless browser.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::Command;

use crate::support::*;

#[test]
fn page_embeds_the_held_requests_safely() {
    let receiver = default_receiver();
    request(
        receiver.addr(),
        "POST",
        "/hooks/page",
        b"</script><b>not markup</b>",
    );
    let page = get(receiver.addr(), "/_hooktest/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = page.text();
    assert!(html.contains("/hooks/page"));
    assert!(html.contains("new EventSource(\"/_hooktest/events?since=\""));
    assert!(
        !html.contains("</script><b>"),
        "a body cannot end the script element"
    );
    assert_eq!(get(receiver.addr(), "/_hooktest").status, 200);
}

#[test]
fn event_stream_sends_held_then_new_requests() {
    let receiver = default_receiver();
    request(receiver.addr(), "POST", "/first", b"");
    let mut stream = connect(receiver.addr());
    stream
        .write_all(b"GET /_hooktest/events?since=0 HTTP/1.1\r\nHost: h\r\n\r\n")
        .unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.starts_with("HTTP/1.1 200"), "{line}");
    let mut content_type = None;
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-type") {
                content_type = Some(value.trim().to_string());
            }
        }
    }
    assert_eq!(content_type.as_deref(), Some("text/event-stream"));
    let next_record = |reader: &mut BufReader<_>| -> serde_json::Value {
        let mut line = String::new();
        let mut event = String::new();
        loop {
            line.clear();
            assert!(reader.read_line(&mut line).unwrap() > 0, "stream ended");
            let text = line.trim_end_matches(['\r', '\n']);
            if let Some(name) = text.strip_prefix("event: ") {
                event = name.to_string();
            }
            // Chunked framing lines (sizes) and other fields are skipped.
            if let Some(data) = text.strip_prefix("data: ") {
                if event == "record" {
                    return serde_json::from_str(data).unwrap();
                }
            }
        }
    };
    assert_eq!(next_record(&mut reader)["path"], "/first");
    request(receiver.addr(), "POST", "/second", b"");
    let second = next_record(&mut reader);
    assert_eq!(second["path"], "/second");
    assert_eq!(second["seq"], 2);
    // Shutdown ends the stream, so it does not hold the receiver open.
    receiver.shutdown();
}

fn chromium() -> Option<&'static str> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .into_iter()
    .find(|path| Path::new(path).exists())
}

#[test]
fn page_shows_requests_in_a_headless_browser() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: no chromium found (install Debian's `chromium` to run this test)");
        return;
    };
    let receiver = default_receiver();
    request(
        receiver.addr(),
        "POST",
        "/hooks/from-browser?x=1",
        br#"{"event":"app.deploy","nested":{"a":1}}"#,
    );
    request(receiver.addr(), "PUT", "/hooks/second", b"plain");
    let dir = tempfile::tempdir().unwrap();
    let dom_path = dir.path().join("dom.html");
    let log_path = dir.path().join("chromium.log");
    // Output goes to files: helper processes of chromium may outlive it and keep pipes open.
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--no-first-run",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg("--dump-dom")
        .arg(format!("{}/_hooktest/", receiver.url()))
        .stdout(std::fs::File::create(&dom_path).unwrap())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .expect("chromium starts");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 90s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let dom = std::fs::read_to_string(&dom_path).unwrap();
    assert!(
        dom.contains("id=\"request-1\"") && dom.contains("id=\"request-2\""),
        "requests missing from the DOM:\n{dom}\nchromium log:\n{}",
        std::fs::read_to_string(&log_path).unwrap_or_default()
    );
    assert!(dom.contains("/hooks/from-browser?x=1"));
    // Newest first, and the JSON body pretty-printed.
    assert!(dom.find("request-2").unwrap() < dom.find("request-1").unwrap());
    assert!(dom.contains("\"nested\": {"), "pretty body missing:\n{dom}");
}
