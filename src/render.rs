//! The pipeline every command shares: select hooks and events, match, render requests.

use crate::event::Event;
use crate::filter::{reject_reason, EventKeys, Matcher};
use crate::hook::{closest, Hook};
use crate::project::{load_event_file, EventEntry, HookEntry, Project};
use crate::request::Request;
use crate::signing::SignOptions;
use crate::template::tera::TeraSet;
use crate::template::{Body, EventData, TemplateError};

/// The result for one (hook, event) pair.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Index into the renderer's hooks.
    pub hook: usize,
    /// Index into the events that were rendered.
    pub event: usize,
    pub fires: bool,
    /// Why the hook does not fire (only computed when explaining).
    pub reason: Option<String>,
    pub request: Option<Request>,
    pub error: Option<TemplateError>,
    pub warnings: Vec<String>,
}

/// Hooks compiled for rendering: the matcher index and each body, compiled once.
pub struct Renderer {
    pub hooks: Vec<HookEntry>,
    bodies: Vec<Result<Body, TemplateError>>,
    teras: TeraSet,
    matcher: Matcher,
    signing: SignOptions,
}

impl Renderer {
    /// Compiles every hook. With `strict`, Go bodies that do not parse are errors, not raw text.
    pub fn new(hooks: Vec<HookEntry>, strict: bool) -> Renderer {
        let mut teras = TeraSet::default();
        let bodies = hooks
            .iter()
            .map(|h| Body::compile(&h.hook, h.engine, strict, &mut teras))
            .collect();
        let matcher = Matcher::new(hooks.iter().map(|h| &h.hook));
        Renderer {
            hooks,
            bodies,
            teras,
            matcher,
            signing: SignOptions::default(),
        }
    }

    /// The signing settings requests are rendered with.
    pub fn sign_options(&self) -> SignOptions {
        self.signing
    }

    /// Signs requests with these options (`--fixed-time`) instead of the defaults.
    pub fn with_sign_options(mut self, options: SignOptions) -> Renderer {
        self.signing = options;
        self
    }

    /// The compile result of hook `index`.
    pub fn body(&self, index: usize) -> &Result<Body, TemplateError> {
        &self.bodies[index]
    }

    /// Renders one event: the firing hooks in order, or with `explain` every hook with the reason
    /// it does not fire.
    pub fn render_event(&self, event_index: usize, event: &Event, explain: bool) -> Vec<Outcome> {
        let keys = EventKeys::new(event);
        let data = EventData::new(event);
        let firing = self.matcher.matching(&keys);
        if !explain {
            return firing
                .into_iter()
                .map(|i| self.render_pair(i, event_index, &data))
                .collect();
        }
        let mut next = firing.iter().peekable();
        (0..self.hooks.len())
            .map(|i| {
                if next.peek() == Some(&&i) {
                    next.next();
                    self.render_pair(i, event_index, &data)
                } else {
                    Outcome {
                        hook: i,
                        event: event_index,
                        fires: false,
                        reason: reject_reason(&self.hooks[i].hook.event_filter, &keys),
                        request: None,
                        error: None,
                        warnings: Vec::new(),
                    }
                }
            })
            .collect()
    }

    fn render_pair(&self, hook_index: usize, event_index: usize, data: &EventData) -> Outcome {
        let hook = &self.hooks[hook_index].hook;
        let mut outcome = Outcome {
            hook: hook_index,
            event: event_index,
            fires: true,
            reason: None,
            request: None,
            error: None,
            warnings: Vec::new(),
        };
        match &self.bodies[hook_index] {
            Err(err) => outcome.error = Some(err.clone()),
            Ok(body) => {
                if let Some(w) = body.warning() {
                    outcome.warnings.push(format!(
                        "body does not parse as a Go template ({}{}): tsuru sends it as raw text",
                        w.message,
                        if w.position().is_empty() {
                            String::new()
                        } else {
                            format!(", {}", w.position())
                        }
                    ));
                }
                match body.render(data, &self.teras) {
                    Ok(rendered) => {
                        let request = Request::build(hook, rendered, || data.json().to_string());
                        match self.sign(hook, data, request) {
                            // tsuru's Go client refuses such a request: nothing would be sent,
                            // and printing it (`--format http`) would forge header lines.
                            Ok(request) => match request.problem() {
                                Some(problem) => {
                                    outcome.error = Some(TemplateError {
                                        kind: "request",
                                        message: problem,
                                        line: None,
                                        column: None,
                                    })
                                }
                                None => outcome.request = Some(request),
                            },
                            Err(err) => outcome.error = Some(err),
                        }
                    }
                    Err(err) => outcome.error = Some(err),
                }
            }
        }
        outcome
    }
}

impl Renderer {
    /// Adds the hook's signature headers, after every other header (see `signing`).
    fn sign(
        &self,
        hook: &Hook,
        data: &EventData,
        mut request: Request,
    ) -> Result<Request, TemplateError> {
        let Some(signing) = &hook.signing else {
            return Ok(request);
        };
        let body = request.body.as_deref().unwrap_or("").as_bytes();
        let headers = signing
            .headers(
                &hook.name,
                &data.event.unique_id.hex(),
                body,
                self.signing.timestamp(),
            )
            .map_err(|e| TemplateError {
                kind: "signing",
                message: e.0,
                line: None,
                column: None,
            })?;
        request.headers.extend(headers);
        Ok(request)
    }
}

/// Which hooks and events a command works on.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Hook names; empty means all.
    pub hooks: Vec<String>,
    /// Event ids (`stem` selects every `stem#N` of a multi-event file) or paths; empty means all.
    pub events: Vec<String>,
}

/// A selection that names something the project does not have.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SelectionError(pub String);

impl Selection {
    /// The selected hooks, in project order.
    pub fn hooks(&self, project: &Project) -> Result<Vec<HookEntry>, SelectionError> {
        if self.hooks.is_empty() {
            return Ok(project.hooks.clone());
        }
        for name in &self.hooks {
            if !project.hooks.iter().any(|h| &h.hook.name == name) {
                let hint = closest(name, project.hooks.iter().map(|h| h.hook.name.as_str()))
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                return Err(SelectionError(format!(
                    "no hook named `{name}` in the project{hint}"
                )));
            }
        }
        Ok(project
            .hooks
            .iter()
            .filter(|h| self.hooks.contains(&h.hook.name))
            .cloned()
            .collect())
    }

    /// The selected events: project events by id, or event files by path (loaded here).
    pub fn events(&self, project: &Project) -> Result<Vec<EventEntry>, SelectionError> {
        if self.events.is_empty() {
            return Ok(project.events.clone());
        }
        let mut out = Vec::new();
        for wanted in &self.events {
            let by_id: Vec<&EventEntry> = project
                .events
                .iter()
                .filter(|e| {
                    &e.id == wanted || e.id.split_once('#').is_some_and(|(stem, _)| stem == wanted)
                })
                .collect();
            if !by_id.is_empty() {
                // An event named twice (`--event e --event e`, or `e` and `e#2`) is rendered once.
                for entry in by_id {
                    if !out.iter().any(|e: &EventEntry| e.id == entry.id) {
                        out.push(entry.clone());
                    }
                }
                continue;
            }
            let path = std::path::Path::new(wanted);
            if path.is_file() {
                let (events, diags) = load_event_file(path);
                if let Some(bad) = diags.iter().find(|d| d.is_error()) {
                    return Err(SelectionError(bad.to_string()));
                }
                // A file that is not an event at all (a hook file, say) reads as an event of
                // zero values with only warnings: they must be seen.
                for d in &diags {
                    eprintln!("{}", d.render());
                }
                out.extend(events);
                continue;
            }
            let hint = closest(wanted, project.events.iter().map(|e| e.id.as_str()))
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_default();
            return Err(SelectionError(format!(
                "no event `{wanted}`: not an event id of the project and not a file{hint}"
            )));
        }
        Ok(out)
    }
}
