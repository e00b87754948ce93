//! Hostile and odd inputs: each test is a problem found by attacking the binary, kept fixed.

use std::fs;

use crate::support::{event_json, hook_json, Test};

fn project_with(hook_file: &str, hook: &str) -> Test {
    Test::new()
        .file(hook_file, hook)
        .file("events/e.json", &event_json("app.deploy", "app", "x", ""))
}

#[test]
fn crlf_in_method_or_headers_is_an_error_not_a_forged_request() {
    let hook = r#"{"name": "h", "url": "http://x/h",
  "method": "POST /x HTTP/1.1\r\nX-Evil: 1\r\n\r\nGET",
  "headers": {"X-A": ["ok\r\nX-Injected: yes"]},
  "signing": {"scheme": "hmac-sha256", "secret": "s", "prefix": "sha256=\r\nX-Evil: 2"},
  "body": "hi"}"#;
    let t = project_with("hooks/h.json", hook);
    let validate = Test::new().project(t.path()).args(&["validate"]).run();
    assert_eq!(validate.code, 1, "{}{}", validate.stdout, validate.stderr);
    assert!(
        validate
            .stdout
            .contains("hooks/h.json:4:55: error: the signing `prefix`"),
        "{}",
        validate.stdout
    );
    // Without the signing problem the hook loads: validate names both, render sends nothing.
    let hook = hook.replace(r#"\r\nX-Evil: 2"#, "");
    let t = project_with("hooks/h.json", &hook);
    let validate = Test::new().project(t.path()).args(&["validate"]).run();
    assert_eq!(validate.code, 1, "{}", validate.stdout);
    assert!(
        validate.stdout.contains(
            "hooks/h.json:2:3: error: hook `h`: method \"POST /x HTTP/1.1\\r\\nX-Evil: 1\\r\\n\\r\\nGET\" is not a valid HTTP method"
        ),
        "{}",
        validate.stdout
    );
    assert!(
        validate.stdout.contains(
            "hooks/h.json:3:3: error: hook `h`: header `X-A`: value \"ok\\r\\nX-Injected: yes\" has a control character"
        ),
        "{}",
        validate.stdout
    );
    for format in ["http", "curl"] {
        let run = Test::new()
            .project(t.path())
            .args(&["render", "--format", format])
            .run();
        assert_eq!(run.code, 1, "{format}: {}{}", run.stdout, run.stderr);
        let out = run.stdout.to_lowercase();
        assert!(!out.contains("x-evil"), "{format}: {}", run.stdout);
        assert!(!out.contains("x-injected"), "{format}: {}", run.stdout);
        assert!(
            run.stderr.contains("tsuru could not send the request"),
            "{}",
            run.stderr
        );
    }
    let json = Test::new()
        .project(t.path())
        .args(&["render", "--format", "json"])
        .run()
        .json();
    assert_eq!(json[0]["request"], serde_json::Value::Null);
    assert_eq!(json[0]["error"]["kind"], "request");
}

#[test]
fn a_trailing_newline_from_a_yaml_block_in_url_or_method_is_reported() {
    let run = project_with(
        "hooks/h.yaml",
        "name: h\nurl: |\n  http://x/\nmethod: |\n  GET\n",
    )
    .args(&["validate"])
    .run();
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "hooks/h.yaml:2:1: error: hook `h`: url \"http://x/\\n\" has a control character"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("hooks/h.yaml:4:1: error: hook `h`: method \"GET\\n\" is not a valid"),
        "{}",
        run.stdout
    );
}

#[test]
fn curl_output_is_not_misread_by_curl() {
    let run = project_with(
        "hooks/h.json",
        r#"{"name": "h", "url": "http://x/h", "headers": {"X-Empty": [""]}, "body": "@/etc/passwd"}"#,
    )
    .args(&["render", "--format", "curl"])
    .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "curl -X POST http://x/h \\\n  -H 'X-Empty;' \\\n  -H 'User-Agent: tsuru-webhook-client/1.0' \\\n  -H Content-Type: \\\n  --data-raw @/etc/passwd\n"
    );
}

#[test]
fn hook_update_keeps_keys_it_does_not_know() {
    let t = Test::new().file(
        "hooks/multi.json",
        r#"[
  {"name": "a", "url": "http://x/a", "_comment": "owned by payments", "x-extra": {"keep": true},
   "event_filter": {"kind_names": ["app.deploy"], "x-note": 1}},
  {"name": "b", "url": "http://x/b", "_comment": "keep me too"}
]"#,
    );
    let run = Test::new()
        .project(t.path())
        .args(&["hook", "update", "a", "-d", "new"])
        .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let written: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(t.path().join("hooks/multi.json")).unwrap())
            .unwrap();
    assert_eq!(written[0]["description"], "new");
    assert_eq!(written[0]["_comment"], "owned by payments");
    assert_eq!(written[0]["x-extra"], serde_json::json!({"keep": true}));
    assert_eq!(written[0]["event_filter"]["x-note"], 1);
    assert_eq!(written[0]["event_filter"]["kind_names"][0], "app.deploy");
    assert_eq!(written[1]["_comment"], "keep me too");
}

#[test]
fn a_hook_name_cannot_put_a_snapshot_outside_the_snapshot_folder() {
    let t = project_with(
        "hooks/h.json",
        r#"{"name": "../../../../escaped", "url": "http://x/"}"#,
    )
    .file(
        "contracts/c.yaml",
        "- name: x\n  event: e\n  requests:\n    \"../../../../escaped\": {snapshot: true}\n",
    );
    let run = Test::new()
        .project(t.path())
        .args(&["test", "--update"])
        .run();
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!t.path().join("contracts/escaped.json").exists());
    let written: Vec<_> = fs::read_dir(t.path().join("contracts/snapshots/c"))
        .unwrap()
        .collect();
    assert_eq!(written.len(), 1);
}

#[test]
fn junit_report_with_control_characters_is_valid_xml() {
    let junit = tempfile::NamedTempFile::new().unwrap();
    let run = project_with(
        "hooks/h.json",
        r#"{"name": "h", "url": "http://x/", "body": "a\u0001b\u001bc"}"#,
    )
    .file(
        "contracts/c.yaml",
        "- name: \"x\\u0002\"\n  event: e\n  requests:\n    h: {body: zz}\n",
    )
    .args(&["test", "--junit", junit.path().to_str().unwrap()])
    .run();
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let xml = fs::read_to_string(junit.path()).unwrap();
    roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    assert!(xml.contains("+a\\u{1}b\\u{1b}c"), "{xml}");
}

#[test]
fn a_test_filter_that_matches_nothing_cannot_pass() {
    let run = project_with("hooks/h.json", &hook_json("h", ""))
        .file("contracts/c.yaml", "- name: x\n  event: e\n  fires: [h]\n")
        .args(&["test", "--filter", "typo"])
        .run();
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("no case matches --filter \"typo\""),
        "{}",
        run.stderr
    );
}

#[test]
fn json_syntax_errors_count_columns_in_characters() {
    let run = project_with("hooks/h.json", r#"{"description": "应用应用", "url" "x"}"#)
        .file("events/l.jsonl", "{\"Error\": \"é\" \"x\"}\n")
        .args(&["validate"])
        .run();
    assert!(
        run.stdout
            .contains("hooks/h.json:1:31: error: invalid JSON: expected `:`"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("events/l.jsonl:1:15: error:"),
        "{}",
        run.stdout
    );
}

#[test]
fn byte_order_marks_are_read_and_other_encodings_say_what_to_do() {
    let t = Test::new()
        .file(
            "hooks/a.json",
            "\u{feff}{\"name\": \"a\", \"url\": \"http://x/a\"}",
        )
        .file("hooks/b.yaml", "\u{feff}name: b\nurl: http://x/b\n")
        .file(
            "events/e.json",
            &format!("\u{feff}{}", event_json("app.deploy", "app", "x", "")),
        )
        .file("hooktest.toml", "\u{feff}engine = \"go\"\n");
    fs::write(
        t.path().join("hooks/c.json"),
        [0xFF, 0xFE, b'{', 0, b'}', 0],
    )
    .unwrap();
    fs::write(t.path().join("hooks/d.json"), b"{\"name\":\n \"d\xff\"}").unwrap();
    let run = Test::new().project(t.path()).args(&["validate"]).run();
    assert_eq!(
        run.stdout.lines().count(),
        2,
        "only c and d are wrong:\n{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("hooks/c.json:1:1: error: the file is UTF-16: save it as UTF-8"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "hooks/d.json:2:4: error: the file is not UTF-8 (byte 0xff here): save it as UTF-8"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn duplicate_keys_are_not_silent() {
    let run = project_with(
        "hooks/a.json",
        "{\"name\": \"a\",\n \"url\": \"http://x/\",\n \"method\": \"GET\",\n \"method\": 3}",
    )
    .file("hooks/b.yaml", "name: b\nurl: http://x/\nname: c\n")
    .args(&["validate"])
    .run();
    assert!(
        run.stdout
            .contains("hooks/a.json:4:2: warning: duplicate key `method` (also at 3:2)"),
        "{}",
        run.stdout
    );
    // The finding about the value points at the value that is used.
    assert!(
        run.stdout
            .contains("hooks/a.json:4:2: error: `method` must be a string, found a number"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("hooks/b.yaml:1:1: error: invalid YAML: duplicate entry with key \"name\""),
        "{}",
        run.stdout
    );
}

#[test]
fn yaml_merge_keys_are_applied() {
    let t = project_with(
        "hooks/h.yaml",
        "- &base\n  name: a\n  url: http://x/\n  method: PUT\n- <<: *base\n  name: b\n",
    );
    let validate = Test::new().project(t.path()).args(&["validate"]).run();
    assert_eq!(validate.code, 0, "{}{}", validate.stdout, validate.stderr);
    let json = Test::new()
        .project(t.path())
        .args(&["render", "--format", "json", "--hook", "b"])
        .run()
        .json();
    assert_eq!(json[0]["request"]["method"], "PUT");
}

#[test]
fn yaml_tabs_and_several_documents_say_what_to_do() {
    let run = project_with(
        "hooks/a.yaml",
        "name: a\nurl: http://x/\nevent_filter:\n\tkind_names: [x]\n",
    )
    .file("hooks/b.yaml", "---\nname: b\n---\nname: c\n")
    .args(&["validate"])
    .run();
    assert!(
        run.stdout
            .contains("(this line is indented with a tab: YAML indentation must be spaces)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("(put the hooks in one list, `- name: …`, or in separate files)"),
        "{}",
        run.stdout
    );
}

#[test]
fn settings_findings_point_at_their_own_line() {
    let run = project_with("hooks/h.json", &hook_json("h", ""))
        .file("hooktest.toml", "engine_old = \"x\"\nengine = 3\n")
        .args(&["validate"])
        .run();
    assert!(
        run.stdout
            .contains("hooktest.toml:2:1: error: `engine` must be \"go\" or \"tera\""),
        "{}",
        run.stdout
    );
}

#[cfg(unix)]
#[test]
fn files_that_cannot_be_read_are_not_skipped_silently() {
    let t = project_with("hooks/h.json", &hook_json("h", ""));
    std::os::unix::fs::symlink("/nonexistent/x.json", t.path().join("hooks/gone.json")).unwrap();
    fs::create_dir(t.path().join("hooks/dir.json")).unwrap();
    fs::create_dir_all(t.path().join("contracts/snapshots")).unwrap();
    let run = Test::new().project(t.path()).args(&["validate"]).run();
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("hooks/gone.json:1:1: error: cannot read: "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("hooks/dir.json:1:1: warning: ignored: a folder, not a file"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("snapshots"), "{}", run.stdout);

    let t = Test::new()
        .file("hooks/h.json", &hook_json("h", ""))
        .file("events", "");
    let run = t.args(&["validate"]).run();
    assert!(
        run.stdout
            .contains("events:1:1: warning: not a folder, so no events are read from it"),
        "{}",
        run.stdout
    );
}

#[test]
fn an_unreadable_snapshot_is_not_called_missing() {
    let t = project_with("hooks/h.json", &hook_json("h", "")).file(
        "contracts/c.yaml",
        "- name: x\n  event: e\n  requests:\n    h: {snapshot: true}\n",
    );
    fs::create_dir_all(t.path().join("contracts/snapshots/c")).unwrap();
    fs::write(
        t.path().join("contracts/snapshots/c/x.h.json"),
        b"\xff\xfe garbage",
    )
    .unwrap();
    let run = Test::new().project(t.path()).args(&["test"]).run();
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("requests.h: cannot read the snapshot ")
            && run
                .stdout
                .contains("run `hooktest test --update` to rewrite it"),
        "{}",
        run.stdout
    );
    let run = Test::new()
        .project(t.path())
        .args(&["test", "--update"])
        .run();
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("updated "), "{}", run.stdout);
}

#[test]
fn warnings_about_an_event_file_given_by_path_are_shown() {
    let t = project_with("hooks/h.json", &hook_json("h", ""));
    let hook_file = t.path().join("hooks/h.json");
    let run = Test::new()
        .project(t.path())
        .args(&[
            "render",
            "--format",
            "json",
            "--event",
            hook_file.to_str().unwrap(),
        ])
        .run();
    assert!(
        run.stderr
            .contains("warning: unknown event field `name` is ignored"),
        "{}",
        run.stderr
    );
}

#[test]
fn create_force_does_not_overwrite_a_broken_multi_hook_file() {
    let t = Test::new().file(
        "hooks/cf.json",
        r#"[{"name": "cf", "url": "http://x/"}, {"name": "other", "url": "http://x/o"},]"#,
    );
    let before = fs::read_to_string(t.path().join("hooks/cf.json")).unwrap();
    let run = Test::new()
        .project(t.path())
        .args(&["hook", "create", "cf", "http://x/new", "--force"])
        .run();
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("does not parse as JSON"),
        "{}",
        run.stderr
    );
    assert_eq!(
        fs::read_to_string(t.path().join("hooks/cf.json")).unwrap(),
        before
    );
}

#[test]
fn an_events_file_with_an_empty_list_is_reported() {
    let run = Test::new()
        .file(
            "hooks/h.json",
            r#"{"name": "h", "url": "http://x/", "event_filter": {"kind_names": ["app.deploy"]}}"#,
        )
        .file("events/none.json", "[]")
        .file(
            "events/e.json",
            &event_json("app.deploy", "app", "shop", ""),
        )
        .args(&["validate"])
        .run();
    let out = format!("{}{}", run.stdout, run.stderr);
    assert!(
        out.contains("events/none.json:1:1: warning: holds an empty list, so no events"),
        "{out}"
    );
}

#[test]
fn an_event_selected_twice_is_rendered_once() {
    let run = Test::new()
        .file(
            "hooks/h.json",
            r#"{"name": "h", "url": "http://x/", "event_filter": {"kind_names": ["app.deploy"]}}"#,
        )
        .file(
            "events/e.json",
            &event_json("app.deploy", "app", "shop", ""),
        )
        .args(&["render", "--format", "json", "--event", "e", "--event", "e"])
        .run();
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let outcomes: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(outcomes.as_array().map(Vec::len), Some(1), "{}", run.stdout);
}
