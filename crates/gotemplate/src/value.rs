//! The dynamic, typed value model: enough of Go's `reflect` to run templates over Go data.
//!
//! Every value carries its Go type (a `&'static TypeInfo`), because Go prints type names in
//! `%T` and in error messages, honours `String()` methods by type, and refuses to compare values of
//! different kinds. Composite values share their storage through `Arc`, so a value built once (an
//! event) is read by many executions without copying.

use std::sync::Arc;

use crate::time::Time;

/// A Go type, leaked or static so values can point at it cheaply.
pub type Ty = &'static TypeInfo;

/// The reflect kind of a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Bool,
    Int,
    Int8,
    Int16,
    Int32,
    Int64,
    Uint,
    Uint8,
    Uint16,
    Uint32,
    Uint64,
    Float32,
    Float64,
    Complex128,
    String,
    Struct,
    Pointer,
    Slice,
    Array,
    Map,
    Interface,
}

impl Kind {
    /// Whether the kind is one of Go's signed integer kinds.
    pub fn is_int(self) -> bool {
        matches!(
            self,
            Kind::Int | Kind::Int8 | Kind::Int16 | Kind::Int32 | Kind::Int64
        )
    }

    /// Whether the kind is one of Go's unsigned integer kinds.
    pub fn is_uint(self) -> bool {
        matches!(
            self,
            Kind::Uint | Kind::Uint8 | Kind::Uint16 | Kind::Uint32 | Kind::Uint64
        )
    }
}

/// A struct field's description.
#[derive(Debug)]
pub struct FieldInfo {
    /// The Go field name.
    pub name: &'static str,
    /// The field's type.
    pub ty: Ty,
    /// An embedded (anonymous) field, whose fields are promoted.
    pub embedded: bool,
}

/// The signature of a method implementation: receiver, then arguments already converted to the
/// parameter types. An `Err` becomes Go's `error calling NAME: MESSAGE`.
pub type MethodFn = fn(&Value, &[Value]) -> Result<Value, String>;

/// A method of a type (value receiver: callable on values and on pointers to them).
pub struct Method {
    /// The Go method name.
    pub name: &'static str,
    /// Parameter types, excluding the receiver.
    pub params: &'static [Ty],
    /// The number of results; methods with more than one non-error result cannot be called from
    /// a template, but are listed so the error names them as Go does.
    pub results: usize,
    /// Whether the last of two results is an `error` (then the method is callable).
    pub error_result: bool,
    /// The implementation.
    pub func: MethodFn,
}

impl std::fmt::Debug for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Method({})", self.name)
    }
}

/// A Go type.
#[derive(Debug)]
pub struct TypeInfo {
    /// `reflect.Type.String()`: `string`, `main.Target`, `*main.Event`, `[]string`.
    pub name: &'static str,
    /// The reflect kind.
    pub kind: Kind,
    /// Element type of pointers, slices, arrays and maps.
    pub elem: Option<Ty>,
    /// Key type of maps.
    pub key: Option<Ty>,
    /// Struct fields in declaration order.
    pub fields: &'static [FieldInfo],
    /// Methods with value receivers.
    pub methods: &'static [Method],
    /// Whether values of this type compare with `==` (Go's `Comparable`).
    pub comparable: bool,
}

impl TypeInfo {
    /// A type with no fields or methods.
    pub const fn basic(name: &'static str, kind: Kind) -> TypeInfo {
        TypeInfo {
            name,
            kind,
            elem: None,
            key: None,
            fields: &[],
            methods: &[],
            comparable: true,
        }
    }

    /// Looks a method up by name.
    pub fn method(&'static self, name: &str) -> Option<&'static Method> {
        self.methods.iter().find(|m| m.name == name)
    }

    /// Whether the type has a `String() string` method (Go's `fmt.Stringer`).
    pub fn stringer(&'static self) -> Option<&'static Method> {
        self.methods
            .iter()
            .find(|m| m.name == "String" && m.params.is_empty() && m.results == 1)
    }

    /// Finds a field by name, searching embedded structs breadth-first as Go's `FieldByName`.
    /// Returns the index path.
    pub fn field_path(&'static self, name: &str) -> Option<Vec<usize>> {
        if self.kind != Kind::Struct {
            return None;
        }
        if let Some(i) = self.fields.iter().position(|f| f.name == name) {
            return Some(vec![i]);
        }
        for (i, f) in self.fields.iter().enumerate() {
            if f.embedded {
                let inner = if f.ty.kind == Kind::Pointer {
                    f.ty.elem?
                } else {
                    f.ty
                };
                if let Some(mut rest) = inner.field_path(name) {
                    rest.insert(0, i);
                    return Some(rest);
                }
            }
        }
        None
    }

    /// Leaks a type description so values can refer to it for the rest of the process. Types are
    /// built a bounded number of times (once per data model), so the leak is bounded too.
    pub fn leak(self) -> Ty {
        Box::leak(Box::new(self))
    }
}

/// Go's predeclared types.
pub mod types {
    use super::{Kind, TypeInfo};

    /// `bool`.
    pub static BOOL: TypeInfo = TypeInfo::basic("bool", Kind::Bool);
    /// `int`.
    pub static INT: TypeInfo = TypeInfo::basic("int", Kind::Int);
    /// `int32` (`rune`).
    pub static INT32: TypeInfo = TypeInfo::basic("int32", Kind::Int32);
    /// `int64`.
    pub static INT64: TypeInfo = TypeInfo::basic("int64", Kind::Int64);
    /// `uint8` (`byte`).
    pub static UINT8: TypeInfo = TypeInfo::basic("uint8", Kind::Uint8);
    /// `uint64`.
    pub static UINT64: TypeInfo = TypeInfo::basic("uint64", Kind::Uint64);
    /// `float64`.
    pub static FLOAT64: TypeInfo = TypeInfo::basic("float64", Kind::Float64);
    /// `complex128`.
    pub static COMPLEX128: TypeInfo = TypeInfo::basic("complex128", Kind::Complex128);
    /// `string`.
    pub static STRING: TypeInfo = TypeInfo::basic("string", Kind::String);
    /// `[]string`.
    pub static STRING_SLICE: TypeInfo = TypeInfo {
        name: "[]string",
        kind: Kind::Slice,
        elem: Some(&STRING),
        key: None,
        fields: &[],
        methods: &[],
        comparable: false,
    };
    /// `[]uint8` (`[]byte`).
    pub static BYTE_SLICE: TypeInfo = TypeInfo {
        name: "[]uint8",
        kind: Kind::Slice,
        elem: Some(&UINT8),
        key: None,
        fields: &[],
        methods: &[],
        comparable: false,
    };
}

/// A Go string: bytes, as Go strings may hold invalid UTF-8.
pub type Str = Arc<[u8]>;

/// The backing store of a non-nil slice: `data[start..start+len]`, with `cap` elements available.
#[derive(Debug, Clone)]
pub struct SliceData {
    /// Shared elements, at least `start + cap` of them.
    pub data: Arc<[Value]>,
    /// First element of the slice.
    pub start: usize,
    /// Length.
    pub len: usize,
    /// Capacity (elements past `len` hold zero values).
    pub cap: usize,
}

impl SliceData {
    /// The visible elements.
    pub fn items(&self) -> &[Value] {
        &self.data[self.start..self.start + self.len]
    }
}

/// A Go value with its type. `Invalid` is reflect's zero `Value` (a missing map key, a nil
/// interface).
#[derive(Debug, Clone)]
pub enum Value {
    /// No value at all.
    Invalid,
    /// A boolean.
    Bool(bool),
    /// A signed integer of the given type.
    Int(i64, Ty),
    /// An unsigned integer of the given type.
    Uint(u64, Ty),
    /// A float of the given type.
    Float(f64, Ty),
    /// A complex128.
    Complex(f64, f64),
    /// A string of the given (string-kind) type.
    Str(Str, Ty),
    /// A `time.Time`.
    Time(Time),
    /// A struct: its type and fields in order.
    Struct(Ty, Arc<[Value]>),
    /// A pointer (type is the pointer type); `None` is nil.
    Ptr(Ty, Option<Arc<Value>>),
    /// A slice; `None` is a nil slice.
    Slice(Ty, Option<SliceData>),
    /// An array.
    Array(Ty, Arc<[Value]>),
    /// A map with entries sorted by key as Go's `fmtsort` orders them; `None` is a nil map.
    Map(Ty, Option<Arc<[(Value, Value)]>>),
}

impl Value {
    /// A plain Go `string`.
    pub fn string(s: &[u8]) -> Value {
        Value::Str(Arc::from(s), &types::STRING)
    }

    /// A Go `int`.
    pub fn int(i: i64) -> Value {
        Value::Int(i, &types::INT)
    }

    /// A Go `bool`.
    pub fn bool(b: bool) -> Value {
        Value::Bool(b)
    }

    /// A slice of the given type; `None` is a nil slice. Capacity equals length.
    pub fn slice(ty: Ty, items: Option<Vec<Value>>) -> Value {
        Value::Slice(
            ty,
            items.map(|v| {
                let len = v.len();
                SliceData {
                    data: Arc::from(v),
                    start: 0,
                    len,
                    cap: len,
                }
            }),
        )
    }

    /// A slice as Go's `encoding/json` builds it: capacity grows 4, 6, 9, 13, … and the spare
    /// elements are zero values, which `slice` with three indexes can reveal.
    pub fn json_slice(ty: Ty, items: Option<Vec<Value>>) -> Value {
        let Some(mut items) = items else {
            return Value::Slice(ty, None);
        };
        let len = items.len();
        let mut cap = 0usize;
        while cap < len {
            cap += cap / 2;
            if cap < 4 {
                cap = 4;
            }
        }
        if len == 0 {
            cap = 0;
        }
        if let Some(elem) = ty.elem {
            while items.len() < cap {
                items.push(Value::zero(elem));
            }
        }
        let cap = items.len();
        Value::Slice(
            ty,
            Some(SliceData {
                data: Arc::from(items),
                start: 0,
                len,
                cap,
            }),
        )
    }

    /// The zero value of a type.
    pub fn zero(ty: Ty) -> Value {
        match ty.kind {
            Kind::Bool => Value::Bool(false),
            k if k.is_int() => Value::Int(0, ty),
            k if k.is_uint() => Value::Uint(0, ty),
            Kind::Float32 | Kind::Float64 => Value::Float(0.0, ty),
            Kind::Complex128 => Value::Complex(0.0, 0.0),
            Kind::String => Value::Str(Arc::from(&b""[..]), ty),
            Kind::Struct if std::ptr::eq(ty, &crate::time::TIME) => Value::Time(Time::ZERO),
            Kind::Struct => {
                Value::Struct(ty, ty.fields.iter().map(|f| Value::zero(f.ty)).collect())
            }
            Kind::Pointer => Value::Ptr(ty, None),
            Kind::Slice => Value::Slice(ty, None),
            Kind::Array => Value::Array(ty, Arc::from(Vec::new())),
            Kind::Map => Value::Map(ty, None),
            _ => Value::Invalid,
        }
    }

    /// The value's type; `None` for `Invalid`.
    pub fn ty(&self) -> Option<Ty> {
        Some(match self {
            Value::Invalid => return None,
            Value::Bool(_) => &types::BOOL,
            Value::Int(_, t) | Value::Uint(_, t) | Value::Float(_, t) | Value::Str(_, t) => t,
            Value::Complex(..) => &types::COMPLEX128,
            Value::Time(_) => &crate::time::TIME,
            Value::Struct(t, _)
            | Value::Ptr(t, _)
            | Value::Slice(t, _)
            | Value::Array(t, _)
            | Value::Map(t, _) => t,
        })
    }

    /// The type's name, `<nil>` for `Invalid`.
    pub fn type_name(&self) -> &'static str {
        self.ty().map_or("<nil>", |t| t.name)
    }

    /// The reflect kind; `None` for `Invalid`.
    pub fn kind(&self) -> Option<Kind> {
        match self {
            Value::Time(_) => Some(Kind::Struct),
            _ => self.ty().map(|t| t.kind),
        }
    }

    /// Length of arrays, slices, maps and strings.
    pub fn len(&self) -> Option<usize> {
        match self {
            Value::Str(s, _) => Some(s.len()),
            Value::Slice(_, d) => Some(d.as_ref().map_or(0, |d| d.len)),
            Value::Array(_, a) => Some(a.len()),
            Value::Map(_, m) => Some(m.as_ref().map_or(0, |m| m.len())),
            _ => None,
        }
    }

    /// Whether `len` is zero (for types that have a length).
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }
}
