//! Signed webhooks: vectors, signature headers in every output, `sign`, `validate`, contracts, and
//! round trips from `send` to `serve --verify`.

use std::path::Path;

use hooktest::signing::{sign_hmac, sign_standard};
use hooktest_receiver::Verifier;
use serde_json::Value;

use crate::support::{event_json, hook_json, Run, Serve, Test};

const SW_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const HMAC_SECRET: &str = "hunter2-very-secret";
const FIXED: &str = "2026-05-01T10:00:00Z";

fn standard_hook(name: &str) -> String {
    hook_json(
        name,
        &format!(r#", "signing": {{"scheme": "standard-webhooks", "secret": "{SW_SECRET}"}}"#),
    )
}

fn hmac_hook(name: &str, extra: &str) -> String {
    hook_json(
        name,
        &format!(r#", "signing": {{"scheme": "hmac-sha256", "secret": "{HMAC_SECRET}"{extra}}}"#),
    )
}

fn project(hooks: &[String]) -> Test {
    Test::new()
        .file("hooks/hooks.json", &format!("[{}]", hooks.join(",")))
        .file(
            "events/deploy.json",
            &event_json("app.deploy", "app", "shop", ""),
        )
}

fn run_with_env(test: &Test, env: &[(&str, &str)]) -> Run {
    let mut cmd = test.command();
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run hooktest");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn header<'a>(request: &'a Value, name: &str) -> Option<&'a str> {
    request["headers"]
        .as_array()?
        .iter()
        .find(|h| h[0].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))
        .and_then(|h| h[1].as_str())
}

/// The Standard Webhooks specification's own vector (its libraries' `sign` tests, e.g.
/// `libraries/go/webhook_test.go` and `libraries/javascript/src/webhook.test.ts`).
#[test]
fn the_specification_vector() {
    let headers = sign_standard(
        SW_SECRET,
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        br#"{"test": 2432232314}"#,
    )
    .unwrap();
    assert_eq!(
        headers[2].1,
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    );
    let run = Test::new()
        .args(&[
            "sign",
            "--scheme",
            "standard-webhooks",
            "--secret",
            SW_SECRET,
            "--id",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "--timestamp",
            "1614265330",
            "--body",
            r#"{"test": 2432232314}"#,
        ])
        .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "webhook-id: msg_p5jXN8AQM9LWM0D4loKWxJek\nwebhook-timestamp: 1614265330\nwebhook-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=\n"
    );
}

/// Signatures computed by the `standardwebhooks` package (PyPI) and Python's `hmac` for awkward
/// bodies; see `scripts/gen-signing-vectors.py`.
#[test]
fn independent_vectors() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/signing/vectors.json");
    let vectors: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let standard = vectors["standard_webhooks"].as_array().unwrap();
    assert!(standard.len() >= 20);
    for v in standard {
        let (secret, id, body) = (
            v["secret"].as_str().unwrap(),
            v["id"].as_str().unwrap(),
            v["body"].as_str().unwrap(),
        );
        let ts = v["timestamp"].as_i64().unwrap();
        let headers = sign_standard(secret, id, ts, body.as_bytes()).unwrap();
        assert_eq!(headers[2].1, v["signature"], "{}", v["name"]);
        // And the receiver's verification accepts what Python signed.
        let verdict = Verifier::parse(&format!("standard-webhooks:{secret}"))
            .unwrap()
            .verify(
                &[
                    ("webhook-id".into(), id.into()),
                    ("webhook-timestamp".into(), ts.to_string()),
                    (
                        "webhook-signature".into(),
                        v["signature"].as_str().unwrap().into(),
                    ),
                ],
                body.as_bytes(),
                ts,
                std::time::Duration::from_secs(300),
            );
        assert!(verdict.valid, "{}: {verdict:?}", v["name"]);
    }
    for v in vectors["hmac_sha256"].as_array().unwrap() {
        let headers = sign_hmac(
            v["secret"].as_str().unwrap(),
            "X-Hub-Signature-256",
            "sha256=",
            v["body"].as_str().unwrap().as_bytes(),
        )
        .unwrap();
        assert_eq!(
            headers[0].1,
            format!("sha256={}", v["hex"].as_str().unwrap()),
            "{}",
            v["name"]
        );
    }
    // Through the command line too, including the empty body from a file.
    let empty = standard.iter().find(|v| v["name"] == "empty").unwrap();
    let t = Test::new().file("empty.txt", "");
    let run = Test::new()
        .args(&[
            "sign",
            "--scheme",
            "standard-webhooks",
            "--secret",
            empty["secret"].as_str().unwrap(),
            "--id",
            empty["id"].as_str().unwrap(),
            "--timestamp",
            &empty["timestamp"].to_string(),
            "--body-file",
            t.path().join("empty.txt").to_str().unwrap(),
        ])
        .run();
    assert!(
        run.stdout.contains(&format!(
            "webhook-signature: {}\n",
            empty["signature"].as_str().unwrap()
        )),
        "{}{}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn render_adds_headers_after_user_agent_reproducibly_and_masks_the_secret() {
    let t = project(&[standard_hook("sw"), hmac_hook("gh", "")]);
    let render = |extra: &[&str]| {
        let mut args = vec!["render", "--fixed-time", FIXED];
        args.extend_from_slice(extra);
        let run = Test::new().project(t.path()).args(&args).run();
        assert_eq!(run.code, 0, "{}", run.stderr);
        for secret in [SW_SECRET, HMAC_SECRET, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"] {
            assert!(
                !run.stdout.contains(secret),
                "secret in {extra:?}: {}",
                run.stdout
            );
            assert!(!run.stderr.contains(secret));
        }
        run
    };
    let json = render(&["--format", "json"]).json();
    let sw = &json[0]["request"];
    let names: Vec<&str> = sw["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h[0].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Content-Type",
            "User-Agent",
            "webhook-id",
            "webhook-timestamp",
            "webhook-signature"
        ]
    );
    assert_eq!(header(sw, "webhook-timestamp"), Some("1777629600"));
    assert_eq!(
        header(sw, "webhook-id"),
        Some(hooktest::signing::webhook_id("sw", "000000000000000000000000").as_str())
    );
    // Reproducible, and what the receiver's verification accepts.
    assert_eq!(render(&["--format", "json"]).json(), json);
    let verifier = Verifier::parse(&format!("standard-webhooks:{SW_SECRET}")).unwrap();
    let headers: Vec<(String, String)> = serde_json::from_value(sw["headers"].clone()).unwrap();
    let verdict = verifier.verify(
        &headers,
        sw["body"].as_str().unwrap().as_bytes(),
        1777629600,
        std::time::Duration::from_secs(300),
    );
    assert!(verdict.valid, "{verdict:?}");
    let gh = &json[1]["request"];
    assert!(header(gh, "X-Hub-Signature-256")
        .unwrap()
        .starts_with("sha256="));
    for format in ["text", "http", "curl"] {
        let run = render(&["--format", format]);
        assert!(
            run.stdout.contains("webhook-signature"),
            "{format}: {}",
            run.stdout
        );
        assert!(run
            .stdout
            .contains(header(sw, "webhook-signature").unwrap()));
    }
    // `hook list` shows the key, masked.
    let run = Test::new()
        .project(t.path())
        .args(&["hook", "list", "--format", "json"])
        .run();
    assert!(run.stdout.contains("\"secret\": \"***\""), "{}", run.stdout);
    assert!(!run.stdout.contains(HMAC_SECRET) && !run.stdout.contains(SW_SECRET));
}

#[test]
fn tera_bodies_see_the_hook_without_its_secret() {
    let hook = hook_json(
        "t",
        &format!(
            r#", "engine": "tera", "body": "{{{{ hook.signing.secret }}}}", "signing": {{"scheme": "hmac-sha256", "secret": "{HMAC_SECRET}"}}"#
        ),
    );
    let run = project(&[hook]).args(&["render", "--format", "json"]).run();
    assert_eq!(run.json()[0]["request"]["body"], "***", "{}", run.stdout);
}

#[test]
fn env_secrets_are_read_when_signing() {
    let hook = hook_json(
        "e",
        r#", "signing": {"scheme": "hmac-sha256", "secret": "env:HOOKTEST_TEST_SECRET"}"#,
    );
    let t = project(&[hook]).args(&["render", "--format", "json"]);
    let run = run_with_env(&t, &[("HOOKTEST_TEST_SECRET", "from-env")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let expected = sign_hmac("from-env", "X-Hub-Signature-256", "sha256=", {
        run.json()[0]["request"]["body"]
            .as_str()
            .unwrap()
            .as_bytes()
    })
    .unwrap();
    assert_eq!(
        header(&run.json()[0]["request"], "X-Hub-Signature-256"),
        Some(expected[0].1.as_str())
    );
    let mut cmd = t.command();
    cmd.env_remove("HOOKTEST_TEST_SECRET");
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let message = json[0]["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("`HOOKTEST_TEST_SECRET`") && message.contains("not set"),
        "{message}"
    );
    assert_eq!(json[0]["error"]["kind"], "signing");
    // `validate` does not need the variable: it is read at render and send time.
    let run = Test::new().project(t.path()).args(&["validate"]).run();
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn validate_points_at_bad_signing_config() {
    let hooks = r#"[
  {"name": "a", "url": "http://x/a",
   "signing": {"scheme": "standard-webhook", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}},
  {"name": "b", "url": "http://x/b",
   "signing": {"scheme": "hmac-sha256"}},
  {"name": "c", "url": "http://x/c",
   "signing": {"scheme": "standard-webhooks", "secret": "whsec_not base64!"}}
]"#;
    let run = Test::new()
        .file("hooks/hooks.json", hooks)
        .args(&["validate"])
        .run();
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("hooks/hooks.json:3:16: error: unknown signing scheme `standard-webhook`")
            && run.stdout.contains("did you mean `standard-webhooks`?"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("hooks/hooks.json:5:4: error: `[1].signing` has no `secret`"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("hooks/hooks.json:7:47: error: the standard-webhooks secret is not usable"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("not base64!"), "{}", run.stdout);
}

fn send(t: &Test, serve: &Serve, extra: &[&str]) -> Run {
    let mut args = vec!["send", "--to", serve.url.as_str(), "--format", "json"];
    args.extend_from_slice(extra);
    Test::new().project(t.path()).args(&args).run()
}

#[test]
fn round_trip_both_schemes() {
    let t = project(&[standard_hook("sw"), hmac_hook("gh", "")]);
    std::fs::write(
        t.path().join("responses.yaml"),
        format!("- path: /gh\n  verify: hmac-sha256:{HMAC_SECRET}\n"),
    )
    .unwrap();
    let serve = Serve::start(&[
        "--verify",
        &format!("standard-webhooks:{SW_SECRET}"),
        "--responses",
        t.path().join("responses.yaml").to_str().unwrap(),
        "--reject-invalid",
    ]);
    let run = send(&t, &serve, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let records = serve.records();
    assert_eq!(records.len(), 2);
    for (record, scheme) in records.iter().zip(["standard-webhooks", "hmac-sha256"]) {
        let v = &record["verification"];
        assert_eq!(v["scheme"], scheme, "{v}");
        assert_eq!(v["valid"], true, "{v}");
    }
    // `requests` text says so, and no output holds a secret.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hooktest"))
        .args(["requests", "--from", &serve.url])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("signature: valid").count(), 2, "{text}");
    let json = serde_json::to_string(&records).unwrap();
    for secret in [SW_SECRET, HMAC_SECRET, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"] {
        assert!(!json.contains(secret) && !text.contains(secret) && !run.stdout.contains(secret));
    }
}

fn verdict_of(t: &Test, serve_args: &[&str], send_args: &[&str]) -> (Run, Value) {
    let serve = Serve::start(serve_args);
    let run = send(t, &serve, send_args);
    let records = serve.records();
    assert_eq!(records.len(), 1, "{}{}", run.stdout, run.stderr);
    (run, records[0].clone())
}

#[test]
fn each_failure_reason_end_to_end() {
    let sw = project(&[standard_hook("sw")]);
    let verify = format!("standard-webhooks:{SW_SECRET}");

    // A timestamp far from now.
    let (run, record) = verdict_of(&sw, &["--verify", &verify], &["--fixed-time", FIXED]);
    let v = &record["verification"];
    assert_eq!(v["reason"], "timestamp_out_of_tolerance", "{v}");
    assert_eq!(
        run.code, 0,
        "without --reject-invalid the answer is the usual one"
    );

    // Just inside a custom tolerance.
    let (_, record) = verdict_of(&sw, &["--verify", &verify, "--tolerance", "1m"], &[]);
    assert_eq!(record["verification"]["valid"], true);

    // Another secret: a mismatch that shows the signed content and both signatures.
    let other = "standard-webhooks:whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    let (run, record) = verdict_of(&sw, &["--verify", other, "--reject-invalid"], &[]);
    let v = &record["verification"];
    assert_eq!(v["reason"], "mismatch", "{v}");
    assert_eq!(record["response"]["status"], 401);
    assert_eq!(run.code, 1, "a 401 is a failed delivery");
    let id = hooktest::signing::webhook_id("sw", "000000000000000000000000");
    assert!(
        v["signed_content"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{id}.")),
        "{v}"
    );
    assert!(v["expected"].as_str().unwrap().starts_with("v1,"));
    assert_ne!(v["expected"], v["received"]);
    assert!(!serde_json::to_string(&record)
        .unwrap()
        .contains("AAECAwQFBgcICQoLDA0O"));

    // No signature at all.
    let plain = project(&[hook_json("plain", "")]);
    let (_, record) = verdict_of(&plain, &["--verify", &verify], &[]);
    assert_eq!(record["verification"]["reason"], "missing_header");
    assert_eq!(record["verification"]["header"], "webhook-id");

    // A receiver secret that is not base64.
    let (_, record) = verdict_of(&sw, &["--verify", "standard-webhooks:whsec_***"], &[]);
    assert_eq!(record["verification"]["reason"], "secret_not_decodable");

    // The header is there but in another form (a different prefix).
    let gh = project(&[hmac_hook("gh", r#", "prefix": "sha1=""#)]);
    let (_, record) = verdict_of(
        &gh,
        &["--verify", &format!("hmac-sha256:{HMAC_SECRET}")],
        &[],
    );
    assert_eq!(record["verification"]["reason"], "malformed_header");

    // The hmac-sha256 header and prefix are configurable on both ends.
    let custom = project(&[hmac_hook(
        "gh",
        r#", "header": "X-Signature", "prefix": """#,
    )]);
    let (_, record) = verdict_of(
        &custom,
        &[
            "--verify",
            &format!("hmac-sha256:{HMAC_SECRET}:X-Signature:"),
        ],
        &[],
    );
    assert_eq!(record["verification"]["valid"], true, "{record}");
}

#[test]
fn send_reports_a_missing_env_secret() {
    let hook = hook_json(
        "e",
        r#", "signing": {"scheme": "standard-webhooks", "secret": "env:HOOKTEST_UNSET_SECRET_1"}"#,
    );
    let t = project(&[hook]);
    let run = Test::new()
        .project(t.path())
        .args(&["send", "--mock"])
        .run();
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("not sent: cannot sign")
            && run.stdout.contains("`HOOKTEST_UNSET_SECRET_1`"),
        "{}",
        run.stdout
    );
}

#[test]
fn send_mock_output_shows_signatures_but_not_secrets() {
    let t = project(&[standard_hook("sw"), hmac_hook("gh", "")]);
    for format in ["text", "json"] {
        let run = Test::new()
            .project(t.path())
            .args(&["send", "--mock", "--format", format])
            .run();
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        // Delivery writes header names in Go's canonical case, as tsuru's client does.
        assert!(
            run.stdout.to_lowercase().contains("webhook-signature") && run.stdout.contains("v1,"),
            "{}",
            run.stdout
        );
        for secret in [SW_SECRET, HMAC_SECRET, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"] {
            assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret));
        }
    }
}

#[test]
fn contracts_assert_signatures() {
    let t = project(&[
        standard_hook("sw"),
        hmac_hook("gh", ""),
        hook_json("plain", ""),
    ]);
    let fixed = Test::new()
        .project(t.path())
        .args(&["render", "--format", "json", "--fixed-time", FIXED])
        .run()
        .json();
    let sig = header(&fixed[0]["request"], "webhook-signature")
        .unwrap()
        .to_string();
    let contract = format!(
        r#"- name: signed
  event: deploy
  requests:
    sw:
      signature: valid
      headers:
        webhook-timestamp: "1777629600"
        webhook-signature: "{sig}"
    gh:
      signature: valid
- name: unsigned
  event: deploy
  requests:
    plain:
      signature: valid
"#
    );
    std::fs::create_dir_all(t.path().join("contracts")).unwrap();
    std::fs::write(t.path().join("contracts/signing.yaml"), contract).unwrap();
    let run = Test::new()
        .project(t.path())
        .args(&["test", "--fixed-time", FIXED])
        .run();
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("PASS signed"), "{}", run.stdout);
    assert!(
        run.stdout.contains("FAIL unsigned")
            && run
                .stdout
                .contains("requests.plain: signature: hook `plain` has no `signing` key"),
        "{}",
        run.stdout
    );
    for secret in [SW_SECRET, HMAC_SECRET] {
        assert!(!run.stdout.contains(secret));
    }
    // Without --fixed-time the header assertion fails (the time differs) but the signature is
    // still valid; the failure shows signatures, never the secret.
    let run = Test::new()
        .project(t.path())
        .args(&["test", "--filter", "signed", "--format", "json"])
        .run();
    let text = run.stdout.clone();
    assert!(text.contains("header `webhook-timestamp`"), "{text}");
    assert!(!text.contains("signature: not valid"), "{text}");
    assert!(!text.contains(SW_SECRET) && !text.contains(HMAC_SECRET));
    // An unknown matcher value is refused.
    std::fs::write(
        t.path().join("contracts/signing.yaml"),
        "- name: x\n  event: deploy\n  requests:\n    sw:\n      signature: maybe\n",
    )
    .unwrap();
    let run = Test::new().project(t.path()).args(&["test"]).run();
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
}
