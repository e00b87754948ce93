//! Signature verification over real sockets: verdicts in records, `--reject-invalid`, per-path
//! `verify:` rules, the live page and the text rendering.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hooktest_receiver::verify::{decode_standard_secret, hmac_hex, standard_signature};
use hooktest_receiver::{render_text, ReceiverConfig, ReceiverHandle, Rules, Verifier};

use crate::support::*;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A raw request with Standard Webhooks headers signed at `timestamp` over `signed` (sent: `body`).
fn standard_request(target: &str, timestamp: i64, signed: &[u8], body: &[u8]) -> Vec<u8> {
    let key = decode_standard_secret(SECRET).unwrap();
    let signature = standard_signature(&key, "msg_1", timestamp, signed).unwrap();
    let mut raw = format!(
        "POST {target} HTTP/1.1\r\nHost: x\r\nwebhook-id: msg_1\r\nwebhook-timestamp: {timestamp}\r\nwebhook-signature: {signature}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    raw.extend_from_slice(body);
    raw
}

fn verifying(reject_invalid: bool) -> ReceiverHandle {
    receiver(ReceiverConfig {
        verify: Some(Verifier::parse(&format!("standard-webhooks:{SECRET}")).unwrap()),
        reject_invalid,
        tolerance: Duration::from_secs(60),
        ..ReceiverConfig::default()
    })
}

#[test]
fn records_valid_and_invalid_verdicts() {
    let receiver = verifying(false);
    let body = br#"{"a":"b/c"}"#;
    let reply = exchange(receiver.addr(), &standard_request("/ok", now(), body, body));
    assert_eq!(reply.status, 200);
    // Signed compact, sent with an escaped slash: a mismatch, answered normally.
    let reply = exchange(
        receiver.addr(),
        &standard_request("/bad", now(), body, br#"{"a":"b\/c"}"#),
    );
    assert_eq!(reply.status, 200);
    // Outside the 60 s tolerance.
    let reply = exchange(
        receiver.addr(),
        &standard_request("/old", now() - 120, body, body),
    );
    assert_eq!(reply.status, 200);
    let records = receiver.records();
    let verdicts: Vec<_> = records
        .iter()
        .map(|r| r.verification.clone().expect("a verdict"))
        .collect();
    assert_eq!(verdicts[0]["valid"], true, "{}", verdicts[0]);
    assert_eq!(verdicts[1]["reason"], "mismatch");
    assert_eq!(
        verdicts[1]["signed_content_escaped"]
            .as_str()
            .unwrap()
            .split_once('.')
            .unwrap()
            .1
            .split_once('.')
            .unwrap()
            .1,
        r#"{"a":"b\\/c"}"#
    );
    assert_eq!(verdicts[2]["reason"], "timestamp_out_of_tolerance");
    assert_eq!(verdicts[2]["tolerance_seconds"], 60);
    let text = render_text(&records[1], false);
    assert!(
        text.contains("signature: INVALID, mismatch")
            && text.contains("signed content: msg_1.")
            && text.contains("expected:       v1,")
            && text.contains("received:       v1,"),
        "{text}"
    );
    assert!(!serde_json::to_string(&records)
        .unwrap()
        .contains("MfKQ9r8G"));
}

#[test]
fn reject_invalid_answers_401_at_once() {
    let receiver = verifying(true);
    let reply = request(receiver.addr(), "POST", "/x", b"{}");
    assert_eq!(reply.status, 401);
    assert_eq!(reply.json()["reason"], "missing_header");
    let body = b"{}";
    let reply = exchange(receiver.addr(), &standard_request("/y", now(), body, body));
    assert_eq!(reply.status, 200);
    let records = receiver.records();
    assert_eq!(records[0].response.status, Some(401));
    assert_eq!(records[1].response.status, Some(200));
}

#[test]
fn rules_verify_per_path() {
    let rules = Rules::from_yaml(
        "- path: /gh\n  verify: hmac-sha256:s3cret\n- path: /sw\n  verify: standard-webhooks:whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n",
    )
    .unwrap();
    let receiver = receiver(ReceiverConfig {
        rules: Some(rules),
        reject_invalid: true,
        ..ReceiverConfig::default()
    });
    let body = b"payload";
    let hex = hmac_hex("s3cret", body).unwrap();
    let raw = format!(
        "POST /gh HTTP/1.1\r\nHost: x\r\nX-Hub-Signature-256: sha256={hex}\r\nContent-Length: 7\r\nConnection: close\r\n\r\npayload"
    );
    assert_eq!(exchange(receiver.addr(), raw.as_bytes()).status, 200);
    assert_eq!(request(receiver.addr(), "POST", "/sw", body).status, 401);
    // Paths without a rule are not checked.
    assert_eq!(request(receiver.addr(), "POST", "/other", body).status, 200);
    let records = receiver.records();
    assert_eq!(records[0].verification.as_ref().unwrap()["valid"], true);
    assert_eq!(
        records[1].verification.as_ref().unwrap()["scheme"],
        "standard-webhooks"
    );
    assert!(records[2].verification.is_none());
}

#[test]
fn the_page_shows_verdicts() {
    let receiver = verifying(false);
    request(receiver.addr(), "POST", "/x", b"{}");
    let page = get(receiver.addr(), "/_hooktest/").text();
    assert!(
        page.contains("verification.signed_content_escaped"),
        "page renders verdicts"
    );
    assert!(
        page.contains("missing_header"),
        "the initial records carry the verdict"
    );
}
