//! `hook create|update|list|delete`, `event new`, `init` and `completions`.

use std::fs;
use std::path::Path;

use serde_json::{json, Value};

use crate::support::{event_json, Run, Test};

/// Runs hooktest on an existing project folder.
fn run_in(dir: &Path, args: &[&str]) -> Run {
    Test::new().project(dir).args(args).run()
}

fn read_json(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON ({e}):\n{text}", path.display()))
}

/// A project with an empty hooks/ folder.
fn project() -> Test {
    let t = Test::new();
    fs::create_dir_all(t.dir.path().join("hooks")).unwrap();
    t
}

const DOC_DEPLOY: &[&str] = &[
    "hook",
    "create",
    "deploy-notifier",
    "https://hooks.slack.com/services/XXX",
    "-d",
    "应用部署成功通知",
    "-t",
    "dev-team",
    "-m",
    "POST",
    "-H",
    "Content-Type=application/x-www-form-urlencoded",
    "-b",
    r#"payload={"text": "应用 {{.Target.Value}} 部署成功"}"#,
    "--success-only",
    "--kind-name",
    "app.deploy",
];

const DOC_UPDATE: &[&str] = &[
    "hook",
    "create",
    "app-update-hook",
    "https://api.example.com/update-handler",
    "-t",
    "ops-team",
    "--kind-name",
    "app.update",
    "--target-value",
    "production-app",
];

/// The first command of tsuru's docs: the hook file, then the request for a successful deploy.
#[test]
fn doc_command_slack_deploy_notifier() {
    let t = project();
    let dir = t.dir.path();
    let run = run_in(dir, DOC_DEPLOY);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "Webhook successfully created.\n");
    assert_eq!(
        read_json(&dir.join("hooks/deploy-notifier.json")),
        json!({
            "name": "deploy-notifier",
            "description": "应用部署成功通知",
            "team_owner": "dev-team",
            "event_filter": {"target_types": [], "target_values": [], "kind_types": [], "kind_names": ["app.deploy"], "error_only": false, "success_only": true},
            "url": "https://hooks.slack.com/services/XXX",
            "proxy_url": "",
            "headers": {"Content-Type": ["application/x-www-form-urlencoded"]},
            "method": "POST",
            "body": "payload={\"text\": \"应用 {{.Target.Value}} 部署成功\"}",
            "insecure": false,
            "engine": "go"
        })
    );
    fs::create_dir_all(dir.join("events")).unwrap();
    fs::write(
        dir.join("events/ok.json"),
        event_json("app.deploy", "app", "checkout-api", ""),
    )
    .unwrap();
    fs::write(
        dir.join("events/failed.json"),
        event_json("app.deploy", "app", "checkout-api", "boom"),
    )
    .unwrap();
    let run = run_in(dir, &["render", "--format", "json"]);
    let out = run.json();
    let items = out.as_array().unwrap();
    assert_eq!(items.len(), 1, "only the successful deploy fires: {out}");
    assert_eq!(items[0]["hook"], "deploy-notifier");
    assert_eq!(items[0]["event"], "ok");
    let req = &items[0]["request"];
    assert_eq!(
        req["url"], "https://hooks.slack.com/services/XXX",
        "{}",
        run.stdout
    );
    assert_eq!(req["method"], "POST");
    assert_eq!(
        req["headers"],
        json!([
            ["Content-Type", "application/x-www-form-urlencoded"],
            ["User-Agent", "tsuru-webhook-client/1.0"]
        ])
    );
    // Strict once the `go` engine lands; until then the body is a render error.
    assert_eq!(
        req["body"], r#"payload={"text": "应用 checkout-api 部署成功"}"#,
        "{}",
        run.stdout
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// The second command of tsuru's docs: no body, so the event as JSON is sent.
#[test]
fn doc_command_app_update_hook() {
    let t = project();
    let dir = t.dir.path();
    let run = run_in(dir, DOC_UPDATE);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        read_json(&dir.join("hooks/app-update-hook.json")),
        json!({
            "name": "app-update-hook",
            "description": "",
            "team_owner": "ops-team",
            "event_filter": {"target_types": [], "target_values": ["production-app"], "kind_types": [], "kind_names": ["app.update"], "error_only": false, "success_only": false},
            "url": "https://api.example.com/update-handler",
            "proxy_url": "",
            "headers": {},
            "method": "",
            "body": "",
            "insecure": false,
            "engine": "go"
        })
    );
    let run = run_in(
        dir,
        &[
            "event",
            "new",
            "app.update.env.set",
            "--target",
            "app=production-app",
            "--error",
            "exit status 1",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("fires: app-update-hook"),
        "{}",
        run.stderr
    );
    run_in(
        dir,
        &["event", "new", "app.update", "--target", "app=other-app"],
    );
    run_in(
        dir,
        &[
            "event",
            "new",
            "app.deploy",
            "--target",
            "app=production-app",
        ],
    );
    let run = run_in(dir, &["render", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = run.json();
    let items = out.as_array().unwrap();
    assert_eq!(items.len(), 1, "{out}");
    assert_eq!(items[0]["event"], "app-update-env-set-1");
    let req = &items[0]["request"];
    assert_eq!(req["method"], "POST");
    assert_eq!(req["url"], "https://api.example.com/update-handler");
    assert_eq!(
        req["headers"],
        json!([
            ["Content-Type", "application/json"],
            ["User-Agent", "tsuru-webhook-client/1.0"]
        ])
    );
    // The default body is the event file exactly as Go writes it, compact.
    let body = req["body"].as_str().unwrap();
    let file = read_json(&dir.join("events/app-update-env-set-1.json"));
    assert_eq!(body, serde_json::to_string(&file).unwrap());
    assert!(body.starts_with(r#"{"UniqueID":""#), "{body}");
    assert!(body.contains(r#""Error":"exit status 1""#), "{body}");
}

#[test]
fn every_create_flag_lands_in_the_wire_format() {
    let t = project();
    let dir = t.dir.path();
    let run = run_in(
        dir,
        &[
            "hook",
            "create",
            "all-flags",
            "https://alerts.example.com/x?y=1",
            "--description",
            "d",
            "--team",
            "sre",
            "--method",
            "put",
            "--body",
            "{{ Kind.Name }} {{ hook.name }}",
            "--engine",
            "tera",
            "--proxy",
            "squid.internal:3128",
            "--insecure",
            "--header",
            "X-Team=a",
            "-H",
            "X-Team=b",
            "-H",
            "Authorization=Bearer a=b",
            "-H",
            "Empty=",
            "--target-type",
            "app",
            "--target-type",
            "service-instance",
            "--target-value",
            "myapp",
            "--kind-type",
            "permission",
            "--kind-name",
            "app.update",
            "--kind-name",
            "app.deploy",
            "--error-only",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "wrote ".to_string() + &dir.join("hooks/all-flags.json").display().to_string() + "\n"
    );
    assert_eq!(
        read_json(&dir.join("hooks/all-flags.json")),
        json!({
            "name": "all-flags",
            "description": "d",
            "team_owner": "sre",
            "event_filter": {
                "target_types": ["app", "service-instance"],
                "target_values": ["myapp"],
                "kind_types": ["permission"],
                "kind_names": ["app.update", "app.deploy"],
                "error_only": true,
                "success_only": false
            },
            "url": "https://alerts.example.com/x?y=1",
            "proxy_url": "squid.internal:3128",
            "headers": {"X-Team": ["a", "b"], "Authorization": ["Bearer a=b"], "Empty": [""]},
            "method": "put",
            "body": "{{ Kind.Name }} {{ hook.name }}",
            "insecure": true,
            "engine": "tera"
        })
    );
    fs::create_dir_all(dir.join("events")).unwrap();
    fs::write(
        dir.join("events/e.json"),
        event_json("app.deploy", "app", "myapp", "failed"),
    )
    .unwrap();
    let run = run_in(dir, &["render", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let req = &run.json()[0]["request"];
    assert_eq!(req["method"], "PUT");
    assert_eq!(req["body"], "app.deploy all-flags");
    assert_eq!(
        req["headers"],
        json!([
            ["X-Team", "a"],
            ["X-Team", "b"],
            ["Authorization", "Bearer a=b"],
            ["Empty", ""],
            ["User-Agent", "tsuru-webhook-client/1.0"]
        ])
    );
    assert_eq!(run_in(dir, &["validate"]).code, 0);
}

#[test]
fn create_fails_with_tsurus_messages() {
    let t = project();
    let dir = t.dir.path();
    let cases: &[(&[&str], &str)] = &[
        (
            &["hook", "create", "h", "https://x/", "-H", "X-Nope"],
            "error: invalid argument \"X-Nope\" for \"-H, --header\" flag: must be on the form \"key=value\"\n",
        ),
        (
            &["hook", "create", "Bad_Name", "https://x/"],
            "error: Invalid webhook name, webhook name should have at most 40 characters, containing only lower case letters, numbers or dashes, starting with a letter.\n",
        ),
        (&["hook", "create", "", "https://x/"], "error: webhook name must not be empty\n"),
        (&["hook", "create", "h", ""], "error: webhook url must not be empty\n"),
    ];
    for (args, stderr) in cases {
        let run = run_in(dir, args);
        assert_eq!(run.code, 2, "{args:?}");
        assert_eq!(&run.stderr, stderr, "{args:?}");
        assert_eq!(run.stdout, "");
    }
    let run = run_in(dir, &["hook", "create", "h", "not a url"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with("error: webhook url is not valid: "),
        "{}",
        run.stderr
    );
    let run = run_in(dir, &["hook", "create", "h", "ftp://x/"]);
    assert!(
        run.stderr
            .contains("tsuru can only send to http:// or https:// URLs"),
        "{}",
        run.stderr
    );
    let run = run_in(
        dir,
        &["hook", "create", "h", "https://x/", "--proxy", "ftp://p"],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("error: webhook proxy url is not valid: "),
        "{}",
        run.stderr
    );
    assert!(
        fs::read_dir(dir.join("hooks")).unwrap().next().is_none(),
        "nothing written"
    );
}

#[test]
fn create_refuses_to_overwrite_unless_forced() {
    let t = project();
    let dir = t.dir.path();
    assert_eq!(
        run_in(dir, &["hook", "create", "h", "https://x/one"]).code,
        0
    );
    let run = run_in(dir, &["hook", "create", "h", "https://x/two"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("webhook already exists with the same name"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("pass --force"), "{}", run.stderr);
    assert_eq!(read_json(&dir.join("hooks/h.json"))["url"], "https://x/one");
    assert_eq!(
        run_in(dir, &["hook", "create", "h", "https://x/two", "--force"]).code,
        0
    );
    assert_eq!(read_json(&dir.join("hooks/h.json"))["url"], "https://x/two");
    // A hook of that name in another file is never shadowed, even with --force.
    fs::write(
        dir.join("hooks/all.yaml"),
        "- name: other\n  url: https://x/\n",
    )
    .unwrap();
    let run = run_in(dir, &["hook", "create", "other", "https://x/", "--force"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("all.yaml"), "{}", run.stderr);
}

#[test]
fn unknown_names_warn_with_the_closest_one_and_still_write() {
    let t = project();
    let dir = t.dir.path();
    let run = run_in(
        dir,
        &[
            "hook",
            "create",
            "h",
            "https://x/",
            "--kind-name",
            "app.deplyo",
            "--target-type",
            "ap",
            "--kind-type",
            "permision",
            "--error-only",
            "--success-only",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    for w in [
        "warning: hook `h`: `app.deplyo` is not a kind name tsuru emits (did you mean `app.deploy`?)",
        "warning: hook `h`: tsuru has no target type `ap` (did you mean `app`?)",
        "warning: hook `h`: tsuru has no kind type `permision` (only permission and internal) (did you mean `permission`?)",
        "warning: hook `h` sets both --error-only and --success-only, so it never fires: remove one",
    ] {
        assert!(run.stderr.contains(w), "{w}\n{}", run.stderr);
    }
    assert!(dir.join("hooks/h.json").is_file());
}

#[test]
fn create_in_a_missing_project_says_how_to_make_one() {
    let t = Test::new();
    let missing = t.dir.path().join("nope");
    let run = run_in(&missing, &["hook", "create", "h", "https://x/"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("hooktest init"), "{}", run.stderr);
}

fn create_full(dir: &Path) {
    let run = run_in(
        dir,
        &[
            "hook",
            "create",
            "h",
            "https://x/one",
            "-d",
            "desc",
            "-t",
            "team-a",
            "-m",
            "PUT",
            "-b",
            "old body",
            "--proxy",
            "http://p:1",
            "--insecure",
            "-H",
            "A=1",
            "--target-type",
            "app",
            "--target-value",
            "v1",
            "--kind-type",
            "permission",
            "--kind-name",
            "app.deploy",
            "--success-only",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// tsuru-client's `mergeWebhooks`: a given flag replaces, a --no-… flag clears unless its flag is given.
#[test]
fn update_follows_tsurus_merge_rules() {
    let t = project();
    let dir = t.dir.path();
    create_full(dir);
    let path = dir.join("hooks/h.json");
    let before = read_json(&path);

    let run = run_in(dir, &["hook", "update", "h"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "Webhook successfully updated.\n");
    assert_eq!(read_json(&path), before, "no flags: nothing changes");

    let run = run_in(
        dir,
        &[
            "hook",
            "update",
            "h",
            "-u",
            "https://x/two",
            "-d",
            "new",
            "-t",
            "team-b",
            "-m",
            "post",
            "-H",
            "B=2",
            "-H",
            "B=3",
            "--kind-name",
            "app.update",
            "--kind-name",
            "app.create",
            "--target-value",
            "v2",
            "--error-only",
            "--no-success-only",
            "--proxy",
            "socks5://q:2",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut expected = before.clone();
    expected["url"] = json!("https://x/two");
    expected["description"] = json!("new");
    expected["team_owner"] = json!("team-b");
    expected["method"] = json!("post");
    expected["headers"] = json!({"B": ["2", "3"]});
    expected["event_filter"]["kind_names"] = json!(["app.update", "app.create"]);
    expected["event_filter"]["target_values"] = json!(["v2"]);
    expected["event_filter"]["error_only"] = json!(true);
    expected["event_filter"]["success_only"] = json!(false);
    expected["proxy_url"] = json!("socks5://q:2");
    assert_eq!(read_json(&path), expected);

    // A flag given together with its --no-… wins, as in tsuru.
    let run = run_in(
        dir,
        &[
            "hook",
            "update",
            "h",
            "-b",
            "new body",
            "--no-body",
            "--kind-type",
            "internal",
            "--no-kind-type",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    expected["body"] = json!("new body");
    expected["event_filter"]["kind_types"] = json!(["internal"]);
    assert_eq!(read_json(&path), expected);

    let run = run_in(
        dir,
        &[
            "hook",
            "update",
            "h",
            "--no-body",
            "--no-header",
            "--no-insecure",
            "--no-target-type",
            "--no-target-value",
            "--no-kind-type",
            "--no-kind-name",
            "--no-error-only",
            "--no-proxy",
            "--engine",
            "tera",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    expected["body"] = json!("");
    expected["headers"] = json!({});
    expected["insecure"] = json!(false);
    expected["proxy_url"] = json!("");
    expected["engine"] = json!("tera");
    expected["event_filter"] = json!({"target_types": [], "target_values": [], "kind_types": [], "kind_names": [], "error_only": false, "success_only": false});
    assert_eq!(read_json(&path), expected);

    let run = run_in(dir, &["hook", "update", "h", "-u", "ftp://x/"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("webhook url is not valid"),
        "{}",
        run.stderr
    );
    assert_eq!(
        read_json(&path),
        expected,
        "a refused update writes nothing"
    );
}

#[test]
fn update_and_delete_find_hooks_in_list_files_and_refuse_yaml() {
    let t = project()
        .file(
            "hooks/many.json",
            r#"[{"name": "first", "url": "https://x/1"}, {"name": "second", "url": "https://x/2", "engine": "tera"}]"#,
        )
        .file("hooks/more.yaml", "# comments matter\n- name: yam\n  url: https://x/3\n");
    let dir = t.dir.path();
    let run = run_in(
        dir,
        &["hook", "update", "second", "--kind-name", "app.deploy"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let list = read_json(&dir.join("hooks/many.json"));
    assert_eq!(
        list[0],
        json!({"name": "first", "url": "https://x/1"}),
        "other entries are kept as they were"
    );
    assert_eq!(list[1]["event_filter"]["kind_names"], json!(["app.deploy"]));
    assert_eq!(list[1]["engine"], "tera");
    assert_eq!(list[1]["url"], "https://x/2");

    let run = run_in(dir, &["hook", "update", "yam", "-u", "https://x/4"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("more.yaml") && run.stderr.contains("does not rewrite YAML"),
        "{}",
        run.stderr
    );
    let run = run_in(dir, &["hook", "delete", "yam"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("does not rewrite YAML"),
        "{}",
        run.stderr
    );

    let run = run_in(dir, &["hook", "delete", "first"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "Webhook successfully deleted.\n");
    let list = read_json(&dir.join("hooks/many.json"));
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["name"], "second");
    assert_eq!(run_in(dir, &["validate"]).code, 0);
}

#[test]
fn update_and_delete_of_a_missing_hook_suggest_the_closest() {
    let t = project();
    let dir = t.dir.path();
    assert_eq!(
        run_in(dir, &["hook", "create", "deploys", "https://x/"]).code,
        0
    );
    for cmd in ["update", "delete"] {
        let run = run_in(dir, &["hook", cmd, "deploy"]);
        assert_eq!(run.code, 2);
        assert!(
            run.stderr
                .starts_with("error: webhook not found: no hook named `deploy`"),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("(did you mean `deploys`?)"),
            "{}",
            run.stderr
        );
    }
    let run = run_in(dir, &["hook", "delete", "deploys"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!dir.join("hooks/deploys.json").exists());
}

#[test]
fn list_as_a_table_and_as_tsurus_api_array() {
    let t = project();
    let dir = t.dir.path();
    assert_eq!(run_in(dir, DOC_UPDATE).code, 0);
    assert_eq!(
        run_in(
            dir,
            &[
                "hook",
                "create",
                "b",
                "http://b/",
                "-m",
                "GET",
                "-H",
                "Z=1",
                "-H",
                "A=2",
                "--success-only"
            ]
        )
        .code,
        0
    );
    let run = run_in(dir, &["hook", "list"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "\
+-----------------+-------------+----------+----------------------------------------+---------+---------+----------+--------------------------------+
| Name            | Description | Team     | URL                                    | Headers | Body    | Insecure | Filters                        |
+-----------------+-------------+----------+----------------------------------------+---------+---------+----------+--------------------------------+
| app-update-hook |             | ops-team | https://api.example.com/update-handler |         | <event> | false    | kind-name == app.update        |
|                 |             |          |                                        |         |         |          | target-value == production-app |
+-----------------+-------------+----------+----------------------------------------+---------+---------+----------+--------------------------------+
| b               |             |          | GET http://b/                          | A: 2    | <event> | false    | success-only                   |
|                 |             |          |                                        | Z: 1    |         |          |                                |
+-----------------+-------------+----------+----------------------------------------+---------+---------+----------+--------------------------------+
"
    );
    let run = run_in(dir, &["hook", "list", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let list = run.json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    let keys: Vec<&str> = list[1]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "name",
            "description",
            "team_owner",
            "event_filter",
            "url",
            "proxy_url",
            "headers",
            "method",
            "body",
            "insecure",
            "engine"
        ]
    );
    assert_eq!(list[1]["headers"], json!({"Z": ["1"], "A": ["2"]}));
    assert_eq!(list[0], read_json(&dir.join("hooks/app-update-hook.json")));

    let empty = project();
    let run = run_in(empty.dir.path(), &["hook", "list", "--format", "json"]);
    assert_eq!(run.stdout, "[]\n");
    let run = run_in(empty.dir.path(), &["hook", "list"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
    assert!(
        run.stderr.contains("hooktest hook create"),
        "{}",
        run.stderr
    );
}

#[test]
fn event_new_writes_a_complete_event_that_validates_and_fires() {
    let t = project()
        .file(
            "hooks/h.json",
            r#"[{"name": "on-pool", "url": "https://x/", "event_filter": {"target_types": ["pool"], "kind_names": ["app.update"]}},
                {"name": "errors", "url": "https://x/", "event_filter": {"error_only": true}},
                {"name": "healer", "url": "https://x/", "event_filter": {"kind_types": ["internal"], "kind_names": ["healer"]}}]"#,
        );
    let dir = t.dir.path();
    let run = run_in(
        dir,
        &[
            "event",
            "new",
            "app.update.env.set",
            "--target",
            "app=checkout-api",
            "--extra-target",
            "pool=prod",
            "--owner",
            "token:ci-bot",
            "--log",
            "setting 2 variables",
            "--log",
            "restarting",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("(event id `app-update-env-set-1`)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("fires: on-pool\n"), "{}", run.stderr);
    let e = read_json(&dir.join("events/app-update-env-set-1.json"));
    let keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "UniqueID",
            "Lock",
            "StartTime",
            "EndTime",
            "ExpireAt",
            "Target",
            "ExtraTargets",
            "Kind",
            "Owner",
            "SourceIP",
            "LockUpdateTime",
            "Error",
            "Log",
            "StructuredLog",
            "CancelInfo",
            "Cancelable",
            "Running",
            "Allowed",
            "AllowedCancel",
            "Instance"
        ]
    );
    let id = e["UniqueID"].as_str().unwrap();
    assert!(
        id.len() == 24 && id.chars().all(|c| c.is_ascii_hexdigit()),
        "{id}"
    );
    assert_eq!(
        e["Kind"],
        json!({"Type": "permission", "Name": "app.update.env.set"})
    );
    assert_eq!(e["Owner"], json!({"Type": "token", "Name": "ci-bot"}));
    assert_eq!(
        e["ExtraTargets"],
        json!([{"Target": {"Type": "pool", "Value": "prod"}, "Lock": false}])
    );
    assert_eq!(e["Running"], false);
    assert_eq!(e["Error"], "");
    assert_eq!(e["LockUpdateTime"], e["StartTime"]);
    assert!(e["StartTime"].as_str() < e["EndTime"].as_str());
    assert_eq!(
        e["Allowed"],
        json!({"Scheme": "app.read.events", "Contexts": [{"CtxType": "app", "Value": "checkout-api"}, {"CtxType": "pool", "Value": "prod"}]})
    );
    let log = e["Log"].as_str().unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 2);
    for (line, msg) in lines.iter().zip(["setting 2 variables", "restarting"]) {
        // `2006-01-02 15:04:05 -0700: `
        let (stamp, rest) = line.split_at(27);
        assert_eq!(rest, msg);
        assert!(
            stamp.ends_with(" +0000: ")
                && stamp.as_bytes()[4] == b'-'
                && stamp.as_bytes()[13] == b':',
            "{line}"
        );
    }
    assert_eq!(e["StructuredLog"][1]["Message"], "restarting\n");

    let run = run_in(
        dir,
        &[
            "event",
            "new",
            "app.update.env.set",
            "--target",
            "app=x",
            "--error",
            "exit status 1",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("app-update-env-set-2.json"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("fires: errors\n"), "{}", run.stderr);

    let run = run_in(
        dir,
        &[
            "event",
            "new",
            "healer",
            "--target",
            "node=http://10.0.0.12:2375",
            "--extra-target",
            "pool=prod",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let e = read_json(&dir.join("events/healer-1.json"));
    assert_eq!(e["Kind"], json!({"Type": "internal", "Name": "healer"}));
    assert_eq!(e["Owner"], json!({"Type": "internal", "Name": ""}));
    assert_eq!(e["Allowed"]["Scheme"], "pool.read.events");

    let run = run_in(dir, &["validate"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "");
    let run = run_in(dir, &["render", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let pairs: Vec<(String, String)> = run
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["hook"].as_str().unwrap().into(),
                i["event"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("on-pool", "app-update-env-set-1"),
        ("errors", "app-update-env-set-2"),
        ("healer", "healer-1"),
    ]
    .iter()
    .map(|(h, e)| (h.to_string(), e.to_string()))
    .collect();
    let mut pairs = pairs;
    pairs.sort();
    let mut expected = expected;
    expected.sort();
    assert_eq!(pairs, expected);
}

#[test]
fn event_new_to_stdout_or_a_path_and_its_errors() {
    let t = project();
    let dir = t.dir.path();
    let run = run_in(
        dir,
        &[
            "event",
            "new",
            "app.deploy",
            "--target",
            "app=a",
            "--out",
            "-",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["Target"], json!({"Type": "app", "Value": "a"}));
    assert!(!dir.join("events").exists(), "stdout only");

    let out = dir.join("somewhere/e.json");
    let out_s = out.to_str().unwrap();
    assert_eq!(
        run_in(
            dir,
            &[
                "event",
                "new",
                "app.deploy",
                "--target",
                "app=a",
                "--out",
                out_s
            ]
        )
        .code,
        0
    );
    assert_eq!(read_json(&out)["Kind"]["Name"], "app.deploy");
    let run = run_in(
        dir,
        &[
            "event",
            "new",
            "app.deploy",
            "--target",
            "app=a",
            "--out",
            out_s,
        ],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("pass --force"), "{}", run.stderr);
    assert_eq!(
        run_in(
            dir,
            &[
                "event",
                "new",
                "app.deploy",
                "--target",
                "app=a",
                "--out",
                out_s,
                "--force"
            ]
        )
        .code,
        0
    );

    let run = run_in(
        dir,
        &[
            "event",
            "new",
            "app.deplyo",
            "--target",
            "ap=a",
            "--out",
            "-",
        ],
    );
    assert_eq!(run.code, 0);
    assert!(
        run.stderr.contains(
            "warning: `app.deplyo` is not a kind name tsuru emits (did you mean `app.deploy`?)"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("warning: tsuru has no target type `ap` (did you mean `app`?)"),
        "{}",
        run.stderr
    );

    let run = run_in(dir, &["event", "new", "app.deploy", "--target", "app"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: invalid argument \"app\" for \"--target\" flag: must be on the form \"TYPE=VALUE\", for example app=checkout-api\n"
    );
    let run = run_in(
        dir,
        &[
            "event",
            "new",
            "app.deploy",
            "--target",
            "app=a",
            "--owner",
            "maria",
        ],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("\"TYPE:NAME\""), "{}", run.stderr);
    let run = run_in(dir, &["event", "new", "app.deploy"]);
    assert_eq!(run.code, 2, "--target is required");
}

#[test]
fn init_creates_a_project_that_validates_and_passes_its_contract() {
    let t = Test::new();
    let root = t.dir.path().join("my-hooks");
    let root_s = root.to_str().unwrap();
    let run = run_in(t.dir.path(), &["init", root_s]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("hooktest validate") && run.stdout.contains("hooktest test"),
        "{}",
        run.stdout
    );
    for f in [
        "hooktest.toml",
        "hooks/slack-deploys.json",
        "events/app-deploy-ok.json",
        "contracts/example.yaml",
    ] {
        assert!(root.join(f).is_file(), "{f}");
    }
    let hook = read_json(&root.join("hooks/slack-deploys.json"));
    assert_eq!(hook["engine"], "go");
    assert_eq!(
        hook["body"],
        r#"payload={"text": "[{{.Kind.Name}}]: {{.Target.Type}} {{.Target.Value}}"}"#
    );

    let run = run_in(&root, &["validate"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);

    let again = run_in(t.dir.path(), &["init", root_s]);
    assert_eq!(again.code, 2);
    assert!(
        again.stderr.contains("init never overwrites files"),
        "{}",
        again.stderr
    );

    // Strict once the `go` engine lands (the example body is a Go template).
    let run = run_in(&root, &["test"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn init_uses_dir_when_no_path_is_given() {
    let t = Test::new().args(&["init"]);
    let run = t.run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(t.dir.path().join("hooks/slack-deploys.json").is_file());
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let run = Test::new().args(&["completions", shell]).run();
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(
            run.stdout.contains("hooktest") && run.stdout.contains("kind-name"),
            "{shell}"
        );
    }
    assert_eq!(Test::new().args(&["completions", "tcsh"]).run().code, 2);
}

#[test]
fn help_of_every_new_command_has_examples() {
    for cmd in [
        &["hook", "create"][..],
        &["hook", "update"],
        &["hook", "list"],
        &["hook", "delete"],
        &["event", "new"],
        &["init"],
        &["completions"],
    ] {
        let mut args = cmd.to_vec();
        args.push("--help");
        let run = Test::new().args(&args).run();
        assert_eq!(run.code, 0, "{cmd:?}");
        assert!(
            run.stdout.contains("Examples:\n  hooktest "),
            "{cmd:?}:\n{}",
            run.stdout
        );
    }
}
