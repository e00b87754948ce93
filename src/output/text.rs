//! `--format text`: requests for people, with colour; and the `--explain` match table.

use colored::Colorize;

use super::Rendered;
use crate::request::Request;

/// The body for reading: pretty-printed when it is JSON, as is otherwise.
pub fn pretty_body(body: &str) -> String {
    let trimmed = body.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(body) {
            if let Ok(pretty) = serde_json::to_string_pretty(&value) {
                return pretty;
            }
        }
    }
    body.to_string()
}

/// One request: request line, headers, blank line, body.
pub fn request_text(r: &Request) -> String {
    let mut out = format!("{} {}\n", r.method.green().bold(), r.url.bold());
    for (name, value) in &r.headers {
        out.push_str(&format!("{}: {value}\n", name.cyan()));
    }
    match &r.body {
        Some(body) => {
            out.push('\n');
            out.push_str(&pretty_body(body));
            out.push('\n');
        }
        None => out.push_str(&format!("\n{}\n", "(no body)".dimmed())),
    }
    out
}

/// Every firing pair: a header naming hook and event, then the request or the error.
pub fn to_text(rendered: &Rendered) -> String {
    let mut out = String::new();
    for o in rendered.outcomes.iter().filter(|o| o.fires) {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!(
            "{} {} {} {}\n",
            "══".dimmed(),
            rendered.hook_name(o).magenta().bold(),
            "←".dimmed(),
            rendered.event_id(o).blue().bold()
        ));
        for w in &o.warnings {
            out.push_str(&format!("{}: {w}\n", "warning".yellow().bold()));
        }
        if let Some(msg) = rendered.error_message(o) {
            out.push_str(&format!("{}: {msg}\n", "error".red().bold()));
        }
        if let Some(r) = &o.request {
            out.push_str(&request_text(r));
        }
    }
    out
}

/// The hooks × events table: `fires`, or the clause that rejected the pair.
pub fn explain_table(rendered: &Rendered) -> String {
    let hooks: Vec<&str> = rendered
        .renderer
        .hooks
        .iter()
        .map(|h| h.hook.name.as_str())
        .collect();
    let events: Vec<&str> = rendered.events.iter().map(|e| e.id.as_str()).collect();
    let cell = |h: usize, e: usize| -> (String, bool) {
        match rendered
            .outcomes
            .iter()
            .find(|o| o.hook == h && o.event == e)
        {
            Some(o) if o.fires && o.error.is_some() => ("fires (error)".into(), true),
            Some(o) if o.fires => ("fires".into(), true),
            Some(o) => (
                o.reason
                    .as_deref()
                    .map(|r| r.split([' ', ',']).next().unwrap_or(r).to_string())
                    .unwrap_or_else(|| "-".into()),
                false,
            ),
            None => ("-".into(), false),
        }
    };
    let first = hooks
        .iter()
        .map(|h| h.chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    let widths: Vec<usize> = events
        .iter()
        .enumerate()
        .map(|(e, id)| {
            (0..hooks.len())
                .map(|h| cell(h, e).0.chars().count())
                .chain([id.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = format!("{:first$}", "hook");
    for (id, w) in events.iter().zip(&widths) {
        out.push_str(&format!("  {}", format!("{id:w$}").bold()));
    }
    out.push('\n');
    for (h, name) in hooks.iter().enumerate() {
        out.push_str(&format!("{}", format!("{name:first$}").magenta()));
        for (e, w) in widths.iter().enumerate() {
            let (text, fires) = cell(h, e);
            let padded = format!("{text:w$}");
            out.push_str(&format!(
                "  {}",
                if fires {
                    padded.green()
                } else {
                    padded.dimmed()
                }
            ));
        }
        out.push('\n');
    }
    let reasons: Vec<String> = rendered
        .outcomes
        .iter()
        .filter_map(|o| {
            o.reason.as_ref().map(|r| {
                format!(
                    "  {} × {}: {r}",
                    rendered.hook_name(o),
                    rendered.event_id(o)
                )
            })
        })
        .collect();
    if !reasons.is_empty() {
        out.push_str("\nwhy not:\n");
        out.push_str(&reasons.join("\n"));
        out.push('\n');
    }
    out
}
