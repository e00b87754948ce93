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

/// A running `hooktest watch`: its output read line by line on threads, killed when dropped.
pub struct Watch {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<(bool, String)>,
    /// Everything printed so far on stdout.
    pub stdout: String,
    /// Everything printed so far on stderr.
    pub stderr: String,
}

impl Watch {
    /// Starts `hooktest watch ARGS… --dir <test project>` and waits for the readiness line.
    pub fn start(test: &Test, args: &[&str]) -> Watch {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_hooktest"))
            .arg("watch")
            .args(args)
            .arg("--dir")
            .arg(test.path())
            .env_remove("HOOKTEST_DIR")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start hooktest watch");
        let (tx, lines) = std::sync::mpsc::channel();
        let out = child.stdout.take().unwrap();
        let err = child.stderr.take().unwrap();
        for (is_err, pipe) in [
            (false, Box::new(out) as Box<dyn std::io::Read + Send>),
            (true, Box::new(err)),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    if tx.send((is_err, line)).is_err() {
                        break;
                    }
                }
            });
        }
        let mut watch = Watch {
            child,
            lines,
            stdout: String::new(),
            stderr: String::new(),
        };
        watch.wait_stderr("watching ");
        watch
    }

    /// Waits (20 s at most) until `done(stdout, stderr)` holds; panics with the output otherwise.
    pub fn wait_until(&mut self, what: &str, done: impl Fn(&str, &str) -> bool) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while !done(&self.stdout, &self.stderr) {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok((is_err, line)) => {
                    let buf = if is_err {
                        &mut self.stderr
                    } else {
                        &mut self.stdout
                    };
                    buf.push_str(&line);
                    buf.push('\n');
                }
                Err(_) => panic!(
                    "timed out waiting for {what}\n--- stdout\n{}\n--- stderr\n{}",
                    self.stdout, self.stderr
                ),
            }
        }
    }

    /// Waits for `text` on stdout.
    pub fn wait_stdout(&mut self, text: &str) {
        self.wait_until(&format!("{text:?} on stdout"), |out, _| out.contains(text));
    }

    /// Waits for `text` on stderr.
    pub fn wait_stderr(&mut self, text: &str) {
        self.wait_until(&format!("{text:?} on stderr"), |_, err| err.contains(text));
    }

    /// Waits for the `n`th `reloaded …` summary line and returns it.
    pub fn wait_reload(&mut self, n: usize) -> String {
        self.wait_until(&format!("reload #{n}"), |_, err| {
            err.lines().filter(|l| l.starts_with("reloaded ")).count() >= n
        });
        self.reloads()[n - 1].clone()
    }

    /// The `reloaded …` lines so far.
    pub fn reloads(&self) -> Vec<String> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("reloaded "))
            .map(str::to_string)
            .collect()
    }

    /// Sends SIGINT (Ctrl-C) and returns the exit code.
    pub fn interrupt(mut self) -> Option<i32> {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-INT", &pid]).status();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
