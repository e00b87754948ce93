//! Body templates: the `go` engine (tsuru's `text/template`) and `tera`.
//!
//! Each hook's body is compiled once into a [`Body`]; each event is prepared once into an
//! [`EventData`] whose engine views are built on first use and shared by every hook.

pub mod go;
pub mod tera;

use std::cell::OnceCell;

use crate::event::Event;
use crate::gojson::marshal_event;
use crate::hook::{Engine, Hook};

/// A problem with a template: where it is inside the body, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// `parse` (the body does not compile) or `render` (it failed while executing).
    pub kind: &'static str,
    pub message: String,
    /// 1-based line and column inside the body, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl TemplateError {
    /// `line L, column C: ` or the part of it that is known.
    pub fn position(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("body line {l}, column {c}"),
            (Some(l), None) => format!("body line {l}"),
            _ => String::new(),
        }
    }
}

/// A hook's compiled body.
pub enum Body {
    /// No body: the event as JSON for POST, PUT and PATCH, nothing otherwise.
    Default,
    /// A Go template.
    Go(go::GoBody),
    /// A Go body that does not parse: tsuru sends its text as is. The warning carries Go's message.
    GoRaw {
        text: String,
        warning: TemplateError,
    },
    /// A Tera template, by its name in the renderer's [`tera::TeraSet`].
    Tera(String),
}

impl Body {
    /// Compiles the body of `hook` with `engine`. With `strict`, a Go body that does not parse is
    /// an error instead of tsuru's raw-text fallback.
    pub fn compile(
        hook: &Hook,
        engine: Engine,
        strict: bool,
        teras: &mut tera::TeraSet,
    ) -> Result<Body, TemplateError> {
        if hook.body.is_empty() {
            return Ok(Body::Default);
        }
        match engine {
            Engine::Go => match go::GoBody::parse(&hook.body) {
                Ok(body) => Ok(Body::Go(body)),
                Err(err) => {
                    let error = TemplateError {
                        kind: "parse",
                        message: err.message,
                        line: Some(err.line),
                        column: err.column,
                    };
                    if strict {
                        Err(error)
                    } else {
                        Ok(Body::GoRaw {
                            text: hook.body.clone(),
                            warning: error,
                        })
                    }
                }
            },
            Engine::Tera => teras.add(hook).map(Body::Tera),
        }
    }

    /// Renders the body for one event. `Ok(None)` means "no explicit body" (the default applies).
    pub fn render(
        &self,
        data: &EventData,
        teras: &tera::TeraSet,
    ) -> Result<Option<String>, TemplateError> {
        match self {
            Body::Default => Ok(None),
            Body::GoRaw { text, .. } => Ok(Some(text.clone())),
            Body::Go(body) => body
                .execute(data.go())
                .map(Some)
                .map_err(|e| TemplateError {
                    kind: "render",
                    message: e.message,
                    line: None,
                    column: None,
                }),
            Body::Tera(name) => teras.render(name, data).map(Some),
        }
    }

    /// The warning a body carries regardless of the event (a Go body sent as raw text).
    pub fn warning(&self) -> Option<&TemplateError> {
        match self {
            Body::GoRaw { warning, .. } => Some(warning),
            _ => None,
        }
    }
}

/// One event, with each engine's view of it built once on first use.
pub struct EventData<'e> {
    pub event: &'e Event,
    json: OnceCell<String>,
    go: OnceCell<go::GoData>,
    tera: OnceCell<::tera::Context>,
}

impl<'e> EventData<'e> {
    pub fn new(event: &'e Event) -> EventData<'e> {
        EventData {
            event,
            json: OnceCell::new(),
            go: OnceCell::new(),
            tera: OnceCell::new(),
        }
    }

    /// The default body: the event as Go's `json.Marshal` writes it.
    pub fn json(&self) -> &str {
        self.json.get_or_init(|| marshal_event(self.event))
    }

    /// The event as the Go engine's data value.
    pub fn go(&self) -> &go::GoData {
        self.go.get_or_init(|| go::GoData::new(self.event))
    }

    /// The event's fields as a Tera context (without `hook`).
    pub fn tera(&self) -> &::tera::Context {
        self.tera.get_or_init(|| tera::event_context(self.json()))
    }
}
