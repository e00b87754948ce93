//! A small builder that runs the real binary on a temporary project.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

/// The sample project shipped in `fixtures/`.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// A temporary project and a command line to run in it.
pub struct Test {
    pub dir: TempDir,
    args: Vec<String>,
    project: Option<PathBuf>,
}

/// What a run produced.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

impl Test {
    pub fn new() -> Test {
        Test {
            dir: tempfile::tempdir().expect("temp dir"),
            args: Vec::new(),
            project: None,
        }
    }

    /// Runs against an existing folder instead of the temporary one.
    pub fn project(mut self, dir: impl Into<PathBuf>) -> Test {
        self.project = Some(dir.into());
        self
    }

    /// Writes a file of the temporary project.
    pub fn file(self, path: &str, contents: &str) -> Test {
        let full = self.dir.path().join(path);
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        fs::write(full, contents).unwrap();
        self
    }

    pub fn args(mut self, args: &[&str]) -> Test {
        self.args.extend(args.iter().map(|s| s.to_string()));
        self
    }

    pub fn path(&self) -> PathBuf {
        self.project
            .clone()
            .unwrap_or_else(|| self.dir.path().to_path_buf())
    }

    pub fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_hooktest"));
        cmd.args(&self.args)
            .arg("--dir")
            .arg(self.path())
            .env_remove("HOOKTEST_DIR")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        cmd
    }

    pub fn run(&self) -> Run {
        let Output {
            status,
            stdout,
            stderr,
        } = self.command().output().expect("run hooktest");
        Run {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    }
}

/// A minimal valid hook.
pub fn hook_json(name: &str, extra: &str) -> String {
    format!(r#"{{"name": "{name}", "url": "http://127.0.0.1:9/{name}"{extra}}}"#)
}

/// A minimal event.
pub fn event_json(kind: &str, target_type: &str, value: &str, error: &str) -> String {
    format!(
        r#"{{"Target": {{"Type": "{target_type}", "Value": "{value}"}}, "Kind": {{"Type": "permission", "Name": "{kind}"}}, "Error": "{error}"}}"#
    )
}

/// A `hooktest serve` process, stopped when dropped.
pub struct Serve {
    child: std::process::Child,
    pub url: String,
}

impl Serve {
    /// Starts `hooktest serve --port 0 ARGS…` and waits for its `listening on` line.
    pub fn start(args: &[&str]) -> Serve {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_hooktest"))
            .args(["serve", "--port", "0"])
            .args(args)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start hooktest serve");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("read the listening line");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        Serve { child, url }
    }

    /// The recorded requests, through the admin API.
    pub fn records(&self) -> Vec<serde_json::Value> {
        let out = Command::new(env!("CARGO_BIN_EXE_hooktest"))
            .args(["requests", "--from", &self.url, "--format", "json"])
            .output()
            .expect("hooktest requests");
        let text = String::from_utf8_lossy(&out.stdout);
        serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_else(|| {
                text.lines()
                    .filter_map(|l| serde_json::from_str(l).ok())
                    .collect()
            })
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
