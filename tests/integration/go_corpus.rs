//! The Go-template differential corpus: every (template, event) case in `tests/corpus/go` must
//! render byte for byte as Go's `text/template` did when `scripts/gen-go-corpus.sh` ran the
//! oracle, errors included. The oracle declares tsuru's types in package `main`, so the data is
//! built with that package name and type names in messages compare exactly.

use std::fs;
use std::path::Path;

use hooktest::event::Event;
use hooktest::located::PathBuf;
use hooktest::template::go::{GoBody, GoData};

fn corpus() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/go")
}

fn load_event(name: &str) -> Event {
    let path = corpus().join("events").join(format!("{name}.json"));
    let text = fs::read_to_string(&path).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut findings = Vec::new();
    Event::from_json(&value, &PathBuf::root(), &mut findings)
        .unwrap_or_else(|| panic!("{name}: {findings:?}"))
}

/// What one case produced: the body, or the oracle's exit status and message.
fn run(template: &str, data: &GoData) -> Result<Vec<u8>, (u8, String)> {
    let body = GoBody::parse(template).map_err(|e| (3, e.message))?;
    let mut out = Vec::new();
    body.execute_bytes(data, &mut out)
        .map_err(|e| (4, e.message))?;
    Ok(out)
}

#[test]
fn go_corpus_matches_the_oracle() {
    let dir = corpus();
    let cases = fs::read_to_string(dir.join("cases.txt")).unwrap();
    let mut failures = Vec::new();
    let mut count = 0;
    for line in cases.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (tmpl, event) = line.split_once(' ').unwrap();
        count += 1;
        let template =
            fs::read_to_string(dir.join("templates").join(format!("{tmpl}.tmpl"))).unwrap();
        let data = GoData::with_package(&load_event(event), "main");
        let base = dir.join("expected").join(format!("{tmpl}@{event}"));
        let expected = match fs::read(base.with_extension("out")) {
            Ok(body) => Ok(body),
            Err(_) => {
                let err = fs::read_to_string(base.with_extension("err"))
                    .unwrap_or_else(|_| panic!("no expected output for {tmpl}@{event}"));
                let (status, message) = err.split_once('\n').unwrap();
                Err((
                    status.parse().unwrap(),
                    message.trim_end_matches('\n').to_string(),
                ))
            }
        };
        let got = run(&template, &data);
        if got != expected {
            let show = |r: &Result<Vec<u8>, (u8, String)>| match r {
                Ok(b) => format!("ok {:?}", String::from_utf8_lossy(b)),
                Err((s, m)) => format!("exit {s}: {m}"),
            };
            failures.push(format!(
                "{tmpl}@{event}\n  expected: {}\n  got:      {}",
                show(&expected),
                show(&got)
            ));
        }
    }
    assert!(count >= 150, "the corpus has only {count} cases");
    assert!(
        failures.is_empty(),
        "{} of {count} cases differ from Go:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn tsuru_documentation_examples_render_as_tsuru_would() {
    let data = GoData::new(&load_event("app-deploy-ok"));
    let render = |t: &str| GoBody::parse(t).unwrap().execute(&data).unwrap();
    assert_eq!(
        render(r#"payload={"text": "应用 {{.Target.Value}} 部署成功"}"#),
        r#"payload={"text": "应用 checkout-api 部署成功"}"#
    );
    assert_eq!(
        render(r#"payload={"text": "[{{.Kind.Name}}]: {{.Target.Type}} {{.Target.Value}}"}"#),
        r#"payload={"text": "[app.deploy]: app checkout-api"}"#
    );
}
