//! `hooktest validate`: every finding, with its place, and the exit codes.

use crate::support::{event_json, fixtures, Test};

#[test]
fn sample_project_is_valid() {
    let run = Test::new().project(fixtures()).args(&["validate"]).run();
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(
        "never-fires.json:10:5: warning: hook `never-fires` sets both error_only and success_only"
    ));
}

#[test]
fn every_finding_is_reported_with_file_line_col() {
    let run = Test::new()
        .file(
            "hooks/many.yaml",
            "\
- name: Bad_Name
  url: ftp://files.example.com/x
- name: dup
  url: 'http://exa mple.com/'
- name: dup
  url: http://x/
  proxy_url: 'gopher://proxy'
  colour: blue
- name: filters
  url: http://x/
  event_filter:
    target_types: [apps]
    kind_types: [permision]
    kind_names: [app.deplyo, app.dep]
- name: tera-broken
  url: http://x/
  engine: tera
  body: |
    line one
    {% if %}
- name: nourl
",
        )
        .file("events/e.json", &event_json("app.deploy", "app", "x", ""))
        .args(&["validate"])
        .run();
    assert_eq!(run.code, 1);
    let out = &run.stdout;
    for expected in [
        "hooks/many.yaml:1:3: error: hook name `Bad_Name` is not valid for tsuru",
        "hooks/many.yaml:2:3: error: hook `Bad_Name`: url \"ftp://files.example.com/x\" has scheme `ftp`",
        "hooks/many.yaml:4:3: error: hook `dup`: url \"http://exa mple.com/\" does not parse",
        "hooks/many.yaml:5:3: error: duplicate hook name `dup` (first defined at ",
        "hooks/many.yaml:7:3: error: hook `dup`: proxy_url \"gopher://proxy\" has scheme `gopher`",
        "hooks/many.yaml:8:3: warning: unknown key `colour` is ignored",
        "hooks/many.yaml:12:5: warning: hook `filters`: tsuru has no target type `apps` (did you mean `app`?)",
        "hooks/many.yaml:13:5: warning: hook `filters`: tsuru has no kind type `permision` (only permission and internal) (did you mean `permission`?)",
        "hooks/many.yaml:14:5: warning: hook `filters`: `app.deplyo` is not a kind name tsuru emits (did you mean `app.deploy`?)",
        "warning: hook `filters`: `app.dep` is not a kind name tsuru emits",
        // Inside the literal block: line 2 of the body, where Tera stopped.
        "hooks/many.yaml:20:11: error: hook `tera-broken`: the tera body does not compile at body line 2, column 7",
        "hooks/many.yaml:21:1: error: hook `nourl` has no `url`",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in\n{out}");
    }
}

#[test]
fn body_findings_point_inside_the_body() {
    // A JSON body is one string literal: positions inside it count its escapes.
    let json = r#"{
  "name": "go-json",
  "url": "http://x/",
  "body": "{\"a\": \"\u00e9\"}\n{{.Nope}} and {{.Kind.Name}}"
}
"#;
    let run = Test::new()
        .file("hooks/go.json", json)
        .file(
            "hooks/go.yaml",
            "- name: go-yaml\n  url: http://x/\n  body: |\n    first\n      {{ .Target.Nope }}\n",
        )
        .file(
            "hooks/broken.json",
            r#"{"name": "broken", "url": "http://x/", "body": "ok\n\t{{ if }}"}"#,
        )
        .file(
            "events/e.json",
            &event_json("app.deploy", "app", "shop", ""),
        )
        .args(&["validate"])
        .run();
    let out = format!("{}{}", run.stdout, run.stderr);
    // `.Nope` is at column 3 of body line 2; in the file, line 4, that line starts after
    // `{\"a\": \"\u00e9\"}\n` (column 33), so `.Nope` is at column 35.
    assert!(
        out.contains("hooks/go.json:4:35: error: hook `go-json`: at body line 2, column 3:"),
        "{out}"
    );
    // The block is indented by 4; its line 2 keeps 2 more spaces.
    assert!(
        out.contains("hooks/go.yaml:5:17: error: hook `go-yaml`: at body line 2, column 13:"),
        "{out}"
    );
    // Go gives a parse error's line only: the start of that line of the body.
    assert!(
        out.contains(
            "hooks/broken.json:1:53: error: hook `broken`: body does not parse as a Go template"
        ),
        "{out}"
    );
}

#[test]
fn event_problems_are_found_too() {
    let run = Test::new()
        .file("hooks/h.json", r#"{"name": "h", "url": "http://x/"}"#)
        .file(
            "events/e.json",
            "{\n  \"UniqueID\": \"xyz\",\n  \"StartTime\": \"yesterday\",\n  \"Kind\": {\"Type\": \"permission\", \"Nme\": \"a\"},\n  \"Running\": true\n}",
        )
        .file("events/f.jsonl", "{\"Target\": {\"Type\": \"app\", \"Value\": \"x\"}}\n{oops}\n")
        .args(&["validate"])
        .run();
    assert_eq!(run.code, 1);
    let out = &run.stdout;
    for expected in [
        "events/e.json:2:3: error: invalid ObjectID \"xyz\"",
        "events/e.json:3:3: error: `StartTime` is not an RFC 3339 time",
        "events/e.json:4:34: warning: unknown event field `Nme`",
        "events/f.jsonl:2:2: error: invalid JSON on line 2",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in\n{out}");
    }
}

#[test]
fn running_events_warn_and_never_fire() {
    let t = Test::new()
        .file("hooks/h.json", r#"{"name": "h", "url": "http://x/"}"#)
        .file(
            "events/e.json",
            r#"{"Kind": {"Type": "permission", "Name": "app.deploy"}, "Running": true}"#,
        );
    let run = Test::new().project(t.path()).args(&["validate"]).run();
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .contains("events/e.json:1:1: warning: event `e` is still running"),
        "{}",
        run.stdout
    );
    let run = Test::new()
        .project(t.path())
        .args(&["render", "--format", "json", "--explain"])
        .run();
    assert_eq!(run.json()[0]["fires"], false);
    assert_eq!(
        run.json()[0]["reason"],
        "the event is still running; tsuru fires only for finished events"
    );
}
