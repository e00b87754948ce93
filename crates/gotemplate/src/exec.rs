//! The executor: a port of Go's `text/template/exec.go`, including where it records the current
//! node, so that error messages name the same location and context as Go's.

use std::sync::Arc;

use crate::fmt::print_one;
use crate::funcs::{builtin_sig, call_builtin, indirect, is_true, sprint_value, Param, Sig};
use crate::parse::{
    arg_string, command_string, node_string, pipe_string, Arg, Branch, BranchKind, Command, Node,
    Pipe,
};
use crate::strconv::quote_str_prefix;
use crate::value::{types, Kind, Method, Ty, Value};
use crate::{ExecError, Template};

/// Go's `maxExecDepth` for nested `{{template}}` calls.
const MAX_EXEC_DEPTH: usize = 100_000;

/// Template calls nest this deep on the caller's stack before the rest runs on helper threads.
const DEPTH_ON_CALLER: usize = 64;

/// Template calls nest this deep on each helper thread's stack.
const DEPTH_PER_STACK: usize = 256;

/// Stack size of the helper threads that carry deep template recursion.
const HELPER_STACK: usize = 16 << 20;

#[derive(Clone, Copy)]
enum At<'t> {
    Node(&'t Node),
    Pipe(&'t Pipe),
    Cmd(&'t Command),
    Arg(&'t Arg),
}

impl At<'_> {
    fn pos(&self) -> usize {
        match self {
            At::Node(n) => match n {
                Node::Action { pos, .. }
                | Node::Template { pos, .. }
                | Node::Break { pos }
                | Node::Continue { pos } => *pos,
                Node::Branch(b) => b.pos,
                Node::Text(_) | Node::Comment => 0,
            },
            At::Pipe(p) => p.pos,
            At::Cmd(c) => c.pos,
            At::Arg(a) => arg_pos(a),
        }
    }

    fn context(&self) -> String {
        match self {
            At::Node(n) => node_string(n),
            At::Pipe(p) => pipe_string(p),
            At::Cmd(c) => command_string(c),
            At::Arg(a) => arg_string(a),
        }
    }
}

fn arg_pos(a: &Arg) -> usize {
    match a {
        Arg::Field { pos, .. }
        | Arg::Chain { pos, .. }
        | Arg::Identifier { pos, .. }
        | Arg::Variable { pos, .. }
        | Arg::Dot { pos }
        | Arg::Nil { pos }
        | Arg::Bool { pos, .. }
        | Arg::Number { pos, .. }
        | Arg::String { pos, .. } => *pos,
        Arg::Pipe(p) => p.pos,
    }
}

#[derive(PartialEq, Eq)]
enum Flow {
    Normal,
    Break,
    Continue,
}

type R<T> = Result<T, ExecError>;

/// What a call invokes.
enum Callee<'a> {
    Builtin(&'a str),
    Method(&'static Method, Value),
}

pub(crate) struct State<'t> {
    tmpl: &'t Template,
    name: &'t str,
    out: &'t mut Vec<u8>,
    node: Option<At<'t>>,
    vars: Vec<(&'t str, Value)>,
    depth: usize,
}

/// Executes the template's main tree with `data` as dot, appending output to `out`.
pub(crate) fn execute(tmpl: &Template, data: &Value, out: &mut Vec<u8>) -> Result<(), ExecError> {
    let Some(root) = tmpl.trees.get(&tmpl.name) else {
        return Err(ExecError {
            message: format!(
                "template: {}: {} is an incomplete or empty template",
                tmpl.name,
                quote_str_prefix(&tmpl.name, usize::MAX)
            ),
        });
    };
    let mut s = State {
        tmpl,
        name: &tmpl.name,
        out,
        node: None,
        vars: vec![("$", data.clone())],
        depth: 0,
    };
    s.walk_list(data, root).map(|_| ())
}

impl<'t> State<'t> {
    fn at(&mut self, node: At<'t>) {
        self.node = Some(node);
    }

    fn errorf(&self, msg: impl Into<String>) -> ExecError {
        let msg = msg.into();
        let message = match self.node {
            None => format!("template: {}: {}", self.name, msg),
            Some(node) => {
                let text = &self.tmpl.text;
                let pos = node.pos().min(text.len());
                let before = &text.as_bytes()[..pos];
                let (line, col) = match before.iter().rposition(|&b| b == b'\n') {
                    None => (1, pos),
                    Some(nl) => (
                        1 + before.iter().filter(|&&b| b == b'\n').count(),
                        pos - nl - 1,
                    ),
                };
                format!(
                    "template: {}:{}:{}: executing {} at <{}>: {}",
                    self.tmpl.name,
                    line,
                    col,
                    quote_str_prefix(self.name, usize::MAX),
                    node.context(),
                    msg
                )
            }
        };
        ExecError { message }
    }

    fn var_value(&self, name: &str) -> R<Value> {
        for (n, v) in self.vars.iter().rev() {
            if *n == name {
                return Ok(v.clone());
            }
        }
        Err(self.errorf(format!("undefined variable: {name}")))
    }

    fn set_var(&mut self, name: &str, value: Value) -> R<()> {
        for (n, v) in self.vars.iter_mut().rev() {
            if *n == name {
                *v = value;
                return Ok(());
            }
        }
        Err(self.errorf(format!("undefined variable: {name}")))
    }

    fn walk_list(&mut self, dot: &Value, list: &'t [Node]) -> R<Flow> {
        for node in list {
            let f = self.walk(dot, node)?;
            if f != Flow::Normal {
                return Ok(f);
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, dot: &Value, node: &'t Node) -> R<Flow> {
        match node {
            Node::Text(t) => self.out.extend_from_slice(t),
            Node::Action { pipe, .. } => {
                self.at(At::Node(node));
                let val = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    self.at(At::Node(node));
                    self.print_value(&val);
                }
            }
            Node::Break { .. } => return Ok(Flow::Break),
            Node::Continue { .. } => return Ok(Flow::Continue),
            Node::Comment => {}
            Node::Branch(b) => {
                self.at(At::Node(node));
                return match b.kind {
                    BranchKind::Range => self.walk_range(dot, node, b),
                    _ => self.walk_if_or_with(dot, b),
                };
            }
            Node::Template { name, pipe, .. } => {
                self.at(At::Node(node));
                self.walk_template(dot, node, name, pipe.as_ref())?;
            }
        }
        Ok(Flow::Normal)
    }

    fn walk_if_or_with(&mut self, dot: &Value, b: &'t Branch) -> R<Flow> {
        let mark = self.vars.len();
        let val = self.eval_pipeline(dot, &b.pipe)?;
        let (truth, _) = is_true(&val);
        let flow = if truth {
            if b.kind == BranchKind::With {
                self.walk_list(&val, &b.list)?
            } else {
                self.walk_list(dot, &b.list)?
            }
        } else if let Some(else_list) = &b.else_list {
            self.walk_list(dot, else_list)?
        } else {
            Flow::Normal
        };
        self.vars.truncate(mark);
        Ok(flow)
    }

    fn one_iteration(&mut self, b: &'t Branch, mark: usize, index: Value, elem: &Value) -> R<Flow> {
        let n = self.vars.len();
        // Go overwrites the top of the variable stack; `{{range $, $ = ...}}` would make Go index
        // below the stack and crash, so the writes are bounds-checked here.
        if !b.pipe.decl.is_empty() && n >= 1 {
            self.vars[n - 1].1 = elem.clone();
        }
        if b.pipe.decl.len() > 1 && n >= 2 {
            self.vars[n - 2].1 = index;
        }
        let flow = self.walk_list(elem, &b.list)?;
        self.vars.truncate(mark);
        Ok(flow)
    }

    fn walk_range(&mut self, dot: &Value, node: &'t Node, b: &'t Branch) -> R<Flow> {
        self.at(At::Node(node));
        let outer_mark = self.vars.len();
        let (val, _) = indirect(&self.eval_pipeline(dot, &b.pipe)?);
        let mark = self.vars.len();
        let mut ran = false;
        match &val {
            Value::Slice(..) | Value::Array(..) => {
                let items: &[Value] = match &val {
                    Value::Slice(_, Some(d)) => d.items(),
                    Value::Array(_, a) => a,
                    _ => &[],
                };
                if !items.is_empty() {
                    ran = true;
                    for (i, elem) in items.iter().enumerate() {
                        if self.one_iteration(b, mark, Value::int(i as i64), elem)? == Flow::Break {
                            break;
                        }
                    }
                }
            }
            Value::Map(_, m) => {
                if let Some(m) = m {
                    if !m.is_empty() {
                        ran = true;
                        for (k, v) in m.iter() {
                            if self.one_iteration(b, mark, k.clone(), v)? == Flow::Break {
                                break;
                            }
                        }
                    }
                }
            }
            Value::Invalid => {}
            other => {
                return Err(self.errorf(format!("range can't iterate over {}", sprint_value(other))))
            }
        }
        if !ran {
            if let Some(else_list) = &b.else_list {
                self.walk_list(dot, else_list)?;
            }
        }
        self.vars.truncate(outer_mark);
        Ok(Flow::Normal)
    }

    fn walk_template(
        &mut self,
        dot: &Value,
        node: &'t Node,
        name: &'t str,
        pipe: Option<&'t Pipe>,
    ) -> R<()> {
        let tmpl: &'t Template = self.tmpl;
        let Some(tree) = tmpl.trees.get(name) else {
            return Err(self.errorf(format!(
                "template {} not defined",
                quote_str_prefix(name, usize::MAX)
            )));
        };
        if self.depth == MAX_EXEC_DEPTH {
            return Err(self.errorf(format!(
                "exceeded maximum template depth ({MAX_EXEC_DEPTH})"
            )));
        }
        let new_dot = match pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => Value::Invalid,
        };
        let saved_vars = std::mem::replace(&mut self.vars, vec![("$", new_dot.clone())]);
        let saved_name = std::mem::replace(&mut self.name, name);
        self.depth += 1;
        let tmpl_name: &str = &tmpl.name;
        let result = if self.depth >= DEPTH_ON_CALLER
            && (self.depth - DEPTH_ON_CALLER).is_multiple_of(DEPTH_PER_STACK)
        {
            // Go's stacks grow; ours do not, so deep recursion continues on a fresh big stack.
            std::thread::scope(|scope| {
                std::thread::Builder::new()
                    .stack_size(HELPER_STACK)
                    .spawn_scoped(scope, || self.walk_list(&new_dot, tree))
                    .map_err(|e| ExecError {
                        message: format!("template: {tmpl_name}: cannot run deeper: {e}"),
                    })
                    .and_then(|h| {
                        h.join().unwrap_or_else(|_| {
                            Err(ExecError {
                                message: format!("template: {tmpl_name}: internal error"),
                            })
                        })
                    })
            })
        } else {
            self.walk_list(&new_dot, tree)
        };
        self.depth -= 1;
        self.name = saved_name;
        self.vars = saved_vars;
        self.node = Some(At::Node(node));
        result.map(|_| ())
    }

    fn eval_pipeline(&mut self, dot: &Value, pipe: &'t Pipe) -> R<Value> {
        self.at(At::Pipe(pipe));
        let mut value: Option<Value> = None;
        for cmd in &pipe.cmds {
            value = Some(self.eval_command(dot, cmd, value)?);
        }
        let value = value.unwrap_or(Value::Invalid);
        for (_, name) in &pipe.decl {
            if pipe.is_assign {
                self.set_var(name, value.clone())?;
            } else {
                self.vars.push((name, value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, args: &[Arg], final_: &Option<Value>) -> R<()> {
        if args.len() > 1 || final_.is_some() {
            return Err(self.errorf(format!(
                "can't give argument to non-function {}",
                arg_string(&args[0])
            )));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Value, cmd: &'t Command, final_: Option<Value>) -> R<Value> {
        let first = &cmd.args[0];
        match first {
            Arg::Field { ident, .. } => {
                self.at(At::Arg(first));
                return self.eval_field_chain(
                    dot,
                    dot,
                    At::Arg(first),
                    ident,
                    Some(&cmd.args),
                    final_,
                );
            }
            Arg::Chain { .. } => return self.eval_chain_node(dot, first, Some(&cmd.args), final_),
            Arg::Identifier { name, .. } => {
                return self.eval_function(dot, first, name, At::Cmd(cmd), Some(&cmd.args), final_)
            }
            Arg::Pipe(p) => {
                self.not_a_function(&cmd.args, &final_)?;
                return self.eval_pipeline(dot, p);
            }
            Arg::Variable { .. } => {
                return self.eval_variable_node(dot, first, Some(&cmd.args), final_)
            }
            _ => {}
        }
        self.at(At::Arg(first));
        self.not_a_function(&cmd.args, &final_)?;
        match first {
            Arg::Bool { value, .. } => Ok(Value::Bool(*value)),
            Arg::Dot { .. } => Ok(dot.clone()),
            Arg::Nil { .. } => Err(self.errorf("nil is not a command")),
            Arg::Number { .. } => self.ideal_constant(first),
            Arg::String { text, .. } => Ok(Value::Str(Arc::from(&text[..]), &types::STRING)),
            _ => Err(self.errorf(format!("can't evaluate command {}", arg_string(first)))),
        }
    }

    fn ideal_constant(&mut self, arg: &'t Arg) -> R<Value> {
        self.at(At::Arg(arg));
        let Arg::Number { num, .. } = arg else {
            return Ok(Value::Invalid);
        };
        let text = &num.text;
        let is_hex = text.len() > 2
            && text.starts_with('0')
            && (text.as_bytes()[1] | 0x20) == b'x'
            && !text.contains(['p', 'P']);
        let is_rune = text.starts_with('\'');
        if num.is_complex {
            return Ok(Value::Complex(num.complex.0, num.complex.1));
        }
        if num.is_float && !is_hex && !is_rune && text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Ok(Value::Float(num.float64, &types::FLOAT64));
        }
        if num.is_int {
            return Ok(Value::int(num.int64));
        }
        if num.is_uint {
            return Err(self.errorf(format!("{text} overflows int")));
        }
        Ok(Value::Invalid)
    }

    fn eval_chain_node(
        &mut self,
        dot: &Value,
        chain: &'t Arg,
        args: Option<&'t [Arg]>,
        final_: Option<Value>,
    ) -> R<Value> {
        self.at(At::Arg(chain));
        let Arg::Chain { node, field, .. } = chain else {
            return Ok(Value::Invalid);
        };
        if field.is_empty() {
            return Err(self.errorf("internal error: no fields in evalChainNode"));
        }
        if let Arg::Nil { .. } = **node {
            return Err(self.errorf(format!(
                "indirection through explicit nil in {}",
                arg_string(chain)
            )));
        }
        let pipe = self.eval_arg(dot, None, node)?;
        self.eval_field_chain(dot, &pipe, At::Arg(chain), field, args, final_)
    }

    fn eval_variable_node(
        &mut self,
        dot: &Value,
        var: &'t Arg,
        args: Option<&'t [Arg]>,
        final_: Option<Value>,
    ) -> R<Value> {
        self.at(At::Arg(var));
        let Arg::Variable { ident, .. } = var else {
            return Ok(Value::Invalid);
        };
        let value = self.var_value(&ident[0])?;
        if ident.len() == 1 {
            if let Some(args) = args {
                self.not_a_function(args, &final_)?;
            } else if final_.is_some() {
                self.not_a_function(std::slice::from_ref(var), &final_)?;
            }
            return Ok(value);
        }
        self.eval_field_chain(dot, &value, At::Arg(var), &ident[1..], args, final_)
    }

    fn eval_field_chain(
        &mut self,
        dot: &Value,
        receiver: &Value,
        node: At<'t>,
        ident: &'t [String],
        args: Option<&'t [Arg]>,
        final_: Option<Value>,
    ) -> R<Value> {
        let n = ident.len();
        if n == 1 {
            return self.eval_field(dot, &ident[0], node, args, final_, receiver);
        }
        let mut current = self.eval_field(dot, &ident[0], node, None, None, receiver)?;
        for name in &ident[1..n - 1] {
            current = self.eval_field(dot, name, node, None, None, &current)?;
        }
        self.eval_field(dot, &ident[n - 1], node, args, final_, &current)
    }

    fn eval_function(
        &mut self,
        dot: &Value,
        ident: &'t Arg,
        name: &'t str,
        cmd: At<'t>,
        args: Option<&'t [Arg]>,
        final_: Option<Value>,
    ) -> R<Value> {
        self.at(At::Arg(ident));
        self.eval_call(dot, Callee::Builtin(name), cmd, name, args, final_)
    }

    fn eval_field(
        &mut self,
        dot: &Value,
        name: &str,
        node: At<'t>,
        args: Option<&'t [Arg]>,
        final_: Option<Value>,
        receiver: &Value,
    ) -> R<Value> {
        let Some(typ) = receiver.ty() else {
            return Ok(Value::Invalid);
        };
        let (receiver, is_nil) = indirect_ref(receiver);
        let method_ty: Option<Ty> = match receiver {
            Value::Ptr(t, _) => t.elem,
            other => other.ty(),
        };
        if let Some(m) = method_ty.and_then(|t| t.method(name)) {
            return self.eval_call(
                dot,
                Callee::Method(m, receiver.clone()),
                node,
                name,
                args,
                final_,
            );
        }
        let has_args = args.is_some_and(|a| a.len() > 1) || final_.is_some();
        match receiver {
            Value::Struct(..) => {
                if let Some(v) = struct_field(receiver, name) {
                    if !name.starts_with(|c: char| c.is_uppercase()) {
                        return Err(self.errorf(format!(
                            "{name} is an unexported field of struct type {}",
                            typ.name
                        )));
                    }
                    if has_args {
                        return Err(self.errorf(format!(
                            "{name} has arguments but cannot be invoked as function"
                        )));
                    }
                    return Ok(v.clone());
                }
            }
            Value::Time(_) if matches!(name, "wall" | "ext" | "loc") => {
                return Err(self.errorf(format!(
                    "{name} is an unexported field of struct type {}",
                    typ.name
                )));
            }
            Value::Map(t, m) if t.key.is_some_and(|k| k.name == "string") => {
                if has_args {
                    return Err(self.errorf(format!("{name} is not a method but has arguments")));
                }
                let found = m.as_ref().and_then(|m| {
                    m.iter()
                        .find(|(k, _)| matches!(k, Value::Str(s, _) if &s[..] == name.as_bytes()))
                        .map(|(_, v)| v.clone())
                });
                return Ok(found.unwrap_or(Value::Invalid));
            }
            Value::Ptr(t, _) => {
                let has_field = match t.elem {
                    Some(e) if e.kind == Kind::Struct => e.field_path(name).is_some(),
                    _ => true,
                };
                if has_field && is_nil {
                    return Err(self.errorf(format!("nil pointer evaluating {}.{name}", typ.name)));
                }
            }
            _ => {}
        }
        Err(self.errorf(format!("can't evaluate field {name} in type {}", typ.name)))
    }

    fn eval_call(
        &mut self,
        dot: &Value,
        callee: Callee<'_>,
        node: At<'t>,
        name: &str,
        args: Option<&'t [Arg]>,
        final_: Option<Value>,
    ) -> R<Value> {
        let args: &'t [Arg] = match args {
            Some(a) => &a[1..],
            None => &[],
        };
        let sig = match &callee {
            Callee::Builtin(n) => builtin_sig(n),
            Callee::Method(m, _) => Sig {
                params: m.params.iter().map(|t| Param::Typed(t)).collect(),
                variadic: false,
                results: m.results,
                error_result: m.error_result,
            },
        };
        let num_in = args.len() + usize::from(final_.is_some());
        let mut num_fixed = args.len();
        if sig.variadic {
            num_fixed = sig.num_in() - 1;
            if num_in < num_fixed {
                return Err(self.errorf(format!(
                    "wrong number of args for {name}: want at least {} got {}",
                    sig.num_in() - 1,
                    args.len()
                )));
            }
        } else if num_in != sig.num_in() {
            return Err(self.errorf(format!(
                "wrong number of args for {name}: want {} got {num_in}",
                sig.num_in()
            )));
        }
        if !(sig.results == 1 || (sig.results == 2 && sig.error_result)) {
            return Err(self.errorf(format!(
                "can't call method/function {} with {} results",
                quote_str_prefix(name, usize::MAX),
                sig.results
            )));
        }
        if let Callee::Builtin(b @ ("and" | "or")) = callee {
            let want = b == "or";
            let mut v = Value::Invalid;
            for arg in args {
                v = self.eval_arg(dot, Some(Param::Any), arg)?;
                if is_true(&v).0 == want {
                    return Ok(v);
                }
            }
            if let Some(f) = final_ {
                v = f;
            }
            return Ok(v);
        }
        let mut argv: Vec<Value> = Vec::with_capacity(num_in);
        let mut i = 0;
        while i < num_fixed && i < args.len() {
            argv.push(self.eval_arg(dot, Some(sig.params[i]), &args[i])?);
            i += 1;
        }
        if sig.variadic {
            let elem = sig.params[sig.num_in() - 1];
            while i < args.len() {
                argv.push(self.eval_arg(dot, Some(elem), &args[i])?);
                i += 1;
            }
        }
        if let Some(f) = final_ {
            let mut t = sig.params[sig.num_in() - 1];
            if sig.variadic && num_in - 1 < num_fixed {
                t = sig.params[num_in - 1];
            }
            argv.push(self.validate_type(f, Some(t))?);
        }
        let result = match &callee {
            Callee::Builtin(n) => call_builtin(n, &argv),
            Callee::Method(m, recv) => {
                if let Value::Ptr(t, None) = recv {
                    let elem = t.elem.map_or("?", |e| e.name);
                    Err(format!(
                        "value method {elem}.{} called using nil {} pointer",
                        m.name,
                        t.name
                            .trim_start_matches('*')
                            .rsplit('.')
                            .next()
                            .map_or(String::new(), |short| format!("*{short}"))
                    ))
                } else {
                    (m.func)(recv, &argv)
                }
            }
        };
        match result {
            Ok(v) => Ok(v),
            Err(e) => {
                self.at(node);
                Err(self.errorf(format!("error calling {name}: {e}")))
            }
        }
    }

    fn validate_type(&self, value: Value, typ: Option<Param>) -> R<Value> {
        let ty = match typ {
            None | Some(Param::Any) => return Ok(value),
            Some(Param::Typed(t)) => t,
        };
        if let Value::Invalid = value {
            if can_be_nil(ty) {
                return Ok(Value::zero(ty));
            }
            return Err(self.errorf(format!("invalid value; expected {}", ty.name)));
        }
        let vt = value.type_name();
        if vt == ty.name {
            return Ok(value);
        }
        if let Value::Ptr(pt, p) = &value {
            if pt.elem.is_some_and(|e| e.name == ty.name) {
                return match p {
                    Some(inner) => Ok((**inner).clone()),
                    None => {
                        Err(self.errorf(format!("dereference of nil pointer of type {}", ty.name)))
                    }
                };
            }
        }
        Err(self.errorf(format!(
            "wrong type for value; expected {}; got {}",
            ty.name, vt
        )))
    }

    fn eval_arg(&mut self, dot: &Value, typ: Option<Param>, arg: &'t Arg) -> R<Value> {
        self.at(At::Arg(arg));
        match arg {
            Arg::Dot { .. } => return self.validate_type(dot.clone(), typ),
            Arg::Nil { .. } => {
                return match typ {
                    None | Some(Param::Any) => Ok(Value::Invalid),
                    Some(Param::Typed(t)) if can_be_nil(t) => Ok(Value::zero(t)),
                    Some(Param::Typed(t)) => {
                        Err(self.errorf(format!("cannot assign nil to {}", t.name)))
                    }
                }
            }
            Arg::Field { ident, .. } => {
                let v = self.eval_field_chain(
                    dot,
                    dot,
                    At::Arg(arg),
                    ident,
                    Some(std::slice::from_ref(arg)),
                    None,
                )?;
                return self.validate_type(v, typ);
            }
            Arg::Variable { .. } => {
                let v = self.eval_variable_node(dot, arg, None, None)?;
                return self.validate_type(v, typ);
            }
            Arg::Pipe(p) => {
                let v = self.eval_pipeline(dot, p)?;
                return self.validate_type(v, typ);
            }
            Arg::Identifier { name, .. } => {
                let v = self.eval_function(dot, arg, name, At::Arg(arg), None, None)?;
                return self.validate_type(v, typ);
            }
            Arg::Chain { .. } => {
                let v = self.eval_chain_node(dot, arg, None, None)?;
                return self.validate_type(v, typ);
            }
            _ => {}
        }
        let ty = match typ {
            None | Some(Param::Any) => return self.eval_empty_interface(dot, arg),
            Some(Param::Typed(t)) => t,
        };
        let found = || arg_string(arg);
        match ty.kind {
            Kind::Bool => match arg {
                Arg::Bool { value, .. } => Ok(Value::Bool(*value)),
                _ => Err(self.errorf(format!("expected bool; found {}", found()))),
            },
            Kind::String => match arg {
                Arg::String { text, .. } => Ok(Value::Str(Arc::from(&text[..]), ty)),
                _ => Err(self.errorf(format!("expected string; found {}", found()))),
            },
            k if k.is_int() => match arg {
                Arg::Number { num, .. } if num.is_int => Ok(Value::Int(num.int64, ty)),
                _ => Err(self.errorf(format!("expected integer; found {}", found()))),
            },
            k if k.is_uint() => match arg {
                Arg::Number { num, .. } if num.is_uint => Ok(Value::Uint(num.uint64, ty)),
                _ => Err(self.errorf(format!("expected unsigned integer; found {}", found()))),
            },
            Kind::Float32 | Kind::Float64 => match arg {
                Arg::Number { num, .. } if num.is_float => Ok(Value::Float(num.float64, ty)),
                _ => Err(self.errorf(format!("expected float; found {}", found()))),
            },
            Kind::Complex128 => match arg {
                Arg::Number { num, .. } if num.is_complex => {
                    Ok(Value::Complex(num.complex.0, num.complex.1))
                }
                _ => Err(self.errorf(format!("expected complex; found {}", found()))),
            },
            _ => Err(self.errorf(format!(
                "can't handle {} for arg of type {}",
                found(),
                ty.name
            ))),
        }
    }

    fn eval_empty_interface(&mut self, _dot: &Value, arg: &'t Arg) -> R<Value> {
        self.at(At::Arg(arg));
        match arg {
            Arg::Bool { value, .. } => Ok(Value::Bool(*value)),
            Arg::Number { .. } => self.ideal_constant(arg),
            Arg::String { text, .. } => Ok(Value::Str(Arc::from(&text[..]), &types::STRING)),
            _ => Err(self.errorf(format!(
                "can't handle assignment of {} to empty interface argument",
                arg_string(arg)
            ))),
        }
    }

    fn print_value(&mut self, v: &Value) {
        match v {
            Value::Ptr(..) => {
                let (v, _) = indirect(v);
                if let Value::Invalid = v {
                    self.out.extend_from_slice(b"<no value>");
                } else {
                    print_one(self.out, &v);
                }
            }
            Value::Invalid => self.out.extend_from_slice(b"<no value>"),
            _ => print_one(self.out, v),
        }
    }
}

/// Go's `indirect` without copying: the value behind any pointers, and whether a nil stopped it.
fn indirect_ref(v: &Value) -> (&Value, bool) {
    let mut v = v;
    loop {
        match v {
            Value::Ptr(_, Some(inner)) => v = inner,
            Value::Ptr(_, None) => return (v, true),
            _ => return (v, false),
        }
    }
}

/// A struct's field by name, searching embedded structs after the direct fields, as Go's
/// `FieldByName` does; borrowed, so reading a field copies nothing but the result.
fn struct_field<'v>(v: &'v Value, name: &str) -> Option<&'v Value> {
    let Value::Struct(t, fields) = v else {
        return None;
    };
    if let Some(i) = t.fields.iter().position(|f| f.name == name) {
        return fields.get(i);
    }
    for (i, f) in t.fields.iter().enumerate() {
        if f.embedded {
            let inner = match fields.get(i)? {
                Value::Ptr(_, Some(p)) => &**p,
                other => other,
            };
            if let Some(x) = struct_field(inner, name) {
                return Some(x);
            }
        }
    }
    None
}

fn can_be_nil(t: Ty) -> bool {
    matches!(
        t.kind,
        Kind::Pointer | Kind::Slice | Kind::Map | Kind::Interface
    )
}
