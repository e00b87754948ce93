//! `hooktest event new`: a complete, realistic tsuru event, written as tsuru's Go code writes it.

use std::hash::{BuildHasher, RandomState};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Args, Subcommand};

use super::{
    hint, pretty, require_project, unknown_kind_name, unknown_target_type, warn, write_file,
};
use crate::cli::exit;
use crate::event::{
    AllowedPermission, Event, ExtraTarget, GoTime, Instance, Kind, LogEntry, ObjectId, Owner,
    PermissionContext, Target,
};
use crate::filter::{fires, EventKeys};
use crate::hook::closest;
use crate::project::{display, Project, EVENTS_DIR};
use crate::validate::{INTERNAL_KINDS, KIND_TYPES};

/// `hooktest event …`
#[derive(Debug, Subcommand)]
pub enum EventCommand {
    /// Write a complete sample tsuru event to events/ (or stdout)
    #[command(after_help = NEW_EXAMPLES)]
    New(EventNewArgs),
}

const NEW_EXAMPLES: &str = "Examples:
  hooktest event new app.deploy --target app=checkout-api
  hooktest event new app.update.env.set --target app=checkout-api --extra-target pool=prod \\
      --owner user:maria@example.com --log 'setting 2 new environment variables'
  hooktest event new app.deploy --target app=checkout-api --error 'deploy failed: exit status 1'
  hooktest event new healer --target node=http://10.0.0.12:2375 --extra-target pool=prod --out -

The event has every field tsuru writes (a fresh UniqueID, consistent times, Allowed contexts for
its targets). The kind type is inferred: dotted names (app.deploy) are permission kinds, names
like `healer` are internal. It is written to events/<kind>-<n>.json unless --out is given.";

/// Owner types tsuru writes.
const OWNER_TYPES: &[&str] = &["user", "token", "app", "internal"];

/// Target types that are also permission context types: `Allowed` names them.
const CONTEXT_TYPES: &[&str] = &[
    "app",
    "job",
    "team",
    "user",
    "pool",
    "service",
    "service-instance",
    "volume",
    "cluster",
    "router",
];

#[derive(Debug, Args)]
pub struct EventNewArgs {
    /// The kind name, e.g. app.deploy, app.update.env.set, healer
    pub kind: String,
    /// The event's target, as TYPE=VALUE (e.g. app=checkout-api)
    #[arg(long, value_name = "TYPE=VALUE")]
    pub target: String,
    /// An extra target, as TYPE=VALUE (repeatable)
    #[arg(long = "extra-target", value_name = "TYPE=VALUE")]
    pub extra_targets: Vec<String>,
    /// Make it a failed event with this error message
    #[arg(long, value_name = "MESSAGE", allow_hyphen_values = true)]
    pub error: Option<String>,
    /// Who started it, as TYPE:NAME (user, token, app or internal) [default: user:dev@example.com, internal: for internal kinds]
    #[arg(long, value_name = "TYPE:NAME")]
    pub owner: Option<String>,
    /// A log line (repeatable); written with tsuru's `2006-01-02 15:04:05 -0700: ` prefix
    #[arg(long = "log", value_name = "LINE", allow_hyphen_values = true)]
    pub logs: Vec<String>,
    /// The kind type, when the inferred one is not right
    #[arg(long = "kind-type", value_name = "TYPE")]
    pub kind_type: Option<String>,
    /// Where to write it: a path, or `-` for stdout [default: events/<kind>-<n>.json]
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Overwrite --out if it exists
    #[arg(long)]
    pub force: bool,
}

/// Runs an `event` subcommand in the project `dir`.
pub fn run_event(dir: &Path, command: &EventCommand) -> anyhow::Result<i32> {
    match command {
        EventCommand::New(args) => new(dir, args),
    }
}

/// Splits `TYPE=VALUE` for `flag`.
fn parse_target(text: &str, flag: &str) -> anyhow::Result<Target> {
    match text.split_once('=') {
        Some((t, v)) if !t.is_empty() => Ok(Target {
            target_type: t.to_string(),
            value: v.to_string(),
        }),
        _ => anyhow::bail!(
            "invalid argument {text:?} for \"{flag}\" flag: must be on the form \"TYPE=VALUE\", for example app=checkout-api"
        ),
    }
}

/// The kind type tsuru gives `name`: internal kinds are single words, permission kinds are dotted.
pub fn infer_kind_type(name: &str) -> &'static str {
    if INTERNAL_KINDS.contains(&name)
        || (!name.contains('.') && !crate::validate::is_known_kind(name))
    {
        "internal"
    } else {
        "permission"
    }
}

/// What `event new` needs to build an event, resolved from the flags.
#[derive(Debug, Clone)]
pub struct Spec {
    pub kind: Kind,
    pub target: Target,
    pub extra_targets: Vec<Target>,
    pub error: String,
    pub owner: Owner,
    pub logs: Vec<String>,
}

impl Spec {
    fn from_args(args: &EventNewArgs) -> anyhow::Result<Spec> {
        let target = parse_target(&args.target, "--target")?;
        let extra_targets = args
            .extra_targets
            .iter()
            .map(|t| parse_target(t, "--extra-target"))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let kind_type = match &args.kind_type {
            Some(t) => t.clone(),
            None => infer_kind_type(&args.kind).to_string(),
        };
        let owner = match &args.owner {
            Some(text) => match text.split_once(':') {
                Some((t, n)) if !t.is_empty() => Owner {
                    owner_type: t.to_string(),
                    name: n.to_string(),
                },
                _ => anyhow::bail!(
                    "invalid argument {text:?} for \"--owner\" flag: must be on the form \"TYPE:NAME\", for example user:maria@example.com"
                ),
            },
            None if kind_type == "internal" => Owner {
                owner_type: "internal".into(),
                name: String::new(),
            },
            None => Owner {
                owner_type: "user".into(),
                name: "dev@example.com".into(),
            },
        };
        Ok(Spec {
            kind: Kind {
                kind_type,
                name: args.kind.clone(),
            },
            target,
            extra_targets,
            error: args.error.clone().unwrap_or_default(),
            owner,
            logs: args.logs.clone(),
        })
    }

    /// Warnings for names tsuru would not write.
    fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(w) = unknown_kind_name(&self.kind.name) {
            out.push(w);
        }
        if !KIND_TYPES.contains(&self.kind.kind_type.as_str()) {
            out.push(format!(
                "tsuru has no kind type `{}` (only permission and internal){}",
                self.kind.kind_type,
                hint(closest(&self.kind.kind_type, KIND_TYPES.iter().copied()))
            ));
        }
        for t in std::iter::once(&self.target).chain(&self.extra_targets) {
            out.extend(unknown_target_type(&t.target_type));
        }
        if !OWNER_TYPES.contains(&self.owner.owner_type.as_str()) {
            out.push(format!(
                "tsuru has no owner type `{}` (user, token, app or internal){}",
                self.owner.owner_type,
                hint(closest(&self.owner.owner_type, OWNER_TYPES.iter().copied()))
            ));
        }
        out
    }
}

/// Milliseconds added to a time, keeping Go's UTC form.
fn at(start_ms: i64, plus_ms: i64) -> GoTime {
    let ms = start_ms + plus_ms;
    GoTime {
        unix: ms.div_euclid(1000),
        nanos: (ms.rem_euclid(1000) * 1_000_000) as u32,
        offset: None,
    }
}

/// tsuru's log line prefix, `2006-01-02 15:04:05 -0700: `, in UTC.
fn log_prefix(t: &GoTime) -> String {
    format!("{} +0000: ", t.civil().format("%Y-%m-%d %H:%M:%S"))
}

/// A fresh ObjectID: four bytes of the time, like MongoDB's, and eight random bytes.
pub fn fresh_id(unix: i64) -> ObjectId {
    let mut bytes = [0u8; 12];
    bytes[..4].copy_from_slice(&(unix as u32).to_be_bytes());
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let random = RandomState::new().hash_one((nanos, std::process::id()));
    bytes[4..].copy_from_slice(&random.to_be_bytes());
    ObjectId(bytes)
}

/// Builds the event of `spec`, finished at `end_ms` (Unix milliseconds), with `id`.
pub fn build(spec: &Spec, id: ObjectId, end_ms: i64) -> Event {
    // A run of about a minute and a half, with the log lines spread through it.
    let duration_ms = 94_675;
    let start_ms = end_ms - duration_ms;
    let start = at(start_ms, 0);
    let logs: Vec<LogEntry> = spec
        .logs
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let step = duration_ms / (spec.logs.len() as i64 + 1);
            LogEntry {
                date: at(start_ms, step * (i as i64 + 1)),
                message: format!("{}\n", line.trim_end_matches('\n')),
            }
        })
        .collect();
    let log: String = logs
        .iter()
        .map(|e| format!("{}{}", log_prefix(&e.date), e.message))
        .collect();
    let targets = std::iter::once(&spec.target).chain(&spec.extra_targets);
    let mut contexts: Vec<PermissionContext> = Vec::new();
    for t in targets {
        if CONTEXT_TYPES.contains(&t.target_type.as_str()) {
            let ctx = PermissionContext {
                ctx_type: t.target_type.clone(),
                value: t.value.clone(),
            };
            if !contexts.contains(&ctx) {
                contexts.push(ctx);
            }
        }
    }
    let scheme_type = contexts
        .first()
        .map(|c| c.ctx_type.clone())
        .unwrap_or_else(|| spec.target.target_type.clone());
    if contexts.is_empty() {
        contexts.push(PermissionContext {
            ctx_type: "global".into(),
            value: String::new(),
        });
    }
    let internal = spec.kind.kind_type == "internal";
    let cancelable = spec.kind.name.starts_with("app.deploy") || spec.kind.name == "app.build";
    Event {
        unique_id: id,
        lock: None,
        start_time: start,
        end_time: at(end_ms, 0),
        expire_at: GoTime::ZERO,
        target: spec.target.clone(),
        extra_targets: (!spec.extra_targets.is_empty()).then(|| {
            spec.extra_targets
                .iter()
                .map(|t| ExtraTarget {
                    target: t.clone(),
                    lock: false,
                })
                .collect()
        }),
        kind: spec.kind.clone(),
        owner: spec.owner.clone(),
        source_ip: if internal {
            String::new()
        } else {
            "10.12.0.45".into()
        },
        lock_update_time: start,
        error: spec.error.clone(),
        log,
        structured_log: (!logs.is_empty()).then_some(logs),
        cancel_info: Default::default(),
        cancelable,
        running: false,
        allowed: AllowedPermission {
            scheme: format!("{scheme_type}.read.events"),
            contexts: Some(contexts.clone()),
        },
        allowed_cancel: if cancelable {
            AllowedPermission {
                scheme: format!("{scheme_type}.update.events"),
                contexts: Some(contexts),
            }
        } else {
            AllowedPermission::default()
        },
        instance: Instance {
            name: "tsuru-api-6c9d7f5b8-qx2lm".into(),
            port: "8080".into(),
            tls_port: String::new(),
            addresses: Some(vec!["10.244.3.17".into()]),
            last_update: at(start_ms, -8_409),
        },
    }
}

/// The event as tsuru's Go code writes it, pretty-printed.
pub fn to_pretty_json(event: &Event) -> String {
    let compact = crate::gojson::marshal_event(event);
    match serde_json::from_str::<serde_json::Value>(&compact) {
        Ok(v) => pretty(&v),
        Err(_) => compact + "\n",
    }
}

/// `events/<kind with dashes>-<n>.json` with the first free `n`.
fn default_path(dir: &Path, kind: &str) -> PathBuf {
    let stem: String = kind
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let stem = if stem.is_empty() {
        "event".into()
    } else {
        stem
    };
    let events = dir.join(EVENTS_DIR);
    (1..)
        .map(|n| events.join(format!("{stem}-{n}.json")))
        .find(|p| !p.exists())
        .unwrap_or_else(|| events.join(format!("{stem}.json")))
}

fn new(dir: &Path, args: &EventNewArgs) -> anyhow::Result<i32> {
    let spec = Spec::from_args(args)?;
    for w in spec.warnings() {
        warn(&w);
    }
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    let event = build(&spec, fresh_id(now_ms / 1000), now_ms);
    let text = to_pretty_json(&event);
    let path = match &args.out {
        Some(p) if p.as_os_str() == "-" => {
            crate::cli::print(&text)?;
            return Ok(exit::OK);
        }
        Some(p) => {
            if p.exists() && !args.force {
                anyhow::bail!(
                    "`{}` already exists; pass --force to overwrite it",
                    display(p)
                );
            }
            p.clone()
        }
        None => {
            require_project(dir)?;
            default_path(dir, &spec.kind.name)
        }
    };
    write_file(&path, &text)?;
    let id = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("event")
        .to_string();
    eprintln!("wrote {} (event id `{id}`)", display(&path));
    if let Ok(project) = Project::load(dir) {
        let keys = EventKeys::new(&event);
        let firing: Vec<&str> = project
            .hooks
            .iter()
            .filter(|h| fires(&h.hook.event_filter, &keys))
            .map(|h| h.hook.name.as_str())
            .collect();
        if !project.hooks.is_empty() {
            if firing.is_empty() {
                eprintln!("no hook of the project fires for it");
            } else {
                eprintln!("fires: {}", firing.join(", "));
            }
        }
    }
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: &str) -> Spec {
        Spec {
            kind: Kind {
                kind_type: infer_kind_type(kind).into(),
                name: kind.into(),
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
            logs: vec!["one".into(), "two".into()],
        }
    }

    #[test]
    fn kind_types_are_inferred_from_tsuru_names() {
        assert_eq!(infer_kind_type("app.deploy"), "permission");
        assert_eq!(infer_kind_type("app"), "permission");
        assert_eq!(infer_kind_type("healer"), "internal");
        assert_eq!(infer_kind_type("bootstrap deploy"), "internal");
        assert_eq!(infer_kind_type("something"), "internal");
        assert_eq!(infer_kind_type("custom.thing"), "permission");
    }

    #[test]
    fn events_have_consistent_times_logs_and_contexts() {
        let id = ObjectId::parse("66f2a1c4e13b5a0001a3f7d2").unwrap();
        let e = build(&spec("app.deploy"), id, 1_727_175_843_087);
        assert_eq!(e.end_time.rfc3339_nano(), "2024-09-24T11:04:03.087Z");
        assert_eq!(e.start_time.rfc3339_nano(), "2024-09-24T11:02:28.412Z");
        assert_eq!(e.lock_update_time, e.start_time);
        assert!(e.expire_at.is_zero());
        assert_eq!(
            e.log,
            "2024-09-24 11:02:59 +0000: one\n2024-09-24 11:03:31 +0000: two\n"
        );
        let logs = e.structured_log.as_ref().unwrap();
        assert!(logs
            .iter()
            .all(|l| l.date.unix > e.start_time.unix && l.date.unix < e.end_time.unix));
        let ctx = e.allowed.contexts.as_ref().unwrap();
        assert_eq!(e.allowed.scheme, "app.read.events");
        assert_eq!(
            ctx.iter()
                .map(|c| (c.ctx_type.as_str(), c.value.as_str()))
                .collect::<Vec<_>>(),
            [("app", "checkout-api"), ("pool", "prod")]
        );
        assert!(e.cancelable);
        assert_eq!(e.allowed_cancel.scheme, "app.update.events");
        let json = to_pretty_json(&e);
        let keys: Vec<String> = serde_json::from_str::<serde_json::Value>(&json)
            .unwrap()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(keys, crate::event::EVENT_KEYS);
    }

    #[test]
    fn fresh_ids_differ() {
        assert_ne!(fresh_id(1), fresh_id(1));
        assert_eq!(&fresh_id(0x66f2a1c4).hex()[..8], "66f2a1c4");
    }
}
