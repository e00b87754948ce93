//! Go's `text/template`, as tsuru runs it, for hooktest.
//!
//! A port of Go 1.19's `text/template` (lexer, parser, executor and builtins) and of the parts of
//! `fmt`, `strconv` and `time` that templates reach, over a typed value model ([`Value`]) that
//! can express Go structs with methods, pointers, slices, maps and `time.Time`. Parse and
//! execution errors carry Go's exact messages.
//!
//! ```
//! use hooktest_gotemplate::{Template, Value};
//! let t = Template::parse("hook", "{{printf \"%q\" .}}").unwrap();
//! assert_eq!(t.execute_to_string(&Value::string(b"hi")).unwrap(), "\"hi\"");
//! ```

mod check;
mod exec;
mod fmt;
mod funcs;
mod lex;
mod parse;
pub mod strconv;
pub mod time;
pub mod value;

use std::collections::HashMap;

pub use check::Finding;
pub use parse::ParseError;
pub use time::{Loc, Time};
pub use value::{FieldInfo, Kind, Method, MethodFn, SliceData, Str, Ty, TypeInfo, Value};

/// A template execution failure with Go's message (`template: NAME:L:C: executing ...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecError {
    /// Go's message, byte for byte.
    pub message: String,
}

impl std::fmt::Display for ExecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExecError {}

/// A parsed template set: the main template and those it defines.
#[derive(Debug, Clone)]
pub struct Template {
    name: String,
    text: String,
    trees: HashMap<String, Vec<parse::Node>>,
}

impl Template {
    /// Parses `text` as `template.New(name).Parse(text)` does.
    pub fn parse(name: &str, text: &str) -> Result<Template, ParseError> {
        let trees = parse::parse(name, text)?;
        Ok(Template {
            name: name.to_string(),
            text: text.to_string(),
            trees,
        })
    }

    /// The template's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Executes the template with `data` as dot, appending the output to `out`. On error, `out`
    /// holds what was written before the failure, as Go's writer would.
    pub fn execute(&self, data: &Value, out: &mut Vec<u8>) -> Result<(), ExecError> {
        exec::execute(self, data, out)
    }

    /// Static checks against the type of the data (`dot`): fields the type does not have and
    /// wrong argument counts, with Go's run-time messages, sorted by position.
    pub fn check(&self, dot: Ty) -> Vec<Finding> {
        check::check(&self.trees, &self.name, dot)
    }

    /// The 1-based line and column (in characters) of a byte offset into the source.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text.as_bytes()[..offset];
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let column = 1 + String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count();
        (line, column)
    }

    /// Executes and returns the output as text (invalid UTF-8, which Go can produce by slicing
    /// strings, is replaced by U+FFFD).
    pub fn execute_to_string(&self, data: &Value) -> Result<String, ExecError> {
        let mut out = Vec::new();
        self.execute(data, &mut out)?;
        Ok(match String::from_utf8(out) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(text: &str, data: &Value) -> Result<String, String> {
        let t = Template::parse("hook", text).map_err(|e| e.message)?;
        t.execute_to_string(data).map_err(|e| e.message)
    }

    #[test]
    fn language_basics_match_go() {
        let d = Value::string(b"x");
        assert_eq!(render("{{if .}}a{{else}}b{{end}}", &d).unwrap(), "a");
        assert_eq!(render("{{$x := 1}}{{$x = 2}}{{$x}}", &d).unwrap(), "2");
        assert_eq!(
            render("{{range $i, $c := \"ab\"}}{{end}}", &d).unwrap_err(),
            "template: hook:1:18: executing \"hook\" at <\"ab\">: range can't iterate over ab"
        );
        assert_eq!(
            render("{{printf \"%5.1f|%-4d|%x\" 3.14159 7 \"hi\"}}", &d).unwrap(),
            "  3.1|7   |6869"
        );
        assert_eq!(
            render("{{.}", &d).unwrap_err(),
            "template: hook:1: bad character U+007D '}'"
        );
        assert_eq!(render("{{.Nope}}", &d).unwrap_err(),
            "template: hook:1:2: executing \"hook\" at <.Nope>: can't evaluate field Nope in type string");
    }

    #[test]
    fn deep_nesting_is_refused_not_a_crash() {
        let d = Value::Invalid;
        let deep = format!(
            "{}1{}",
            "{{".to_string() + &"(".repeat(5000),
            ")".repeat(5000) + "}}"
        );
        assert!(render(&deep, &d).unwrap_err().contains("nesting exceeds"));
        let ok = format!("{{{{{}1{}}}}}", "(".repeat(98), ")".repeat(98));
        assert_eq!(render(&ok, &d).unwrap(), "1");
        let ifs = format!("{}x{}", "{{if 1}}".repeat(49), "{{end}}".repeat(49));
        assert_eq!(render(&ifs, &d).unwrap(), "x");
        let mixed = format!("{}x{}", "{{with (((.)))}}".repeat(24), "{{end}}".repeat(24));
        assert_eq!(render(&mixed, &d).unwrap(), "");
    }

    #[test]
    fn runaway_recursion_stops_with_gos_error() {
        let err = render(
            "{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\" .}}",
            &Value::Invalid,
        )
        .unwrap_err();
        assert!(
            err.ends_with("exceeded maximum template depth (100000)"),
            "{err}"
        );
    }

    #[test]
    fn huge_widths_are_bounded_as_in_go() {
        let out = render(
            "{{printf \"%99999999d|%.99999999f\" 1 1.5}}",
            &Value::Invalid,
        )
        .unwrap();
        assert_eq!(out, "%!(NOVERB)%!(EXTRA int=1, float64=1.5)");
        let out = render("{{printf \"%1000000d\" 1 | len}}", &Value::Invalid).unwrap();
        assert_eq!(out, "1000000");
    }

    #[test]
    fn arbitrary_input_never_panics() {
        // A small deterministic generator over the template alphabet: whatever parses must also
        // execute without panicking.
        let pieces = [
            "{{",
            "}}",
            "{{-",
            " -}}",
            "(",
            ")",
            "|",
            "$x",
            ":=",
            "=",
            "$",
            ".",
            ".A",
            "if",
            "else",
            "end",
            "range",
            "with",
            "define",
            "template",
            "block",
            "break",
            "continue",
            "\"s\"",
            "`r`",
            "'c'",
            "1",
            "-2",
            "0x1F",
            "1e3",
            "nil",
            "true",
            "printf",
            "\"%v%d%s\"",
            "len",
            "index",
            "slice",
            "eq",
            "lt",
            "and",
            "or",
            "not",
            "call",
            "html",
            "js",
            "urlquery",
            " ",
            "\n",
            "{{/*",
            "*/}}",
            ",",
            "é",
            "\u{2028}",
        ];
        let mut seed: u64 = 0x9E3779B97F4A7C15;
        for _ in 0..20000 {
            let mut text = String::new();
            for _ in 0..(seed % 24) {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            if let Ok(t) = Template::parse("hook", &text) {
                let _ = t.execute_to_string(&Value::string(b"data"));
            }
        }
    }
}
