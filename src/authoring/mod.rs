//! Authoring commands: `hook create|update|list|delete` (tsuru's `event-webhook-*` flags),
//! `event new`, `init` and `completions`.
//!
//! They write the same files the rest of hooktest reads, in tsuru's wire format, so what they
//! write passes `validate` and dispatches as tsuru would.

pub mod event_new;
pub mod hook_cmd;
pub mod init;

use std::fs;
use std::io::Write;
use std::path::Path;

use clap::{Args, CommandFactory};

use crate::hook::closest;
use crate::validate::{known_kinds, TARGET_TYPES};

pub use event_new::{run_event, EventCommand, EventNewArgs};
pub use hook_cmd::{run_hook, HookCommand};
pub use init::{run_init, InitArgs};

/// `hooktest completions SHELL`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to write a completion script for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Prints the completion script of `shell` to stdout.
pub fn run_completions(args: &CompletionsArgs) -> anyhow::Result<i32> {
    let mut command = crate::cli::Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, "hooktest", &mut out);
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&out)?;
    stdout.flush()?;
    Ok(crate::cli::exit::OK)
}

/// `value` as pretty JSON with a final newline, the form every file hooktest writes takes.
pub fn pretty(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
    text.push('\n');
    text
}

/// Writes `text` to `path`, creating its folder, with an error that names the file.
pub fn write_file(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        if !parent.as_os_str().is_empty() {
            fs::create_dir_all(parent).map_err(|e| {
                anyhow::anyhow!(
                    "cannot create folder `{}`: {e}",
                    crate::project::display(parent)
                )
            })?;
        }
    }
    fs::write(path, text)
        .map_err(|e| anyhow::anyhow!("cannot write `{}`: {e}", crate::project::display(path)))
}

/// Fails unless `dir` is an existing folder, with a message that says how to make one.
pub fn require_project(dir: &Path) -> anyhow::Result<()> {
    if dir.is_dir() {
        Ok(())
    } else {
        anyhow::bail!(
            "project folder `{}` does not exist: create it with `hooktest init {}` or pass --dir with an existing project",
            crate::project::display(dir),
            crate::project::display(dir)
        )
    }
}

/// Prints a warning to stderr, in the same shape as `main` prints errors.
pub fn warn(message: &str) {
    eprintln!("warning: {message}");
}

/// A warning for a target type tsuru does not have, with the closest known one.
pub fn unknown_target_type(t: &str) -> Option<String> {
    (!TARGET_TYPES.contains(&t)).then(|| {
        format!(
            "tsuru has no target type `{t}`{}",
            hint(closest(t, TARGET_TYPES.iter().copied()))
        )
    })
}

/// A warning for a kind name tsuru does not emit, with the closest known one.
pub fn unknown_kind_name(k: &str) -> Option<String> {
    (!crate::validate::is_known_kind(k)).then(|| {
        let kinds = known_kinds();
        format!(
            "`{k}` is not a kind name tsuru emits{}",
            hint(closest(k, kinds.iter().map(String::as_str)))
        )
    })
}

/// " (did you mean `x`?)" or nothing.
pub fn hint(suggestion: Option<&str>) -> String {
    suggestion
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_names_get_suggestions() {
        assert_eq!(
            unknown_kind_name("app.deplyo").as_deref(),
            Some("`app.deplyo` is not a kind name tsuru emits (did you mean `app.deploy`?)")
        );
        assert_eq!(unknown_kind_name("app.update"), None);
        assert_eq!(
            unknown_target_type("ap").as_deref(),
            Some("tsuru has no target type `ap` (did you mean `app`?)")
        );
        assert_eq!(unknown_target_type("service-instance"), None);
    }
}
