//! Go's `fmt` printing (`print.go` and `format.go`) over [`Value`]s: `Sprint`, `Sprintln` and
//! `Sprintf` with Go's verbs, flags, width, precision, `%!` error forms and `String()` methods.

use crate::strconv::{
    append_float, append_quote, append_quote_rune, can_backquote, decode_rune, is_print, push_rune,
    rune_count,
};
use crate::value::{Kind, Value};

const LDIGITS: &[u8; 17] = b"0123456789abcdefx";
const UDIGITS: &[u8; 17] = b"0123456789ABCDEFX";

#[derive(Default, Clone, Copy)]
struct Flags {
    wid_present: bool,
    prec_present: bool,
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    plus_v: bool,
    sharp_v: bool,
}

/// What `badVerb` describes: the operand as passed (`p.arg`) or a reflected value (`p.value`).
#[derive(Clone, Copy)]
enum Cur<'a> {
    None,
    Arg(&'a Value),
    Value(&'a Value),
}

/// Go's `pp`: a printer writing into a byte buffer.
pub struct Printer<'b> {
    buf: &'b mut Vec<u8>,
    f: Flags,
    wid: usize,
    prec: usize,
    erroring: bool,
}

/// `fmt.Sprint(args...)`, appended to `out`.
pub fn sprint(out: &mut Vec<u8>, args: &[Value]) {
    let mut p = Printer::new(out);
    let mut prev_string = false;
    for (i, arg) in args.iter().enumerate() {
        let is_string = matches!(arg, Value::Str(..));
        if i > 0 && !is_string && !prev_string {
            p.buf.push(b' ');
        }
        p.print_arg(arg, 'v');
        prev_string = is_string;
    }
}

/// `fmt.Sprintln(args...)`, appended to `out`.
pub fn sprintln(out: &mut Vec<u8>, args: &[Value]) {
    let mut p = Printer::new(out);
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            p.buf.push(b' ');
        }
        p.print_arg(arg, 'v');
    }
    p.buf.push(b'\n');
}

/// `fmt.Fprint(w, arg)` of a single operand, as a template action prints its value.
pub fn print_one(out: &mut Vec<u8>, arg: &Value) {
    // Fast paths for the common cases; they produce exactly what `print_arg` would.
    match arg {
        Value::Str(s, t) if t.methods.is_empty() => out.extend_from_slice(s),
        _ => Printer::new(out).print_arg(arg, 'v'),
    }
}

/// `fmt.Sprintf(format, args...)`, appended to `out`.
pub fn sprintf(out: &mut Vec<u8>, format: &[u8], args: &[Value]) {
    Printer::new(out).do_printf(format, args);
}

fn too_large(x: usize) -> bool {
    x > 1_000_000
}

fn parsenum(s: &[u8], start: usize, end: usize) -> (usize, bool, usize) {
    if start >= end {
        return (0, false, end);
    }
    let mut num = 0usize;
    let mut isnum = false;
    let mut i = start;
    while i < end && s[i].is_ascii_digit() {
        if too_large(num) {
            return (0, false, end);
        }
        num = num * 10 + (s[i] - b'0') as usize;
        isnum = true;
        i += 1;
    }
    (num, isnum, i)
}

fn int_from_arg(a: &[Value], arg_num: usize) -> (i64, bool, usize) {
    let mut new_arg_num = arg_num;
    let mut num = 0i64;
    let mut is_int = false;
    if arg_num < a.len() {
        match &a[arg_num] {
            Value::Int(n, _) => {
                num = *n;
                is_int = true;
            }
            Value::Uint(n, _) if (*n as i64) >= 0 => {
                num = *n as i64;
                is_int = true;
            }
            _ => {}
        }
        new_arg_num = arg_num + 1;
        if !(-1_000_000..=1_000_000).contains(&num) {
            num = 0;
            is_int = false;
        }
    }
    (num, is_int, new_arg_num)
}

fn parse_arg_number(format: &[u8]) -> (usize, usize, bool) {
    if format.len() < 3 {
        return (0, 1, false);
    }
    for i in 1..format.len() {
        if format[i] == b']' {
            let (width, ok, newi) = parsenum(format, 1, i);
            if !ok || newi != i {
                return (0, i + 1, false);
            }
            return (width.wrapping_sub(1), i + 1, true);
        }
    }
    (0, 1, false)
}

impl<'b> Printer<'b> {
    fn new(buf: &'b mut Vec<u8>) -> Printer<'b> {
        Printer {
            buf,
            f: Flags::default(),
            wid: 0,
            prec: 0,
            erroring: false,
        }
    }

    fn clearflags(&mut self) {
        self.f = Flags::default();
        self.wid = 0;
        self.prec = 0;
    }

    fn write_padding(&mut self, n: usize) {
        let pad = if self.f.zero { b'0' } else { b' ' };
        self.buf.resize(self.buf.len() + n, pad);
    }

    fn pad(&mut self, b: &[u8]) {
        if !self.f.wid_present || self.wid == 0 {
            self.buf.extend_from_slice(b);
            return;
        }
        let width = self.wid.saturating_sub(rune_count(b));
        if !self.f.minus {
            self.write_padding(width);
            self.buf.extend_from_slice(b);
        } else {
            self.buf.extend_from_slice(b);
            self.write_padding(width);
        }
    }

    fn fmt_boolean(&mut self, v: bool) {
        self.pad(if v { b"true" } else { b"false" });
    }

    fn fmt_unicode(&mut self, u: u64) {
        let mut prec = 4;
        if self.f.prec_present && self.prec > 4 {
            prec = self.prec;
        }
        let mut digits = Vec::new();
        let mut v = u;
        loop {
            digits.push(UDIGITS[(v & 0xF) as usize]);
            v >>= 4;
            if v == 0 {
                break;
            }
        }
        while digits.len() < prec {
            digits.push(b'0');
        }
        digits.extend_from_slice(b"+U");
        digits.reverse();
        if self.f.sharp && u <= 0x10FFFF && is_print(u as u32) {
            digits.extend_from_slice(b" '");
            push_rune(&mut digits, u as u32);
            digits.push(b'\'');
        }
        let old_zero = self.f.zero;
        self.f.zero = false;
        self.pad(&digits);
        self.f.zero = old_zero;
    }

    fn fmt_integer(
        &mut self,
        mut u: u64,
        base: u64,
        is_signed: bool,
        verb: char,
        digits: &[u8; 17],
    ) {
        let negative = is_signed && (u as i64) < 0;
        if negative {
            u = (u as i64).unsigned_abs();
        }
        let mut prec = 0usize;
        if self.f.prec_present {
            prec = self.prec;
            if prec == 0 && u == 0 {
                let old_zero = self.f.zero;
                self.f.zero = false;
                let w = self.wid;
                self.write_padding(w);
                self.f.zero = old_zero;
                return;
            }
        } else if self.f.zero && self.f.wid_present {
            prec = self.wid;
            if negative || self.f.plus || self.f.space {
                prec = prec.saturating_sub(1);
            }
        }
        let mut buf: Vec<u8> = Vec::with_capacity(24 + prec);
        loop {
            buf.push(match base {
                10 => b'0' + (u % 10) as u8,
                16 => digits[(u & 0xF) as usize],
                8 => b'0' + (u & 7) as u8,
                _ => b'0' + (u & 1) as u8,
            });
            u /= base;
            if u == 0 {
                break;
            }
        }
        while prec > buf.len() {
            buf.push(b'0');
        }
        if self.f.sharp {
            match base {
                2 => buf.extend_from_slice(b"b0"),
                8 if buf.last() != Some(&b'0') => buf.push(b'0'),
                16 => {
                    buf.push(digits[16]);
                    buf.push(b'0');
                }
                _ => {}
            }
        }
        if verb == 'O' {
            buf.extend_from_slice(b"o0");
        }
        if negative {
            buf.push(b'-');
        } else if self.f.plus {
            buf.push(b'+');
        } else if self.f.space {
            buf.push(b' ');
        }
        buf.reverse();
        let old_zero = self.f.zero;
        self.f.zero = false;
        self.pad(&buf);
        self.f.zero = old_zero;
    }

    fn truncate<'s>(&self, s: &'s [u8]) -> &'s [u8] {
        if self.f.prec_present {
            let mut n = self.prec;
            let mut i = 0;
            while i < s.len() {
                if n == 0 {
                    return &s[..i];
                }
                n -= 1;
                let (_, w) = decode_rune(&s[i..]);
                i += w.max(1);
            }
        }
        s
    }

    fn fmt_s(&mut self, s: &[u8]) {
        let s = self.truncate(s);
        self.pad(s);
    }

    fn fmt_sbx(&mut self, s: &[u8], digits: &[u8; 17]) {
        let mut length = s.len();
        if self.f.prec_present && self.prec < length {
            length = self.prec;
        }
        let mut width = 2 * length;
        if width > 0 {
            if self.f.space {
                if self.f.sharp {
                    width *= 2;
                }
                width += length - 1;
            } else if self.f.sharp {
                width += 2;
            }
        } else {
            if self.f.wid_present {
                let w = self.wid;
                self.write_padding(w);
            }
            return;
        }
        if self.f.wid_present && self.wid > width && !self.f.minus {
            self.write_padding(self.wid - width);
        }
        if self.f.sharp {
            self.buf.push(b'0');
            self.buf.push(digits[16]);
        }
        for (i, &c) in s[..length].iter().enumerate() {
            if self.f.space && i > 0 {
                self.buf.push(b' ');
                if self.f.sharp {
                    self.buf.push(b'0');
                    self.buf.push(digits[16]);
                }
            }
            self.buf.push(digits[(c >> 4) as usize]);
            self.buf.push(digits[(c & 0xF) as usize]);
        }
        if self.f.wid_present && self.wid > width && self.f.minus {
            self.write_padding(self.wid - width);
        }
    }

    fn fmt_q(&mut self, s: &[u8]) {
        let s = self.truncate(s);
        if self.f.sharp && can_backquote(s) {
            let mut b = Vec::with_capacity(s.len() + 2);
            b.push(b'`');
            b.extend_from_slice(s);
            b.push(b'`');
            self.pad(&b);
            return;
        }
        let mut b = Vec::with_capacity(s.len() + 2);
        append_quote(&mut b, s, self.f.plus);
        self.pad(&b);
    }

    fn fmt_c(&mut self, c: u64) {
        let r = if c > 0x10FFFF { 0xFFFD } else { c as u32 };
        let mut b = Vec::new();
        push_rune(&mut b, r);
        self.pad(&b);
    }

    fn fmt_qc(&mut self, c: u64) {
        let r = if c > 0x10FFFF { 0xFFFD } else { c as u32 };
        let mut b = Vec::new();
        append_quote_rune(&mut b, r, self.f.plus);
        self.pad(&b);
    }

    fn fmt_float_inner(&mut self, v: f64, verb: u8, prec: i32) {
        let prec = if self.f.prec_present {
            self.prec as i32
        } else {
            prec
        };
        let mut num = vec![b'+'];
        append_float(&mut num, v, verb, prec);
        if num[1] == b'-' || num[1] == b'+' {
            num.remove(0);
        }
        if self.f.space && num[0] == b'+' && !self.f.plus {
            num[0] = b' ';
        }
        if num[1] == b'I' || num[1] == b'N' {
            let old_zero = self.f.zero;
            self.f.zero = false;
            if num[1] == b'N' && !self.f.space && !self.f.plus {
                num.remove(0);
            }
            self.pad(&num);
            self.f.zero = old_zero;
            return;
        }
        if self.f.sharp && verb != b'b' {
            let mut digits: i32 = 0;
            if matches!(verb, b'v' | b'g' | b'G' | b'x') {
                digits = prec;
                if digits == -1 {
                    digits = 6;
                }
            }
            let mut tail = Vec::new();
            let mut has_decimal_point = false;
            let mut saw_nonzero = false;
            let mut i = 1;
            while i < num.len() {
                match num[i] {
                    b'.' => has_decimal_point = true,
                    b'p' | b'P' => {
                        tail.extend_from_slice(&num[i..]);
                        num.truncate(i);
                        break;
                    }
                    b'e' | b'E' if verb != b'x' && verb != b'X' => {
                        tail.extend_from_slice(&num[i..]);
                        num.truncate(i);
                        break;
                    }
                    c => {
                        if c != b'0' {
                            saw_nonzero = true;
                        }
                        if saw_nonzero {
                            digits -= 1;
                        }
                    }
                }
                i += 1;
            }
            if !has_decimal_point {
                if num.len() == 2 && num[1] == b'0' {
                    digits -= 1;
                }
                num.push(b'.');
            }
            while digits > 0 {
                num.push(b'0');
                digits -= 1;
            }
            num.extend_from_slice(&tail);
        }
        if self.f.plus || num[0] != b'+' {
            if self.f.zero && self.f.wid_present && self.wid > num.len() {
                self.buf.push(num[0]);
                self.write_padding(self.wid - num.len());
                self.buf.extend_from_slice(&num[1..]);
                return;
            }
            self.pad(&num);
            return;
        }
        self.pad(&num[1..]);
    }

    fn bad_verb(&mut self, verb: char, cur: Cur<'_>) {
        self.erroring = true;
        self.buf.extend_from_slice(b"%!");
        push_rune(self.buf, verb as u32);
        self.buf.push(b'(');
        match cur {
            Cur::Arg(a) if !matches!(a, Value::Invalid) => {
                self.buf.extend_from_slice(a.type_name().as_bytes());
                self.buf.push(b'=');
                self.print_arg(a, 'v');
            }
            Cur::Value(v) if !matches!(v, Value::Invalid) => {
                self.buf.extend_from_slice(v.type_name().as_bytes());
                self.buf.push(b'=');
                self.print_value(v, 'v', 0);
            }
            _ => self.buf.extend_from_slice(b"<nil>"),
        }
        self.buf.push(b')');
        self.erroring = false;
    }

    fn fmt_bool(&mut self, v: bool, verb: char, cur: Cur<'_>) {
        match verb {
            't' | 'v' => self.fmt_boolean(v),
            _ => self.bad_verb(verb, cur),
        }
    }

    fn fmt_0x64(&mut self, v: u64, leading0x: bool) {
        let sharp = self.f.sharp;
        self.f.sharp = leading0x;
        self.fmt_integer(v, 16, false, 'v', LDIGITS);
        self.f.sharp = sharp;
    }

    fn fmt_int(&mut self, v: u64, is_signed: bool, verb: char, cur: Cur<'_>) {
        match verb {
            'v' => {
                if self.f.sharp_v && !is_signed {
                    self.fmt_0x64(v, true);
                } else {
                    self.fmt_integer(v, 10, is_signed, verb, LDIGITS);
                }
            }
            'd' => self.fmt_integer(v, 10, is_signed, verb, LDIGITS),
            'b' => self.fmt_integer(v, 2, is_signed, verb, LDIGITS),
            'o' | 'O' => self.fmt_integer(v, 8, is_signed, verb, LDIGITS),
            'x' => self.fmt_integer(v, 16, is_signed, verb, LDIGITS),
            'X' => self.fmt_integer(v, 16, is_signed, verb, UDIGITS),
            'c' => self.fmt_c(v),
            'q' => self.fmt_qc(v),
            'U' => self.fmt_unicode(v),
            _ => self.bad_verb(verb, cur),
        }
    }

    fn fmt_float(&mut self, v: f64, verb: char, cur: Cur<'_>) {
        match verb {
            'v' => self.fmt_float_inner(v, b'g', -1),
            'b' | 'g' | 'G' | 'x' | 'X' => self.fmt_float_inner(v, verb as u8, -1),
            'f' | 'e' | 'E' => self.fmt_float_inner(v, verb as u8, 6),
            'F' => self.fmt_float_inner(v, b'f', 6),
            _ => self.bad_verb(verb, cur),
        }
    }

    fn fmt_complex(&mut self, re: f64, im: f64, verb: char, cur: Cur<'_>) {
        match verb {
            'v' | 'b' | 'g' | 'G' | 'x' | 'X' | 'f' | 'F' | 'e' | 'E' => {
                let old_plus = self.f.plus;
                self.buf.push(b'(');
                self.fmt_float(re, verb, cur);
                self.f.plus = true;
                self.fmt_float(im, verb, cur);
                self.buf.extend_from_slice(b"i)");
                self.f.plus = old_plus;
            }
            _ => self.bad_verb(verb, cur),
        }
    }

    fn fmt_string(&mut self, v: &[u8], verb: char, cur: Cur<'_>) {
        match verb {
            'v' => {
                if self.f.sharp_v {
                    self.fmt_q(v);
                } else {
                    self.fmt_s(v);
                }
            }
            's' => self.fmt_s(v),
            'x' => self.fmt_sbx(v, LDIGITS),
            'X' => self.fmt_sbx(v, UDIGITS),
            'q' => self.fmt_q(v),
            _ => self.bad_verb(verb, cur),
        }
    }

    fn fmt_bytes(&mut self, v: &[u8], verb: char, type_string: &str, cur: Cur<'_>) {
        match verb {
            'v' | 'd' => {
                if self.f.sharp_v {
                    self.buf.extend_from_slice(type_string.as_bytes());
                    self.buf.push(b'{');
                    for (i, &c) in v.iter().enumerate() {
                        if i > 0 {
                            self.buf.extend_from_slice(b", ");
                        }
                        self.fmt_0x64(c as u64, true);
                    }
                    self.buf.push(b'}');
                } else {
                    self.buf.push(b'[');
                    for (i, &c) in v.iter().enumerate() {
                        if i > 0 {
                            self.buf.push(b' ');
                        }
                        self.fmt_integer(c as u64, 10, false, verb, LDIGITS);
                    }
                    self.buf.push(b']');
                }
            }
            's' => self.fmt_s(v),
            'x' => self.fmt_sbx(v, LDIGITS),
            'X' => self.fmt_sbx(v, UDIGITS),
            'q' => self.fmt_q(v),
            _ => self.bad_verb(verb, cur),
        }
    }

    fn fmt_pointer(&mut self, value: &Value, verb: char) {
        let u: u64 = match value {
            Value::Ptr(_, p) => p.as_ref().map_or(0, |p| std::sync::Arc::as_ptr(p) as u64),
            Value::Slice(_, d) => d.as_ref().map_or(0, |d| d.data.as_ptr() as u64),
            Value::Map(_, m) => m.as_ref().map_or(0, |m| m.as_ptr() as u64),
            _ => {
                self.bad_verb(verb, Cur::Value(value));
                return;
            }
        };
        match verb {
            'v' => {
                if self.f.sharp_v {
                    self.buf.push(b'(');
                    self.buf.extend_from_slice(value.type_name().as_bytes());
                    self.buf.extend_from_slice(b")(");
                    if u == 0 {
                        self.buf.extend_from_slice(b"nil");
                    } else {
                        self.fmt_0x64(u, true);
                    }
                    self.buf.push(b')');
                } else if u == 0 {
                    self.pad(b"<nil>");
                } else {
                    let sharp = !self.f.sharp;
                    self.fmt_0x64(u, sharp);
                }
            }
            'p' => {
                let sharp = !self.f.sharp;
                self.fmt_0x64(u, sharp);
            }
            'b' | 'o' | 'd' | 'x' | 'X' => self.fmt_int(u, false, verb, Cur::Value(value)),
            _ => self.bad_verb(verb, Cur::Value(value)),
        }
    }

    /// `handleMethods`: `GoString` for `%#v`, `String` for `%v %s %x %X %q`.
    fn handle_methods(&mut self, arg: &Value, verb: char) -> bool {
        if self.erroring {
            return false;
        }
        let (ty, nil_ptr) = match arg {
            Value::Ptr(t, p) => match t.elem {
                Some(e) => (e, p.is_none()),
                None => return false,
            },
            Value::Invalid => return false,
            other => match other.ty() {
                Some(t) => (t, false),
                None => return false,
            },
        };
        if self.f.sharp_v {
            if let Some(m) = ty.method("GoString") {
                if nil_ptr {
                    self.buf.extend_from_slice(b"<nil>");
                    return true;
                }
                if let Ok(Value::Str(s, _)) = (m.func)(arg, &[]) {
                    self.fmt_s(&s);
                }
                return true;
            }
            return false;
        }
        if !matches!(verb, 'v' | 's' | 'x' | 'X' | 'q') {
            return false;
        }
        if let Value::Time(t) = arg {
            // time.Time.String, written straight into the buffer when no padding applies.
            const LAYOUT: &[u8] = b"2006-01-02 15:04:05.999999999 -0700 MST";
            if matches!(verb, 'v' | 's') && !self.f.wid_present && !self.f.prec_present {
                t.append_format(self.buf, LAYOUT);
            } else {
                let mut tmp = Vec::with_capacity(48);
                t.append_format(&mut tmp, LAYOUT);
                self.fmt_string(&tmp, verb, Cur::None);
            }
            return true;
        }
        let Some(m) = ty.stringer() else {
            return false;
        };
        if nil_ptr {
            // Go's String on a nil pointer panics and fmt prints `<nil>` unpadded.
            self.buf.extend_from_slice(b"<nil>");
            return true;
        }
        if let Ok(Value::Str(s, _)) = (m.func)(arg, &[]) {
            self.fmt_string(&s, verb, Cur::None);
        }
        true
    }

    fn print_arg(&mut self, arg: &Value, verb: char) {
        if let Value::Invalid = arg {
            match verb {
                'T' | 'v' => self.pad(b"<nil>"),
                _ => self.bad_verb(verb, Cur::None),
            }
            return;
        }
        match verb {
            'T' => {
                let name = arg.type_name();
                self.fmt_s(name.as_bytes());
                return;
            }
            'p' => {
                self.fmt_pointer(arg, 'p');
                return;
            }
            _ => {}
        }
        let cur = Cur::Arg(arg);
        match arg {
            Value::Bool(b) => self.fmt_bool(*b, verb, cur),
            Value::Float(f, t) if t.methods.is_empty() => self.fmt_float(*f, verb, cur),
            Value::Complex(re, im) => self.fmt_complex(*re, *im, verb, cur),
            Value::Int(i, t) if t.methods.is_empty() => self.fmt_int(*i as u64, true, verb, cur),
            Value::Uint(u, t) if t.methods.is_empty() => self.fmt_int(*u, false, verb, cur),
            Value::Str(s, t) if t.methods.is_empty() => self.fmt_string(s, verb, cur),
            // printArg's `case []byte:` (the unnamed type only): fmtBytes names the type "[]byte"
            // for %#v; every other verb prints as the reflection path below does.
            Value::Slice(t, d)
                if t.name == "[]uint8" && t.methods.is_empty() && verb == 'v' && self.f.sharp_v =>
            {
                if d.is_none() {
                    self.buf.extend_from_slice(b"[]byte(nil)");
                    return;
                }
                let bytes: Vec<u8> = d
                    .as_ref()
                    .map(|d| {
                        d.items()
                            .iter()
                            .map(|v| match v {
                                Value::Uint(u, _) => *u as u8,
                                _ => 0,
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                self.fmt_bytes(&bytes, verb, "[]byte", cur);
            }
            _ => {
                if !self.handle_methods(arg, verb) {
                    self.print_value(arg, verb, 0);
                }
            }
        }
    }

    fn print_value(&mut self, value: &Value, verb: char, depth: usize) {
        if depth > 0 && !matches!(value, Value::Invalid) && self.handle_methods(value, verb) {
            return;
        }
        let cur = Cur::Value(value);
        match value {
            Value::Invalid => {
                if depth == 0 {
                    self.buf.extend_from_slice(b"<invalid reflect.Value>");
                } else if verb == 'v' {
                    self.buf.extend_from_slice(b"<nil>");
                } else {
                    self.bad_verb(verb, cur);
                }
            }
            Value::Bool(b) => self.fmt_bool(*b, verb, cur),
            Value::Int(i, _) => self.fmt_int(*i as u64, true, verb, cur),
            Value::Uint(u, _) => self.fmt_int(*u, false, verb, cur),
            Value::Float(f, _) => self.fmt_float(*f, verb, cur),
            Value::Complex(re, im) => self.fmt_complex(*re, *im, verb, cur),
            Value::Str(s, _) => self.fmt_string(s, verb, cur),
            Value::Time(t) => {
                // time.Time's fields are unexported: wall, ext and loc, printed without methods.
                let (wall, ext) = t.internal();
                if self.f.sharp_v {
                    self.buf.extend_from_slice(b"time.Time");
                }
                self.buf.push(b'{');
                let sep: &[u8] = if self.f.sharp_v { b", " } else { b" " };
                let named = self.f.plus_v || self.f.sharp_v;
                if named {
                    self.buf.extend_from_slice(b"wall:");
                }
                self.fmt_int(
                    wall,
                    false,
                    verb,
                    Cur::Value(&Value::Uint(wall, &crate::value::types::UINT64)),
                );
                self.buf.extend_from_slice(sep);
                if named {
                    self.buf.extend_from_slice(b"ext:");
                }
                self.fmt_int(
                    ext as u64,
                    true,
                    verb,
                    Cur::Value(&Value::Int(ext, &crate::value::types::INT64)),
                );
                self.buf.extend_from_slice(sep);
                if named {
                    self.buf.extend_from_slice(b"loc:");
                }
                if t.loc_is_nil() {
                    match verb {
                        'v' if self.f.sharp_v => {
                            self.buf.extend_from_slice(b"(*time.Location)(nil)")
                        }
                        'v' => self.pad(b"<nil>"),
                        'b' | 'o' | 'd' | 'x' | 'X' | 'p' => {
                            self.fmt_int(0, false, verb, Cur::None)
                        }
                        _ => {
                            // badVerb prints the nil pointer with fmtPointer: padded `<nil>`.
                            self.buf
                                .extend_from_slice(format!("%!{verb}(*time.Location=").as_bytes());
                            self.pad(b"<nil>");
                            self.buf.push(b')');
                        }
                    }
                } else {
                    self.fmt_0x64(0xc000010000, true);
                }
                self.buf.push(b'}');
            }
            Value::Map(t, m) => {
                if self.f.sharp_v {
                    self.buf.extend_from_slice(t.name.as_bytes());
                    if m.is_none() {
                        self.buf.extend_from_slice(b"(nil)");
                        return;
                    }
                    self.buf.push(b'{');
                } else {
                    self.buf.extend_from_slice(b"map[");
                }
                if let Some(m) = m {
                    for (i, (k, v)) in m.iter().enumerate() {
                        if i > 0 {
                            if self.f.sharp_v {
                                self.buf.extend_from_slice(b", ");
                            } else {
                                self.buf.push(b' ');
                            }
                        }
                        self.print_value(k, verb, depth + 1);
                        self.buf.push(b':');
                        self.print_value(v, verb, depth + 1);
                    }
                }
                self.buf.push(if self.f.sharp_v { b'}' } else { b']' });
            }
            Value::Struct(t, fields) => {
                if self.f.sharp_v {
                    self.buf.extend_from_slice(t.name.as_bytes());
                }
                self.buf.push(b'{');
                for (i, f) in fields.iter().enumerate() {
                    if i > 0 {
                        if self.f.sharp_v {
                            self.buf.extend_from_slice(b", ");
                        } else {
                            self.buf.push(b' ');
                        }
                    }
                    if self.f.plus_v || self.f.sharp_v {
                        if let Some(fi) = t.fields.get(i) {
                            self.buf.extend_from_slice(fi.name.as_bytes());
                            self.buf.push(b':');
                        }
                    }
                    self.print_value(f, verb, depth + 1);
                }
                self.buf.push(b'}');
            }
            Value::Slice(t, _) | Value::Array(t, _) => {
                let is_slice = matches!(value, Value::Slice(..));
                let items: &[Value] = match value {
                    Value::Slice(_, Some(d)) => d.items(),
                    Value::Slice(_, None) => &[],
                    Value::Array(_, a) => a,
                    _ => &[],
                };
                if matches!(verb, 's' | 'q' | 'x' | 'X')
                    && t.elem.is_some_and(|e| e.kind == Kind::Uint8)
                {
                    let bytes: Vec<u8> = items
                        .iter()
                        .map(|v| match v {
                            Value::Uint(u, _) => *u as u8,
                            _ => 0,
                        })
                        .collect();
                    self.fmt_bytes(&bytes, verb, t.name, cur);
                    return;
                }
                if self.f.sharp_v {
                    self.buf.extend_from_slice(t.name.as_bytes());
                    if is_slice && matches!(value, Value::Slice(_, None)) {
                        self.buf.extend_from_slice(b"(nil)");
                        return;
                    }
                    self.buf.push(b'{');
                    for (i, v) in items.iter().enumerate() {
                        if i > 0 {
                            self.buf.extend_from_slice(b", ");
                        }
                        self.print_value(v, verb, depth + 1);
                    }
                    self.buf.push(b'}');
                } else {
                    self.buf.push(b'[');
                    for (i, v) in items.iter().enumerate() {
                        if i > 0 {
                            self.buf.push(b' ');
                        }
                        self.print_value(v, verb, depth + 1);
                    }
                    self.buf.push(b']');
                }
            }
            Value::Ptr(_, p) => {
                if depth == 0 {
                    if let Some(inner) = p {
                        if matches!(
                            inner.kind(),
                            Some(Kind::Array | Kind::Slice | Kind::Struct | Kind::Map)
                        ) {
                            self.buf.push(b'&');
                            self.print_value(inner, verb, depth + 1);
                            return;
                        }
                    }
                }
                self.fmt_pointer(value, verb);
            }
        }
    }

    fn arg_number(
        &mut self,
        arg_num: usize,
        format: &[u8],
        i: usize,
        num_args: usize,
        reordered: &mut bool,
        good: &mut bool,
    ) -> (usize, usize, bool) {
        if format.len() <= i || format[i] != b'[' {
            return (arg_num, i, false);
        }
        *reordered = true;
        let (index, wid, ok) = parse_arg_number(&format[i..]);
        if ok && index < num_args {
            return (index, i + wid, true);
        }
        *good = false;
        (arg_num, i + wid, ok)
    }

    fn do_printf(&mut self, format: &[u8], a: &[Value]) {
        let end = format.len();
        let mut arg_num = 0usize;
        let mut after_index;
        let mut reordered = false;
        let mut i = 0usize;
        'format_loop: while i < end {
            let mut good_arg_num = true;
            let lasti = i;
            while i < end && format[i] != b'%' {
                i += 1;
            }
            if i > lasti {
                self.buf.extend_from_slice(&format[lasti..i]);
            }
            if i >= end {
                break;
            }
            i += 1;
            self.clearflags();
            while i < end {
                let c = format[i];
                match c {
                    b'#' => self.f.sharp = true,
                    b'0' => self.f.zero = !self.f.minus,
                    b'+' => self.f.plus = true,
                    b'-' => {
                        self.f.minus = true;
                        self.f.zero = false;
                    }
                    b' ' => self.f.space = true,
                    _ => {
                        if c.is_ascii_lowercase() && arg_num < a.len() {
                            if c == b'v' {
                                self.f.sharp_v = self.f.sharp;
                                self.f.sharp = false;
                                self.f.plus_v = self.f.plus;
                                self.f.plus = false;
                            }
                            self.print_arg(&a[arg_num], c as char);
                            arg_num += 1;
                            i += 1;
                            continue 'format_loop;
                        }
                        break;
                    }
                }
                i += 1;
            }
            (arg_num, i, after_index) = self.arg_number(
                arg_num,
                format,
                i,
                a.len(),
                &mut reordered,
                &mut good_arg_num,
            );
            if i < end && format[i] == b'*' {
                i += 1;
                let (w, ok, n) = int_from_arg(a, arg_num);
                arg_num = n;
                self.f.wid_present = ok;
                if !ok {
                    self.buf.extend_from_slice(b"%!(BADWIDTH)");
                }
                if w < 0 {
                    self.wid = w.unsigned_abs() as usize;
                    self.f.minus = true;
                    self.f.zero = false;
                } else {
                    self.wid = w as usize;
                }
                after_index = false;
            } else {
                let (w, ok, ni) = parsenum(format, i, end);
                self.wid = w;
                self.f.wid_present = ok;
                i = ni;
                if after_index && self.f.wid_present {
                    good_arg_num = false;
                }
            }
            if i + 1 < end && format[i] == b'.' {
                i += 1;
                if after_index {
                    good_arg_num = false;
                }
                (arg_num, i, after_index) = self.arg_number(
                    arg_num,
                    format,
                    i,
                    a.len(),
                    &mut reordered,
                    &mut good_arg_num,
                );
                if i < end && format[i] == b'*' {
                    i += 1;
                    let (p, ok, n) = int_from_arg(a, arg_num);
                    arg_num = n;
                    self.f.prec_present = ok;
                    if p < 0 {
                        self.prec = 0;
                        self.f.prec_present = false;
                    } else {
                        self.prec = p as usize;
                    }
                    if !self.f.prec_present {
                        self.buf.extend_from_slice(b"%!(BADPREC)");
                    }
                    after_index = false;
                } else {
                    let (p, ok, ni) = parsenum(format, i, end);
                    self.prec = p;
                    self.f.prec_present = ok;
                    i = ni;
                    if !self.f.prec_present {
                        self.prec = 0;
                        self.f.prec_present = true;
                    }
                }
            }
            if !after_index {
                (arg_num, i, after_index) = self.arg_number(
                    arg_num,
                    format,
                    i,
                    a.len(),
                    &mut reordered,
                    &mut good_arg_num,
                );
            }
            let _ = after_index;
            if i >= end {
                self.buf.extend_from_slice(b"%!(NOVERB)");
                break;
            }
            let (verb, size) = if format[i] < 0x80 {
                (format[i] as u32, 1)
            } else {
                decode_rune(&format[i..])
            };
            let verb = char::from_u32(verb).unwrap_or('\u{FFFD}');
            i += size.max(1);
            if verb == '%' {
                self.buf.push(b'%');
            } else if !good_arg_num {
                self.buf.extend_from_slice(b"%!");
                push_rune(self.buf, verb as u32);
                self.buf.extend_from_slice(b"(BADINDEX)");
            } else if arg_num >= a.len() {
                self.buf.extend_from_slice(b"%!");
                push_rune(self.buf, verb as u32);
                self.buf.extend_from_slice(b"(MISSING)");
            } else {
                if verb == 'v' {
                    self.f.sharp_v = self.f.sharp;
                    self.f.sharp = false;
                    self.f.plus_v = self.f.plus;
                    self.f.plus = false;
                }
                self.print_arg(&a[arg_num], verb);
                arg_num += 1;
            }
        }
        if !reordered && arg_num < a.len() {
            self.clearflags();
            self.buf.extend_from_slice(b"%!(EXTRA ");
            for (i, arg) in a[arg_num..].iter().enumerate() {
                if i > 0 {
                    self.buf.extend_from_slice(b", ");
                }
                if let Value::Invalid = arg {
                    self.buf.extend_from_slice(b"<nil>");
                } else {
                    self.buf.extend_from_slice(arg.type_name().as_bytes());
                    self.buf.push(b'=');
                    self.print_arg(arg, 'v');
                }
            }
            self.buf.push(b')');
        }
    }
}
