//! Findings placed in files: `file:line:col: error|warning: message`.

use std::fmt;

use colored::Colorize;

use crate::located::{Finding, Locator, Severity};

/// A finding about a project file, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file, as shown to the user (relative to the project where possible).
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub severity: Severity,
    pub message: String,
}

impl Diagnostic {
    pub fn error(
        file: impl Into<String>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            file: file.into(),
            line,
            column,
            severity: Severity::Error,
            message: message.into(),
        }
    }

    pub fn warning(
        file: impl Into<String>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, line, column, message)
        }
    }

    /// Places a finding in `file` using the file's locator.
    pub fn place(file: &str, locator: &Locator, finding: Finding) -> Diagnostic {
        let (line, column) = locator.locate(&finding.path);
        let message = match finding.inner {
            Some((l, c)) => format!("{} (body line {l}, column {c})", finding.message),
            None => finding.message,
        };
        Diagnostic {
            file: file.to_string(),
            line,
            column,
            severity: finding.severity,
            message,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The diagnostic as one line, coloured when colour is on.
    pub fn render(&self) -> String {
        let sev = match self.severity {
            Severity::Error => "error".red().bold(),
            Severity::Warning => "warning".yellow().bold(),
        };
        format!(
            "{}: {sev}: {}",
            format!("{}:{}:{}", self.file, self.line, self.column).bold(),
            self.message
        )
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.file, self.line, self.column, self.severity, self.message
        )
    }
}

/// Converts a JSON parse error's message into hooktest's wording (serde's own text minus its
/// trailing "at line X column Y", which the diagnostic carries).
pub fn strip_position(message: &str) -> String {
    let Some(start) = message.find(" at line ") else {
        return message.to_string();
    };
    let rest = &message[start + " at line ".len()..];
    let skip_number = |s: &str| {
        s.trim_start_matches(|c: char| c.is_ascii_digit())
            .to_string()
    };
    let mut tail = skip_number(rest);
    if let Some(after) = tail.strip_prefix(" column ") {
        tail = skip_number(after);
    }
    format!("{}{tail}", &message[..start])
}

/// The 1-based character column of serde_json's 1-based *byte* column `byte_column` on 1-based
/// `line` of `text`: diagnostics count characters, as editors do, so an error after `应用` is not
/// pushed right by two columns per character.
pub fn json_char_column(text: &str, line: usize, byte_column: usize) -> usize {
    let Some(line_text) = text.split('\n').nth(line.saturating_sub(1)) else {
        return byte_column.max(1);
    };
    let bytes = &line_text.as_bytes()[..byte_column.saturating_sub(1).min(line_text.len())];
    bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count() + 1
}
