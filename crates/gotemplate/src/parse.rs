//! The parser: a port of Go's `text/template/parse/parse.go` and the node types of `node.go`,
//! keeping Go's token lookahead so that error messages carry the same line numbers.

use std::collections::HashMap;

use crate::lex::{lex, Item, ItemType};
use crate::strconv::{parse_float, parse_int0, parse_uint0, unquote, unquote_char};

/// Names of Go's builtin functions; an identifier outside this list fails to parse.
pub(crate) const BUILTINS: &[&str] = &[
    "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf",
    "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
];

/// Nesting deeper than this is refused, so a hostile template cannot exhaust the stack (Go has no
/// such limit; its stacks grow).
const MAX_NESTING: usize = 100;

/// A template that failed to parse: Go's full message (`template: NAME:LINE: ...`) and the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Go's message, byte for byte.
    pub message: String,
    /// The 1-based line Go reports.
    pub line: usize,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

/// A number literal, with every interpretation Go's `NumberNode` records.
#[derive(Debug, Clone)]
pub(crate) struct Number {
    pub is_int: bool,
    pub is_uint: bool,
    pub is_float: bool,
    pub is_complex: bool,
    pub int64: i64,
    pub uint64: u64,
    pub float64: f64,
    pub complex: (f64, f64),
    pub text: String,
}

/// An operand or command word.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Field {
        pos: usize,
        ident: Vec<String>,
    },
    Chain {
        pos: usize,
        node: Box<Arg>,
        field: Vec<String>,
    },
    Identifier {
        pos: usize,
        name: String,
    },
    Variable {
        pos: usize,
        ident: Vec<String>,
    },
    Dot {
        pos: usize,
    },
    Nil {
        pos: usize,
    },
    Bool {
        pos: usize,
        value: bool,
    },
    Number {
        pos: usize,
        num: Box<Number>,
    },
    String {
        pos: usize,
        quoted: String,
        text: Vec<u8>,
    },
    Pipe(Box<Pipe>),
}

/// A command: a function or operand with arguments.
#[derive(Debug, Clone)]
pub(crate) struct Command {
    pub pos: usize,
    pub args: Vec<Arg>,
}

/// A pipeline, with the variables it declares or assigns.
#[derive(Debug, Clone)]
pub(crate) struct Pipe {
    pub pos: usize,
    pub is_assign: bool,
    pub decl: Vec<(usize, String)>,
    pub cmds: Vec<Command>,
}

/// `if`, `range` or `with`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BranchKind {
    If,
    Range,
    With,
}

#[derive(Debug, Clone)]
pub(crate) struct Branch {
    pub kind: BranchKind,
    pub pos: usize,
    pub pipe: Pipe,
    pub list: Vec<Node>,
    pub else_list: Option<Vec<Node>>,
}

/// A node of a template's list.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Text(Vec<u8>),
    Action {
        pos: usize,
        pipe: Pipe,
    },
    Branch(Box<Branch>),
    Template {
        pos: usize,
        name: String,
        pipe: Option<Pipe>,
    },
    Break {
        pos: usize,
    },
    Continue {
        pos: usize,
    },
    Comment,
}

/// Internal results of `itemList`: a real node, or `{{end}}` / `{{else}}`.
enum ListItem {
    Node(Node),
    End,
    Else,
}

/// All templates defined by one source text, by name.
pub(crate) type TreeSet = HashMap<String, Vec<Node>>;

pub(crate) struct Lexed {
    items: Vec<Item>,
    next: usize,
}

impl Lexed {
    fn next_item(&mut self) -> Item {
        match self.items.get(self.next) {
            Some(item) => {
                self.next += 1;
                item.clone()
            }
            // Go reads a zero item from the closed channel; the parser never gets here.
            None => Item {
                typ: ItemType::Error,
                pos: 0,
                val: String::new(),
                line: 0,
            },
        }
    }
}

struct Tree<'a> {
    name: String,
    parse_name: &'a str,
    lex: &'a mut Lexed,
    token: [Item; 3],
    peek_count: usize,
    vars: Vec<String>,
    tree_set: &'a mut TreeSet,
    action_line: usize,
    range_depth: usize,
    depth: usize,
}

type PResult<T> = Result<T, ParseError>;

fn blank_item() -> Item {
    Item {
        typ: ItemType::Eof,
        pos: 0,
        val: String::new(),
        line: 0,
    }
}

/// Parses `text` as Go's `template.New(name).Parse(text)` does.
pub(crate) fn parse(name: &str, text: &str) -> Result<TreeSet, ParseError> {
    let mut lexed = Lexed {
        items: lex(text),
        next: 0,
    };
    let mut tree_set = TreeSet::new();
    let mut t = Tree::new(name.to_string(), name, &mut lexed, &mut tree_set, 0);
    t.parse()?;
    Ok(tree_set)
}

fn is_empty_tree(nodes: &[Node]) -> bool {
    nodes.iter().all(|n| match n {
        Node::Comment => true,
        // Go's `bytes.TrimSpace` uses Unicode white space; invalid bytes are not space.
        Node::Text(t) => String::from_utf8_lossy(t).trim().is_empty(),
        _ => false,
    })
}

impl<'a> Tree<'a> {
    fn new(
        name: String,
        parse_name: &'a str,
        lex: &'a mut Lexed,
        tree_set: &'a mut TreeSet,
        depth: usize,
    ) -> Tree<'a> {
        Tree {
            name,
            parse_name,
            lex,
            token: [blank_item(), blank_item(), blank_item()],
            peek_count: 0,
            vars: vec!["$".to_string()],
            tree_set,
            action_line: 0,
            range_depth: 0,
            depth,
        }
    }

    fn errorf(&self, msg: String) -> ParseError {
        let line = self.token[0].line;
        ParseError {
            message: format!("template: {}:{}: {}", self.parse_name, line, msg),
            line,
        }
    }

    fn next(&mut self) -> Item {
        if self.peek_count > 0 {
            self.peek_count -= 1;
        } else {
            self.token[0] = self.lex.next_item();
        }
        self.token[self.peek_count].clone()
    }

    fn backup(&mut self) {
        self.peek_count += 1;
    }

    fn backup2(&mut self, t1: Item) {
        self.token[1] = t1;
        self.peek_count = 2;
    }

    fn backup3(&mut self, t2: Item, t1: Item) {
        self.token[1] = t1;
        self.token[2] = t2;
        self.peek_count = 3;
    }

    fn peek(&mut self) -> Item {
        if self.peek_count > 0 {
            return self.token[self.peek_count - 1].clone();
        }
        self.peek_count = 1;
        self.token[0] = self.lex.next_item();
        self.token[0].clone()
    }

    fn next_non_space(&mut self) -> Item {
        loop {
            let t = self.next();
            if t.typ != ItemType::Space {
                return t;
            }
        }
    }

    fn peek_non_space(&mut self) -> Item {
        let t = self.next_non_space();
        self.backup();
        t
    }

    fn expect(&mut self, expected: ItemType, context: &str) -> PResult<Item> {
        let token = self.next_non_space();
        if token.typ != expected {
            return Err(self.unexpected(&token, context));
        }
        Ok(token)
    }

    fn unexpected(&self, token: &Item, context: &str) -> ParseError {
        if token.typ == ItemType::Error {
            let mut extra = String::new();
            if self.action_line != 0 && self.action_line != token.line {
                extra = format!(
                    " in action started at {}:{}",
                    self.parse_name, self.action_line
                );
                if token.val.ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return self.errorf(format!("{}{}", token.describe(), extra));
        }
        self.errorf(format!("unexpected {} in {}", token.describe(), context))
    }

    fn add(&mut self, root: Vec<Node>) -> PResult<()> {
        match self.tree_set.get(&self.name) {
            Some(existing) if !is_empty_tree(existing) => {
                if !is_empty_tree(&root) {
                    return Err(self.errorf(format!(
                        "template: multiple definition of template {}",
                        crate::strconv::quote_str_prefix(&self.name, usize::MAX)
                    )));
                }
                Ok(())
            }
            _ => {
                self.tree_set.insert(self.name.clone(), root);
                Ok(())
            }
        }
    }

    fn nest(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.errorf(format!(
                "template nesting exceeds {MAX_NESTING} levels (hooktest limit)"
            )));
        }
        Ok(())
    }

    fn parse(&mut self) -> PResult<()> {
        let mut root = Vec::new();
        while self.peek().typ != ItemType::Eof {
            if self.peek().typ == ItemType::LeftDelim {
                let delim = self.next();
                if self.next_non_space().typ == ItemType::Define {
                    let depth = self.depth;
                    let parse_name = self.parse_name;
                    let mut new_t = Tree::new(
                        "definition".to_string(),
                        parse_name,
                        self.lex,
                        self.tree_set,
                        depth,
                    );
                    new_t.parse_definition()?;
                    continue;
                }
                self.backup2(delim);
            }
            match self.text_or_action()? {
                ListItem::End => return Err(self.errorf("unexpected {{end}}".into())),
                ListItem::Else => return Err(self.errorf("unexpected {{else}}".into())),
                ListItem::Node(n) => root.push(n),
            }
        }
        self.add(root)
    }

    fn parse_definition(&mut self) -> PResult<()> {
        let context = "define clause";
        let name = self.next_non_space();
        if name.typ != ItemType::String && name.typ != ItemType::RawString {
            return Err(self.unexpected(&name, context));
        }
        let unquoted = unquote(&name.val).map_err(|e| self.errorf(e.to_string()))?;
        self.name = String::from_utf8_lossy(&unquoted).into_owned();
        self.expect(ItemType::RightDelim, context)?;
        let (root, end) = self.item_list()?;
        if !matches!(end, ListItem::End) {
            return Err(self.errorf(format!("unexpected {} in {}", list_item_str(&end), context)));
        }
        self.add(root)
    }

    fn item_list(&mut self) -> PResult<(Vec<Node>, ListItem)> {
        let mut list = Vec::new();
        while self.peek_non_space().typ != ItemType::Eof {
            let n = self.text_or_action()?;
            match n {
                ListItem::End | ListItem::Else => return Ok((list, n)),
                ListItem::Node(n) => list.push(n),
            }
        }
        Err(self.errorf("unexpected EOF".into()))
    }

    fn text_or_action(&mut self) -> PResult<ListItem> {
        let token = self.next_non_space();
        match token.typ {
            ItemType::Text => Ok(ListItem::Node(Node::Text(token.val.into_bytes()))),
            ItemType::LeftDelim => {
                self.action_line = token.line;
                let r = self.action();
                self.action_line = 0;
                r
            }
            ItemType::Comment => Ok(ListItem::Node(Node::Comment)),
            _ => Err(self.unexpected(&token, "input")),
        }
    }

    fn action(&mut self) -> PResult<ListItem> {
        let token = self.next_non_space();
        match token.typ {
            ItemType::Block => return self.block_control().map(ListItem::Node),
            ItemType::Break => return self.break_control(token.pos, "{{break}}", true),
            ItemType::Continue => return self.break_control(token.pos, "{{continue}}", false),
            ItemType::Else => return self.else_control(),
            ItemType::End => {
                self.expect(ItemType::RightDelim, "end")?;
                return Ok(ListItem::End);
            }
            ItemType::If => return self.branch_control(BranchKind::If).map(ListItem::Node),
            ItemType::Range => return self.branch_control(BranchKind::Range).map(ListItem::Node),
            ItemType::Template => return self.template_control().map(ListItem::Node),
            ItemType::With => return self.branch_control(BranchKind::With).map(ListItem::Node),
            _ => {}
        }
        self.backup();
        let token = self.peek();
        let pipe = self.pipeline("command", ItemType::RightDelim)?;
        Ok(ListItem::Node(Node::Action {
            pos: token.pos,
            pipe,
        }))
    }

    fn break_control(&mut self, pos: usize, context: &str, is_break: bool) -> PResult<ListItem> {
        let token = self.next_non_space();
        if token.typ != ItemType::RightDelim {
            return Err(self.unexpected(&token, context));
        }
        if self.range_depth == 0 {
            return Err(self.errorf(format!("{context} outside {{{{range}}}}")));
        }
        Ok(ListItem::Node(if is_break {
            Node::Break { pos }
        } else {
            Node::Continue { pos }
        }))
    }

    fn pipeline(&mut self, context: &str, end: ItemType) -> PResult<Pipe> {
        self.nest()?;
        let token = self.peek_non_space();
        let mut pipe = Pipe {
            pos: token.pos,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        'decls: loop {
            let v = self.peek_non_space();
            if v.typ == ItemType::Variable {
                self.next();
                let token_after_variable = self.peek();
                let next = self.peek_non_space();
                if next.typ == ItemType::Assign || next.typ == ItemType::Declare {
                    pipe.is_assign = next.typ == ItemType::Assign;
                    self.next_non_space();
                    pipe.decl.push((v.pos, v.val.clone()));
                    self.vars.push(v.val.clone());
                } else if next.typ == ItemType::Char && next.val == "," {
                    self.next_non_space();
                    pipe.decl.push((v.pos, v.val.clone()));
                    self.vars.push(v.val.clone());
                    if context == "range" && pipe.decl.len() < 2 {
                        match self.peek_non_space().typ {
                            ItemType::Variable | ItemType::RightDelim | ItemType::RightParen => {
                                continue 'decls;
                            }
                            _ => {
                                return Err(
                                    self.errorf("range can only initialize variables".into())
                                )
                            }
                        }
                    }
                    return Err(self.errorf(format!("too many declarations in {context}")));
                } else if token_after_variable.typ == ItemType::Space {
                    self.backup3(v, token_after_variable);
                } else {
                    self.backup2(v);
                }
            }
            break;
        }
        loop {
            let token = self.next_non_space();
            match token.typ {
                t if t == end => {
                    self.check_pipeline(&pipe, context)?;
                    self.depth -= 1;
                    return Ok(pipe);
                }
                ItemType::Bool
                | ItemType::CharConstant
                | ItemType::Complex
                | ItemType::Dot
                | ItemType::Field
                | ItemType::Identifier
                | ItemType::Number
                | ItemType::Nil
                | ItemType::RawString
                | ItemType::String
                | ItemType::Variable
                | ItemType::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    pipe.cmds.push(cmd);
                }
                _ => return Err(self.unexpected(&token, context)),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return Err(self.errorf(format!("missing value for {context}")));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args[0],
                Arg::Bool { .. }
                    | Arg::Dot { .. }
                    | Arg::Nil { .. }
                    | Arg::Number { .. }
                    | Arg::String { .. }
            ) {
                return Err(self.errorf(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                )));
            }
        }
        Ok(())
    }

    fn branch_control(&mut self, kind: BranchKind) -> PResult<Node> {
        let context = match kind {
            BranchKind::If => "if",
            BranchKind::Range => "range",
            BranchKind::With => "with",
        };
        self.nest()?;
        let mark = self.vars.len();
        let result = self.parse_control(kind, context);
        self.vars.truncate(mark);
        self.depth -= 1;
        result
    }

    fn parse_control(&mut self, kind: BranchKind, context: &str) -> PResult<Node> {
        let pipe = self.pipeline(context, ItemType::RightDelim)?;
        if kind == BranchKind::Range {
            self.range_depth += 1;
        }
        let listed = self.item_list();
        if kind == BranchKind::Range {
            self.range_depth -= 1;
        }
        let (list, next) = listed?;
        let mut else_list = None;
        if let ListItem::Else = next {
            // `{{else if}}` is sugar for `{{else}}{{if}}...{{end}}{{end}}` and shares the end.
            if kind == BranchKind::If && self.peek().typ == ItemType::If {
                self.next();
                else_list = Some(vec![self.branch_control(BranchKind::If)?]);
            } else {
                let (l, next) = self.item_list()?;
                if !matches!(next, ListItem::End) {
                    return Err(
                        self.errorf(format!("expected end; found {}", list_item_str(&next)))
                    );
                }
                else_list = Some(l);
            }
        }
        Ok(Node::Branch(Box::new(Branch {
            kind,
            pos: pipe.pos,
            pipe,
            list,
            else_list,
        })))
    }

    fn else_control(&mut self) -> PResult<ListItem> {
        let peek = self.peek_non_space();
        if peek.typ == ItemType::If {
            return Ok(ListItem::Else);
        }
        self.expect(ItemType::RightDelim, "else")?;
        Ok(ListItem::Else)
    }

    fn block_control(&mut self) -> PResult<Node> {
        let context = "block clause";
        let token = self.next_non_space();
        let name = self.parse_template_name(&token, context)?;
        let pipe = self.pipeline(context, ItemType::RightDelim)?;
        let depth = self.depth;
        let parse_name = self.parse_name;
        let end_err;
        {
            let mut block = Tree::new(name.clone(), parse_name, self.lex, self.tree_set, depth);
            let (root, end) = block.item_list()?;
            if !matches!(end, ListItem::End) {
                end_err = Some(list_item_str(&end));
            } else {
                end_err = None;
                block.add(root)?;
            }
        }
        if let Some(e) = end_err {
            return Err(self.errorf(format!("unexpected {e} in {context}")));
        }
        Ok(Node::Template {
            pos: token.pos,
            name,
            pipe: Some(pipe),
        })
    }

    fn template_control(&mut self) -> PResult<Node> {
        let context = "template clause";
        let token = self.next_non_space();
        let name = self.parse_template_name(&token, context)?;
        let mut pipe = None;
        if self.next_non_space().typ != ItemType::RightDelim {
            self.backup();
            pipe = Some(self.pipeline(context, ItemType::RightDelim)?);
        }
        Ok(Node::Template {
            pos: token.pos,
            name,
            pipe,
        })
    }

    fn parse_template_name(&mut self, token: &Item, context: &str) -> PResult<String> {
        match token.typ {
            ItemType::String | ItemType::RawString => {
                let s = unquote(&token.val).map_err(|e| self.errorf(e.to_string()))?;
                Ok(String::from_utf8_lossy(&s).into_owned())
            }
            _ => Err(self.unexpected(token, context)),
        }
    }

    fn command(&mut self) -> PResult<Command> {
        let pos = self.peek_non_space().pos;
        let mut cmd = Command {
            pos,
            args: Vec::new(),
        };
        loop {
            self.peek_non_space();
            if let Some(operand) = self.operand()? {
                cmd.args.push(operand);
            }
            let token = self.next();
            match token.typ {
                ItemType::Space => continue,
                ItemType::RightDelim | ItemType::RightParen => self.backup(),
                ItemType::Pipe => {}
                _ => return Err(self.unexpected(&token, "operand")),
            }
            break;
        }
        if cmd.args.is_empty() {
            return Err(self.errorf("empty command".into()));
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().typ == ItemType::Field {
            let chain_pos = self.peek().pos;
            let mut fields = Vec::new();
            while self.peek().typ == ItemType::Field {
                let f = self.next().val;
                fields.push(f[1..].to_string());
            }
            return Ok(Some(match node {
                Arg::Field { mut ident, .. } => {
                    ident.extend(fields);
                    Arg::Field {
                        pos: chain_pos,
                        ident,
                    }
                }
                Arg::Variable { mut ident, .. } => {
                    ident.extend(fields);
                    Arg::Variable {
                        pos: chain_pos,
                        ident,
                    }
                }
                Arg::Bool { .. }
                | Arg::String { .. }
                | Arg::Number { .. }
                | Arg::Nil { .. }
                | Arg::Dot { .. } => {
                    let s = arg_string(&node);
                    return Err(self.errorf(format!(
                        "unexpected . after term {}",
                        crate::strconv::quote_str_prefix(&s, usize::MAX)
                    )));
                }
                other => Arg::Chain {
                    pos: chain_pos,
                    node: Box::new(other),
                    field: fields,
                },
            }));
        }
        Ok(Some(node))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let token = self.next_non_space();
        Ok(Some(match token.typ {
            ItemType::Identifier => {
                if !BUILTINS.contains(&token.val.as_str()) {
                    return Err(self.errorf(format!(
                        "function {} not defined",
                        crate::strconv::quote_str_prefix(&token.val, usize::MAX)
                    )));
                }
                Arg::Identifier {
                    pos: token.pos,
                    name: token.val,
                }
            }
            ItemType::Dot => Arg::Dot { pos: token.pos },
            ItemType::Nil => Arg::Nil { pos: token.pos },
            ItemType::Variable => {
                let ident: Vec<String> = token.val.split('.').map(str::to_string).collect();
                if !self.vars.iter().any(|v| *v == ident[0]) {
                    return Err(self.errorf(format!(
                        "undefined variable {}",
                        crate::strconv::quote_str_prefix(&ident[0], usize::MAX)
                    )));
                }
                Arg::Variable {
                    pos: token.pos,
                    ident,
                }
            }
            ItemType::Field => Arg::Field {
                pos: token.pos,
                ident: token.val[1..].split('.').map(str::to_string).collect(),
            },
            ItemType::Bool => Arg::Bool {
                pos: token.pos,
                value: token.val == "true",
            },
            ItemType::CharConstant | ItemType::Complex | ItemType::Number => {
                let num = new_number(&token.val, token.typ).map_err(|e| self.errorf(e))?;
                Arg::Number {
                    pos: token.pos,
                    num: Box::new(num),
                }
            }
            ItemType::LeftParen => Arg::Pipe(Box::new(
                self.pipeline("parenthesized pipeline", ItemType::RightParen)?,
            )),
            ItemType::String | ItemType::RawString => {
                let text = unquote(&token.val).map_err(|e| self.errorf(e.to_string()))?;
                Arg::String {
                    pos: token.pos,
                    quoted: token.val,
                    text,
                }
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }
}

fn list_item_str(item: &ListItem) -> String {
    match item {
        ListItem::End => "{{end}}".into(),
        ListItem::Else => "{{else}}".into(),
        ListItem::Node(n) => node_string(n),
    }
}

/// Go's `NumberNode` construction (`newNumber`), with its error messages.
fn new_number(text: &str, typ: ItemType) -> Result<Number, String> {
    let mut n = Number {
        is_int: false,
        is_uint: false,
        is_float: false,
        is_complex: false,
        int64: 0,
        uint64: 0,
        float64: 0.0,
        complex: (0.0, 0.0),
        text: text.to_string(),
    };
    match typ {
        ItemType::CharConstant => {
            let b = text.as_bytes();
            let (r, _, tail) = unquote_char(&b[1..], b[0]).map_err(str::to_string)?;
            if tail != b"'" {
                return Err(format!("malformed character constant: {text}"));
            }
            n.int64 = r as i64;
            n.is_int = true;
            n.uint64 = r as u64;
            n.is_uint = true;
            n.float64 = r as f64;
            n.is_float = true;
            return Ok(n);
        }
        ItemType::Complex => {
            // Go scans "re+imi" with fmt.Sscan.
            let body = &text[..text.len() - 1];
            let split = body
                .char_indices()
                .skip(1)
                .filter(|&(i, c)| {
                    (c == '+' || c == '-')
                        && !matches!(body.as_bytes()[i - 1], b'e' | b'E' | b'p' | b'P')
                })
                .map(|(i, _)| i)
                .last()
                .ok_or_else(|| "expected integer".to_string())?;
            let re = parse_float(&body[..split]).ok_or("expected integer")?;
            let im = parse_float(&body[split..]).ok_or("expected integer")?;
            n.is_complex = true;
            n.complex = (re, im);
            simplify_complex(&mut n);
            return Ok(n);
        }
        _ => {}
    }
    if let Some(body) = text.strip_suffix('i') {
        if let Some(f) = parse_float(body) {
            n.is_complex = true;
            n.complex = (0.0, f);
            simplify_complex(&mut n);
            return Ok(n);
        }
    }
    let u = parse_uint0(text);
    if let Some(u) = u {
        n.is_uint = true;
        n.uint64 = u;
    }
    if let Some(i) = parse_int0(text) {
        n.is_int = true;
        n.int64 = i;
        if i == 0 {
            n.is_uint = true;
            n.uint64 = u.unwrap_or(0);
        }
    }
    if n.is_int {
        n.is_float = true;
        n.float64 = n.int64 as f64;
    } else if n.is_uint {
        n.is_float = true;
        n.float64 = n.uint64 as f64;
    } else if let Some(f) = parse_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!(
                "integer overflow: {}",
                crate::strconv::quote_str_prefix(text, usize::MAX)
            ));
        }
        n.is_float = true;
        n.float64 = f;
        if !n.is_int && (f as i64) as f64 == f && f.abs() < 9.3e18 {
            n.is_int = true;
            n.int64 = f as i64;
        }
        if !n.is_uint && f >= 0.0 && (f as u64) as f64 == f && f < 1.8e19 {
            n.is_uint = true;
            n.uint64 = f as u64;
        }
    }
    if !n.is_int && !n.is_uint && !n.is_float {
        return Err(format!(
            "illegal number syntax: {}",
            crate::strconv::quote_str_prefix(text, usize::MAX)
        ));
    }
    Ok(n)
}

fn simplify_complex(n: &mut Number) {
    n.is_float = n.complex.1 == 0.0;
    if n.is_float {
        let f = n.complex.0;
        n.float64 = f;
        n.is_int = (f as i64) as f64 == f && f.abs() < 9.3e18;
        if n.is_int {
            n.int64 = f as i64;
        }
        n.is_uint = f >= 0.0 && (f as u64) as f64 == f && f < 1.8e19;
        if n.is_uint {
            n.uint64 = f as u64;
        }
    }
}

/// Go's `Node.String()` for operands, as exec errors quote them.
pub(crate) fn arg_string(a: &Arg) -> String {
    let mut s = String::new();
    write_arg(&mut s, a);
    s
}

fn write_arg(s: &mut String, a: &Arg) {
    match a {
        Arg::Field { ident, .. } => {
            for id in ident {
                s.push('.');
                s.push_str(id);
            }
        }
        Arg::Chain { node, field, .. } => {
            if let Arg::Pipe(_) = **node {
                s.push('(');
                write_arg(s, node);
                s.push(')');
            } else {
                write_arg(s, node);
            }
            for f in field {
                s.push('.');
                s.push_str(f);
            }
        }
        Arg::Identifier { name, .. } => s.push_str(name),
        Arg::Variable { ident, .. } => s.push_str(&ident.join(".")),
        Arg::Dot { .. } => s.push('.'),
        Arg::Nil { .. } => s.push_str("nil"),
        Arg::Bool { value, .. } => s.push_str(if *value { "true" } else { "false" }),
        Arg::Number { num, .. } => s.push_str(&num.text),
        Arg::String { quoted, .. } => s.push_str(quoted),
        Arg::Pipe(p) => write_pipe(s, p),
    }
}

/// Go's `PipeNode.String()`.
pub(crate) fn pipe_string(p: &Pipe) -> String {
    let mut s = String::new();
    write_pipe(&mut s, p);
    s
}

fn write_pipe(s: &mut String, p: &Pipe) {
    if !p.decl.is_empty() {
        for (i, (_, v)) in p.decl.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            s.push_str(v);
        }
        s.push_str(" := ");
    }
    for (i, c) in p.cmds.iter().enumerate() {
        if i > 0 {
            s.push_str(" | ");
        }
        write_command(s, c);
    }
}

/// Go's `CommandNode.String()`.
pub(crate) fn command_string(c: &Command) -> String {
    let mut s = String::new();
    write_command(&mut s, c);
    s
}

fn write_command(s: &mut String, c: &Command) {
    for (i, a) in c.args.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        if let Arg::Pipe(p) = a {
            s.push('(');
            write_pipe(s, p);
            s.push(')');
            continue;
        }
        write_arg(s, a);
    }
}

fn write_list(s: &mut String, l: &[Node]) {
    for n in l {
        s.push_str(&node_string(n));
    }
}

/// Go's `Node.String()` for list nodes.
pub(crate) fn node_string(n: &Node) -> String {
    let mut s = String::new();
    match n {
        Node::Text(t) => s.push_str(&String::from_utf8_lossy(t)),
        Node::Action { pipe, .. } => {
            s.push_str("{{");
            write_pipe(&mut s, pipe);
            s.push_str("}}");
        }
        Node::Branch(b) => {
            s.push_str("{{");
            s.push_str(match b.kind {
                BranchKind::If => "if",
                BranchKind::Range => "range",
                BranchKind::With => "with",
            });
            s.push(' ');
            write_pipe(&mut s, &b.pipe);
            s.push_str("}}");
            write_list(&mut s, &b.list);
            if let Some(e) = &b.else_list {
                s.push_str("{{else}}");
                write_list(&mut s, e);
            }
            s.push_str("{{end}}");
        }
        Node::Template { name, pipe, .. } => {
            s.push_str("{{template ");
            s.push_str(&crate::strconv::quote_str_prefix(name, usize::MAX));
            if let Some(p) = pipe {
                s.push(' ');
                write_pipe(&mut s, p);
            }
            s.push_str("}}");
        }
        Node::Break { .. } => s.push_str("{{break}}"),
        Node::Continue { .. } => s.push_str("{{continue}}"),
        Node::Comment => {}
    }
    s
}
