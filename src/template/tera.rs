//! The `tera` engine: Tera 2 templates that see the event's fields at top level and the hook as `hook`.

use tera::{Context, ErrorKind, Kwargs, State, Tera, TeraResult, Value};

use super::{EventData, TemplateError};
use crate::hook::Hook;

/// All Tera bodies of a project, compiled once into one Tera instance.
pub struct TeraSet {
    tera: Tera,
    /// Each template's `hook` variable, built once when the body is compiled.
    hooks: std::collections::HashMap<String, Value>,
}

impl Default for TeraSet {
    fn default() -> Self {
        let mut tera = Tera::new();
        // Bodies are JSON, form data or text, never HTML: no auto-escaping.
        tera.autoescape_on(Vec::<&str>::new());
        tera.register_filter("json_encode", json_encode);
        TeraSet {
            tera,
            hooks: std::collections::HashMap::new(),
        }
    }
}

/// `{{ value | json_encode }}`: the value as compact JSON (a string gets its quotes and escapes).
fn json_encode(value: Value, _: Kwargs, _: &State) -> TeraResult<Value> {
    let text = serde_json::to_string(&value)
        .map_err(|e| tera::Error::message(format!("json_encode: {e}")))?;
    Ok(Value::safe_string(&text))
}

impl TeraSet {
    /// Compiles the body of `hook`; returns the template's name. A second hook of the same name
    /// (an error, but `watch` keeps rendering the first) gets a name of its own, so that its body
    /// does not replace the first one's.
    pub fn add(&mut self, hook: &Hook) -> Result<String, TemplateError> {
        let mut key = format!("hook:{}", hook.name);
        let mut n = 1;
        while self.hooks.contains_key(&key) {
            n += 1;
            key = format!("hook:{}#{n}", hook.name);
        }
        self.tera
            .add_raw_template(&key, &hook.body)
            .map_err(|e| convert("parse", e))?;
        self.hooks
            .insert(key.clone(), Value::from_serializable(&hook.to_wire_json()));
        Ok(key)
    }

    /// Renders template `name` for the event.
    pub fn render(&self, name: &str, data: &EventData) -> Result<String, TemplateError> {
        let mut context = data.tera().clone();
        if let Some(hook) = self.hooks.get(name) {
            context.insert_value("hook", hook.clone());
        }
        self.tera
            .render(name, &context)
            .map_err(|e| convert("render", e))
    }
}

/// The event's Go-JSON form, key by key, as a Tera context.
pub fn event_context(json: &str) -> Context {
    let mut context = Context::new();
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(json) {
        for (key, value) in map {
            context.insert(key, &value);
        }
    }
    context
}

fn convert(kind: &'static str, err: tera::Error) -> TemplateError {
    match err.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => TemplateError {
            kind,
            message: report.message().to_string(),
            line: Some(report.span().start_line),
            column: Some(report.span().start_col + 1),
        },
        _ => {
            let mut message = err.to_string();
            let mut source = std::error::Error::source(&err);
            while let Some(s) = source {
                message.push_str(": ");
                message.push_str(&s.to_string());
                source = s.source();
            }
            TemplateError {
                kind,
                message,
                line: None,
                column: None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;
    use crate::template::EventData;

    fn render(source: &str, event: &Event) -> Result<String, TemplateError> {
        let mut set = TeraSet::default();
        let hook = Hook {
            name: "h".into(),
            body: source.into(),
            ..Hook::default()
        };
        let name = set.add(&hook)?;
        set.render(&name, &EventData::new(event))
    }

    #[test]
    fn sees_event_fields_and_hook() {
        let mut event = Event::default();
        event.target.value = "my<app>".into();
        event.error = "say \"hi\"".into();
        let out = render(
            "{{ Target.Value }} {{ hook.name }} {{ Error | json_encode }}",
            &event,
        )
        .unwrap();
        assert_eq!(out, "my<app> h \"say \\\"hi\\\"\"");
    }

    #[test]
    fn errors_are_located() {
        let err = render("line one\n{{ Nope.x }}", &Event::default()).unwrap_err();
        assert_eq!(err.kind, "render");
        assert_eq!(err.line, Some(2), "{err:?}");
        let err = render("{% if %}", &Event::default()).unwrap_err();
        assert_eq!(err.kind, "parse");
        assert_eq!(err.line, Some(1));
    }
}
