//! The `go` engine: tsuru's Go `text/template`, run over the event as tsuru's Go type.
//!
//! The template language, `fmt` printing and `time.Time` live in the `hooktest-gotemplate` crate;
//! this module describes tsuru's event type to it (field order, embedding, `String()` methods,
//! `ObjectID`) and converts an [`Event`] into that typed value once per event.
//!
//! Type names carry a package prefix: tsuru's types print as `event.Target`, `*event.Event`; the
//! oracle used to generate the test corpus declares the same types in package `main`, so the
//! corpus test builds its data with [`GoData::with_package`]`("main")` and compares byte for byte.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use hooktest_gotemplate::value::types;
use hooktest_gotemplate::{FieldInfo, Kind, Method, Template, Time, Ty, TypeInfo, Value};

use crate::event::{
    AllowedPermission, Event, ExtraTarget, GoTime, Instance, LogEntry, PermissionContext, Target,
};

/// A Go template body that failed to parse: Go's message and the 1-based line (and column when
/// known) inside the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoParseError {
    pub message: String,
    pub line: usize,
    pub column: Option<usize>,
}

/// A Go template that failed while executing, with Go's own message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoExecError {
    pub message: String,
}

/// A static finding about a parsed template (for `validate`), at a 1-based line and column of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoCheck {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// The event prepared once as the Go engine's data value, shared by every hook that renders it.
pub struct GoData {
    value: Value,
}

impl GoData {
    /// Converts the event into tsuru's Go value (`*event.Event`).
    pub fn new(event: &Event) -> GoData {
        static TSURU: OnceLock<&'static EventTypes> = OnceLock::new();
        let t = TSURU.get_or_init(|| EventTypes::get("event"));
        GoData {
            value: t.event_value(event),
        }
    }

    /// Converts the event with its types declared in package `package` (`event` for tsuru,
    /// `main` for the corpus oracle).
    pub fn with_package(event: &Event, package: &str) -> GoData {
        let t = EventTypes::get(package);
        GoData {
            value: t.event_value(event),
        }
    }
}

/// A parsed Go template body.
pub struct GoBody {
    template: Template,
}

impl GoBody {
    /// Parses a body as tsuru does (`template.New("hook").Parse(body)`).
    pub fn parse(source: &str) -> Result<GoBody, GoParseError> {
        match Template::parse("hook", source) {
            Ok(template) => Ok(GoBody { template }),
            Err(e) => Err(GoParseError {
                message: e.message,
                line: e.line,
                column: None,
            }),
        }
    }

    /// Executes the body over an event, returning what tsuru would send.
    pub fn execute(&self, data: &GoData) -> Result<String, GoExecError> {
        self.template
            .execute_to_string(&data.value)
            .map_err(|e| GoExecError { message: e.message })
    }

    /// Executes the body, appending raw bytes (Go may produce invalid UTF-8 by slicing strings).
    pub fn execute_bytes(&self, data: &GoData, out: &mut Vec<u8>) -> Result<(), GoExecError> {
        self.template
            .execute(&data.value, out)
            .map_err(|e| GoExecError { message: e.message })
    }

    /// Static checks for `validate`: fields the event type does not have, wrong argument counts
    /// for methods and builtins, each with the message Go would give when executing.
    pub fn check(&self) -> Vec<GoCheck> {
        let dot = EventTypes::get("event").event_ptr;
        self.template
            .check(dot)
            .into_iter()
            .map(|f| {
                let (line, column) = self.template.line_col(f.offset);
                GoCheck {
                    line,
                    column,
                    message: f.message,
                }
            })
            .collect()
    }
}

/// tsuru's event types, declared once per package name.
struct EventTypes {
    event_ptr: Ty,
    event: Ty,
    event_data: Ty,
    object_id: Ty,
    target: Ty,
    target_ptr: Ty,
    target_type: Ty,
    extra_target: Ty,
    extra_targets: Ty,
    kind: Ty,
    kind_type: Ty,
    owner: Ty,
    owner_type: Ty,
    log_entry: Ty,
    log_entries: Ty,
    cancel_info: Ty,
    permission_context: Ty,
    permission_contexts: Ty,
    allowed: Ty,
    instance: Ty,
}

fn leak_str(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn leak_fields(f: Vec<FieldInfo>) -> &'static [FieldInfo] {
    Box::leak(f.into_boxed_slice())
}

fn field(name: &'static str, ty: Ty) -> FieldInfo {
    FieldInfo {
        name,
        ty,
        embedded: false,
    }
}

fn str_field(v: &Value, i: usize) -> &[u8] {
    match v {
        Value::Struct(_, f) => match f.get(i) {
            Some(Value::Str(s, _)) => s,
            _ => b"",
        },
        Value::Ptr(_, Some(p)) => str_field(p, i),
        _ => b"",
    }
}

fn string_result(b: Vec<u8>) -> Value {
    Value::Str(Arc::from(b), &types::STRING)
}

fn object_id_bytes(v: &Value) -> Vec<u8> {
    match v {
        Value::Array(_, a) => a
            .iter()
            .map(|b| match b {
                Value::Uint(u, _) => *u as u8,
                _ => 0,
            })
            .collect(),
        Value::Ptr(_, Some(p)) => object_id_bytes(p),
        _ => Vec::new(),
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 0xF) as usize] as char);
    }
    out
}

static TARGET_METHODS: [Method; 1] = [Method {
    name: "String",
    params: &[],
    results: 1,
    error_result: false,
    // fmt.Sprintf("%s(%s)", t.Type, t.Value)
    func: |v, _| {
        let mut out = str_field(v, 0).to_vec();
        out.push(b'(');
        out.extend_from_slice(str_field(v, 1));
        out.push(b')');
        Ok(string_result(out))
    },
}];

static KIND_METHODS: [Method; 1] = [Method {
    name: "String",
    params: &[],
    results: 1,
    error_result: false,
    func: |v, _| Ok(string_result(str_field(v, 1).to_vec())),
}];

static OWNER_METHODS: [Method; 1] = [Method {
    name: "String",
    params: &[],
    results: 1,
    error_result: false,
    // fmt.Sprintf("%s %s", o.Type, o.Name)
    func: |v, _| {
        let mut out = str_field(v, 0).to_vec();
        out.push(b' ');
        out.extend_from_slice(str_field(v, 1));
        Ok(string_result(out))
    },
}];

static OBJECT_ID_METHODS: [Method; 3] = [
    Method {
        name: "Hex",
        params: &[],
        results: 1,
        error_result: false,
        func: |v, _| Ok(string_result(hex(&object_id_bytes(v)).into_bytes())),
    },
    Method {
        name: "MarshalJSON",
        params: &[],
        results: 2,
        error_result: true,
        func: |v, _| {
            let json = format!("\"{}\"", hex(&object_id_bytes(v)));
            Ok(Value::slice(
                &types::BYTE_SLICE,
                Some(
                    json.bytes()
                        .map(|b| Value::Uint(b as u64, &types::UINT8))
                        .collect(),
                ),
            ))
        },
    },
    Method {
        name: "String",
        params: &[],
        results: 1,
        error_result: false,
        // fmt.Sprintf("ObjectID(%q)", id.Hex())
        func: |v, _| {
            Ok(string_result(
                format!("ObjectID(\"{}\")", hex(&object_id_bytes(v))).into_bytes(),
            ))
        },
    },
];

impl EventTypes {
    fn get(package: &str) -> &'static EventTypes {
        static CACHE: OnceLock<Mutex<HashMap<String, &'static EventTypes>>> = OnceLock::new();
        let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
        let mut guard = cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = guard.get(package) {
            return t;
        }
        let t: &'static EventTypes = Box::leak(Box::new(EventTypes::build(package)));
        guard.insert(package.to_string(), t);
        t
    }

    fn build(p: &str) -> EventTypes {
        let name = |n: &str| leak_str(format!("{p}.{n}"));
        let time: Ty = &hooktest_gotemplate::time::TIME;
        let string: Ty = &types::STRING;
        let boolean: Ty = &types::BOOL;
        let named_string = |n: &str| TypeInfo::basic(name(n), Kind::String).leak();
        let strukt = |n: &'static str,
                      fields: Vec<FieldInfo>,
                      methods: &'static [Method],
                      comparable: bool| {
            TypeInfo {
                name: n,
                kind: Kind::Struct,
                elem: None,
                key: None,
                fields: leak_fields(fields),
                methods,
                comparable,
            }
            .leak()
        };
        let slice_of = |elem: Ty| {
            TypeInfo {
                name: leak_str(format!("[]{}", elem.name)),
                kind: Kind::Slice,
                elem: Some(elem),
                key: None,
                fields: &[],
                methods: &[],
                comparable: false,
            }
            .leak()
        };
        let ptr_to = |elem: Ty| {
            TypeInfo {
                name: leak_str(format!("*{}", elem.name)),
                kind: Kind::Pointer,
                elem: Some(elem),
                key: None,
                fields: &[],
                methods: &[],
                comparable: true,
            }
            .leak()
        };

        let object_id = TypeInfo {
            name: name("ObjectID"),
            kind: Kind::Array,
            elem: Some(&types::UINT8),
            key: None,
            fields: &[],
            methods: &OBJECT_ID_METHODS,
            comparable: true,
        }
        .leak();
        let target_type = named_string("TargetType");
        let target = strukt(
            name("Target"),
            vec![field("Type", target_type), field("Value", string)],
            &TARGET_METHODS,
            true,
        );
        let target_ptr = ptr_to(target);
        let extra_target = strukt(
            name("ExtraTarget"),
            vec![field("Target", target), field("Lock", boolean)],
            &[],
            true,
        );
        let extra_targets = slice_of(extra_target);
        let kind_type = named_string("kindType");
        let kind = strukt(
            name("Kind"),
            vec![field("Type", kind_type), field("Name", string)],
            &KIND_METHODS,
            true,
        );
        let owner_type = named_string("ownerType");
        let owner = strukt(
            name("Owner"),
            vec![field("Type", owner_type), field("Name", string)],
            &OWNER_METHODS,
            true,
        );
        let log_entry = strukt(
            name("LogEntry"),
            vec![field("Date", time), field("Message", string)],
            &[],
            true,
        );
        let log_entries = slice_of(log_entry);
        let cancel_info = strukt(
            name("cancelInfo"),
            vec![
                field("Owner", string),
                field("StartTime", time),
                field("AckTime", time),
                field("Reason", string),
                field("Asked", boolean),
                field("Canceled", boolean),
            ],
            &[],
            true,
        );
        let permission_context = strukt(
            name("PermissionContext"),
            vec![field("CtxType", string), field("Value", string)],
            &[],
            true,
        );
        let permission_contexts = slice_of(permission_context);
        let allowed = strukt(
            name("AllowedPermission"),
            vec![
                field("Scheme", string),
                field("Contexts", permission_contexts),
            ],
            &[],
            false,
        );
        let instance = strukt(
            name("Instance"),
            vec![
                field("Name", string),
                field("Port", string),
                field("TLSPort", string),
                field("Addresses", &types::STRING_SLICE),
                field("LastUpdate", time),
            ],
            &[],
            false,
        );
        let event_data = strukt(
            name("EventData"),
            vec![
                field("UniqueID", object_id),
                field("Lock", target_ptr),
                field("StartTime", time),
                field("EndTime", time),
                field("ExpireAt", time),
                field("Target", target),
                field("ExtraTargets", extra_targets),
                field("Kind", kind),
                field("Owner", owner),
                field("SourceIP", string),
                field("LockUpdateTime", time),
                field("Error", string),
                field("Log", string),
                field("StructuredLog", log_entries),
                field("CancelInfo", cancel_info),
                field("Cancelable", boolean),
                field("Running", boolean),
                field("Allowed", allowed),
                field("AllowedCancel", allowed),
                field("Instance", instance),
            ],
            &[],
            false,
        );
        let event = strukt(
            name("Event"),
            vec![FieldInfo {
                name: "EventData",
                ty: event_data,
                embedded: true,
            }],
            &[],
            false,
        );
        let event_ptr = ptr_to(event);
        EventTypes {
            event_ptr,
            event,
            event_data,
            object_id,
            target,
            target_ptr,
            target_type,
            extra_target,
            extra_targets,
            kind,
            kind_type,
            owner,
            owner_type,
            log_entry,
            log_entries,
            cancel_info,
            permission_context,
            permission_contexts,
            allowed,
            instance,
        }
    }

    fn event_value(&self, e: &Event) -> Value {
        let s = |x: &str| Value::string(x.as_bytes());
        let data = Value::Struct(
            self.event_data,
            Arc::from([
                Value::Array(
                    self.object_id,
                    e.unique_id
                        .0
                        .iter()
                        .map(|b| Value::Uint(*b as u64, &types::UINT8))
                        .collect(),
                ),
                Value::Ptr(
                    self.target_ptr,
                    e.lock.as_ref().map(|t| Arc::new(self.target_value(t))),
                ),
                time(&e.start_time),
                time(&e.end_time),
                time(&e.expire_at),
                self.target_value(&e.target),
                Value::json_slice(
                    self.extra_targets,
                    e.extra_targets
                        .as_ref()
                        .map(|v| v.iter().map(|x| self.extra_target_value(x)).collect()),
                ),
                Value::Struct(
                    self.kind,
                    Arc::from([
                        Value::Str(Arc::from(e.kind.kind_type.as_bytes()), self.kind_type),
                        s(&e.kind.name),
                    ]),
                ),
                Value::Struct(
                    self.owner,
                    Arc::from([
                        Value::Str(Arc::from(e.owner.owner_type.as_bytes()), self.owner_type),
                        s(&e.owner.name),
                    ]),
                ),
                s(&e.source_ip),
                time(&e.lock_update_time),
                s(&e.error),
                s(&e.log),
                Value::json_slice(
                    self.log_entries,
                    e.structured_log
                        .as_ref()
                        .map(|v| v.iter().map(|x| self.log_entry_value(x)).collect()),
                ),
                Value::Struct(
                    self.cancel_info,
                    Arc::from([
                        s(&e.cancel_info.owner),
                        time(&e.cancel_info.start_time),
                        time(&e.cancel_info.ack_time),
                        s(&e.cancel_info.reason),
                        Value::Bool(e.cancel_info.asked),
                        Value::Bool(e.cancel_info.canceled),
                    ]),
                ),
                Value::Bool(e.cancelable),
                Value::Bool(e.running),
                self.allowed_value(&e.allowed),
                self.allowed_value(&e.allowed_cancel),
                self.instance_value(&e.instance),
            ]),
        );
        let event = Value::Struct(self.event, Arc::from([data]));
        Value::Ptr(self.event_ptr, Some(Arc::new(event)))
    }

    fn target_value(&self, t: &Target) -> Value {
        Value::Struct(
            self.target,
            Arc::from([
                Value::Str(Arc::from(t.target_type.as_bytes()), self.target_type),
                Value::string(t.value.as_bytes()),
            ]),
        )
    }

    fn extra_target_value(&self, x: &ExtraTarget) -> Value {
        Value::Struct(
            self.extra_target,
            Arc::from([self.target_value(&x.target), Value::Bool(x.lock)]),
        )
    }

    fn log_entry_value(&self, x: &LogEntry) -> Value {
        Value::Struct(
            self.log_entry,
            Arc::from([time(&x.date), Value::string(x.message.as_bytes())]),
        )
    }

    fn context_value(&self, x: &PermissionContext) -> Value {
        Value::Struct(
            self.permission_context,
            Arc::from([
                Value::string(x.ctx_type.as_bytes()),
                Value::string(x.value.as_bytes()),
            ]),
        )
    }

    fn allowed_value(&self, a: &AllowedPermission) -> Value {
        Value::Struct(
            self.allowed,
            Arc::from([
                Value::string(a.scheme.as_bytes()),
                Value::json_slice(
                    self.permission_contexts,
                    a.contexts
                        .as_ref()
                        .map(|v| v.iter().map(|x| self.context_value(x)).collect()),
                ),
            ]),
        )
    }

    fn instance_value(&self, i: &Instance) -> Value {
        Value::Struct(
            self.instance,
            Arc::from([
                Value::string(i.name.as_bytes()),
                Value::string(i.port.as_bytes()),
                Value::string(i.tls_port.as_bytes()),
                Value::json_slice(
                    &types::STRING_SLICE,
                    i.addresses
                        .as_ref()
                        .map(|v| v.iter().map(|a| Value::string(a.as_bytes())).collect()),
                ),
                time(&i.last_update),
            ]),
        )
    }
}

fn time(t: &GoTime) -> Value {
    Value::Time(Time::with_offset(t.unix, t.nanos, t.offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> Event {
        let v: serde_json::Value = serde_json::from_str(
            r#"{"UniqueID": "66f2a1c4e13b5a0001a3f7d2", "StartTime": "2024-09-24T11:02:28.412Z",
                "Target": {"Type": "app", "Value": "checkout-api"},
                "Kind": {"Type": "permission", "Name": "app.deploy"},
                "Owner": {"Type": "user", "Name": "maria@example.com"}}"#,
        )
        .unwrap();
        let mut findings = Vec::new();
        Event::from_json(&v, &crate::located::PathBuf::root(), &mut findings).unwrap()
    }

    fn render(body: &str) -> Result<String, String> {
        let b = GoBody::parse(body).map_err(|e| e.message)?;
        b.execute(&GoData::new(&event())).map_err(|e| e.message)
    }

    #[test]
    fn prints_tsuru_types_as_go_does() {
        assert_eq!(
            render("{{.Kind}} {{.Target}} {{.Owner}}").unwrap(),
            "app.deploy app(checkout-api) user maria@example.com"
        );
        assert_eq!(
            render("{{.UniqueID.Hex}}").unwrap(),
            "66f2a1c4e13b5a0001a3f7d2"
        );
        assert_eq!(
            render("{{.StartTime}}").unwrap(),
            "2024-09-24 11:02:28.412 +0000 UTC"
        );
        assert_eq!(render("{{.Lock}} {{.ExtraTargets}}").unwrap(), "<nil> []");
    }

    #[test]
    fn check_finds_unknown_fields_and_bad_arity() {
        let b = GoBody::parse("ok {{.Target.Value}}\n {{.Nope}} {{.Target.Nope}}\n{{range .ExtraTargets}}{{.Target.Bad}}{{end}}{{.StartTime.Format}}{{len}}{{with .Lock}}{{.Value}}{{.X}}{{end}}").unwrap();
        let found: Vec<(usize, usize, String)> = b
            .check()
            .into_iter()
            .map(|c| (c.line, c.column, c.message))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    2,
                    4,
                    "can't evaluate field Nope in type *event.Event".to_string()
                ),
                (
                    2,
                    21,
                    "can't evaluate field Nope in type event.Target".to_string()
                ),
                (
                    3,
                    33,
                    "can't evaluate field Bad in type event.Target".to_string()
                ),
                (
                    3,
                    58,
                    "wrong number of args for Format: want 1 got 0".to_string()
                ),
                (
                    3,
                    69,
                    "wrong number of args for len: want 1 got 0".to_string()
                ),
                (
                    3,
                    100,
                    "can't evaluate field X in type *event.Target".to_string()
                ),
            ]
        );
        assert!(GoBody::parse(
            "{{.StartTime.UTC.Year}} {{printf \"%s\" .Kind}} {{$t := .Target}}{{$t.Value}}"
        )
        .unwrap()
        .check()
        .is_empty());
    }

    #[test]
    fn errors_name_tsurus_types() {
        assert_eq!(
            render("{{.Nope}}").unwrap_err(),
            "template: hook:1:2: executing \"hook\" at <.Nope>: can't evaluate field Nope in type *event.Event"
        );
    }
}
