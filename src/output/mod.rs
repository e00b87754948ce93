//! Output formats of rendered requests: `text`, `json`, `http`, `curl`.

pub mod curl;
pub mod http;
pub mod json;
pub mod text;

use crate::project::EventEntry;
use crate::render::{Outcome, Renderer};

/// Everything a format needs to print one run of the pipeline.
pub struct Rendered<'a> {
    pub renderer: &'a Renderer,
    pub events: &'a [EventEntry],
    pub outcomes: &'a [Outcome],
}

impl Rendered<'_> {
    pub fn hook_name(&self, o: &Outcome) -> &str {
        &self.renderer.hooks[o.hook].hook.name
    }

    pub fn event_id(&self, o: &Outcome) -> &str {
        &self.events[o.event].id
    }

    /// The error of an outcome as one sentence naming hook, event and place.
    pub fn error_message(&self, o: &Outcome) -> Option<String> {
        let err = o.error.as_ref()?;
        let entry = &self.renderer.hooks[o.hook];
        let place = match entry.body_at {
            Some(_) => {
                let (l, c) = entry.body_position(err.line, err.column);
                format!("{}:{l}:{c}", entry.file)
            }
            None => entry.file.clone(),
        };
        let pos = err.position();
        let pos = if pos.is_empty() {
            String::new()
        } else {
            format!(" ({pos})")
        };
        if err.kind == "request" {
            return Some(format!(
                "hook `{}`, event `{}`: tsuru could not send the request ({}): {}",
                self.hook_name(o),
                self.event_id(o),
                entry.file,
                err.message
            ));
        }
        if err.kind == "signing" {
            return Some(format!(
                "hook `{}`, event `{}`: cannot sign the request ({}): {}",
                self.hook_name(o),
                self.event_id(o),
                entry.file,
                err.message
            ));
        }
        let what = if err.kind == "parse" {
            "does not compile"
        } else {
            "failed to render"
        };
        Some(format!(
            "hook `{}`, event `{}`: the {} body {what} at {place}{pos}: {}",
            self.hook_name(o),
            self.event_id(o),
            entry.engine.as_str(),
            err.message
        ))
    }
}

/// The output format of `render`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Http,
    Curl,
}
