//! `hooktest render`: dispatch, requests, formats, selection and bad input.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::process::Stdio;

use crate::support::{event_json, fixtures, hook_json, Test};

const EXAMPLE_HOOKS: [&str; 6] = [
    "audit-all",
    "checkout-errors",
    "cross-bag",
    "infra-ping",
    "never-fires",
    "slack-deploys",
];

fn example_args() -> Vec<&'static str> {
    let mut args = vec!["render", "--format", "json"];
    for h in EXAMPLE_HOOKS {
        args.extend(["--hook", h]);
    }
    args
}

/// TSURU.md §3: with the example files, exactly these pairs fire.
#[test]
fn examples_dispatch_exactly_as_tsuru() {
    let run = Test::new().project(fixtures()).args(&example_args()).run();
    let mut fired: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for item in run.json().as_array().unwrap() {
        assert_eq!(item["fires"], true);
        fired
            .entry(item["hook"].as_str().unwrap().to_string())
            .or_default()
            .push(item["event"].as_str().unwrap().to_string());
    }
    let examples = [
        "app-deploy-ok",
        "app-update-bind-ok",
        "app-update-error",
        "node-healer-legacy",
    ];
    for list in fired.values_mut() {
        list.retain(|e| examples.contains(&e.as_str()));
    }
    fired.retain(|_, v| !v.is_empty());
    let expected: BTreeMap<String, Vec<String>> = [
        ("audit-all", &examples[..]),
        ("checkout-errors", &["app-update-error"][..]),
        ("cross-bag", &["app-update-bind-ok"][..]),
        ("infra-ping", &["node-healer-legacy"][..]),
        ("slack-deploys", &["app-deploy-ok"][..]),
    ]
    .into_iter()
    .map(|(h, e)| (h.to_string(), e.iter().map(|s| s.to_string()).collect()))
    .collect();
    assert_eq!(fired, expected);
}

#[test]
fn default_body_and_headers_are_tsurus() {
    let run = Test::new()
        .project(fixtures())
        .args(&[
            "render",
            "--format",
            "json",
            "--hook",
            "audit-all",
            "--event",
            "app-deploy-ok",
        ])
        .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let item = &run.json()[0];
    let expected_body = fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/default-body/app-deploy-ok.body"),
    )
    .unwrap();
    assert_eq!(item["request"]["body"], expected_body.as_str());
    assert_eq!(item["request"]["method"], "POST");
    assert_eq!(
        item["request"]["headers"],
        serde_json::json!([
            ["Authorization", "Bearer s3cr3t"],
            ["Content-Type", "application/json"],
            ["User-Agent", "tsuru-webhook-client/1.0"]
        ])
    );
    assert_eq!(item["error"], serde_json::Value::Null);
    assert_eq!(item["warnings"], serde_json::json!([]));
}

#[test]
fn get_sends_no_body_and_repeated_headers_stay_in_order() {
    let run = Test::new()
        .file(
            "hooks/h.json",
            &hook_json(
                "h",
                r#", "method": "get", "headers": {"X-Team": ["a", "b"], "Accept": ["*/*"]}"#,
            ),
        )
        .file("events/e.json", &event_json("app.deploy", "app", "x", ""))
        .args(&["render", "--format", "json"])
        .run();
    let req = &run.json()[0]["request"];
    assert_eq!(req["method"], "GET");
    assert_eq!(req["body"], serde_json::Value::Null);
    assert_eq!(
        req["headers"],
        serde_json::json!([
            ["X-Team", "a"],
            ["X-Team", "b"],
            ["Accept", "*/*"],
            ["User-Agent", "tsuru-webhook-client/1.0"]
        ])
    );
}

#[test]
fn explain_gives_every_pair_with_reason() {
    let run = Test::new()
        .file(
            "hooks/a.yaml",
            "- name: upd\n  url: http://x/\n  event_filter:\n    kind_names: [app.update]\n",
        )
        .file("events/e.json", &event_json("app.deploy", "app", "x", ""))
        .args(&["render", "--format", "json", "--explain"])
        .run();
    let item = &run.json()[0];
    assert_eq!(item["fires"], false);
    assert_eq!(item["request"], serde_json::Value::Null);
    assert_eq!(
        item["reason"],
        "kind_names [app.update] has none of [app.deploy, app]"
    );

    let table = Test::new()
        .project(fixtures())
        .args(&["render", "--format", "text", "--explain"])
        .run();
    assert!(table.stdout.contains("never-fires"), "{}", table.stdout);
    assert!(table
        .stdout
        .contains("never-fires × app-deploy-ok: error_only, but the event succeeded"));
}

#[test]
fn tera_bodies_render_and_errors_name_hook_event_and_place() {
    let t = Test::new()
        .file(
            "hooks/t.yaml",
            "- name: good\n  url: http://x/\n  engine: tera\n  body: '{{ Target.Value }}/{{ hook.name }}/{{ Error | json_encode }}'\n- name: bad\n  url: http://x/\n  engine: tera\n  body: \"ok\\n{{ Nope.deeper }}\"\n",
        )
        .file("events/e.json", &event_json("app.deploy", "app", "my<app>", "it's \\\"bad\\\""));
    let run = t.args(&["render", "--format", "json"]).run();
    assert_eq!(run.code, 1, "a failed render exits 1: {}", run.stderr);
    let items = run.json();
    assert_eq!(
        items[0]["request"]["body"],
        "my<app>/good/\"it's \\\"bad\\\"\""
    );
    assert_eq!(items[1]["request"], serde_json::Value::Null);
    assert_eq!(items[1]["error"]["kind"], "render");
    let msg = items[1]["error"]["message"].as_str().unwrap();
    assert!(msg.contains("hook `bad`, event `e`"), "{msg}");
    assert!(
        msg.contains("t.yaml:8:3") && msg.contains("body line 2"),
        "{msg}"
    );
}

#[test]
fn http_and_curl_formats() {
    let t = Test::new()
        .file("hooks/h.json", &hook_json("h", r#", "url": "https://a.example/p?q=1", "body": "x={{ Kind.Name }}", "engine": "tera""#))
        .file("events/e.json", &event_json("app.deploy", "app", "x", ""));
    let http = Test::new()
        .project(t.path())
        .args(&["render", "--format", "http"])
        .run();
    assert_eq!(
        http.stdout,
        "POST /p?q=1 HTTP/1.1\r\nHost: a.example\r\nUser-Agent: tsuru-webhook-client/1.0\r\nContent-Length: 12\r\n\r\nx=app.deploy\n"
    );
    let curl = t.args(&["render", "--format", "curl"]).run();
    assert_eq!(
        curl.stdout,
        "curl -X POST 'https://a.example/p?q=1' \\\n  -H 'User-Agent: tsuru-webhook-client/1.0' \\\n  -H Content-Type: \\\n  --data-binary x=app.deploy\n"
    );
}

#[test]
fn text_format_shows_pair_request_and_pretty_json() {
    let run = Test::new()
        .project(fixtures())
        .args(&[
            "render",
            "--format",
            "text",
            "--hook",
            "checkout-errors-tera",
            "--event",
            "app-update-error",
        ])
        .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("══ checkout-errors-tera ← app-update-error\nPUT https://alerts.example.com/api/v1/tsuru?src=hooktest\n"), "{}", run.stdout);
    assert!(
        run.stdout.contains("  \"error\": \"plan not found\",\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("1 request from 1 hook × 1 event"),
        "{}",
        run.stderr
    );
}

#[test]
fn events_by_path_jsonl_ids_and_env_dir() {
    let t = Test::new()
        .file("hooks/h.json", &hook_json("h", ""))
        .file(
            "events/many.jsonl",
            &format!(
                "{}\n\n{}\n",
                event_json("a.b", "app", "1", ""),
                event_json("a.c", "app", "2", "")
            ),
        )
        .file("other/one.json", &event_json("x.y", "app", "3", ""));
    let ids = |run: crate::support::Run| -> Vec<String> {
        run.json()
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["event"].as_str().unwrap().to_string())
            .collect()
    };
    let all = Test::new()
        .project(t.path())
        .args(&["render", "--format", "json"])
        .run();
    assert_eq!(ids(all), ["many#1", "many#2"]);
    let by_stem = Test::new()
        .project(t.path())
        .args(&["render", "--format", "json", "--event", "many"])
        .run();
    assert_eq!(ids(by_stem), ["many#1", "many#2"]);
    let other = t.path().join("other/one.json");
    let by_path = Test::new()
        .project(t.path())
        .args(&[
            "render",
            "--format",
            "json",
            "--event",
            other.to_str().unwrap(),
        ])
        .run();
    assert_eq!(ids(by_path), ["one"]);
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_hooktest"));
    let out = cmd
        .args(["render", "--format", "json"])
        .env("HOOKTEST_DIR", t.path())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("many#2"));
}

#[test]
fn unknown_selection_suggests_and_exits_2() {
    let run = Test::new()
        .project(fixtures())
        .args(&["render", "--hook", "slack-deploy"])
        .run();
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(
            "no hook named `slack-deploy` in the project (did you mean `slack-deploys`?)"
        ),
        "{}",
        run.stderr
    );
    let run = Test::new()
        .project(fixtures())
        .args(&["render", "--event", "app-deploy"])
        .run();
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did you mean `app-deploy-ok`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_files_are_all_reported_with_positions() {
    let run = Test::new()
        .file(
            "hooks/a-broken.json",
            "{\n  \"name\": \"a\",\n  \"url\": \n}",
        )
        .file("hooks/b-broken.yaml", "- name: b\n  url: [unclosed\n")
        .file(
            "hooks/c-types.json",
            "{\"name\": \"c\", \"url\": \"http://x\",\n \"insecure\": \"yes\"}",
        )
        .file("hooks/d-empty.json", "  \n")
        .file("events/bad.json", "[1, 2")
        .args(&["render"])
        .run();
    assert_eq!(run.code, 2);
    let e = &run.stderr;
    assert!(
        e.contains("hooks/a-broken.json:4:1: error: invalid JSON: expected value"),
        "{e}"
    );
    assert!(e.contains("hooks/b-broken.yaml:3:1: error: invalid YAML: did not find expected ',' or ']', while parsing a flow sequence"), "{e}");
    assert!(
        e.contains(
            "hooks/c-types.json:2:2: error: `insecure` must be true or false, found a string"
        ),
        "{e}"
    );
    assert!(
        e.contains("hooks/d-empty.json:1:1: error: file is empty"),
        "{e}"
    );
    assert!(
        e.contains("events/bad.json:1:5: error: invalid JSON: EOF while parsing a list"),
        "{e}"
    );
    assert!(e.contains("error: the project has 5 errors"), "{e}");
}

#[test]
fn no_hooks_is_a_clear_error() {
    let run = Test::new()
        .file("events/e.json", &event_json("a", "app", "x", ""))
        .args(&["render"])
        .run();
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no `hooks/` folder"), "{}", run.stderr);
    let run = Test::new()
        .file("hooks/README.md", "hi")
        .args(&["render"])
        .run();
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no hooks found"), "{}", run.stderr);
    assert!(
        run.stderr.contains("README.md:1:1: warning: ignored"),
        "{}",
        run.stderr
    );
    let run = Test::new()
        .project("/nonexistent/hooktest")
        .args(&["render"])
        .run();
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("does not exist"), "{}", run.stderr);
}

#[test]
fn closed_pipe_exits_quietly() {
    // Far more output than a pipe buffers, so the writer really hits the closed pipe.
    let events: Vec<String> = (0..400)
        .map(|i| event_json("app.deploy", "app", &format!("app-{i}"), ""))
        .collect();
    let t = Test::new()
        .file("hooks/h.json", &hook_json("h", ""))
        .file("events/many.json", &format!("[{}]", events.join(",")))
        .args(&["render", "--format", "text"]);
    let mut child = t
        .command()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn settings_choose_the_default_engine() {
    let t = Test::new()
        .file("hooktest.toml", "# project settings\nengine = \"tera\"\n")
        .file(
            "hooks/h.yaml",
            "- name: tera-default\n  url: http://x/\n  body: '{{ Kind.Name }}'\n- name: go-explicit\n  url: http://x/\n  engine: go\n  body: '{{.Kind}}'\n",
        )
        .file("events/e.json", &event_json("app.deploy", "app", "x", ""));
    let run = Test::new()
        .project(t.path())
        .args(&["render", "--format", "json"])
        .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()[0]["request"]["body"], "app.deploy");
    assert_eq!(run.json()[1]["request"]["body"], "app.deploy");

    let bad = Test::new()
        .file("hooktest.toml", "engine = \"jinja\"\ncolour = 1\n")
        .file("hooks/h.json", &hook_json("h", ""))
        .args(&["validate"])
        .run();
    assert_eq!(bad.code, 1);
    assert!(
        bad.stdout
            .contains("hooktest.toml:1:1: error: `engine` must be \"go\" or \"tera\""),
        "{}",
        bad.stdout
    );
    assert!(
        bad.stdout
            .contains("hooktest.toml:2:1: warning: unknown setting `colour` is ignored"),
        "{}",
        bad.stdout
    );
    let broken = Test::new()
        .file("hooktest.toml", "engine = \n")
        .file("hooks/h.json", &hook_json("h", ""))
        .args(&["validate"])
        .run();
    assert!(
        broken.stdout.contains("hooktest.toml:1:"),
        "{}",
        broken.stdout
    );
}

#[test]
fn go_bodies_render_like_tsuru_and_strict_refuses_raw_text() {
    let t = Test::new()
        .file(
            "hooks/h.yaml",
            "- name: doc\n  url: http://x/\n  body: 'payload={\"text\": \"应用 {{.Target.Value}} 部署成功\"}'\n- name: broken\n  url: http://x/\n  body: '{{if .Error}}x'\n",
        )
        .file("events/e.json", &event_json("app.deploy", "app", "checkout-api", ""));
    let run = Test::new()
        .project(t.path())
        .args(&["render", "--format", "json"])
        .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let items = run.json();
    assert_eq!(
        items[0]["request"]["body"],
        "payload={\"text\": \"应用 checkout-api 部署成功\"}"
    );
    assert_eq!(items[1]["request"]["body"], "{{if .Error}}x");
    assert!(
        items[1]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("unexpected EOF"),
        "{}",
        items[1]
    );
    let strict = Test::new()
        .project(t.path())
        .args(&["render", "--format", "json", "--strict"])
        .run();
    assert_eq!(strict.code, 1);
    assert_eq!(strict.json()[1]["error"]["kind"], "parse");
}
