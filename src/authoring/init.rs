//! `hooktest init`: a small working project — settings, one hook, one event, one contract.

use std::path::{Path, PathBuf};

use clap::Args;

use super::event_new::{build, infer_kind_type, to_pretty_json, Spec};
use super::write_file;
use crate::cli::exit;
use crate::event::{Kind, ObjectId, Owner, Target};
use crate::hook::{Engine, EventFilter, Hook};
use crate::project::{display, CONTRACTS_DIR, EVENTS_DIR, HOOKS_DIR, SETTINGS_FILE};

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  hooktest init my-hooks
  hooktest init            (in the current folder, or the one given by --dir)

Creates hooktest.toml, hooks/slack-deploys.json, events/app-deploy-ok.json and
contracts/example.yaml. Existing files are never overwritten.")]
pub struct InitArgs {
    /// The folder to create the project in [default: --dir, or the current folder]
    pub path: Option<PathBuf>,
}

const SETTINGS: &str = "# hooktest project settings.
# The template language of hooks that do not set `engine`: \"go\" (tsuru's own) or \"tera\".
engine = \"go\"
";

const HOOK_NAME: &str = "slack-deploys";
const EVENT_ID: &str = "app-deploy-ok";
const HOOK_URL: &str = "https://hooks.slack.com/services/T000/B000/XXXX";

/// The example hook: tsuru's documentation's Slack notification for successful deploys.
fn example_hook() -> Hook {
    let mut hook = Hook {
        name: HOOK_NAME.into(),
        description: "notify Slack of every successful deploy".into(),
        team_owner: "payments".into(),
        event_filter: EventFilter {
            target_types: vec!["app".into()],
            kind_names: vec!["app.deploy".into()],
            success_only: true,
            ..EventFilter::default()
        },
        url: HOOK_URL.into(),
        method: "POST".into(),
        body: r#"payload={"text": "[{{.Kind.Name}}]: {{.Target.Type}} {{.Target.Value}}"}"#.into(),
        engine: Some(Engine::Go),
        ..Hook::default()
    };
    hook.headers.insert(
        "Content-Type".into(),
        vec!["application/x-www-form-urlencoded".into()],
    );
    hook
}

/// The example event: a successful deploy of `checkout-api`, with fixed id and times so the
/// contract stays exact.
fn example_event() -> String {
    let spec = Spec {
        kind: Kind {
            kind_type: infer_kind_type("app.deploy").into(),
            name: "app.deploy".into(),
        },
        target: Target {
            target_type: "app".into(),
            value: "checkout-api".into(),
        },
        extra_targets: vec![Target {
            target_type: "pool".into(),
            value: "prod".into(),
        }],
        error: String::new(),
        owner: Owner {
            owner_type: "user".into(),
            name: "maria@example.com".into(),
        },
        logs: vec![
            "---- Building application image ----".into(),
            "---- Starting 2 new units [web: 2] ----".into(),
            "OK".into(),
        ],
    };
    let id = ObjectId::parse("66f2a1c4e13b5a0001a3f7d2").unwrap_or_default();
    to_pretty_json(&build(&spec, id, 1_727_175_843_087))
}

fn example_contract() -> String {
    format!(
        r#"# Contracts for `hooktest test`: for each case, the hooks that must fire for an event and the
# exact requests they must send.
- name: a successful deploy notifies Slack
  event: {EVENT_ID}
  fires: [{HOOK_NAME}]
  requests:
    {HOOK_NAME}:
      method: POST
      url: {HOOK_URL}
      headers:
        Content-Type: application/x-www-form-urlencoded
        User-Agent: tsuru-webhook-client/1.0
      body: 'payload={{"text": "[app.deploy]: app checkout-api"}}'
"#
    )
}

/// Creates the example project in `args.path` or `dir`.
pub fn run_init(dir: &Path, args: &InitArgs) -> anyhow::Result<i32> {
    let root = args.path.as_deref().unwrap_or(dir);
    let files: Vec<(PathBuf, String)> = vec![
        (root.join(SETTINGS_FILE), SETTINGS.to_string()),
        (
            root.join(HOOKS_DIR).join(format!("{HOOK_NAME}.json")),
            super::pretty(&example_hook().to_wire_json()),
        ),
        (
            root.join(EVENTS_DIR).join(format!("{EVENT_ID}.json")),
            example_event(),
        ),
        (
            root.join(CONTRACTS_DIR).join("example.yaml"),
            example_contract(),
        ),
    ];
    let existing: Vec<String> = files
        .iter()
        .filter(|(p, _)| p.exists())
        .map(|(p, _)| format!("`{}`", display(p)))
        .collect();
    if !existing.is_empty() {
        anyhow::bail!(
            "{} already exist{}; init never overwrites files: run it in an empty folder, or move them away",
            existing.join(", "),
            if existing.len() == 1 { "s" } else { "" }
        );
    }
    for (path, text) in &files {
        write_file(path, text)?;
    }
    let shown = display(root);
    let mut out = format!("Created a hook project in {shown}:\n");
    for (path, _) in &files {
        let rel = path.strip_prefix(root).unwrap_or(path);
        out.push_str(&format!("  {}\n", rel.display()));
    }
    let cd = if shown == "." || shown.is_empty() {
        String::new()
    } else {
        format!("  cd {shown}\n")
    };
    out.push_str(&format!(
        "\nNext, try:\n{cd}  hooktest validate\n  hooktest render --format text\n  hooktest test\n  hooktest hook create my-hook https://example.com/hook --kind-name app.update\n  hooktest event new app.update.env.set --target app=checkout-api\n"
    ));
    crate::cli::print(&out)?;
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_event_is_fixed_and_complete() {
        let text = example_event();
        assert!(
            text.contains("\"UniqueID\": \"66f2a1c4e13b5a0001a3f7d2\""),
            "{text}"
        );
        assert!(
            text.contains("\"StartTime\": \"2024-09-24T11:02:28.412Z\""),
            "{text}"
        );
        assert_eq!(text, example_event());
    }
}
