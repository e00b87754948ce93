//! Go's template builtins (`funcs.go`): signatures for argument checking, and implementations.

use std::sync::Arc;

use crate::fmt::{print_one, sprint, sprintf, sprintln};
use crate::strconv::{decode_rune, is_print};
use crate::value::{types, Kind, SliceData, Ty, Value};

/// How a parameter receives its argument (Go's `evalArg` target type).
#[derive(Clone, Copy)]
pub(crate) enum Param {
    /// `any` or `reflect.Value`: anything, constants as their ideal types.
    Any,
    /// A concrete Go type.
    Typed(Ty),
}

/// A callable signature: fixed parameters, an optional variadic element, result count.
pub(crate) struct Sig {
    pub params: Vec<Param>,
    pub variadic: bool,
    pub results: usize,
    pub error_result: bool,
}

impl Sig {
    /// Go's `NumIn` (the variadic slice counts as one).
    pub fn num_in(&self) -> usize {
        self.params.len()
    }
}

/// The signature of a builtin, as Go declares it.
pub(crate) fn builtin_sig(name: &str) -> Sig {
    let any = Param::Any;
    let (params, variadic, results, error_result) = match name {
        "and" | "or" | "call" | "index" | "slice" | "eq" => (vec![any, any], true, 2, true),
        "html" | "js" | "urlquery" | "print" | "println" => (vec![any], true, 1, false),
        "printf" => (vec![Param::Typed(&types::STRING), any], true, 1, false),
        "len" => (vec![any], false, 2, true),
        "not" => (vec![any], false, 1, false),
        _ => (vec![any, any], false, 2, true),
    };
    Sig {
        params,
        variadic,
        results,
        error_result,
    }
}

/// Go's `indirect`: follows pointers; a nil pointer is returned with `true`.
pub(crate) fn indirect(v: &Value) -> (Value, bool) {
    let mut v = v.clone();
    loop {
        match v {
            Value::Ptr(_, Some(inner)) => v = (*inner).clone(),
            Value::Ptr(_, None) => return (v, true),
            _ => return (v, false),
        }
    }
}

/// Go's `isTrue`: (truth, ok).
pub(crate) fn is_true(v: &Value) -> (bool, bool) {
    let t = match v {
        Value::Invalid => false,
        Value::Str(s, _) => !s.is_empty(),
        Value::Slice(..) | Value::Array(..) | Value::Map(..) => !v.is_empty(),
        Value::Bool(b) => *b,
        Value::Complex(re, im) => *re != 0.0 || *im != 0.0,
        Value::Ptr(_, p) => p.is_some(),
        Value::Int(i, _) => *i != 0,
        Value::Float(f, _) => *f != 0.0,
        Value::Uint(u, _) => *u != 0,
        Value::Struct(..) | Value::Time(_) => true,
    };
    (t, true)
}

const ZERO_VALUE_TYPE: &str = "reflect: call of reflect.Value.Type on zero Value";

fn index_arg(index: &Value, cap: usize) -> Result<usize, String> {
    let x: i64 = match index {
        Value::Int(i, _) => *i,
        Value::Uint(u, _) => *u as i64,
        Value::Invalid => return Err("cannot index slice/array with nil".into()),
        other => {
            return Err(format!(
                "cannot index slice/array with type {}",
                other.type_name()
            ))
        }
    };
    if x < 0 || x as u64 > cap as u64 {
        return Err(format!("index out of range: {x}"));
    }
    Ok(x as usize)
}

fn same_type(a: &Value, b: Ty) -> bool {
    a.ty()
        .is_some_and(|t| std::ptr::eq(t, b) || t.name == b.name)
}

fn index(args: &[Value]) -> Result<Value, String> {
    let mut item = args[0].clone();
    if let Value::Invalid = item {
        return Err("index of untyped nil".into());
    }
    for index in &args[1..] {
        let (it, is_nil) = indirect(&item);
        if is_nil {
            return Err("index of nil pointer".into());
        }
        item = match &it {
            Value::Str(s, _) => {
                let x = index_arg(index, s.len())?;
                match s.get(x) {
                    Some(b) => Value::Uint(*b as u64, &types::UINT8),
                    None => return Err("reflect: string index out of range".into()),
                }
            }
            Value::Slice(_, d) => {
                let items = d.as_ref().map_or(&[][..], |d| d.items());
                let x = index_arg(index, items.len())?;
                match items.get(x) {
                    Some(v) => v.clone(),
                    None => return Err("reflect: slice index out of range".into()),
                }
            }
            Value::Array(_, a) => {
                let x = index_arg(index, a.len())?;
                match a.get(x) {
                    Some(v) => v.clone(),
                    None => return Err("reflect: array index out of range".into()),
                }
            }
            Value::Map(t, m) => {
                let key_ty = t.key.unwrap_or(&types::STRING);
                let key = prepare_arg(index, key_ty)?;
                let found = m.as_ref().and_then(|m| {
                    m.iter()
                        .find(|(k, _)| values_equal(k, &key))
                        .map(|(_, v)| v.clone())
                });
                found.unwrap_or_else(|| Value::zero(t.elem.unwrap_or(&types::STRING)))
            }
            Value::Invalid => return Err("unreachable".into()),
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(item)
}

fn prepare_arg(value: &Value, ty: Ty) -> Result<Value, String> {
    if let Value::Invalid = value {
        if matches!(
            ty.kind,
            Kind::Pointer | Kind::Slice | Kind::Map | Kind::Interface
        ) {
            return Ok(Value::zero(ty));
        }
        return Err(format!("value is nil; should be of type {}", ty.name));
    }
    if same_type(value, ty) {
        return Ok(value.clone());
    }
    match (value, ty.kind) {
        (Value::Int(i, _), k) if k.is_int() => return Ok(Value::Int(*i, ty)),
        (Value::Int(i, _), k) if k.is_uint() => return Ok(Value::Uint(*i as u64, ty)),
        (Value::Uint(u, _), k) if k.is_int() => return Ok(Value::Int(*u as i64, ty)),
        (Value::Uint(u, _), k) if k.is_uint() => return Ok(Value::Uint(*u, ty)),
        _ => {}
    }
    Err(format!(
        "value has type {}; should be {}",
        value.type_name(),
        ty.name
    ))
}

fn slice(args: &[Value]) -> Result<Value, String> {
    let item = &args[0];
    if let Value::Invalid = item {
        return Err("slice of untyped nil".into());
    }
    let indexes = &args[1..];
    if indexes.len() > 3 {
        return Err(format!("too many slice indexes: {}", indexes.len()));
    }
    let (len, cap) = match item {
        Value::Str(s, _) => {
            if indexes.len() == 3 {
                return Err("cannot 3-index slice a string".into());
            }
            (s.len(), s.len())
        }
        Value::Slice(_, d) => d.as_ref().map_or((0, 0), |d| (d.len, d.cap)),
        Value::Array(_, a) => (a.len(), a.len()),
        other => return Err(format!("can't slice item of type {}", other.type_name())),
    };
    let mut idx = [0usize, len, 0];
    for (i, index) in indexes.iter().enumerate() {
        idx[i] = index_arg(index, cap)?;
    }
    if idx[0] > idx[1] {
        return Err(format!("invalid slice index: {} > {}", idx[0], idx[1]));
    }
    let max = if indexes.len() < 3 {
        cap
    } else {
        if idx[1] > idx[2] {
            return Err(format!("invalid slice index: {} > {}", idx[1], idx[2]));
        }
        idx[2]
    };
    Ok(match item {
        Value::Str(s, t) => Value::Str(Arc::from(&s[idx[0]..idx[1]]), t),
        Value::Slice(t, d) => match d {
            None => Value::Slice(t, None),
            Some(d) => Value::Slice(
                t,
                Some(SliceData {
                    data: d.data.clone(),
                    start: d.start + idx[0],
                    len: idx[1] - idx[0],
                    cap: max - idx[0],
                }),
            ),
        },
        Value::Array(t, a) => {
            let elem_slice: Ty = if t.elem.is_some_and(|e| e.kind == Kind::Uint8) {
                &types::BYTE_SLICE
            } else {
                &types::STRING_SLICE
            };
            Value::Slice(
                elem_slice,
                Some(SliceData {
                    data: a.clone(),
                    start: idx[0],
                    len: idx[1] - idx[0],
                    cap: max - idx[0],
                }),
            )
        }
        _ => Value::Invalid,
    })
}

fn length(arg: &Value) -> Result<Value, String> {
    let (item, is_nil) = indirect(arg);
    if is_nil {
        return Err("len of nil pointer".into());
    }
    match item.len() {
        Some(n) => Ok(Value::int(n as i64)),
        None if matches!(item, Value::Invalid) => Err(ZERO_VALUE_TYPE.into()),
        None => Err(format!("len of type {}", item.type_name())),
    }
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum BasicKind {
    Invalid,
    Bool,
    Complex,
    Int,
    Float,
    String,
    Uint,
}

fn basic_kind(v: &Value) -> BasicKind {
    match v {
        Value::Bool(_) => BasicKind::Bool,
        Value::Int(..) => BasicKind::Int,
        Value::Uint(..) => BasicKind::Uint,
        Value::Float(..) => BasicKind::Float,
        Value::Complex(..) => BasicKind::Complex,
        Value::Str(..) => BasicKind::String,
        _ => BasicKind::Invalid,
    }
}

fn is_nil(v: &Value) -> bool {
    matches!(
        v,
        Value::Invalid | Value::Ptr(_, None) | Value::Slice(_, None) | Value::Map(_, None)
    )
}

/// Go's `==` on two values held in interfaces: identical dynamic types and equal values.
pub(crate) fn values_equal(a: &Value, b: &Value) -> bool {
    if a.type_name() != b.type_name() {
        return false;
    }
    match (a, b) {
        (Value::Invalid, Value::Invalid) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x, _), Value::Int(y, _)) => x == y,
        (Value::Uint(x, _), Value::Uint(y, _)) => x == y,
        (Value::Float(x, _), Value::Float(y, _)) => x == y,
        (Value::Complex(a1, b1), Value::Complex(a2, b2)) => a1 == a2 && b1 == b2,
        (Value::Str(x, _), Value::Str(y, _)) => x == y,
        (Value::Time(x), Value::Time(y)) => crate::time::same_time(x, y),
        (Value::Struct(_, x), Value::Struct(_, y)) | (Value::Array(_, x), Value::Array(_, y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| values_equal(p, q))
        }
        (Value::Ptr(t, x), Value::Ptr(_, y)) => match (x, y) {
            (None, None) => true,
            (Some(p), Some(q)) => {
                Arc::ptr_eq(p, q)
                    || (std::ptr::eq(*t, &crate::time::LOCATION_PTR)
                        && crate::time::same_location(p, q))
            }
            _ => false,
        },
        _ => false,
    }
}

fn comparable(v: &Value) -> bool {
    match v {
        Value::Slice(..) | Value::Map(..) => false,
        Value::Struct(_, f) | Value::Array(_, f) => f.iter().all(comparable),
        _ => v.ty().is_none_or(|t| t.comparable),
    }
}

fn sprint_one(verb: &str, v: &Value) -> String {
    let mut out = Vec::new();
    sprintf(&mut out, verb.as_bytes(), std::slice::from_ref(v));
    String::from_utf8_lossy(&out).into_owned()
}

fn eq(args: &[Value]) -> Result<bool, String> {
    let arg1 = &args[0];
    if args.len() < 2 {
        return Err("missing argument for comparison".into());
    }
    let k1 = basic_kind(arg1);
    for arg in &args[1..] {
        let k2 = basic_kind(arg);
        let truth = if k1 != k2 {
            match (arg1, arg) {
                (Value::Int(i, _), Value::Uint(u, _)) => *i >= 0 && *i as u64 == *u,
                (Value::Uint(u, _), Value::Int(i, _)) => *i >= 0 && *u == *i as u64,
                _ => {
                    if !matches!(arg1, Value::Invalid) && !matches!(arg, Value::Invalid) {
                        return Err("incompatible types for comparison".into());
                    }
                    false
                }
            }
        } else {
            match (arg1, arg) {
                (Value::Bool(x), Value::Bool(y)) => x == y,
                (Value::Complex(a1, b1), Value::Complex(a2, b2)) => a1 == a2 && b1 == b2,
                (Value::Float(x, _), Value::Float(y, _)) => x == y,
                (Value::Int(x, _), Value::Int(y, _)) => x == y,
                (Value::Str(x, _), Value::Str(y, _)) => x == y,
                (Value::Uint(x, _), Value::Uint(y, _)) => x == y,
                _ => {
                    let can_compare = arg1.kind() == arg.kind()
                        || matches!(arg1, Value::Invalid)
                        || matches!(arg, Value::Invalid);
                    if !can_compare {
                        return Err(format!(
                            "non-comparable types {}: {}, {}: {}",
                            sprint_one("%s", arg1),
                            arg1.type_name(),
                            arg.type_name(),
                            sprint_one("%v", arg)
                        ));
                    }
                    if is_nil(arg1) || is_nil(arg) {
                        is_nil(arg) == is_nil(arg1)
                    } else {
                        if !comparable(arg) {
                            return Err(format!(
                                "non-comparable type {}: {}",
                                sprint_one("%s", arg),
                                arg.type_name()
                            ));
                        }
                        values_equal(arg1, arg)
                    }
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn lt(a1: &Value, a2: &Value) -> Result<bool, String> {
    let k1 = basic_kind(a1);
    if k1 == BasicKind::Invalid {
        return Err("invalid type for comparison".into());
    }
    let k2 = basic_kind(a2);
    if k2 == BasicKind::Invalid {
        return Err("invalid type for comparison".into());
    }
    if k1 != k2 {
        return match (a1, a2) {
            (Value::Int(i, _), Value::Uint(u, _)) => Ok(*i < 0 || (*i as u64) < *u),
            (Value::Uint(u, _), Value::Int(i, _)) => Ok(*i >= 0 && *u < *i as u64),
            _ => Err("incompatible types for comparison".into()),
        };
    }
    match (a1, a2) {
        (Value::Float(x, _), Value::Float(y, _)) => Ok(x < y),
        (Value::Int(x, _), Value::Int(y, _)) => Ok(x < y),
        (Value::Str(x, _), Value::Str(y, _)) => Ok(x < y),
        (Value::Uint(x, _), Value::Uint(y, _)) => Ok(x < y),
        _ => Err("invalid type for comparison".into()),
    }
}

fn le(a1: &Value, a2: &Value) -> Result<bool, String> {
    if lt(a1, a2)? {
        return Ok(true);
    }
    eq(&[a1.clone(), a2.clone()])
}

/// Go's `evalArgs` for `html`, `js` and `urlquery`: one plain string is used as is, anything
/// else is printed as `fmt.Sprint` would after `printableValue`.
fn eval_args(args: &[Value]) -> Vec<u8> {
    if args.len() == 1 {
        if let Value::Str(s, t) = &args[0] {
            if std::ptr::eq(*t, &types::STRING) || t.name == "string" {
                return s.to_vec();
            }
        }
    }
    let printable: Vec<Value> = args
        .iter()
        .map(|a| {
            let a = if let Value::Ptr(..) = a {
                indirect(a).0
            } else {
                a.clone()
            };
            if let Value::Invalid = a {
                Value::string(b"<no value>")
            } else {
                a
            }
        })
        .collect();
    let mut out = Vec::new();
    sprint(&mut out, &printable);
    out
}

fn html_escape(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for &c in s {
        match c {
            0 => out.extend_from_slice("\u{FFFD}".as_bytes()),
            b'"' => out.extend_from_slice(b"&#34;"),
            b'\'' => out.extend_from_slice(b"&#39;"),
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            _ => out.push(c),
        }
    }
    out
}

fn js_escape(s: &[u8]) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c < 0x80 {
            match c {
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\'' => out.extend_from_slice(b"\\'"),
                b'"' => out.extend_from_slice(b"\\\""),
                b'<' => out.extend_from_slice(b"\\u003C"),
                b'>' => out.extend_from_slice(b"\\u003E"),
                b'&' => out.extend_from_slice(b"\\u0026"),
                b'=' => out.extend_from_slice(b"\\u003D"),
                _ if c < b' ' => {
                    out.extend_from_slice(b"\\u00");
                    out.push(HEX[(c >> 4) as usize]);
                    out.push(HEX[(c & 0xF) as usize]);
                }
                _ => out.push(c),
            }
            i += 1;
        } else {
            let (r, size) = decode_rune(&s[i..]);
            if is_print(r) {
                out.extend_from_slice(&s[i..i + size]);
            } else {
                out.extend_from_slice(format!("\\u{r:04X}").as_bytes());
            }
            i += size.max(1);
        }
    }
    out
}

fn url_query_escape(s: &[u8]) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = Vec::with_capacity(s.len());
    for &c in s {
        match c {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(c),
            b' ' => out.push(b'+'),
            _ => {
                out.push(b'%');
                out.push(HEX[(c >> 4) as usize]);
                out.push(HEX[(c & 0xF) as usize]);
            }
        }
    }
    out
}

fn string_value(b: Vec<u8>) -> Value {
    Value::Str(Arc::from(b), &types::STRING)
}

/// Runs a builtin (other than `and` and `or`, which the executor evaluates lazily) on its
/// converted arguments.
pub(crate) fn call_builtin(name: &str, args: &[Value]) -> Result<Value, String> {
    match name {
        "not" => Ok(Value::Bool(!is_true(&args[0]).0)),
        "len" => length(&args[0]),
        "index" => index(args),
        "slice" => slice(args),
        "eq" => eq(args).map(Value::Bool),
        "ne" => eq(args).map(|b| Value::Bool(!b)),
        "lt" => lt(&args[0], &args[1]).map(Value::Bool),
        "le" => le(&args[0], &args[1]).map(Value::Bool),
        "gt" => le(&args[0], &args[1]).map(|b| Value::Bool(!b)),
        "ge" => lt(&args[0], &args[1]).map(|b| Value::Bool(!b)),
        "print" => {
            let mut out = Vec::new();
            sprint(&mut out, args);
            Ok(string_value(out))
        }
        "println" => {
            let mut out = Vec::new();
            sprintln(&mut out, args);
            Ok(string_value(out))
        }
        "printf" => {
            let format = match &args[0] {
                Value::Str(s, _) => s.clone(),
                _ => Arc::from(&b""[..]),
            };
            let mut out = Vec::new();
            sprintf(&mut out, &format, &args[1..]);
            Ok(string_value(out))
        }
        "html" => Ok(string_value(html_escape(&eval_args(args)))),
        "js" => Ok(string_value(js_escape(&eval_args(args)))),
        "urlquery" => Ok(string_value(url_query_escape(&eval_args(args)))),
        "call" => match &args[0] {
            Value::Invalid => Err("call of nil".into()),
            other => Err(format!("non-function of type {}", other.type_name())),
        },
        _ => Err(format!("unknown builtin {name}")),
    }
}

/// Prints a value as `fmt.Sprint` would, into a new string (for error messages).
pub(crate) fn sprint_value(v: &Value) -> String {
    let mut out = Vec::new();
    print_one(&mut out, v);
    String::from_utf8_lossy(&out).into_owned()
}
