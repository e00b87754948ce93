//! `hooktest watch`: the real binary on a temporary project that the tests edit while it runs.
//! Every step waits for a readiness or summary line; no sleep synchronises anything.

use std::fs;

use crate::support::{event_json, Test, Watch};

fn hook(name: &str, text: &str) -> String {
    format!(
        r#"{{"name": "{name}", "url": "http://127.0.0.1:9/{name}", "event_filter": {{"kind_names": ["app.deploy"]}}, "body": "{{\"text\": \"{text} {{{{.Target.Value}}}}\"}}"}}"#
    )
}

fn project() -> Test {
    Test::new().file("hooks/h.json", &hook("h", "v1")).file(
        "events/deploy.json",
        &event_json("app.deploy", "app", "shop", ""),
    )
}

fn write(test: &Test, path: &str, text: &str) {
    let full = test.path().join(path);
    fs::create_dir_all(full.parent().unwrap()).unwrap();
    fs::write(full, text).unwrap();
}

#[test]
fn starts_with_a_full_render_and_a_template_change_prints_a_diff() {
    let test = project();
    let mut watch = Watch::start(&test, &[]);
    // stdout and stderr are two pipes: what was printed first may be read second.
    watch.wait_stdout("══ h ← deploy");
    watch.wait_stdout(r#""text": "v1 shop""#);
    assert!(watch.stderr.contains("1 request from 1 hook × 1 event"));

    write(&test, "hooks/h.json", &hook("h", "v2"));
    let line = watch.wait_reload(1);
    assert!(
        line.starts_with("reloaded hooks/h.json: 1 changed, 0 started firing, 0 stopped ("),
        "{line}"
    );
    assert!(line.ends_with(" ms)"), "{line}");
    watch.wait_stdout(r#"+  "text": "v2 shop""#);
    assert!(watch.stdout.contains("~~ h ← deploy"), "{}", watch.stdout);
    assert!(watch.stdout.contains(r#"-  "text": "v1 shop""#));
    assert!(watch.stdout.contains("@@ "));
    // Unchanged lines far from the change are not reprinted.
    assert_eq!(watch.stdout.matches("POST http://127.0.0.1:9/h").count(), 1);
}

#[test]
fn an_atomic_rename_save_is_seen_like_an_edit() {
    let test = project();
    let mut watch = Watch::start(&test, &[]);
    // Like vim and JetBrains: write a temporary file (an editor leftover name), rename it over the
    // original; then like vim with backups: move the original away, write a new one.
    write(&test, "hooks/.h.json.tmp", &hook("h", "renamed"));
    fs::rename(
        test.path().join("hooks/.h.json.tmp"),
        test.path().join("hooks/h.json"),
    )
    .unwrap();
    watch.wait_stdout(r#"+  "text": "renamed shop""#);
    let line = watch.wait_reload(1);
    assert!(
        line.contains("1 changed, 0 started firing, 0 stopped"),
        "{line}"
    );

    fs::rename(
        test.path().join("hooks/h.json"),
        test.path().join("hooks/h.json~"),
    )
    .unwrap();
    write(&test, "hooks/h.json", &hook("h", "backup"));
    fs::remove_file(test.path().join("hooks/h.json~")).unwrap();
    // A diff line (not a "started firing" block) proves it was seen as one change.
    watch.wait_stdout(r#"+  "text": "backup shop""#);
    assert!(
        !watch.stdout.contains("stopped firing"),
        "a save by rename must not look like a deletion:\n{}",
        watch.stdout
    );
}

#[test]
fn a_new_event_file_starts_firing_and_swap_files_are_ignored() {
    let test = project();
    let mut watch = Watch::start(&test, &[]);
    write(&test, "events/.new.json.swp", "not json");
    write(&test, "events/new.json~", "not json");
    write(&test, "hooks/4913", "");
    write(
        &test,
        "events/new.json",
        &event_json("app.deploy", "app", "cart", ""),
    );
    watch.wait_stdout("++ h ← new started firing");
    watch.wait_stdout(r#""text": "v1 cart""#);
    let line = watch.wait_reload(1);
    assert!(
        line.contains("0 changed, 1 started firing, 0 stopped"),
        "{line}"
    );
    assert!(!watch.stderr.contains("error"), "{}", watch.stderr);
}

#[test]
fn a_project_folder_removed_and_made_again_is_watched_again() {
    let test = project();
    let mut watch = Watch::start(&test, &[]);
    watch.wait_stdout("h ← deploy");
    fs::remove_dir_all(test.path().join("events")).unwrap();
    watch.wait_stdout("-- h ← deploy stopped firing");
    watch.wait_reload(1);
    // A new `events/` folder (another inode under the same name), with a file in it written
    // straight away: both are seen.
    write(
        &test,
        "events/again.json",
        &event_json("app.deploy", "app", "again", ""),
    );
    watch.wait_stdout(r#""text": "v1 again""#);
    // Later edits in the new folder are seen too.
    write(
        &test,
        "events/again.json",
        &event_json("app.deploy", "app", "edited", ""),
    );
    watch.wait_stdout(r#""text": "v1 edited""#);
}

#[test]
fn files_outside_the_project_folders_cause_no_reload() {
    let test = project();
    let mut watch = Watch::start(&test, &[]);
    watch.wait_stdout("h ← deploy");
    // A busy build folder beside the project: no reloads, and a hook edit is still seen.
    for i in 0..20 {
        write(&test, &format!("target/debug/deps/f{i}.o"), "x");
    }
    write(&test, "hooks/h.json", &hook("h", "v2"));
    watch.wait_stdout(r#"+  "text": "v2 shop""#);
    // (A loaded machine may see the hook's write as two saves: truncated, then written.)
    let reloads = watch.reloads();
    assert!(
        reloads
            .iter()
            .all(|line| line.starts_with("reloaded hooks/h.json")),
        "{reloads:?}"
    );
}

#[test]
fn a_deleted_hook_stops_firing() {
    let test = project().file("hooks/other.json", &hook("other", "o"));
    let mut watch = Watch::start(&test, &[]);
    watch.wait_stdout("══ other ← deploy");
    fs::remove_file(test.path().join("hooks/other.json")).unwrap();
    watch.wait_stdout("-- other ← deploy stopped firing");
    let line = watch.wait_reload(1);
    assert!(
        line.starts_with("reloaded hooks/other.json: 0 changed, 0 started firing, 1 stopped"),
        "{line}"
    );
    assert!(!watch.stdout.contains("h ← deploy stopped"));
}

#[test]
fn a_broken_file_keeps_the_last_good_version_until_it_is_fixed() {
    let test = project();
    let mut watch = Watch::start(&test, &[]);
    write(&test, "hooks/h.json", "{\"name\": \"h\",\n  \"url\": ");
    watch.wait_stderr("invalid JSON");
    let line = watch.wait_reload(1);
    assert!(line.contains("0 changed"), "{line}");
    assert!(line.contains("1 file with errors"), "{line}");
    assert!(
        watch.stderr.contains("hooks/h.json:2:"),
        "the error has its place: {}",
        watch.stderr
    );
    assert!(watch.stderr.contains("keeping its last good version"));

    // A template that no longer compiles is an error too, and keeps the last good version.
    write(
        &test,
        "hooks/h.json",
        r#"{"name": "h", "url": "http://127.0.0.1:9/h", "engine": "tera", "body": "{{ oops"}"#,
    );
    watch.wait_reload(2);
    assert!(
        watch.stderr.contains("body does not compile"),
        "{}",
        watch.stderr
    );

    write(&test, "hooks/h.json", &hook("h", "fixed"));
    watch.wait_stdout(r#"+  "text": "fixed shop""#);
    // The diff is against the last good render: the broken versions never replaced it.
    assert!(watch.stdout.contains(r#"-  "text": "v1 shop""#));
    let line = watch.wait_reload(3);
    assert!(
        line.contains("1 changed") && !line.contains("errors"),
        "{line}"
    );
}

#[test]
fn a_burst_of_writes_is_one_reload() {
    let test = project();
    let mut watch = Watch::start(&test, &[]);
    for i in 0..100 {
        write(
            &test,
            &format!("events/burst-{i:03}.json"),
            &event_json("app.deploy", "app", &format!("app{i}"), ""),
        );
    }
    // Whatever the batches, 100 pairs start firing in total, and the last one is there.
    watch.wait_until("100 pairs started firing", |_, err| {
        err.lines()
            .filter(|l| l.starts_with("reloaded "))
            .filter_map(|l| l.split(", ").nth(1))
            .filter_map(|s| s.split(' ').next()?.parse::<usize>().ok())
            .sum::<usize>()
            >= 100
    });
    watch.wait_stdout(r#""text": "v1 app99""#);
    let reloads = watch.reloads();
    assert!(
        reloads.len() <= 3,
        "a burst should be debounced into one reload (a few at most): {reloads:#?}"
    );
    assert!(!watch.stderr.contains("error"), "{}", watch.stderr);

    // Still alive and watching.
    write(&test, "hooks/h.json", &hook("h", "after"));
    watch.wait_stdout(r#""text": "after app99""#);
}

#[test]
fn test_flag_reruns_the_contracts_after_each_change() {
    let test = project().file(
        "contracts/c.yaml",
        "- name: deploy text\n  event: deploy\n  requests:\n    h:\n      body_contains: v1 shop\n",
    );
    let mut watch = Watch::start(&test, &["--test"]);
    watch.wait_stdout("contracts: 1 passed, 0 failed");
    write(&test, "hooks/h.json", &hook("h", "v2"));
    watch.wait_stdout("contracts: 0 passed, 1 failed");
    assert!(
        watch.stdout.contains("FAIL deploy text"),
        "{}",
        watch.stdout
    );
    watch.wait_reload(1);

    // A contract change re-runs them too.
    write(
        &test,
        "contracts/c.yaml",
        "- name: deploy text\n  event: deploy\n  requests:\n    h:\n      body_contains: v2 shop\n",
    );
    watch.wait_until("the contracts pass again", |out, _| {
        out.matches("contracts: 1 passed, 0 failed").count() >= 2
    });
}

#[test]
fn poll_mode_sees_changes() {
    let test = project();
    let mut watch = Watch::start(&test, &["--poll=100ms"]);
    assert!(
        watch.stderr.contains("polling every 100 ms"),
        "{}",
        watch.stderr
    );
    write(&test, "hooks/h.json", &hook("h", "polled"));
    watch.wait_stdout(r#"+  "text": "polled shop""#);
    watch.wait_reload(1);
}

#[test]
fn mock_redelivers_changed_requests_to_the_built_in_receiver() {
    let test = project();
    let mut watch = Watch::start(&test, &["--mock"]);
    assert!(watch.stderr.contains("receiver listening on http://"));
    watch.wait_stdout("→ 200 h ← deploy");
    write(&test, "hooks/h.json", &hook("h", "v2"));
    watch.wait_until("a second delivery", |out, _| {
        out.matches("→ 200 h ← deploy").count() >= 2
    });
}

#[test]
fn hook_and_event_flags_narrow_what_is_watched() {
    let test = project()
        .file("hooks/other.json", &hook("other", "o"))
        .file(
            "events/second.json",
            &event_json("app.deploy", "app", "cart", ""),
        );
    let mut watch = Watch::start(&test, &["--hook", "h", "--event", "second"]);
    watch.wait_stdout("══ h ← second");
    assert!(watch.stderr.contains("1 request from 1 hook × 1 event"));
    write(&test, "hooks/other.json", &hook("other", "o2"));
    write(&test, "hooks/h.json", &hook("h", "v2"));
    watch.wait_stdout(r#"+  "text": "v2 cart""#);
    assert!(!watch.stdout.contains("other ←"), "{}", watch.stdout);
    assert!(!watch.stdout.contains("← deploy"), "{}", watch.stdout);
}

#[test]
fn ctrl_c_exits_cleanly() {
    let test = project();
    let watch = Watch::start(&test, &[]);
    assert_eq!(watch.interrupt(), Some(0));
}

#[test]
fn a_missing_project_folder_is_an_error() {
    let test = Test::new();
    let run = Test::new()
        .project(test.path().join("nope"))
        .args(&["watch"])
        .run();
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("does not exist"), "{}", run.stderr);
}

#[test]
fn test_flag_reruns_the_contracts_when_a_change_alters_no_watched_request() {
    // `pool` fires on no event of the project, only on the contract's inline event.
    let test = project()
        .file(
            "hooks/pool.json",
            r#"{"name": "pool", "url": "http://127.0.0.1:9/p", "event_filter": {"kind_names": ["pool.create"]}, "body": "p1"}"#,
        )
        .file(
            "contracts/c.yaml",
            "- name: pool body\n  event: {Target: {Type: pool, Value: x}, Kind: {Type: permission, Name: pool.create}}\n  requests:\n    pool: {body: p1}\n",
        );
    let mut watch = Watch::start(&test, &["--test"]);
    watch.wait_stdout("contracts: 1 passed, 0 failed");
    write(
        &test,
        "hooks/pool.json",
        r#"{"name": "pool", "url": "http://127.0.0.1:9/p", "event_filter": {"kind_names": ["pool.create"]}, "body": "p2"}"#,
    );
    watch.wait_stdout("contracts: 0 passed, 1 failed");
}
