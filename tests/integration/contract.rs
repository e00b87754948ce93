//! `hooktest test`: every matcher passing and failing, snapshots, JUnit, JSON, exit codes.

use crate::support::{event_json, fixtures, Test};

const HOOKS: &str = r#"[
  {"name": "json-hook", "url": "http://x.example/j", "method": "put", "engine": "tera",
   "headers": {"Content-Type": ["application/json"], "X-Team": ["a", "b"]},
   "event_filter": {"kind_names": ["app.deploy"]},
   "body": "{\"app\": {{ Target.Value | json_encode }}, \"kind\": \"{{ Kind.Name }}\", \"n\": [1, {\"deep\": true}]}"},
  {"name": "text-hook", "url": "http://x.example/t", "engine": "tera", "body": "hello {{ Target.Value }}!"},
  {"name": "errors-only", "url": "http://x.example/e", "event_filter": {"error_only": true}}
]"#;

fn project() -> Test {
    Test::new().file("hooks/hooks.json", HOOKS).file(
        "events/deploy.json",
        &event_json("app.deploy", "app", "shop", ""),
    )
}

#[test]
fn every_matcher_passes_when_it_holds() {
    let run = project()
        .file(
            "contracts/ok.yaml",
            r#"
- name: all matchers hold
  event: deploy
  fires: [text-hook, json-hook]
  fires_include: [json-hook]
  fires_exclude: [errors-only]
  requests:
    json-hook:
      method: PUT
      url: http://x.example/j
      headers: {content-type: application/json, X-Team: b}
      body_json: {kind: app.deploy, n: [1, {deep: true}], app: shop}
      body_contains: ["\"app\": \"shop\"", deep]
      body_matches: '"kind": "app\.\w+"'
      json: {app: shop, "n[1].deep": true, "/n/0": 1}
    text-hook:
      body: hello shop!
"#,
        )
        .args(&["test"])
        .run();
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout,
        "PASS all matchers hold (".to_string() + &run.stdout[24..]
    );
    assert!(
        run.stdout.ends_with("1 passed, 0 failed\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn every_matcher_fails_with_a_readable_reason() {
    let run = project()
        .file(
            "contracts/bad.yaml",
            r#"
- name: everything wrong
  event: deploy
  fires: [json-hook, errors-only]
  fires_include: [errors-only]
  fires_exclude: [text-hook]
  requests:
    json-hook:
      method: POST
      url: http://y.example/j
      headers: {X-Team: c, X-Missing: "1"}
      body_json: {app: shop, kind: app.update}
      body_contains: nope
      body_matches: '^\d+$'
      json: {app: other, missing.key: 1}
    text-hook:
      body: hello world!
    errors-only:
      method: POST
- name: skipped one
  event: deploy
  skip: not ready yet
"#,
        )
        .args(&["test"])
        .run();
    assert_eq!(run.code, 1);
    let out = &run.stdout;
    for expected in [
        "FAIL everything wrong",
        "fires: expected exactly [json-hook, errors-only], got [json-hook, text-hook]; missing: errors-only; unexpected: text-hook",
        "fires_include: `errors-only` does not fire",
        "fires_exclude: `text-hook` fires but must not",
        "requests.json-hook: method: expected POST, got PUT",
        "requests.json-hook: url: expected http://y.example/j, got http://x.example/j",
        "requests.json-hook: header `X-Team`: expected `c`, got `a`, `b`",
        "requests.json-hook: header `X-Missing` is missing",
        "requests.json-hook: body_json: the JSON body differs (keys sorted)",
        "-  \"kind\": \"app.update\"\n",
        "+  \"kind\": \"app.deploy\",",
        "requests.json-hook: body_contains: the body does not contain \"nope\"",
        "requests.json-hook: body_matches: the body does not match /^\\d+$/",
        "requests.json-hook: json: `app`: expected \"other\", got \"shop\"",
        "requests.json-hook: json: `missing.key` is not in the body",
        "requests.text-hook: body differs",
        "-hello world!",
        "+hello shop!",
        "requests.errors-only: `errors-only` does not fire for this event",
        "SKIP skipped one",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in\n{out}");
    }
    assert!(out.ends_with("0 passed, 1 failed, 1 skipped\n"), "{out}");
}

#[test]
fn snapshots_are_created_compared_and_updated() {
    let t = project().file(
        "contracts/snap.yaml",
        "- name: Snap Shot!\n  event: deploy\n  requests:\n    text-hook: {snapshot: true}\n",
    );
    let first = Test::new().project(t.path()).args(&["test"]).run();
    assert_eq!(first.code, 1);
    assert!(
        first.stdout.contains("no snapshot yet at"),
        "{}",
        first.stdout
    );
    let update = Test::new()
        .project(t.path())
        .args(&["test", "--update"])
        .run();
    assert_eq!(update.code, 0, "{}", update.stdout);
    assert!(update.stdout.contains("created "), "{}", update.stdout);
    let snap = t
        .path()
        .join("contracts/snapshots/snap/snap-shot.text-hook.json");
    let text = std::fs::read_to_string(&snap).unwrap();
    assert!(text.contains("\"body\": \"hello shop!\""), "{text}");
    assert_eq!(Test::new().project(t.path()).args(&["test"]).run().code, 0);
    // The template changes: the snapshot no longer matches, and the diff shows why.
    std::fs::write(
        t.path().join("hooks/hooks.json"),
        HOOKS.replace("hello {{", "bye {{"),
    )
    .unwrap();
    let changed = Test::new().project(t.path()).args(&["test"]).run();
    assert_eq!(changed.code, 1);
    assert!(
        changed.stdout.contains("differs from the snapshot"),
        "{}",
        changed.stdout
    );
    assert!(
        changed.stdout.contains("-  \"body\": \"hello shop!\"")
            && changed.stdout.contains("+  \"body\": \"bye shop!\""),
        "{}",
        changed.stdout
    );
    let updated = Test::new()
        .project(t.path())
        .args(&["test", "--update"])
        .run();
    assert!(updated.stdout.contains("updated "), "{}", updated.stdout);
    assert_eq!(Test::new().project(t.path()).args(&["test"]).run().code, 0);
}

#[test]
fn junit_json_and_filter() {
    let t = project().file(
        "contracts/two.yaml",
        "- name: good one\n  event: deploy\n  fires_include: [text-hook]\n- name: bad <one>\n  event: deploy\n  fires: []\n- name: later\n  event: deploy\n  skip: true\n",
    );
    let junit = t.path().join("report.xml");
    let run = Test::new()
        .project(t.path())
        .args(&["test", "--junit", junit.to_str().unwrap()])
        .run();
    assert_eq!(run.code, 1);
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("valid XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("3"));
    assert_eq!(root.attribute("failures"), Some("1"));
    assert_eq!(root.attribute("skipped"), Some("1"));
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 3);
    assert_eq!(cases[1].attribute("name"), Some("bad <one>"));
    let failure = cases[1]
        .children()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert!(failure
        .attribute("message")
        .unwrap()
        .contains("fires: expected exactly []"));
    assert!(cases[2].children().any(|n| n.has_tag_name("skipped")));

    let json = Test::new()
        .project(t.path())
        .args(&["test", "--format", "json"])
        .run();
    let v = json.json();
    assert_eq!(v[0]["status"], "passed");
    assert_eq!(v[1]["status"], "failed");
    assert_eq!(v[2]["status"], "skipped");

    let filtered = Test::new()
        .project(t.path())
        .args(&["test", "--filter", "good"])
        .run();
    assert_eq!(filtered.code, 0);
    assert!(
        filtered.stdout.ends_with("1 passed, 0 failed\n"),
        "{}",
        filtered.stdout
    );
}

#[test]
fn malformed_contracts_are_errors_with_positions() {
    let run = project()
        .file(
            "contracts/a.yaml",
            "- name: typo\n  event: deploy\n  requests:\n    text-hook:\n      bodyy: x\n",
        )
        .file(
            "contracts/b.json",
            "[{\"name\": \"x\", \"event\": \"deploy\", \"fires\": \"text-hook\"}]",
        )
        .file("contracts/c.yaml", "- event: deploy\n")
        .args(&["test"])
        .run();
    assert_eq!(run.code, 2);
    let e = &run.stderr;
    assert!(e.contains("contracts/a.yaml:5:7: error: invalid contract: case 1: requests.text-hook: unknown field `bodyy`, expected one of"), "{e}");
    assert!(e.contains("contracts/b.json:1:54: error: invalid contract: invalid type: string \"text-hook\", expected a sequence"), "{e}");
    assert!(
        e.contains("contracts/c.yaml:1:3: error: invalid contract: case 1: missing field `name`"),
        "{e}"
    );
}

#[test]
fn unknown_names_and_events_fail_the_case() {
    let run = project()
        .file(
            "contracts/a.yaml",
            "- name: x\n  event: deplyo\n- name: y\n  event: deploy\n  fires: [text-hok]\n",
        )
        .args(&["test"])
        .run();
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("no event `deplyo`: not an event id of the project and not a file (did you mean `deploy`?)"), "{}", run.stdout);
    assert!(run.stdout.contains("the contract names hook `text-hok`, which the project does not have (did you mean `text-hook`?)"), "{}", run.stdout);
}

#[test]
fn no_contracts_is_exit_2() {
    let run = project().args(&["test"]).run();
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no contracts found"), "{}", run.stderr);
}

#[test]
fn sample_project_contracts_run() {
    let run = Test::new()
        .project(fixtures())
        .args(&["test", "--format", "json"])
        .run();
    let cases = run.json();
    assert!(cases.as_array().unwrap().len() >= 5);
    // The sample project is the living example: every case passes, also when delivered.
    assert_eq!(run.code, 0, "{}", run.stdout);
    for case in cases.as_array().unwrap() {
        assert_eq!(case["status"], "passed", "{case}");
    }
    let delivered = Test::new()
        .project(fixtures())
        .args(&["test", "--deliver"])
        .run();
    assert_eq!(delivered.code, 0, "{}", delivered.stdout);
}

#[test]
fn deliver_checks_what_arrives() {
    let ok = project()
        .file(
            "contracts/a.yaml",
            "- name: deploy\n  event: deploy\n  fires_include: [json-hook]\n",
        )
        .args(&["test", "--deliver"])
        .run();
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    // HTTP cannot carry a header value's surrounding spaces: what arrives differs from the render.
    let run = Test::new()
        .file(
            "hooks/h.json",
            r#"{"name": "padded", "url": "http://x.example/p", "headers": {"X-Pad": [" spaced "]}}"#,
        )
        .file("events/deploy.json", &event_json("app.deploy", "app", "shop", ""))
        .file("contracts/a.yaml", "- name: padded header\n  event: deploy\n  fires: [padded]\n")
        .args(&["test", "--deliver"])
        .run();
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "requests.padded: --deliver: header `X-Pad:  spaced ` did not arrive (in order)"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn snapshots_of_signed_requests_do_not_depend_on_the_time_of_the_run() {
    let t = Test::new()
        .file(
            "hooks/hooks.json",
            r#"[{"name": "sw", "url": "http://x.example/s", "body": "hi",
                 "signing": {"scheme": "standard-webhooks", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}}]"#,
        )
        .file(
            "events/deploy.json",
            &event_json("app.deploy", "app", "shop", ""),
        )
        .file(
            "contracts/signed.yaml",
            "- name: signed\n  event: deploy\n  requests:\n    sw: {snapshot: true, signature: valid}\n",
        );
    let first = Test::new()
        .project(t.path())
        .args(&["test", "--update"])
        .run();
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    // webhook-timestamp has a resolution of one second.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let again = Test::new().project(t.path()).args(&["test"]).run();
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    // With a fixed time the snapshot holds the real values.
    let fixed = Test::new()
        .project(t.path())
        .args(&["test", "--update", "--fixed-time", "2026-05-01T10:00:00Z"])
        .run();
    assert_eq!(fixed.code, 0, "{}{}", fixed.stdout, fixed.stderr);
    let snap = std::fs::read_to_string(t.path().join("contracts/snapshots/signed/signed.sw.json"))
        .unwrap();
    assert!(snap.contains("\"1777629600\""), "{snap}");
}

#[test]
fn junit_stays_well_formed_with_control_characters() {
    let t = project().file(
        "contracts/c.json",
        r#"[{"name": "bad \u0001 name \u001b[1m", "event": "deploy", "requests": {"text-hook": {"body": "a\u0002b"}}}]"#,
    );
    let path = t.path().join("report.xml");
    let run = Test::new()
        .project(t.path())
        .args(&["test", "--junit", path.to_str().unwrap()])
        .run();
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let xml = std::fs::read_to_string(&path).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}:\n{xml}"));
    let case = doc
        .descendants()
        .find(|n| n.has_tag_name("testcase"))
        .unwrap();
    assert_eq!(case.attribute("name"), Some("bad \\u{1} name \\u{1b}[1m"));
}
