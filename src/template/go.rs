//! The `go` engine: tsuru's Go `text/template`, run over the event as tsuru's Go type.
//!
//! Placeholder until the engine lands: every Go body reports that the engine is missing.

use crate::event::Event;

/// A Go template body that failed to parse: Go's message and the 1-based line (and column when
/// known) inside the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoParseError {
    pub message: String,
    pub line: usize,
    pub column: Option<usize>,
}

/// A Go template that failed while executing, with Go's own message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoExecError {
    pub message: String,
}

/// A static finding about a parsed template (for `validate`), at a 1-based line and column of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoCheck {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// The event prepared once as the Go engine's data value, shared by every hook that renders it.
pub struct GoData {
    _private: (),
}

impl GoData {
    pub fn new(_event: &Event) -> GoData {
        GoData { _private: () }
    }
}

/// A parsed Go template body.
pub struct GoBody {
    _private: (),
}

impl GoBody {
    pub fn parse(_source: &str) -> Result<GoBody, GoParseError> {
        Ok(GoBody { _private: () })
    }

    pub fn execute(&self, _data: &GoData) -> Result<String, GoExecError> {
        Err(GoExecError {
            message: "the `go` template engine is not available in this build yet; set `engine: tera` on the hook or `engine = \"tera\"` in hooktest.toml".into(),
        })
    }

    pub fn check(&self) -> Vec<GoCheck> {
        Vec::new()
    }
}
