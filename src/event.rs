//! The tsuru event: a typed mirror of tsuru's `event.Event`, read from either JSON shape.
//!
//! Fields follow tsuru's Go type in order and meaning; a field left out of a file takes Go's zero
//! value, so a five-line fixture is a complete event. Three views are offered elsewhere: the Go
//! `json.Marshal` body ([`crate::gojson`]), the Go template value and the Tera context.

use std::fmt;

use serde_json::{Map, Value};

use crate::located::{Finding, PathBuf as JsonPath};

/// tsuru's `ObjectID`: twelve bytes, written as 24 hex characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ObjectId(pub [u8; 12]);

impl ObjectId {
    /// The bare lowercase hex form, as `{{.UniqueID.Hex}}` prints it.
    pub fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Parses 24 hex characters, as Go's `ObjectID.UnmarshalJSON` does.
    pub fn parse(text: &str) -> Option<ObjectId> {
        // Go's `hex.DecodeString` takes hex digits only; `from_str_radix` alone would also take a
        // leading `+` ("+f" as 15).
        if text.len() != 24 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mut bytes = [0u8; 12];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(ObjectId(bytes))
    }
}

impl fmt::Display for ObjectId {
    /// Go's `ObjectID.String()`: `ObjectID("66f2…")`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectID(\"{}\")", self.hex())
    }
}

/// A Go `time.Time` as tsuru's JSON carries it: an instant plus the offset it was written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GoTime {
    /// Seconds since the Unix epoch (negative before 1970; Go's zero time is year 1).
    pub unix: i64,
    /// Nanoseconds within the second.
    pub nanos: u32,
    /// Offset east of UTC in seconds; `None` for UTC itself (written `Z`).
    pub offset: Option<i32>,
}

/// Seconds from 0001-01-01T00:00:00Z to the Unix epoch.
pub const ZERO_TIME_UNIX: i64 = -62_135_596_800;

impl Default for GoTime {
    fn default() -> Self {
        GoTime::ZERO
    }
}

impl GoTime {
    /// Go's zero `time.Time`: `0001-01-01T00:00:00Z`.
    pub const ZERO: GoTime = GoTime {
        unix: ZERO_TIME_UNIX,
        nanos: 0,
        offset: None,
    };

    /// Whether this is Go's zero time (`IsZero`).
    pub fn is_zero(&self) -> bool {
        self.unix == ZERO_TIME_UNIX && self.nanos == 0
    }

    /// Parses an RFC 3339 timestamp as Go's `time.Time.UnmarshalJSON` accepts it.
    pub fn parse_rfc3339(text: &str) -> Option<GoTime> {
        let parsed = chrono::DateTime::parse_from_rfc3339(text).ok()?;
        // chrono accepts a space or lowercase `t`/`z`; Go does not.
        let bytes = text.as_bytes();
        if bytes.len() < 20
            || bytes[10] != b'T'
            || !(text.ends_with('Z')
                || bytes[bytes.len() - 6] == b'+'
                || bytes[bytes.len() - 6] == b'-')
        {
            return None;
        }
        let offset = parsed.offset().local_minus_utc();
        let nanos = parsed.timestamp_subsec_nanos();
        // chrono reads a leap second (`:60`) as nanoseconds past 1e9; Go refuses it ("second out
        // of range"), so the event does not load in tsuru either.
        if nanos >= 1_000_000_000 {
            return None;
        }
        Some(GoTime {
            unix: parsed.timestamp(),
            nanos,
            offset: if text.ends_with('Z') || offset == 0 {
                None
            } else {
                Some(offset)
            },
        })
    }

    /// The offset in seconds east of UTC (0 for UTC).
    pub fn offset_seconds(&self) -> i32 {
        self.offset.unwrap_or(0)
    }

    /// The wall-clock date and time in the time's own offset.
    pub fn civil(&self) -> chrono::NaiveDateTime {
        let local = self.unix + i64::from(self.offset_seconds());
        chrono::DateTime::from_timestamp(local, self.nanos)
            .map(|d| d.naive_utc())
            .unwrap_or_default()
    }

    /// Go's `time.RFC3339Nano` layout, the form `json.Marshal` writes: the fraction loses its
    /// trailing zeros (`.600` → `.6`, `.000` → nothing), the offset is `Z` or `±hh:mm`.
    pub fn rfc3339_nano(&self) -> String {
        let civil = self.civil();
        let mut out = civil.format("%Y-%m-%dT%H:%M:%S").to_string();
        if self.nanos != 0 {
            let frac = format!("{:09}", self.nanos);
            out.push('.');
            out.push_str(frac.trim_end_matches('0'));
        }
        match self.offset {
            None => out.push('Z'),
            Some(off) => {
                let sign = if off < 0 { '-' } else { '+' };
                let abs = off.unsigned_abs();
                out.push_str(&format!("{sign}{:02}:{:02}", abs / 3600, (abs / 60) % 60));
            }
        }
        out
    }
}

/// `event.Target`: prints as `type(value)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target {
    pub target_type: String,
    pub value: String,
}

/// One entry of `ExtraTargets`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtraTarget {
    pub target: Target,
    pub lock: bool,
}

/// `event.Kind`: `permission` or `internal`, and the kind name; prints as the name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kind {
    pub kind_type: String,
    pub name: String,
}

/// `event.Owner`: prints as `type name`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Owner {
    pub owner_type: String,
    pub name: String,
}

/// One entry of `StructuredLog`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogEntry {
    pub date: GoTime,
    pub message: String,
}

/// `event.cancelInfo`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CancelInfo {
    pub owner: String,
    pub start_time: GoTime,
    pub ack_time: GoTime,
    pub reason: String,
    pub asked: bool,
    pub canceled: bool,
}

/// `permission.PermissionContext` as events carry it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PermissionContext {
    pub ctx_type: String,
    pub value: String,
}

/// `event.AllowedPermission`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedPermission {
    pub scheme: String,
    /// `None` is Go's nil slice (`null` in JSON).
    pub contexts: Option<Vec<PermissionContext>>,
}

/// `event.Instance`: the tsuru API instance that ran the event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Instance {
    pub name: String,
    pub port: String,
    pub tls_port: String,
    pub addresses: Option<Vec<String>>,
    pub last_update: GoTime,
}

/// A tsuru event, field for field as tsuru's `eventData`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Event {
    pub unique_id: ObjectId,
    /// `None` is a nil `*Target`.
    pub lock: Option<Target>,
    pub start_time: GoTime,
    pub end_time: GoTime,
    pub expire_at: GoTime,
    pub target: Target,
    pub extra_targets: Option<Vec<ExtraTarget>>,
    pub kind: Kind,
    pub owner: Owner,
    pub source_ip: String,
    pub lock_update_time: GoTime,
    pub error: String,
    pub log: String,
    pub structured_log: Option<Vec<LogEntry>>,
    pub cancel_info: CancelInfo,
    pub cancelable: bool,
    pub running: bool,
    pub allowed: AllowedPermission,
    pub allowed_cancel: AllowedPermission,
    pub instance: Instance,
}

/// The JSON keys of an event, in tsuru's field order.
pub const EVENT_KEYS: &[&str] = &[
    "UniqueID",
    "Lock",
    "StartTime",
    "EndTime",
    "ExpireAt",
    "Target",
    "ExtraTargets",
    "Kind",
    "Owner",
    "SourceIP",
    "LockUpdateTime",
    "Error",
    "Log",
    "StructuredLog",
    "CancelInfo",
    "Cancelable",
    "Running",
    "Allowed",
    "AllowedCancel",
    "Instance",
];

/// Keys of the legacy shape (tsuru ≤ 1.21) that are accepted and ignored.
const LEGACY_KEYS: &[&str] = &["ID", "StartCustomData", "EndCustomData", "OtherCustomData"];

impl Event {
    /// Whether tsuru counts the event as a success (`Error` empty).
    pub fn is_success(&self) -> bool {
        self.error.is_empty()
    }

    /// Reads an event from a JSON value, collecting every problem as a finding at its path.
    ///
    /// Like Go's `json.Unmarshal`, keys match case-insensitively and `null` leaves the zero value.
    /// Unknown keys are warnings; wrong types are errors.
    pub fn from_json(value: &Value, path: &JsonPath, findings: &mut Vec<Finding>) -> Option<Event> {
        let base = Here::Base(path);
        let path = &base;
        let mut r = Reader { findings, ok: true };
        let obj = r.object(value, path, "an event")?;
        let mut event = Event::default();
        let mut legacy_id = None;
        for (key, v) in obj {
            let p = path.key(key);
            match canonical(key, EVENT_KEYS).or_else(|| canonical(key, LEGACY_KEYS)) {
                Some("UniqueID") => {
                    if let Some(id) = r.object_id(v, &p) {
                        event.unique_id = id;
                    }
                }
                Some("Lock") => {
                    // A pointer: `null` sets it to nil, as Go does (`"Lock": {…}, "lock": null`).
                    event.lock = if v.is_null() { None } else { r.target(v, &p) };
                }
                Some("StartTime") => r.time(v, &p, &mut event.start_time),
                Some("EndTime") => r.time(v, &p, &mut event.end_time),
                Some("ExpireAt") => r.time(v, &p, &mut event.expire_at),
                Some("Target") => {
                    if let Some(t) = r.target(v, &p) {
                        event.target = t;
                    }
                }
                Some("ExtraTargets") => {
                    event.extra_targets = r.list(v, &p, |r, item, ip| {
                        // A `null` element is the zero value in Go, not an error.
                        let mut extra = ExtraTarget::default();
                        let Some(obj) = r.object_or_null(item, ip, "an extra target") else {
                            return item.is_null().then_some(extra);
                        };
                        for (k, v) in obj {
                            let kp = ip.key(k);
                            match canonical(k, &["Target", "Lock"]) {
                                Some("Target") => {
                                    extra.target = r.target(v, &kp).unwrap_or_default()
                                }
                                Some("Lock") => r.bool(v, &kp, &mut extra.lock),
                                _ => r.unknown(&kp),
                            }
                        }
                        Some(extra)
                    })
                }
                Some("Kind") => {
                    let (t, n) = r.pair(v, &p, "Type", "Name");
                    event.kind = Kind {
                        kind_type: t,
                        name: n,
                    };
                }
                Some("Owner") => {
                    let (t, n) = r.pair(v, &p, "Type", "Name");
                    event.owner = Owner {
                        owner_type: t,
                        name: n,
                    };
                }
                Some("SourceIP") => r.string(v, &p, &mut event.source_ip),
                Some("LockUpdateTime") => r.time(v, &p, &mut event.lock_update_time),
                Some("Error") => r.string(v, &p, &mut event.error),
                Some("Log") => r.string(v, &p, &mut event.log),
                Some("StructuredLog") => {
                    event.structured_log = r.list(v, &p, |r, item, ip| {
                        let mut entry = LogEntry::default();
                        let Some(obj) = r.object_or_null(item, ip, "a log entry") else {
                            return item.is_null().then_some(entry);
                        };
                        for (k, v) in obj {
                            let kp = ip.key(k);
                            match canonical(k, &["Date", "Message"]) {
                                Some("Date") => r.time(v, &kp, &mut entry.date),
                                Some("Message") => r.string(v, &kp, &mut entry.message),
                                _ => r.unknown(&kp),
                            }
                        }
                        Some(entry)
                    })
                }
                Some("CancelInfo") => {
                    if let Some(obj) = r.object_or_null(v, &p, "a cancel info object") {
                        let ci = &mut event.cancel_info;
                        for (k, v) in obj {
                            let kp = p.key(k);
                            match canonical(
                                k,
                                &[
                                    "Owner",
                                    "StartTime",
                                    "AckTime",
                                    "Reason",
                                    "Asked",
                                    "Canceled",
                                ],
                            ) {
                                Some("Owner") => r.string(v, &kp, &mut ci.owner),
                                Some("StartTime") => r.time(v, &kp, &mut ci.start_time),
                                Some("AckTime") => r.time(v, &kp, &mut ci.ack_time),
                                Some("Reason") => r.string(v, &kp, &mut ci.reason),
                                Some("Asked") => r.bool(v, &kp, &mut ci.asked),
                                Some("Canceled") => r.bool(v, &kp, &mut ci.canceled),
                                _ => r.unknown(&kp),
                            }
                        }
                    }
                }
                Some("Cancelable") => r.bool(v, &p, &mut event.cancelable),
                Some("Running") => r.bool(v, &p, &mut event.running),
                Some("Allowed") => event.allowed = r.allowed(v, &p),
                Some("AllowedCancel") => event.allowed_cancel = r.allowed(v, &p),
                Some("Instance") => {
                    if let Some(obj) = r.object_or_null(v, &p, "an instance object") {
                        let inst = &mut event.instance;
                        for (k, v) in obj {
                            let kp = p.key(k);
                            match canonical(
                                k,
                                &["Name", "Port", "TLSPort", "Addresses", "LastUpdate"],
                            ) {
                                Some("Name") => r.string(v, &kp, &mut inst.name),
                                Some("Port") => r.string(v, &kp, &mut inst.port),
                                Some("TLSPort") => r.string(v, &kp, &mut inst.tls_port),
                                Some("Addresses") => {
                                    inst.addresses = r.list(v, &kp, |r, item, ip| {
                                        let mut s = String::new();
                                        r.string(item, ip, &mut s);
                                        Some(s)
                                    })
                                }
                                Some("LastUpdate") => r.time(v, &kp, &mut inst.last_update),
                                _ => r.unknown(&kp),
                            }
                        }
                    }
                }
                Some("ID") => {
                    // Legacy events carry the id again as `ID.ObjId`; use it when `UniqueID` is absent.
                    if let Some(oid) = v.get("ObjId").and_then(Value::as_str) {
                        legacy_id = ObjectId::parse(oid);
                    }
                }
                Some(_) => {}
                None => r.unknown(&p),
            }
        }
        if !obj.keys().any(|k| k.eq_ignore_ascii_case("UniqueID")) {
            if let Some(id) = legacy_id {
                event.unique_id = id;
            }
        }
        if r.ok {
            Some(event)
        } else {
            None
        }
    }
}

/// Where the reader is in the document, built without allocating; turned into a [`JsonPath`] only
/// when a finding is reported, since almost every event has none.
#[derive(Clone, Copy)]
enum Here<'a> {
    Base(&'a JsonPath),
    Key(&'a Here<'a>, &'a str),
    Index(&'a Here<'a>, usize),
}

impl<'a> Here<'a> {
    fn key(&'a self, key: &'a str) -> Here<'a> {
        Here::Key(self, key)
    }

    fn index(&'a self, index: usize) -> Here<'a> {
        Here::Index(self, index)
    }

    fn path(&self) -> JsonPath {
        match self {
            Here::Base(p) => (*p).clone(),
            Here::Key(parent, k) => parent.path().key(k),
            Here::Index(parent, i) => parent.path().index(*i),
        }
    }

    fn is_root(&self) -> bool {
        matches!(self, Here::Base(p) if p.is_root())
    }

    fn last_key(&self) -> Option<&'a str> {
        match self {
            Here::Key(_, k) => Some(k),
            _ => None,
        }
    }
}

impl fmt::Display for Here<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.path().fmt(f)
    }
}

/// Go's `encoding/json` matches keys to fields case-insensitively when no exact match exists.
fn canonical(key: &str, known: &[&'static str]) -> Option<&'static str> {
    known
        .iter()
        .find(|k| **k == key)
        .or_else(|| known.iter().find(|k| go_fold_eq(key, k)))
        .copied()
}

/// Whether a JSON key equals an ASCII field name under Go's `encoding/json` case folding: ASCII
/// letters ignore case, and the Kelvin sign `K` (U+212A) and the long s `ſ` (U+017F) fold to `k`
/// and `s` (Unicode simple folding, which Go applies and `eq_ignore_ascii_case` does not).
pub fn go_fold_eq(key: &str, field: &str) -> bool {
    let mut name = field.bytes();
    for c in key.chars() {
        let folded = match c {
            '\u{212A}' => 'k',
            '\u{17F}' => 's',
            c if c.is_ascii() => c,
            _ => return false,
        };
        match name.next() {
            Some(b) if (b as char).eq_ignore_ascii_case(&folded) => {}
            _ => return false,
        }
    }
    name.next().is_none()
}

struct Reader<'a> {
    findings: &'a mut Vec<Finding>,
    ok: bool,
}

impl Reader<'_> {
    fn error(&mut self, path: &Here, message: String) {
        self.ok = false;
        self.findings.push(Finding::error(path.path(), message));
    }

    fn unknown(&mut self, path: &Here) {
        self.findings.push(Finding::warning(
            path.path(),
            format!(
                "unknown event field `{}` is ignored (tsuru's event type has no such field)",
                path.last_key().unwrap_or_default()
            ),
        ));
    }

    fn type_error(&mut self, path: &Here, expected: &str, found: &Value) {
        self.error(
            path,
            format!("`{path}` must be {expected}, found {}", describe(found)),
        );
    }

    fn object<'v>(
        &mut self,
        v: &'v Value,
        path: &Here,
        what: &str,
    ) -> Option<&'v Map<String, Value>> {
        match v {
            Value::Object(o) => Some(o),
            other => {
                let path_desc = if path.is_root() {
                    "the file".to_string()
                } else {
                    format!("`{path}`")
                };
                self.ok = false;
                self.findings.push(Finding::error(
                    path.path(),
                    format!(
                        "{path_desc} must be {what} (a JSON object), found {}",
                        describe(other)
                    ),
                ));
                None
            }
        }
    }

    fn object_or_null<'v>(
        &mut self,
        v: &'v Value,
        path: &Here,
        what: &str,
    ) -> Option<&'v Map<String, Value>> {
        if v.is_null() {
            None
        } else {
            self.object(v, path, what)
        }
    }

    fn string(&mut self, v: &Value, path: &Here, out: &mut String) {
        match v {
            Value::String(s) => *out = s.clone(),
            Value::Null => {}
            other => self.type_error(path, "a string", other),
        }
    }

    fn bool(&mut self, v: &Value, path: &Here, out: &mut bool) {
        match v {
            Value::Bool(b) => *out = *b,
            Value::Null => {}
            other => self.type_error(path, "true or false", other),
        }
    }

    fn time(&mut self, v: &Value, path: &Here, out: &mut GoTime) {
        match v {
            Value::String(s) => match GoTime::parse_rfc3339(s) {
                Some(t) => *out = t,
                None => self.error(
                    path,
                    format!("`{path}` is not an RFC 3339 time: {s:?} (write it like \"2024-09-24T11:02:28.412Z\")"),
                ),
            },
            Value::Null => {}
            other => self.type_error(path, "an RFC 3339 time string", other),
        }
    }

    fn object_id(&mut self, v: &Value, path: &Here) -> Option<ObjectId> {
        match v {
            Value::String(s) => {
                let id = ObjectId::parse(s);
                if id.is_none() {
                    self.error(
                        path,
                        format!("invalid ObjectID {s:?}: `{path}` must be 24 hex characters"),
                    );
                }
                id
            }
            Value::Null => None,
            other => {
                self.type_error(path, "a 24-hex-character string", other);
                None
            }
        }
    }

    fn pair(
        &mut self,
        v: &Value,
        path: &Here,
        a: &'static str,
        b: &'static str,
    ) -> (String, String) {
        let (mut first, mut second) = (String::new(), String::new());
        if let Some(obj) = self.object_or_null(v, path, "an object") {
            for (k, v) in obj {
                let kp = path.key(k);
                match canonical(k, &[a, b]) {
                    Some(x) if x == a => self.string(v, &kp, &mut first),
                    Some(_) => self.string(v, &kp, &mut second),
                    None => self.unknown(&kp),
                }
            }
        }
        (first, second)
    }

    fn target(&mut self, v: &Value, path: &Here) -> Option<Target> {
        if !v.is_object() && !v.is_null() {
            self.type_error(path, "a target object ({\"Type\": …, \"Value\": …})", v);
            return None;
        }
        let (t, val) = self.pair(v, path, "Type", "Value");
        Some(Target {
            target_type: t,
            value: val,
        })
    }

    fn allowed(&mut self, v: &Value, path: &Here) -> AllowedPermission {
        let mut allowed = AllowedPermission::default();
        if let Some(obj) = self.object_or_null(v, path, "an allowed-permission object") {
            for (k, v) in obj {
                let kp = path.key(k);
                match canonical(k, &["Scheme", "Contexts"]) {
                    Some("Scheme") => self.string(v, &kp, &mut allowed.scheme),
                    Some("Contexts") => {
                        allowed.contexts = self.list(v, &kp, |r, item, ip| {
                            let (t, val) = r.pair(item, ip, "CtxType", "Value");
                            Some(PermissionContext {
                                ctx_type: t,
                                value: val,
                            })
                        })
                    }
                    _ => self.unknown(&kp),
                }
            }
        }
        allowed
    }

    fn list<T>(
        &mut self,
        v: &Value,
        path: &Here,
        mut item: impl FnMut(&mut Self, &Value, &Here) -> Option<T>,
    ) -> Option<Vec<T>> {
        match v {
            Value::Null => None,
            Value::Array(items) => Some(
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, x)| item(self, x, &path.index(i)))
                    .collect(),
            ),
            other => {
                self.type_error(path, "a list", other);
                None
            }
        }
    }
}

/// A short description of a JSON value's type for error messages.
pub fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_leap_second_is_refused_as_go_refuses_it() {
        assert!(GoTime::parse_rfc3339("2016-12-31T23:59:60Z").is_none());
        assert!(GoTime::parse_rfc3339("2016-12-31T23:59:59.999999999Z").is_some());
    }

    use super::*;

    fn read(json: &str) -> (Option<Event>, Vec<Finding>) {
        let v: Value = serde_json::from_str(json).unwrap();
        let mut findings = Vec::new();
        let e = Event::from_json(&v, &JsonPath::root(), &mut findings);
        (e, findings)
    }

    #[test]
    fn missing_fields_take_go_zero_values() {
        let (e, f) = read(
            r#"{"Kind": {"Type": "permission", "Name": "app.deploy"}, "Target": {"Type": "app", "Value": "x"}}"#,
        );
        assert!(f.is_empty(), "{f:?}");
        let e = e.unwrap();
        assert_eq!(e.start_time, GoTime::ZERO);
        assert_eq!(e.unique_id.hex(), "000000000000000000000000");
        assert_eq!(e.extra_targets, None);
        assert!(e.is_success());
    }

    #[test]
    fn legacy_id_fills_unique_id() {
        let (e, _) = read(
            r#"{"ID": {"Target": {"Type": "", "Value": ""}, "ObjId": "640f1c2ab7e1a30001d9e4f0"}}"#,
        );
        assert_eq!(e.unwrap().unique_id.hex(), "640f1c2ab7e1a30001d9e4f0");
    }

    #[test]
    fn wrong_types_are_errors_at_their_path() {
        let (e, f) = read(r#"{"Error": 3, "Target": {"Type": "app", "Value": 4}, "Nope": 1}"#);
        assert!(e.is_none());
        let msgs: Vec<String> = f.iter().map(|f| f.message.clone()).collect();
        assert!(
            msgs.iter()
                .any(|m| m.contains("`Error` must be a string, found a number")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("`Target.Value` must be a string")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("unknown event field `Nope`")),
            "{msgs:?}"
        );
    }

    #[test]
    fn times_keep_go_formatting() {
        let t = GoTime::parse_rfc3339("2024-09-24T11:02:28.600Z").unwrap();
        assert_eq!(t.rfc3339_nano(), "2024-09-24T11:02:28.6Z");
        let t = GoTime::parse_rfc3339("2024-09-24T11:02:28.000Z").unwrap();
        assert_eq!(t.rfc3339_nano(), "2024-09-24T11:02:28Z");
        let t = GoTime::parse_rfc3339("2024-09-24T13:02:28.123456789+02:00").unwrap();
        assert_eq!(t.rfc3339_nano(), "2024-09-24T13:02:28.123456789+02:00");
        assert_eq!(GoTime::ZERO.rfc3339_nano(), "0001-01-01T00:00:00Z");
        assert!(GoTime::parse_rfc3339("2024-09-24 11:02:28Z").is_none());
    }

    #[test]
    fn null_list_elements_are_zero_values_as_in_go() {
        let (e, f) = read(r#"{"ExtraTargets": [null], "StructuredLog": [null, {"Message": "m"}]}"#);
        assert!(f.is_empty(), "{f:?}");
        let e = e.unwrap();
        assert_eq!(e.extra_targets, Some(vec![ExtraTarget::default()]));
        assert_eq!(e.structured_log.unwrap().len(), 2);
        let (e, f) = read(r#"{"ExtraTargets": [3]}"#);
        assert!(e.is_none() && !f.is_empty());
    }

    #[test]
    fn object_ids_take_hex_digits_only() {
        assert!(ObjectId::parse("+6f2a1c4e13b5a0001a3f7d2").is_none());
        assert!(ObjectId::parse("+1+2+3+4+5+6+7+8+9+a+b+c").is_none());
        assert_eq!(
            ObjectId::parse("66F2A1C4E13B5A0001A3F7D2").unwrap().hex(),
            "66f2a1c4e13b5a0001a3f7d2"
        );
    }

    #[test]
    fn keys_fold_like_go_including_kelvin_and_long_s() {
        let (e, f) =
            read("{\"\u{212A}ind\": {\"Name\": \"kelvin\"}, \"\u{17F}ourceIP\": \"longs\"}");
        assert!(f.is_empty(), "{f:?}");
        let e = e.unwrap();
        assert_eq!(
            (e.kind.name.as_str(), e.source_ip.as_str()),
            ("kelvin", "longs")
        );
        assert!(!go_fold_eq("\u{e9}rror", "Error"));
        assert!(!go_fold_eq("Erro", "Error"));
        assert!(go_fold_eq("eRRoR", "Error"));
    }

    #[test]
    fn a_later_null_lock_clears_it_like_a_go_pointer() {
        let (e, _) = read(r#"{"Lock": {"Type": "app"}, "lock": null}"#);
        assert_eq!(e.unwrap().lock, None);
    }
}
