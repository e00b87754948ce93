//! The default body: the event written exactly as Go's `json.Marshal` writes tsuru's type.
//!
//! Compact, keys in field order, `<`, `>`, `&`, U+2028 and U+2029 escaped as `\uXXXX`, control
//! characters escaped the way Go 1.19 (the oracle's Go) does, times in `time.RFC3339Nano`.

use crate::event::{AllowedPermission, Event, GoTime, Target};

/// Writes `event` as Go's `json.Marshal(&event)` would.
pub fn marshal_event(event: &Event) -> String {
    let mut w = Writer(String::with_capacity(2048));
    let o = &mut w;
    o.raw("{\"UniqueID\":");
    o.string(&event.unique_id.hex());
    o.raw(",\"Lock\":");
    match &event.lock {
        Some(t) => o.target(t),
        None => o.raw("null"),
    }
    o.time_field(",\"StartTime\":", &event.start_time);
    o.time_field(",\"EndTime\":", &event.end_time);
    o.time_field(",\"ExpireAt\":", &event.expire_at);
    o.raw(",\"Target\":");
    o.target(&event.target);
    o.raw(",\"ExtraTargets\":");
    match &event.extra_targets {
        None => o.raw("null"),
        Some(list) => o.list(list, |o, x| {
            o.raw("{\"Target\":");
            o.target(&x.target);
            o.raw(",\"Lock\":");
            o.bool(x.lock);
            o.raw("}");
        }),
    }
    o.raw(",\"Kind\":{\"Type\":");
    o.string(&event.kind.kind_type);
    o.raw(",\"Name\":");
    o.string(&event.kind.name);
    o.raw("},\"Owner\":{\"Type\":");
    o.string(&event.owner.owner_type);
    o.raw(",\"Name\":");
    o.string(&event.owner.name);
    o.raw("},\"SourceIP\":");
    o.string(&event.source_ip);
    o.time_field(",\"LockUpdateTime\":", &event.lock_update_time);
    o.raw(",\"Error\":");
    o.string(&event.error);
    o.raw(",\"Log\":");
    o.string(&event.log);
    o.raw(",\"StructuredLog\":");
    match &event.structured_log {
        None => o.raw("null"),
        Some(list) => o.list(list, |o, x| {
            o.time_field("{\"Date\":", &x.date);
            o.raw(",\"Message\":");
            o.string(&x.message);
            o.raw("}");
        }),
    }
    let ci = &event.cancel_info;
    o.raw(",\"CancelInfo\":{\"Owner\":");
    o.string(&ci.owner);
    o.time_field(",\"StartTime\":", &ci.start_time);
    o.time_field(",\"AckTime\":", &ci.ack_time);
    o.raw(",\"Reason\":");
    o.string(&ci.reason);
    o.raw(",\"Asked\":");
    o.bool(ci.asked);
    o.raw(",\"Canceled\":");
    o.bool(ci.canceled);
    o.raw("},\"Cancelable\":");
    o.bool(event.cancelable);
    o.raw(",\"Running\":");
    o.bool(event.running);
    o.raw(",\"Allowed\":");
    o.allowed(&event.allowed);
    o.raw(",\"AllowedCancel\":");
    o.allowed(&event.allowed_cancel);
    let inst = &event.instance;
    o.raw(",\"Instance\":{\"Name\":");
    o.string(&inst.name);
    o.raw(",\"Port\":");
    o.string(&inst.port);
    o.raw(",\"TLSPort\":");
    o.string(&inst.tls_port);
    o.raw(",\"Addresses\":");
    match &inst.addresses {
        None => o.raw("null"),
        Some(list) => o.list(list, |o, x| o.string(x)),
    }
    o.time_field(",\"LastUpdate\":", &inst.last_update);
    o.raw("}}");
    w.0
}

struct Writer(String);

impl Writer {
    fn raw(&mut self, s: &str) {
        self.0.push_str(s);
    }

    fn bool(&mut self, b: bool) {
        self.raw(if b { "true" } else { "false" });
    }

    fn time_field(&mut self, prefix: &str, t: &GoTime) {
        self.raw(prefix);
        self.0.push('"');
        self.0.push_str(&t.rfc3339_nano());
        self.0.push('"');
    }

    fn target(&mut self, t: &Target) {
        self.raw("{\"Type\":");
        self.string(&t.target_type);
        self.raw(",\"Value\":");
        self.string(&t.value);
        self.raw("}");
    }

    fn allowed(&mut self, a: &AllowedPermission) {
        self.raw("{\"Scheme\":");
        self.string(&a.scheme);
        self.raw(",\"Contexts\":");
        match &a.contexts {
            None => self.raw("null"),
            Some(list) => self.list(list, |o, c| {
                o.raw("{\"CtxType\":");
                o.string(&c.ctx_type);
                o.raw(",\"Value\":");
                o.string(&c.value);
                o.raw("}");
            }),
        }
        self.raw("}");
    }

    fn list<T>(&mut self, items: &[T], mut each: impl FnMut(&mut Self, &T)) {
        self.0.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.0.push(',');
            }
            each(self, item);
        }
        self.0.push(']');
    }

    fn string(&mut self, s: &str) {
        write_go_string(&mut self.0, s);
    }
}

/// Appends `s` as a JSON string the way Go's `encoding/json` (HTML-escaping on) writes it.
pub fn write_go_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let escape: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            _ => None,
        };
        let needs_hex = matches!(
            c,
            '\u{0}'..='\u{1f}' | '<' | '>' | '&' | '\u{2028}' | '\u{2029}'
        );
        if escape.is_none() && !needs_hex {
            continue;
        }
        out.push_str(&s[start..i]);
        start = i + c.len_utf8();
        match escape {
            Some(e) => out.push_str(e),
            None => {
                let code = c as u32;
                out.push_str("\\u");
                for shift in [12, 8, 4, 0] {
                    out.push(HEX[((code >> shift) & 0xF) as usize] as char);
                }
            }
        }
    }
    out.push_str(&s[start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_like_go() {
        let mut out = String::new();
        write_go_string(
            &mut out,
            "a<b>&\"\\\n\t\r\u{8}\u{c}\u{1}\u{2028}\u{2029}é😀",
        );
        assert_eq!(
            out,
            r#""a\u003cb\u003e\u0026\"\\\n\t\r\u0008\u000c\u0001\u2028\u2029é😀""#
        );
    }

    #[test]
    fn zero_event_has_every_field() {
        let out = marshal_event(&Event::default());
        assert!(out.starts_with("{\"UniqueID\":\"000000000000000000000000\",\"Lock\":null,\"StartTime\":\"0001-01-01T00:00:00Z\""));
        assert!(out.ends_with("\"LastUpdate\":\"0001-01-01T00:00:00Z\"}}"));
    }
}
