//! Static checks of a parsed template against the type of its data: what Go would only report
//! while executing (unknown fields, wrong argument counts), found before any data exists.
//!
//! Types are followed through field chains, `with`, `range` and variables; where a type cannot be
//! known (after a method or function call, inside `{{define}}`d templates), checking stops rather
//! than guess, so every finding is one Go would also report at run time.

use std::collections::HashMap;

use crate::funcs::builtin_sig;
use crate::parse::{Arg, BranchKind, Command, Node, Pipe};
use crate::value::{Kind, Ty};

/// A static finding: byte offset into the source and Go's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Byte offset of the offending operand.
    pub offset: usize,
    /// Go's message for the same failure at run time.
    pub message: String,
}

struct Checker {
    findings: Vec<Finding>,
    vars: Vec<(String, Option<Ty>)>,
}

fn elem_of(t: Ty) -> Ty {
    if t.kind == Kind::Pointer {
        t.elem.unwrap_or(t)
    } else {
        t
    }
}

fn field_type(t: Ty, name: &str) -> Option<Ty> {
    if let Some(f) = t.fields.iter().find(|f| f.name == name) {
        return Some(f.ty);
    }
    t.fields
        .iter()
        .filter(|f| f.embedded)
        .find_map(|f| field_type(elem_of(f.ty), name))
}

fn is_time(t: Ty) -> bool {
    std::ptr::eq(t, &crate::time::TIME)
}

/// Checks every tree of a template set; `dot` is the type of the main template's data.
pub(crate) fn check(trees: &HashMap<String, Vec<Node>>, main: &str, dot: Ty) -> Vec<Finding> {
    let mut c = Checker {
        findings: Vec::new(),
        vars: vec![("$".to_string(), Some(dot))],
    };
    if let Some(root) = trees.get(main) {
        c.list(root, Some(dot));
    }
    let mut names: Vec<&String> = trees.keys().filter(|n| n.as_str() != main).collect();
    names.sort();
    for name in names {
        c.vars = vec![("$".to_string(), None)];
        c.list(&trees[name], None);
    }
    c.findings.sort_by_key(|f| f.offset);
    c.findings
}

impl Checker {
    fn list(&mut self, nodes: &[Node], dot: Option<Ty>) {
        for n in nodes {
            self.node(n, dot);
        }
    }

    fn node(&mut self, n: &Node, dot: Option<Ty>) {
        match n {
            Node::Action { pipe, .. } => {
                self.pipe(pipe, dot);
            }
            Node::Branch(b) => {
                let mark = self.vars.len();
                let t = self.pipe(&b.pipe, dot);
                let inner = match b.kind {
                    BranchKind::If => dot,
                    BranchKind::With => t,
                    BranchKind::Range => t.and_then(|t| {
                        let t = elem_of(t);
                        matches!(t.kind, Kind::Slice | Kind::Array | Kind::Map)
                            .then_some(t.elem)
                            .flatten()
                    }),
                };
                if b.kind == BranchKind::Range {
                    // The declared variables hold the element (and index), not the pipeline.
                    let n = self.vars.len();
                    if !b.pipe.decl.is_empty() && n > mark {
                        self.vars[n - 1].1 = inner;
                    }
                    if b.pipe.decl.len() > 1 && n > mark + 1 {
                        self.vars[n - 2].1 = None;
                    }
                }
                self.list(&b.list, inner);
                if let Some(e) = &b.else_list {
                    self.list(e, dot);
                }
                self.vars.truncate(mark);
            }
            Node::Template { pipe: Some(p), .. } => {
                self.pipe(p, dot);
            }
            _ => {}
        }
    }

    fn pipe(&mut self, p: &Pipe, dot: Option<Ty>) -> Option<Ty> {
        let mut t = None;
        for (i, cmd) in p.cmds.iter().enumerate() {
            t = self.command(cmd, dot, i > 0);
        }
        for (_, name) in &p.decl {
            if p.is_assign {
                if let Some(v) = self.vars.iter_mut().rev().find(|(n, _)| n == name) {
                    v.1 = None;
                }
            } else {
                self.vars.push((name.clone(), t));
            }
        }
        t
    }

    fn command(&mut self, cmd: &Command, dot: Option<Ty>, has_final: bool) -> Option<Ty> {
        let nargs = cmd.args.len() - 1 + usize::from(has_final);
        for a in &cmd.args[1..] {
            self.arg(a, dot);
        }
        match &cmd.args[0] {
            Arg::Identifier { pos, name } => {
                let sig = builtin_sig(name);
                let fixed = sig.params.len() - usize::from(sig.variadic);
                if sig.variadic && nargs < fixed {
                    self.report(
                        *pos,
                        format!(
                            "wrong number of args for {name}: want at least {fixed} got {nargs}"
                        ),
                    );
                } else if !sig.variadic && nargs != sig.params.len() {
                    self.report(
                        *pos,
                        format!(
                            "wrong number of args for {name}: want {} got {nargs}",
                            sig.params.len()
                        ),
                    );
                }
                None
            }
            other => self.operand(other, dot, Some(nargs)),
        }
    }

    fn arg(&mut self, a: &Arg, dot: Option<Ty>) -> Option<Ty> {
        match a {
            Arg::Pipe(p) => self.pipe(p, dot),
            Arg::Identifier { pos, name } => {
                let sig = builtin_sig(name);
                let fixed = sig.params.len() - usize::from(sig.variadic);
                if (sig.variadic && fixed > 0) || (!sig.variadic && !sig.params.is_empty()) {
                    let want = if sig.variadic {
                        format!("at least {fixed}")
                    } else {
                        sig.params.len().to_string()
                    };
                    self.report(
                        *pos,
                        format!("wrong number of args for {name}: want {want} got 0"),
                    );
                }
                None
            }
            other => self.operand(other, dot, Some(0)),
        }
    }

    /// The static type of an operand; `nargs` counts the arguments a final method call gets.
    fn operand(&mut self, a: &Arg, dot: Option<Ty>, nargs: Option<usize>) -> Option<Ty> {
        match a {
            Arg::Dot { .. } => dot,
            Arg::Field { pos, ident } => self.chain(*pos, dot, ident, nargs),
            Arg::Variable { pos, ident } => {
                let t = self
                    .vars
                    .iter()
                    .rev()
                    .find(|(n, _)| *n == ident[0])
                    .and_then(|(_, t)| *t);
                if ident.len() == 1 {
                    t
                } else {
                    self.chain(*pos, t, &ident[1..], nargs)
                }
            }
            Arg::Chain { pos, node, field } => {
                let t = self.arg(node, dot);
                self.chain(*pos, t, field, nargs)
            }
            Arg::Pipe(p) => self.pipe(p, dot),
            _ => None,
        }
    }

    fn chain(
        &mut self,
        pos: usize,
        mut t: Option<Ty>,
        ident: &[String],
        nargs: Option<usize>,
    ) -> Option<Ty> {
        for (i, name) in ident.iter().enumerate() {
            let ty = t?;
            let last = i + 1 == ident.len();
            let base = elem_of(ty);
            if let Some(m) = base.method(name) {
                let got = if last { nargs.unwrap_or(0) } else { 0 };
                if got != m.params.len() {
                    self.report(
                        pos,
                        format!(
                            "wrong number of args for {name}: want {} got {got}",
                            m.params.len()
                        ),
                    );
                } else if !(m.results == 1 || (m.results == 2 && m.error_result)) {
                    self.report(
                        pos,
                        format!(
                            "can't call method/function \"{name}\" with {} results",
                            m.results
                        ),
                    );
                }
                return None;
            }
            match base.kind {
                Kind::Struct if !is_time(base) => match field_type(base, name) {
                    Some(f) => t = Some(f),
                    None => {
                        self.report(
                            pos,
                            format!("can't evaluate field {name} in type {}", ty.name),
                        );
                        return None;
                    }
                },
                Kind::Map | Kind::Interface => return None,
                _ => {
                    self.report(
                        pos,
                        format!("can't evaluate field {name} in type {}", ty.name),
                    );
                    return None;
                }
            }
        }
        t
    }

    fn report(&mut self, offset: usize, message: String) {
        self.findings.push(Finding { offset, message });
    }
}
