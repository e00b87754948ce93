//! Places inside files: paths into a parsed document, and a locator that turns a path back into a
//! line and column of the source text, so findings about a value can point at it.

use std::collections::HashMap;
use std::fmt;

/// One step into a document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// A path into a JSON or YAML document, such as `[1].event_filter.kind_names[0]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PathBuf(Vec<Segment>);

impl PathBuf {
    /// The document itself.
    pub fn root() -> PathBuf {
        PathBuf(Vec::new())
    }

    /// Whether this is the document itself.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// This path, one key further.
    pub fn key(&self, key: &str) -> PathBuf {
        let mut segs = self.0.clone();
        segs.push(Segment::Key(key.to_string()));
        PathBuf(segs)
    }

    /// This path, one list index further.
    pub fn index(&self, index: usize) -> PathBuf {
        let mut segs = self.0.clone();
        segs.push(Segment::Index(index));
        PathBuf(segs)
    }

    /// The last key of the path, if it ends with one.
    pub fn last_key(&self) -> Option<&str> {
        match self.0.last() {
            Some(Segment::Key(k)) => Some(k),
            _ => None,
        }
    }

    /// The steps of the path.
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }
}

impl fmt::Display for PathBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Segment::Key(k) if i == 0 => write!(f, "{k}")?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// A problem with a value inside a document, before it is placed in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub path: PathBuf,
    pub severity: Severity,
    pub message: String,
    /// A position relative to the value at `path` (1-based line within a string value, column), for
    /// problems inside a template body.
    pub inner: Option<(usize, usize)>,
}

impl Finding {
    pub fn error(path: PathBuf, message: impl Into<String>) -> Finding {
        Finding {
            path,
            severity: Severity::Error,
            message: message.into(),
            inner: None,
        }
    }

    pub fn warning(path: PathBuf, message: impl Into<String>) -> Finding {
        Finding {
            path,
            severity: Severity::Warning,
            message: message.into(),
            inner: None,
        }
    }
}

/// A key written twice in one JSON object: its path, where the later one is (its value is the
/// one used, as in Go) and where the first one is.
pub type Duplicate = (PathBuf, (usize, usize), (usize, usize));

/// Maps paths of a document to the 1-based line and column where they appear in its text.
pub struct Locator {
    positions: HashMap<PathBuf, (usize, usize)>,
    /// JSON object keys written twice in the same object.
    duplicates: Vec<Duplicate>,
}

impl Locator {
    /// Builds a locator for a JSON text (exact positions) or a YAML text (key positions found by
    /// indentation, good for block style).
    pub fn new(text: &str, yaml: bool) -> Locator {
        let (positions, duplicates) = if yaml {
            (yaml_positions(text), Vec::new())
        } else {
            json_positions(text)
        };
        Locator {
            positions,
            duplicates,
        }
    }

    /// Duplicate JSON object keys: the path, the later key's place and the first one's.
    pub fn duplicates(&self) -> &[Duplicate] {
        &self.duplicates
    }

    /// A locator for a single JSON document that starts at `line` of a larger file (JSON Lines).
    pub fn json_at_line(text: &str, line: usize) -> Locator {
        let (positions, duplicates) = json_positions(text);
        let shift = |(l, c): (usize, usize)| (l + line - 1, c);
        Locator {
            positions: positions
                .into_iter()
                .map(|(p, at)| (p, shift(at)))
                .collect(),
            duplicates: duplicates
                .into_iter()
                .map(|(p, at, first)| (p, shift(at), shift(first)))
                .collect(),
        }
    }

    /// The position of `path`, or of its nearest located ancestor.
    pub fn locate(&self, path: &PathBuf) -> (usize, usize) {
        let mut segs = path.0.clone();
        loop {
            if let Some(pos) = self.positions.get(&PathBuf(segs.clone())) {
                return *pos;
            }
            if segs.pop().is_none() {
                return (1, 1);
            }
        }
    }
}

/// Walks a JSON text and records where each value (or, for object members, its key) starts, and
/// which keys of an object are written twice (the later one wins, so it is the one recorded).
fn json_positions(text: &str) -> (HashMap<PathBuf, (usize, usize)>, Vec<Duplicate>) {
    struct Scanner<'a> {
        bytes: &'a [u8],
        pos: usize,
        line: usize,
        col: usize,
        out: HashMap<PathBuf, (usize, usize)>,
        duplicates: Vec<Duplicate>,
    }
    impl Scanner<'_> {
        fn bump(&mut self) {
            if let Some(&b) = self.bytes.get(self.pos) {
                self.pos += 1;
                if b == b'\n' {
                    self.line += 1;
                    self.col = 1;
                } else if b & 0xC0 != 0x80 {
                    self.col += 1;
                }
            }
        }
        fn ws(&mut self) {
            while matches!(self.bytes.get(self.pos), Some(b' ' | b'\t' | b'\r' | b'\n')) {
                self.bump();
            }
        }
        fn string(&mut self) -> String {
            let start = self.pos;
            self.bump();
            while let Some(&b) = self.bytes.get(self.pos) {
                self.bump();
                if b == b'\\' {
                    self.bump();
                } else if b == b'"' {
                    break;
                }
            }
            let raw = std::str::from_utf8(&self.bytes[start..self.pos]).unwrap_or("\"\"");
            serde_json::from_str(raw).unwrap_or_default()
        }
        fn value(&mut self, path: PathBuf, record: bool) {
            self.ws();
            if record {
                self.out
                    .entry(path.clone())
                    .or_insert((self.line, self.col));
            }
            match self.bytes.get(self.pos) {
                Some(b'{') => {
                    self.bump();
                    loop {
                        self.ws();
                        match self.bytes.get(self.pos) {
                            Some(b'"') => {
                                let at = (self.line, self.col);
                                let key = self.string();
                                let child = path.key(&key);
                                if let Some(first) = self.out.insert(child.clone(), at) {
                                    self.duplicates.push((child.clone(), at, first));
                                }
                                self.ws();
                                if self.bytes.get(self.pos) == Some(&b':') {
                                    self.bump();
                                }
                                self.value(child, false);
                                self.ws();
                                if self.bytes.get(self.pos) == Some(&b',') {
                                    self.bump();
                                }
                            }
                            Some(b'}') => {
                                self.bump();
                                break;
                            }
                            None => break,
                            _ => self.bump(),
                        }
                    }
                }
                Some(b'[') => {
                    self.bump();
                    let mut i = 0;
                    loop {
                        self.ws();
                        match self.bytes.get(self.pos) {
                            Some(b']') => {
                                self.bump();
                                break;
                            }
                            None => break,
                            Some(b',') => self.bump(),
                            _ => {
                                self.value(path.index(i), true);
                                i += 1;
                            }
                        }
                    }
                }
                Some(b'"') => {
                    self.string();
                }
                Some(_) => {
                    while let Some(&b) = self.bytes.get(self.pos) {
                        if matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\r' | b'\n') {
                            break;
                        }
                        self.bump();
                    }
                }
                None => {}
            }
        }
    }
    let mut s = Scanner {
        bytes: text.as_bytes(),
        pos: 0,
        line: 1,
        col: 1,
        out: HashMap::new(),
        duplicates: Vec::new(),
    };
    s.value(PathBuf::root(), true);
    (s.out, s.duplicates)
}

/// Finds keys and list items of a block-style YAML text by their indentation.
fn yaml_positions(text: &str) -> HashMap<PathBuf, (usize, usize)> {
    // Each open container: its indentation, its path, and the next list index.
    struct Frame {
        indent: usize,
        path: PathBuf,
        next_index: usize,
        is_list: bool,
    }
    let mut out = HashMap::new();
    let mut stack: Vec<Frame> = vec![Frame {
        indent: 0,
        path: PathBuf::root(),
        next_index: 0,
        is_list: false,
    }];
    let mut last_key: Option<(usize, PathBuf)> = None;
    for (lineno, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("---") {
            continue;
        }
        let mut indent = line.len() - trimmed.len();
        let mut rest = trimmed;
        // `- ` items, possibly nested (`- - a`), and `- key: value` which opens a map in the item.
        while rest.starts_with("- ") || rest == "-" {
            while stack.len() > 1
                && stack
                    .last()
                    .is_some_and(|f| f.indent > indent || (f.indent == indent && !f.is_list))
            {
                stack.pop();
            }
            let parent = match stack.last() {
                Some(f) if f.is_list && f.indent == indent => f.path.clone(),
                _ => {
                    let parent = match &last_key {
                        Some((ki, p)) if *ki <= indent => p.clone(),
                        _ => stack.last().map(|f| f.path.clone()).unwrap_or_default(),
                    };
                    stack.push(Frame {
                        indent,
                        path: parent.clone(),
                        next_index: 0,
                        is_list: true,
                    });
                    parent
                }
            };
            let frame = stack.last_mut().expect("a frame was pushed");
            let item = parent.index(frame.next_index);
            frame.next_index += 1;
            out.entry(item.clone()).or_insert((lineno + 1, indent + 1));
            let consumed = if rest == "-" { 1 } else { 2 };
            rest = rest[consumed..].trim_start();
            indent = line.len() - rest.len();
            stack.push(Frame {
                indent,
                path: item,
                next_index: 0,
                is_list: false,
            });
            last_key = None;
        }
        if let Some(key) = yaml_key(rest) {
            while stack.len() > 1
                && stack
                    .last()
                    .is_some_and(|f| f.indent > indent || (f.is_list && f.indent >= indent))
            {
                stack.pop();
            }
            let parent = match stack.last() {
                Some(f) if f.indent == indent && !f.is_list => f.path.clone(),
                _ => match &last_key {
                    Some((ki, p)) if *ki < indent => {
                        stack.push(Frame {
                            indent,
                            path: p.clone(),
                            next_index: 0,
                            is_list: false,
                        });
                        p.clone()
                    }
                    _ => stack.last().map(|f| f.path.clone()).unwrap_or_default(),
                },
            };
            let path = parent.key(&key);
            out.entry(path.clone()).or_insert((lineno + 1, indent + 1));
            last_key = Some((indent, path));
        }
    }
    out
}

/// The key of a `key: value` YAML line, unquoted.
fn yaml_key(rest: &str) -> Option<String> {
    if let Some(stripped) = rest.strip_prefix('"').or_else(|| rest.strip_prefix('\'')) {
        let quote = rest.as_bytes()[0] as char;
        let end = stripped.find(quote)?;
        let after = stripped[end + 1..].trim_start();
        return after.starts_with(':').then(|| stripped[..end].to_string());
    }
    let colon = rest
        .find(": ")
        .or_else(|| rest.strip_suffix(':').map(|s| s.len()))?;
    let key = &rest[..colon];
    if key.is_empty() || key.contains(['{', '[', '#']) {
        return None;
    }
    Some(key.trim_end().to_string())
}

/// How the text of a string value lies in its file, to point at a position inside that text (a
/// template error at line 3, column 7 of a hook's body) rather than at its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextPlace {
    /// A JSON string literal whose first character (after the opening quote) is at `line` and
    /// `column`; `raw` is the literal's text between its quotes, escapes as written.
    JsonString {
        line: usize,
        column: usize,
        raw: String,
    },
    /// A YAML literal block (`|`): line N of the text is line `first_line + N - 1` of the file,
    /// indented by `indent` columns.
    YamlLiteral { first_line: usize, indent: usize },
}

/// Byte offset in `text` of 1-based `line` and character `column`.
fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    let start = if line == 1 {
        0
    } else {
        text.match_indices('\n').nth(line - 2)?.0 + 1
    };
    let rest = &text[start..];
    let within = rest
        .char_indices()
        .nth(column - 1)
        .map_or(rest.len(), |(i, _)| i);
    Some(start + within)
}

impl TextPlace {
    /// Finds the string value of the object member whose key starts at `key_at` (as [`Locator`]
    /// gives it) in `text`. `None` for what positions cannot be mapped through: YAML plain,
    /// quoted or folded scalars.
    pub fn find(text: &str, key_at: (usize, usize), yaml: bool) -> Option<TextPlace> {
        if yaml {
            Self::find_yaml(text, key_at)
        } else {
            Self::find_json(text, key_at)
        }
    }

    fn find_json(text: &str, key_at: (usize, usize)) -> Option<TextPlace> {
        let start = offset_of(text, key_at.0, key_at.1)?;
        let bytes = text.as_bytes();
        let mut pos = start;
        let (mut line, mut column) = key_at;
        // Moves over one character, keeping line and column.
        let step = |pos: &mut usize, line: &mut usize, column: &mut usize| {
            let c = text[*pos..].chars().next().unwrap_or('\0');
            *pos += c.len_utf8().max(1);
            if c == '\n' {
                *line += 1;
                *column = 1;
            } else {
                *column += 1;
            }
        };
        if bytes.get(pos) != Some(&b'"') {
            return None;
        }
        // The key.
        step(&mut pos, &mut line, &mut column);
        while let Some(&b) = bytes.get(pos) {
            step(&mut pos, &mut line, &mut column);
            if b == b'\\' {
                step(&mut pos, &mut line, &mut column);
            } else if b == b'"' {
                break;
            }
        }
        while matches!(bytes.get(pos), Some(b' ' | b'\t' | b'\r' | b'\n' | b':')) {
            step(&mut pos, &mut line, &mut column);
        }
        if bytes.get(pos) != Some(&b'"') {
            return None;
        }
        step(&mut pos, &mut line, &mut column);
        let value_start = pos;
        while let Some(&b) = bytes.get(pos) {
            if b == b'"' {
                return Some(TextPlace::JsonString {
                    line,
                    column,
                    raw: text[value_start..pos].to_string(),
                });
            }
            pos += 1;
            if b == b'\\' {
                pos += 1;
            }
        }
        None
    }

    /// The same place in a file of which `text` is the part after the first `lines` lines.
    pub fn below(self, lines: usize) -> TextPlace {
        match self {
            TextPlace::JsonString { line, column, raw } => TextPlace::JsonString {
                line: line + lines,
                column,
                raw,
            },
            TextPlace::YamlLiteral { first_line, indent } => TextPlace::YamlLiteral {
                first_line: first_line + lines,
                indent,
            },
        }
    }

    fn find_yaml(text: &str, key_at: (usize, usize)) -> Option<TextPlace> {
        // Only the lines from the key on are looked at (not collected: a file of many hooks
        // would be walked once per hook).
        let mut lines = text.lines().skip(key_at.0.checked_sub(1)?);
        let key_line = lines.next()?;
        let key_indent = key_line.len() - key_line.trim_start().len();
        let after_key = &key_line[offset_of(key_line, 1, key_at.1)?..];
        let (_, value) = after_key.split_once(':')?;
        // The header of a literal block: `|`, then chomping and indentation indicators in any
        // order, then perhaps a comment.
        let header = value.split(" #").next()?.trim();
        let indicators = header.strip_prefix('|')?;
        if !indicators
            .chars()
            .all(|c| c == '+' || c == '-' || c.is_ascii_digit())
        {
            return None;
        }
        let indent = match indicators.chars().find(|c| c.is_ascii_digit()) {
            Some(d) => key_indent + d.to_digit(10)? as usize,
            None => {
                let first = lines.find(|l| !l.trim().is_empty())?;
                first.len() - first.trim_start().len()
            }
        };
        Some(TextPlace::YamlLiteral {
            first_line: key_at.0 + 1,
            indent,
        })
    }

    /// The file position of 1-based `line` and character `column` of the text (its first
    /// character when the column is not known); `None` when the text has no such line.
    pub fn locate(&self, line: usize, column: Option<usize>) -> Option<(usize, usize)> {
        let column = column.unwrap_or(1).max(1);
        match self {
            TextPlace::YamlLiteral { first_line, indent } => {
                Some((first_line + line - 1, indent + column))
            }
            TextPlace::JsonString {
                line: file_line,
                column: start,
                raw,
            } => {
                // Walks the literal: `(text_line, text_column)` in the decoded text, `at` the
                // file column of the escape or character that produces it.
                let (mut text_line, mut text_column, mut at) = (1, 1, *start);
                let mut chars = raw.chars().peekable();
                while let Some(c) = chars.next() {
                    if text_line == line && text_column == column {
                        return Some((*file_line, at));
                    }
                    let (width, newline) = match c {
                        '\\' => match chars.next() {
                            Some('n') => (2, true),
                            Some('u') => {
                                let hex: String = chars.by_ref().take(4).collect();
                                let code = u32::from_str_radix(&hex, 16).unwrap_or(0);
                                // A surrogate pair is one character written as two escapes.
                                if (0xD800..0xDC00).contains(&code) && chars.peek() == Some(&'\\') {
                                    chars.by_ref().take(6).for_each(drop);
                                    (12, false)
                                } else {
                                    (6, code == 0x0a)
                                }
                            }
                            Some(_) => (2, false),
                            None => (1, false),
                        },
                        _ => (1, false),
                    };
                    if newline && text_line == line {
                        // Past the end of the wanted line: point at its end.
                        return Some((*file_line, at));
                    }
                    at += width;
                    if newline {
                        text_line += 1;
                        text_column = 1;
                    } else {
                        text_column += 1;
                    }
                }
                (text_line == line).then_some((*file_line, at))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_positions_point_at_keys_and_items() {
        let text = "{\n  \"a\": {\"b\": [1,\n 2]},\n  \"c\": \"x\"\n}";
        let loc = Locator::new(text, false);
        assert_eq!(loc.locate(&PathBuf::root().key("a")), (2, 3));
        assert_eq!(loc.locate(&PathBuf::root().key("a").key("b")), (2, 9));
        assert_eq!(
            loc.locate(&PathBuf::root().key("a").key("b").index(1)),
            (3, 2)
        );
        assert_eq!(loc.locate(&PathBuf::root().key("c")), (4, 3));
        assert_eq!(loc.locate(&PathBuf::root().key("zz")), (1, 1));
    }

    #[test]
    fn yaml_positions_follow_indentation() {
        let text = "- name: one\n  event_filter:\n    kind_names:\n      - app.deploy\n      - app.update\n- name: two\n  url: http://x\n";
        let loc = Locator::new(text, true);
        let first = PathBuf::root().index(0);
        assert_eq!(loc.locate(&first.key("name")), (1, 3));
        assert_eq!(
            loc.locate(&first.key("event_filter").key("kind_names").index(1)),
            (5, 7)
        );
        assert_eq!(loc.locate(&PathBuf::root().index(1).key("url")), (7, 3));
    }

    #[test]
    fn positions_inside_a_json_string_map_to_the_file() {
        let text = "{\n  \"name\": \"x\",\n  \"body\" :  \"ab\\n\\tc\\u00e9d\\\"e\\ud83e\\udd80f\\u000ag\"\n}\n";
        let place = TextPlace::find(text, (3, 3), false).unwrap();
        assert_eq!(
            place,
            TextPlace::JsonString {
                line: 3,
                column: 14,
                raw: r#"ab\n\tc\u00e9d\"e\ud83e\udd80f\u000ag"#.into()
            }
        );
        // Text: "ab" / "\tcéd\"e🦀f" / "g"
        assert_eq!(place.locate(1, Some(1)), Some((3, 14)));
        assert_eq!(place.locate(1, Some(2)), Some((3, 15)));
        assert_eq!(
            place.locate(1, Some(9)),
            Some((3, 16)),
            "past the line: its end"
        );
        assert_eq!(place.locate(2, None), Some((3, 18)));
        assert_eq!(place.locate(2, Some(2)), Some((3, 20)), "after \\t");
        assert_eq!(place.locate(2, Some(4)), Some((3, 27)), "after \\u00e9");
        assert_eq!(place.locate(2, Some(7)), Some((3, 31)), "after \\\" and e");
        assert_eq!(
            place.locate(2, Some(8)),
            Some((3, 43)),
            "after the surrogate pair"
        );
        assert_eq!(place.locate(3, Some(1)), Some((3, 50)), "after \\u000a");
        assert_eq!(place.locate(4, Some(1)), None);
        assert_eq!(TextPlace::find("{\"body\": 3}", (1, 2), false), None);
    }

    #[test]
    fn positions_inside_a_yaml_literal_block_map_to_the_file() {
        let text = "- name: a\n  body: |\n    line one\n\n      deeper\n  url: x\n- name: b\n  body: |2-\n     two\n- name: c\n  body: >\n    folded\n- name: d\n  body: \"quoted\"\n";
        let place = TextPlace::find(text, (2, 3), true).unwrap();
        assert_eq!(
            place,
            TextPlace::YamlLiteral {
                first_line: 3,
                indent: 4
            }
        );
        assert_eq!(place.locate(1, Some(6)), Some((3, 10)));
        assert_eq!(place.locate(3, Some(3)), Some((5, 7)));
        assert_eq!(
            TextPlace::find(text, (8, 3), true),
            Some(TextPlace::YamlLiteral {
                first_line: 9,
                indent: 4
            })
        );
        assert_eq!(TextPlace::find(text, (11, 3), true), None, "folded");
        assert_eq!(TextPlace::find(text, (14, 3), true), None, "quoted");
    }
}
