//! `hooktest hook create|update|list|delete`: tsuru's `event-webhook-*` commands on `hooks/`.
//!
//! Flags, merge rules and messages are tsuru-client's (`tsuru/client/webhook.go`) and the API's
//! validation (`event/webhook/webhook.go`), so a command copied from tsuru's docs works here.

use std::fs;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use indexmap::IndexMap;
use serde_json::Value;
use url::Url;

use super::{pretty, require_project, unknown_kind_name, unknown_target_type, warn, write_file};
use crate::cli::exit;
use crate::hook::{closest, Engine, Hook};
use crate::located::PathBuf as JsonPath;
use crate::project::{self, display, Project, HOOKS_DIR};
use crate::validate::{is_valid_name, parse_proxy, KIND_TYPES};

/// `hooktest hook …`
#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Create hooks/NAME.json, with the flags of `tsuru event-webhook-create`
    #[command(after_help = CREATE_EXAMPLES)]
    Create(CreateArgs),
    /// Change a hook, with the flags and merge rules of `tsuru event-webhook-update`
    #[command(after_help = UPDATE_EXAMPLES)]
    Update(UpdateArgs),
    /// List the project's hooks, like `tsuru event-webhook-list`
    #[command(after_help = LIST_EXAMPLES)]
    List(ListArgs),
    /// Delete a hook, like `tsuru event-webhook-delete`
    #[command(after_help = DELETE_EXAMPLES)]
    Delete(DeleteArgs),
}

const CREATE_EXAMPLES: &str = "Examples:
  hooktest hook create deploy-notifier https://hooks.slack.com/services/XXX -t dev-team -m POST \\
      -H Content-Type=application/x-www-form-urlencoded \\
      -b 'payload={\"text\": \"{{.Target.Value}} deployed\"}' --success-only --kind-name app.deploy
  hooktest hook create app-update-hook https://api.example.com/update-handler -t ops-team \\
      --kind-name app.update --target-value production-app
  hooktest hook create audit https://audit.example.com/tsuru --engine tera -b '{{ Kind.Name }}'

Every flag of `tsuru event-webhook-create` works, so commands from tsuru's docs can be pasted.
The hook is written to hooks/NAME.json in tsuru's wire format, plus `\"engine\"`.";

const UPDATE_EXAMPLES: &str = "Examples:
  hooktest hook update deploy-notifier --url https://hooks.slack.com/services/YYY
  hooktest hook update deploy-notifier --kind-name app.deploy --kind-name app.update
  hooktest hook update deploy-notifier --error-only --no-success-only
  hooktest hook update deploy-notifier -H X-Team=payments --no-body

Merge rules are tsuru's: a flag you give replaces the stored value (a list flag replaces the whole
list, -H replaces all headers); a --no-… flag clears its value unless the matching flag is given too.
Unlike tsuru, --proxy (and hooktest's --no-proxy) work on update.";

const LIST_EXAMPLES: &str = "Examples:
  hooktest hook list
  hooktest hook list --format json > webhooks.json";

const DELETE_EXAMPLES: &str = "Examples:
  hooktest hook delete deploy-notifier";

/// The flags `tsuru event-webhook-create` and `event-webhook-update` share.
#[derive(Debug, Args, Default)]
pub struct WebhookFlags {
    /// A description on how the webhook will be used
    #[arg(short = 'd', long, value_name = "DESCRIPTION")]
    pub description: Option<String>,
    /// The team name responsible for this webhook
    #[arg(short = 't', long, value_name = "TEAM")]
    pub team: Option<String>,
    /// The HTTP method used in the request; unset means POST
    #[arg(short = 'm', long, value_name = "METHOD")]
    pub method: Option<String>,
    /// The HTTP body: a template run on the event; unset means the event as JSON
    #[arg(short = 'b', long, value_name = "BODY", allow_hyphen_values = true)]
    pub body: Option<String>,
    /// The proxy server URL used in the request (http, https or socks5)
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    /// An HTTP header sent in the request, as key=value (repeatable; a repeated key adds a value)
    #[arg(short = 'H', long = "header", value_name = "key=value")]
    pub headers: Vec<String>,
    /// Ignore TLS errors in the webhook request
    #[arg(long)]
    pub insecure: bool,
    /// Target type for matching events (repeatable)
    #[arg(long = "target-type", value_name = "TYPE")]
    pub target_types: Vec<String>,
    /// Target value for matching events (repeatable)
    #[arg(long = "target-value", value_name = "VALUE")]
    pub target_values: Vec<String>,
    /// Kind type for matching events: permission or internal (repeatable)
    #[arg(long = "kind-type", value_name = "TYPE")]
    pub kind_types: Vec<String>,
    /// Kind name for matching events, e.g. app.deploy (repeatable)
    #[arg(long = "kind-name", value_name = "NAME")]
    pub kind_names: Vec<String>,
    /// Only match events with an error
    #[arg(long)]
    pub error_only: bool,
    /// Only match events with success
    #[arg(long)]
    pub success_only: bool,
}

/// The template language of a body, as a flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineFlag {
    /// Go's text/template, as tsuru runs it
    Go,
    /// Tera (hooktest's own)
    Tera,
}

impl From<EngineFlag> for Engine {
    fn from(e: EngineFlag) -> Engine {
        match e {
            EngineFlag::Go => Engine::Go,
            EngineFlag::Tera => Engine::Tera,
        }
    }
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The hook's name: lowercase letters, digits and dashes, starting with a letter (at most 40)
    pub name: String,
    /// The URL tsuru sends the request to
    pub url: String,
    #[command(flatten)]
    pub flags: WebhookFlags,
    /// The template language of --body
    #[arg(long, value_enum, default_value_t = EngineFlag::Go)]
    pub engine: EngineFlag,
    /// Overwrite hooks/NAME.json if it exists
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The name of the hook to change
    pub name: String,
    /// The HTTP URL used in the request
    #[arg(short = 'u', long, value_name = "URL")]
    pub url: Option<String>,
    #[command(flatten)]
    pub flags: WebhookFlags,
    /// Unset body value
    #[arg(long)]
    pub no_body: bool,
    /// Unset header value
    #[arg(long)]
    pub no_header: bool,
    /// Unset insecure value
    #[arg(long)]
    pub no_insecure: bool,
    /// Unset target type for matching events
    #[arg(long)]
    pub no_target_type: bool,
    /// Unset target value for matching events
    #[arg(long)]
    pub no_target_value: bool,
    /// Unset kind type for matching events
    #[arg(long)]
    pub no_kind_type: bool,
    /// Unset kind name for matching events
    #[arg(long)]
    pub no_kind_name: bool,
    /// Unset only matches events with error
    #[arg(long)]
    pub no_error_only: bool,
    /// Unset only matches events with success
    #[arg(long)]
    pub no_success_only: bool,
    /// Unset the proxy (hooktest's own; tsuru cannot)
    #[arg(long)]
    pub no_proxy: bool,
    /// Change the template language of the body
    #[arg(long, value_enum)]
    pub engine: Option<EngineFlag>,
}

/// The output of `hook list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A table like `tsuru event-webhook-list`
    Table,
    /// tsuru's list-API array (GET /1.6/events/webhooks), every key present, plus `engine`
    Json,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The name of the hook to delete
    pub name: String,
}

/// Runs a `hook` subcommand in the project `dir`.
pub fn run_hook(dir: &Path, command: &HookCommand) -> anyhow::Result<i32> {
    match command {
        HookCommand::Create(args) => create(dir, args),
        HookCommand::Update(args) => update(dir, args),
        HookCommand::List(args) => list(dir, args),
        HookCommand::Delete(args) => delete(dir, args),
    }
}

/// Parses `-H key=value` flags as tsuru-client does: split on the first `=`, a repeated key adds
/// a value; a value with no `=` fails with pflag's and tsuru's wording.
pub fn parse_headers(flags: &[String]) -> anyhow::Result<IndexMap<String, Vec<String>>> {
    let mut headers: IndexMap<String, Vec<String>> = IndexMap::new();
    for flag in flags {
        match flag.split_once('=') {
            Some((key, value)) => headers
                .entry(key.to_string())
                .or_default()
                .push(value.to_string()),
            None => anyhow::bail!(
                "invalid argument {flag:?} for \"-H, --header\" flag: must be on the form \"key=value\""
            ),
        }
    }
    Ok(headers)
}

/// tsuru's API checks on create: the name, then the URLs.
fn check_name(name: &str) -> anyhow::Result<()> {
    if name.is_empty() {
        anyhow::bail!("webhook name must not be empty");
    }
    if !is_valid_name(name) {
        anyhow::bail!(
            "Invalid webhook name, webhook name should have at most 40 characters, containing only lower case letters, numbers or dashes, starting with a letter."
        );
    }
    Ok(())
}

/// tsuru's URL checks, made as strict as `hooktest validate` (an absolute http(s) URL), so a hook
/// this command writes never fails validation.
fn check_urls(hook: &Hook) -> anyhow::Result<()> {
    if hook.url.is_empty() {
        anyhow::bail!("webhook url must not be empty");
    }
    match Url::parse(&hook.url) {
        Err(e) => anyhow::bail!(
            "webhook url is not valid: {e}: {:?} must be an absolute URL such as https://example.com/hook",
            hook.url
        ),
        Ok(u) if !matches!(u.scheme(), "http" | "https") => anyhow::bail!(
            "webhook url is not valid: {:?} has scheme `{}`; tsuru can only send to http:// or https:// URLs",
            hook.url,
            u.scheme()
        ),
        Ok(_) => {}
    }
    if !hook.proxy_url.is_empty() {
        parse_proxy(&hook.proxy_url)
            .map_err(|e| anyhow::anyhow!("webhook proxy url is not valid: {e}"))?;
    }
    Ok(())
}

/// Warnings for filter values tsuru would accept but that are probably mistakes.
fn filter_warnings(hook: &Hook) {
    let f = &hook.event_filter;
    for t in &f.target_types {
        if let Some(w) = unknown_target_type(t) {
            warn(&format!("hook `{}`: {w}", hook.name));
        }
    }
    for t in &f.kind_types {
        if !KIND_TYPES.contains(&t.as_str()) {
            warn(&format!(
                "hook `{}`: tsuru has no kind type `{t}` (only permission and internal){}",
                hook.name,
                super::hint(closest(t, KIND_TYPES.iter().copied()))
            ));
        }
    }
    for k in &f.kind_names {
        if let Some(w) = unknown_kind_name(k) {
            warn(&format!("hook `{}`: {w}", hook.name));
        }
    }
    if f.error_only && f.success_only {
        warn(&format!(
            "hook `{}` sets both --error-only and --success-only, so it never fires: remove one",
            hook.name
        ));
    }
}

/// Warns when the body does not compile with its engine (tsuru would send a Go body that does not
/// parse as raw text).
fn body_warning(hook: &Hook, engine: Engine) {
    if hook.body.is_empty() {
        return;
    }
    let mut teras = crate::template::tera::TeraSet::default();
    if let Err(e) = crate::template::Body::compile(hook, engine, true, &mut teras) {
        let pos = e.position();
        let pos = if pos.is_empty() {
            String::new()
        } else {
            format!(" at {pos}")
        };
        let what = match engine {
            Engine::Go => {
                "the body does not parse as a Go template (tsuru would send it as raw text)"
            }
            Engine::Tera => "the tera body does not compile",
        };
        warn(&format!("hook `{}`: {what}{pos}: {}", hook.name, e.message));
    }
}

fn create(dir: &Path, args: &CreateArgs) -> anyhow::Result<i32> {
    let f = &args.flags;
    let hook = Hook {
        name: args.name.clone(),
        description: f.description.clone().unwrap_or_default(),
        team_owner: f.team.clone().unwrap_or_default(),
        event_filter: crate::hook::EventFilter {
            target_types: f.target_types.clone(),
            target_values: f.target_values.clone(),
            kind_types: f.kind_types.clone(),
            kind_names: f.kind_names.clone(),
            error_only: f.error_only,
            success_only: f.success_only,
        },
        url: args.url.clone(),
        proxy_url: f.proxy.clone().unwrap_or_default(),
        headers: parse_headers(&f.headers)?,
        method: f.method.clone().unwrap_or_default(),
        body: f.body.clone().unwrap_or_default(),
        insecure: f.insecure,
        engine: Some(args.engine.into()),
        signing: None,
    };
    check_name(&hook.name)?;
    check_urls(&hook)?;
    require_project(dir)?;
    let path = dir.join(HOOKS_DIR).join(format!("{}.json", hook.name));
    if let Some(found) = find_hook(dir, &hook.name)? {
        let same_file = found.path == path && found.index.is_none();
        if !same_file {
            anyhow::bail!(
                "webhook already exists with the same name: hook `{}` is defined in `{}`; change it with `hooktest hook update {}` or delete it first",
                hook.name,
                display(&found.path),
                hook.name
            );
        }
        if !args.force {
            anyhow::bail!(
                "webhook already exists with the same name: `{}` holds hook `{}`; pass --force to overwrite it, or change it with `hooktest hook update {}`",
                display(&path),
                hook.name,
                hook.name
            );
        }
    } else if path.exists() && !args.force {
        anyhow::bail!(
            "`{}` already exists; pass --force to overwrite it",
            display(&path)
        );
    } else if let Some(what) = path.exists().then(|| list_file(&path)).flatten() {
        anyhow::bail!(
            "`{}` {what}, which --force would delete: move them to other files first",
            display(&path)
        );
    }
    filter_warnings(&hook);
    body_warning(&hook, args.engine.into());
    write_file(&path, &pretty(&hook.to_wire_json()))?;
    println!("Webhook successfully created.");
    eprintln!("wrote {}", display(&path));
    Ok(exit::OK)
}

/// Why the file at `path` may hold other hooks than the one `--force` replaces: it is a JSON
/// list (a multi-hook file), or it does not parse, so what it holds is unknown.
fn list_file(path: &Path) -> Option<&'static str> {
    match project::read_text(path).map(|t| serde_json::from_str::<Value>(&t)) {
        Ok(Ok(v)) if v.is_array() => Some("holds a list of hooks"),
        Ok(Ok(_)) => None,
        _ => Some("does not parse as JSON (fix it first: it may hold other hooks)"),
    }
}

/// Where a hook is stored.
struct Found {
    path: PathBuf,
    yaml: bool,
    /// The hook's index in a list file; `None` when the file is the hook object itself.
    index: Option<usize>,
    /// The whole file's document.
    document: Value,
    hook: Hook,
}

/// Finds the first hook named `name` in `hooks/`, in the order hooktest loads files.
fn find_hook(dir: &Path, name: &str) -> anyhow::Result<Option<Found>> {
    let hooks_dir = dir.join(HOOKS_DIR);
    if !hooks_dir.is_dir() {
        return Ok(None);
    }
    let mut ignored = Vec::new();
    for path in project::list_files(&hooks_dir, &["json", "yaml", "yml"], &mut ignored) {
        let Ok(text) = project::read_text(&path) else {
            continue;
        };
        let yaml = path.extension().is_none_or(|e| e != "json");
        let Ok(doc) = project::parse_document(&display(&path), &text, yaml) else {
            continue;
        };
        let items: Vec<(Option<usize>, &Value)> = match &doc.value {
            Value::Array(list) => list.iter().enumerate().map(|(i, v)| (Some(i), v)).collect(),
            other => vec![(None, other)],
        };
        for (index, value) in items {
            let mut findings = Vec::new();
            let root = match index {
                Some(i) => JsonPath::root().index(i),
                None => JsonPath::root(),
            };
            let hook = Hook::from_json(value, &root, &mut findings);
            let named = hook
                .as_ref()
                .map(|h| h.name.as_str())
                .or_else(|| value.get("name").and_then(Value::as_str));
            if named != Some(name) {
                continue;
            }
            let Some(hook) = hook else {
                anyhow::bail!(
                    "hook `{name}` in `{}` has errors: run `hooktest validate` and fix them first",
                    display(&path)
                );
            };
            return Ok(Some(Found {
                path,
                yaml,
                index,
                document: doc.value,
                hook,
            }));
        }
    }
    Ok(None)
}

/// The "webhook not found" error, with the closest existing name.
fn not_found(dir: &Path, name: &str) -> anyhow::Error {
    let names: Vec<String> = Project::load(dir)
        .map(|p| p.hooks.into_iter().map(|h| h.hook.name).collect())
        .unwrap_or_default();
    let hint = super::hint(closest(name, names.iter().map(String::as_str)));
    anyhow::anyhow!(
        "webhook not found: no hook named `{name}` in `{}`{hint}; see `hooktest hook list`",
        display(&dir.join(HOOKS_DIR))
    )
}

/// Refuses to rewrite YAML: serialising it again would drop the author's comments and layout.
fn refuse_yaml(found: &Found, action: &str) -> anyhow::Result<()> {
    if found.yaml {
        anyhow::bail!(
            "hook `{}` is defined in the YAML file `{}`; hooktest does not rewrite YAML (its comments and layout would be lost): {action} it by hand, or move it to hooks/{}.json",
            found.hook.name,
            display(&found.path),
            found.hook.name
        );
    }
    Ok(())
}

/// tsuru-client's `mergeWebhooks`, plus `--proxy`/`--no-proxy` and `--engine`.
pub fn merge(mut existing: Hook, args: &UpdateArgs) -> anyhow::Result<Hook> {
    let f = &args.flags;
    let set = |v: &Option<String>| v.as_deref().filter(|s| !s.is_empty()).map(str::to_string);
    if let Some(url) = set(&args.url) {
        existing.url = url;
    }
    if let Some(d) = set(&f.description) {
        existing.description = d;
    }
    if let Some(m) = set(&f.method) {
        existing.method = m;
    }
    if let Some(t) = set(&f.team) {
        existing.team_owner = t;
    }
    if let Some(b) = set(&f.body) {
        existing.body = b;
    } else if args.no_body {
        existing.body.clear();
    }
    if let Some(p) = set(&f.proxy) {
        existing.proxy_url = p;
    } else if args.no_proxy {
        existing.proxy_url.clear();
    }
    if f.insecure {
        existing.insecure = true;
    } else if args.no_insecure {
        existing.insecure = false;
    }
    let headers = parse_headers(&f.headers)?;
    if !headers.is_empty() {
        existing.headers = headers;
    } else if args.no_header {
        existing.headers.clear();
    }
    let filter = &mut existing.event_filter;
    let lists = [
        (&mut filter.kind_names, &f.kind_names, args.no_kind_name),
        (&mut filter.kind_types, &f.kind_types, args.no_kind_type),
        (
            &mut filter.target_types,
            &f.target_types,
            args.no_target_type,
        ),
        (
            &mut filter.target_values,
            &f.target_values,
            args.no_target_value,
        ),
    ];
    for (stored, given, unset) in lists {
        if !given.is_empty() {
            stored.clone_from(given);
        } else if unset {
            stored.clear();
        }
    }
    if f.error_only {
        filter.error_only = true;
    } else if args.no_error_only {
        filter.error_only = false;
    }
    if f.success_only {
        filter.success_only = true;
    } else if args.no_success_only {
        filter.success_only = false;
    }
    if let Some(e) = args.engine {
        existing.engine = Some(e.into());
    }
    Ok(existing)
}

/// Writes `found`'s file again with `replacement` in the hook's place (or the hook removed).
fn rewrite(found: &Found, replacement: Option<Value>) -> anyhow::Result<()> {
    match (found.index, replacement) {
        (None, Some(v)) => write_file(&found.path, &pretty(&v)),
        (None, None) => fs::remove_file(&found.path)
            .map_err(|e| anyhow::anyhow!("cannot delete `{}`: {e}", display(&found.path))),
        (Some(i), replacement) => {
            let mut doc = found.document.clone();
            if let Value::Array(list) = &mut doc {
                match replacement {
                    Some(v) => list[i] = v,
                    None => {
                        list.remove(i);
                    }
                }
            }
            write_file(&found.path, &pretty(&doc))
        }
    }
}

/// The hook's new JSON, plus every key of `original` that hooktest does not know (a `_comment`, a
/// key of a newer tsuru), with its value, after the known ones; the same inside `event_filter`.
/// A known key written in another case (`Method`) is replaced by its canonical spelling.
fn keep_unknown_keys(original: &Value, updated: Value) -> Value {
    let (Value::Object(original), Value::Object(mut out)) = (original, updated.clone()) else {
        return updated;
    };
    for (key, value) in original {
        match out.keys().find(|k| k.eq_ignore_ascii_case(key)).cloned() {
            Some(known) if known == "event_filter" => {
                let merged = keep_unknown_keys(value, out[&known].clone());
                out.insert(known, merged);
            }
            Some(_) => {}
            None => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(out)
}

fn update(dir: &Path, args: &UpdateArgs) -> anyhow::Result<i32> {
    require_project(dir)?;
    let found = find_hook(dir, &args.name)?.ok_or_else(|| not_found(dir, &args.name))?;
    refuse_yaml(&found, "update")?;
    let hook = merge(found.hook.clone(), args)?;
    check_urls(&hook)?;
    filter_warnings(&hook);
    let engine = hook.engine.unwrap_or(
        Project::load(dir)
            .map(|p| p.settings.engine)
            .unwrap_or_default(),
    );
    body_warning(&hook, engine);
    let original = match found.index {
        Some(i) => &found.document[i],
        None => &found.document,
    };
    rewrite(
        &found,
        Some(keep_unknown_keys(original, hook.to_file_json())),
    )?;
    println!("Webhook successfully updated.");
    eprintln!("wrote {}", display(&found.path));
    Ok(exit::OK)
}

fn delete(dir: &Path, args: &DeleteArgs) -> anyhow::Result<i32> {
    require_project(dir)?;
    let found = find_hook(dir, &args.name)?.ok_or_else(|| not_found(dir, &args.name))?;
    refuse_yaml(&found, "delete")?;
    rewrite(&found, None)?;
    println!("Webhook successfully deleted.");
    match found.index {
        None => eprintln!("deleted {}", display(&found.path)),
        Some(_) => eprintln!("removed it from {}", display(&found.path)),
    }
    Ok(exit::OK)
}

fn list(dir: &Path, args: &ListArgs) -> anyhow::Result<i32> {
    let project = Project::load(dir)?;
    let errors = project.has_errors() && !project.hooks.is_empty();
    if errors {
        crate::cli::report(&project.diagnostics);
    }
    let text = match args.format {
        ListFormat::Json => {
            let list: Vec<Value> = project
                .hooks
                .iter()
                .map(|entry| {
                    let mut hook = entry.hook.clone();
                    hook.engine = Some(entry.engine);
                    hook.to_wire_json()
                })
                .collect();
            pretty(&Value::Array(list))
        }
        ListFormat::Table => {
            if project.hooks.is_empty() {
                eprintln!(
                    "no hooks in `{}`: create one with `hooktest hook create NAME URL`",
                    display(&dir.join(HOOKS_DIR))
                );
                return Ok(exit::OK);
            }
            table(&project.hooks.iter().map(|e| &e.hook).collect::<Vec<_>>())
        }
    };
    crate::cli::print(&text)?;
    Ok(if errors { exit::FAILURES } else { exit::OK })
}

/// tsuru-client's `event-webhook-list` table: the same columns and cells, lines between rows.
pub fn table(hooks: &[&Hook]) -> String {
    let headers = [
        "Name",
        "Description",
        "Team",
        "URL",
        "Headers",
        "Body",
        "Insecure",
        "Filters",
    ];
    let rows: Vec<Vec<String>> = hooks
        .iter()
        .map(|w| {
            let url = if w.method.is_empty() {
                w.url.clone()
            } else {
                format!("{} {}", w.method, w.url)
            };
            let mut headers: Vec<String> = w
                .headers
                .iter()
                .flat_map(|(k, vals)| vals.iter().map(move |v| format!("{k}: {v}")))
                .collect();
            headers.sort();
            let body = if w.body.is_empty() {
                "<event>".to_string()
            } else {
                w.body.clone()
            };
            vec![
                w.name.clone(),
                w.description.clone(),
                w.team_owner.clone(),
                url,
                headers.join("\n"),
                body,
                w.insecure.to_string(),
                filter_text(&w.event_filter),
            ]
        })
        .collect();
    draw(&headers, &rows)
}

/// tsuru-client's `filterToStr`.
fn filter_text(f: &crate::hook::EventFilter) -> String {
    let mut parts = Vec::new();
    parts.extend(f.kind_types.iter().map(|v| format!("kind-type == {v}")));
    parts.extend(f.kind_names.iter().map(|v| format!("kind-name == {v}")));
    parts.extend(f.target_types.iter().map(|v| format!("target-type == {v}")));
    parts.extend(
        f.target_values
            .iter()
            .map(|v| format!("target-value == {v}")),
    );
    if f.success_only {
        parts.push("success-only".into());
    }
    if f.error_only {
        parts.push("error-only".into());
    }
    parts.join("\n")
}

/// Columns a string takes on a terminal: East Asian wide characters take two.
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x1F300..=0x1F64F
            | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

/// Draws a table with `+---+` borders, a line after every row and multi-line cells.
fn draw(headers: &[&str], rows: &[Vec<String>]) -> String {
    let width = display_width;
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            for line in cell.lines() {
                widths[i] = widths[i].max(width(line));
            }
        }
    }
    let rule: String = widths
        .iter()
        .map(|w| format!("+{}", "-".repeat(w + 2)))
        .collect::<String>()
        + "+\n";
    let line = |cells: &[&str]| -> String {
        let mut s = String::new();
        for (cell, w) in cells.iter().zip(&widths) {
            s.push_str(&format!("| {cell}{} ", " ".repeat(w - width(cell))));
        }
        s.push_str("|\n");
        s
    };
    let mut out = rule.clone();
    out.push_str(&line(headers));
    out.push_str(&rule);
    for row in rows {
        let split: Vec<Vec<&str>> = row.iter().map(|c| c.lines().collect()).collect();
        let height = split.iter().map(Vec::len).max().unwrap_or(1).max(1);
        for i in 0..height {
            let cells: Vec<&str> = split
                .iter()
                .map(|lines| lines.get(i).copied().unwrap_or(""))
                .collect();
            out.push_str(&line(&cells));
        }
        out.push_str(&rule);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_split_on_first_equals_and_repeat() {
        let h = parse_headers(&["A=1".into(), "B=x=y".into(), "A=2".into(), "C=".into()]).unwrap();
        assert_eq!(h["A"], ["1", "2"]);
        assert_eq!(h["B"], ["x=y"]);
        assert_eq!(h["C"], [""]);
        assert_eq!(h.keys().collect::<Vec<_>>(), ["A", "B", "C"]);
        let err = parse_headers(&["nope".into()]).unwrap_err().to_string();
        assert_eq!(
            err,
            r#"invalid argument "nope" for "-H, --header" flag: must be on the form "key=value""#
        );
    }

    #[test]
    fn table_has_a_line_between_rows_and_multiline_cells() {
        let mut h = Hook {
            name: "a".into(),
            url: "http://x".into(),
            method: "PUT".into(),
            ..Hook::default()
        };
        h.headers.insert("B".into(), vec!["2".into()]);
        h.headers.insert("A".into(), vec!["1".into()]);
        h.event_filter.kind_names = vec!["app.deploy".into()];
        h.event_filter.success_only = true;
        let t = table(&[&h]);
        let expected = "\
+------+-------------+------+--------------+---------+---------+----------+-------------------------+
| Name | Description | Team | URL          | Headers | Body    | Insecure | Filters                 |
+------+-------------+------+--------------+---------+---------+----------+-------------------------+
| a    |             |      | PUT http://x | A: 1    | <event> | false    | kind-name == app.deploy |
|      |             |      |              | B: 2    |         |          | success-only            |
+------+-------------+------+--------------+---------+---------+----------+-------------------------+
";
        assert_eq!(t, expected);
    }

    #[test]
    fn wide_characters_take_two_columns() {
        assert_eq!(display_width("应用 ok"), 7);
    }
}
