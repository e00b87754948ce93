//! Go's `time.Time`, `time.Month`, `time.Weekday` and `time.Duration` as template values: their
//! printing (`String`, `Format` with Go layouts) and the methods a template can call.

use std::sync::Arc;

use crate::value::{types, Kind, Method, TypeInfo, Value};

/// Where a time's wall clock is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loc {
    /// `time.UTC` (JSON `Z`).
    Utc,
    /// `time.Local`; the engine assumes the local zone is UTC.
    Local,
    /// `time.FixedZone(name, offset)`, as Go's JSON decoding builds for other offsets (name "").
    Fixed { name: Arc<str>, offset: i32 },
}

/// A `time.Time` without monotonic reading: an instant and a location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Time {
    /// Seconds since the Unix epoch.
    pub unix: i64,
    /// Nanoseconds within the second.
    pub nanos: u32,
    /// The location.
    pub loc: Loc,
}

/// Seconds from 0001-01-01 to 1970-01-01.
const UNIX_TO_INTERNAL: i64 = 62_135_596_800;

impl Time {
    /// Go's zero time, `0001-01-01 00:00:00 +0000 UTC`.
    pub const ZERO: Time = Time {
        unix: -UNIX_TO_INTERNAL,
        nanos: 0,
        loc: Loc::Utc,
    };

    /// A time at a fixed offset east of UTC in seconds; offset 0 gives UTC.
    pub fn with_offset(unix: i64, nanos: u32, offset: Option<i32>) -> Time {
        Time {
            unix,
            nanos,
            loc: match offset {
                None | Some(0) => Loc::Utc,
                Some(o) => Loc::Fixed {
                    name: Arc::from(""),
                    offset: o,
                },
            },
        }
    }

    fn offset(&self) -> i32 {
        match &self.loc {
            Loc::Fixed { offset, .. } => *offset,
            _ => 0,
        }
    }

    fn zone_name(&self) -> &str {
        match &self.loc {
            Loc::Utc | Loc::Local => "UTC",
            Loc::Fixed { name, .. } => name,
        }
    }

    fn local_secs(&self) -> i64 {
        self.unix.saturating_add(self.offset() as i64)
    }

    /// (year, month 1-12, day, year day 1-based) of the wall clock.
    fn date(&self) -> (i64, u32, u32, u32) {
        let days = self.local_secs().div_euclid(86400);
        let (y, m, d) = civil_from_days(days);
        let yday = days.wrapping_sub(days_from_civil(y, 1, 1)).wrapping_add(1);
        (y, m, d, yday as u32)
    }

    fn clock(&self) -> (u32, u32, u32) {
        let s = self.local_secs().rem_euclid(86400);
        ((s / 3600) as u32, ((s / 60) % 60) as u32, (s % 60) as u32)
    }

    fn weekday(&self) -> usize {
        (self.local_secs().div_euclid(86400) + 4).rem_euclid(7) as usize
    }

    /// Go's `Time.IsZero`.
    pub fn is_zero(&self) -> bool {
        self.unix == -UNIX_TO_INTERNAL && self.nanos == 0
    }

    /// Go's `Time.String()`.
    pub fn string(&self) -> String {
        self.format("2006-01-02 15:04:05.999999999 -0700 MST")
    }

    /// Go's `Time.Format(layout)`.
    pub fn format(&self, layout: &str) -> String {
        let mut b = Vec::with_capacity(layout.len() + 10);
        self.append_format(&mut b, layout.as_bytes());
        String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// Go's `Time.AppendFormat`, on bytes.
    pub fn append_format(&self, b: &mut Vec<u8>, mut layout: &[u8]) {
        let (year, month, day, yday) = self.date();
        let (hour, min, sec) = self.clock();
        let offset = self.offset();
        while !layout.is_empty() {
            let (prefix, std, suffix) = next_std_chunk(layout);
            b.extend_from_slice(prefix);
            let Some(std) = std else { break };
            layout = suffix;
            match std {
                Std::Year => append_int(b, (year.unsigned_abs() % 100) as i64, 2),
                Std::LongYear => append_int(b, year, 4),
                Std::Month => b.extend_from_slice(&MONTHS[month as usize - 1].as_bytes()[..3]),
                Std::LongMonth => b.extend_from_slice(MONTHS[month as usize - 1].as_bytes()),
                Std::NumMonth => append_int(b, month as i64, 0),
                Std::ZeroMonth => append_int(b, month as i64, 2),
                Std::WeekDay => b.extend_from_slice(&DAYS[self.weekday()].as_bytes()[..3]),
                Std::LongWeekDay => b.extend_from_slice(DAYS[self.weekday()].as_bytes()),
                Std::Day => append_int(b, day as i64, 0),
                Std::UnderDay => {
                    if day < 10 {
                        b.push(b' ');
                    }
                    append_int(b, day as i64, 0);
                }
                Std::ZeroDay => append_int(b, day as i64, 2),
                Std::UnderYearDay => {
                    if yday < 100 {
                        b.push(b' ');
                        if yday < 10 {
                            b.push(b' ');
                        }
                    }
                    append_int(b, yday as i64, 0);
                }
                Std::ZeroYearDay => append_int(b, yday as i64, 3),
                Std::Hour => append_int(b, hour as i64, 2),
                Std::Hour12 | Std::ZeroHour12 => {
                    let hr = if hour % 12 == 0 { 12 } else { hour % 12 };
                    append_int(b, hr as i64, if std == Std::Hour12 { 0 } else { 2 });
                }
                Std::Minute => append_int(b, min as i64, 0),
                Std::ZeroMinute => append_int(b, min as i64, 2),
                Std::Second => append_int(b, sec as i64, 0),
                Std::ZeroSecond => append_int(b, sec as i64, 2),
                Std::PM => b.extend_from_slice(if hour >= 12 { b"PM" } else { b"AM" }),
                Std::Pm => b.extend_from_slice(if hour >= 12 { b"pm" } else { b"am" }),
                Std::Tz(tz) => {
                    if offset == 0 && tz.iso {
                        b.push(b'Z');
                        continue;
                    }
                    let mut zone = offset / 60;
                    let mut absoffset = offset;
                    if zone < 0 {
                        b.push(b'-');
                        zone = -zone;
                        absoffset = -absoffset;
                    } else {
                        b.push(b'+');
                    }
                    append_int(b, (zone / 60) as i64, 2);
                    if tz.colon {
                        b.push(b':');
                    }
                    if !tz.short {
                        append_int(b, (zone % 60) as i64, 2);
                    }
                    if tz.seconds {
                        if tz.colon {
                            b.push(b':');
                        }
                        append_int(b, (absoffset % 60) as i64, 2);
                    }
                }
                Std::TzName => {
                    let name = self.zone_name();
                    if !name.is_empty() {
                        b.extend_from_slice(name.as_bytes());
                        continue;
                    }
                    let mut zone = offset / 60;
                    if zone < 0 {
                        b.push(b'-');
                        zone = -zone;
                    } else {
                        b.push(b'+');
                    }
                    append_int(b, (zone / 60) as i64, 2);
                    append_int(b, (zone % 60) as i64, 2);
                }
                Std::Frac { n, trim, sep } => {
                    let digits = format!("{:09}", self.nanos);
                    let digits = digits.as_bytes();
                    let mut n = n.min(9);
                    if trim {
                        while n > 0 && digits[n - 1] == b'0' {
                            n -= 1;
                        }
                        if n == 0 {
                            continue;
                        }
                    }
                    b.push(sep);
                    b.extend_from_slice(&digits[..n]);
                }
            }
        }
    }

    /// Go's `Time.GoString()`.
    pub fn go_string(&self) -> String {
        let (y, m, d, _) = self.date();
        let (h, mi, s) = self.clock();
        let loc = match &self.loc {
            Loc::Utc => "time.UTC".to_string(),
            Loc::Local => "time.Local".to_string(),
            Loc::Fixed { name, .. } => format!("time.Location({:?})", name),
        };
        format!(
            "time.Date({y}, time.{}, {d}, {h}, {mi}, {s}, {}, {loc})",
            MONTHS[m as usize - 1],
            self.nanos
        )
    }

    fn add_nanos(&self, d: i64) -> Time {
        let total = self.nanos as i64 + d.rem_euclid(1_000_000_000);
        let secs = self
            .unix
            .wrapping_add(d.div_euclid(1_000_000_000))
            .wrapping_add(total / 1_000_000_000);
        Time {
            unix: secs,
            nanos: (total % 1_000_000_000) as u32,
            loc: self.loc.clone(),
        }
    }

    fn sub(&self, u: &Time) -> i64 {
        let secs = self.unix as i128 - u.unix as i128;
        let ns = secs * 1_000_000_000 + self.nanos as i128 - u.nanos as i128;
        ns.clamp(i64::MIN as i128, i64::MAX as i128) as i64
    }

    /// The internal (wall, ext) pair Go's `fmt` shows for `%d` of a time: nanoseconds and seconds
    /// since year 1.
    pub fn internal(&self) -> (u64, i64) {
        (self.nanos as u64, self.unix.wrapping_add(UNIX_TO_INTERNAL))
    }

    /// Whether the location pointer is nil (UTC), for `%d` printing.
    pub fn loc_is_nil(&self) -> bool {
        self.loc == Loc::Utc
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    // Wrapping arithmetic: templates can push years far out of range (`AddDate`), and Go's own
    // arithmetic wraps there too; the result is nonsense but never a panic.
    let y = if m <= 2 { y.wrapping_sub(1) } else { y };
    let era = y.div_euclid(400);
    let yoe = y.wrapping_sub(era.wrapping_mul(400));
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era.wrapping_mul(146097)
        .wrapping_add(doe)
        .wrapping_sub(719468)
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z.wrapping_add(719468);
    let era = z.div_euclid(146097);
    let doe = z.wrapping_sub(era.wrapping_mul(146097));
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe.wrapping_add(era.wrapping_mul(400));
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y.wrapping_add(1) } else { y }, m, d)
}

fn append_int(b: &mut Vec<u8>, x: i64, width: usize) {
    let mut u = x.unsigned_abs();
    if x < 0 {
        b.push(b'-');
    }
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    for _ in (buf.len() - i)..width {
        b.push(b'0');
    }
    b.extend_from_slice(&buf[i..]);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TzStd {
    iso: bool,
    colon: bool,
    short: bool,
    seconds: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Std {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    TzName,
    Tz(TzStd),
    Frac { n: usize, trim: bool, sep: u8 },
}

fn starts_with_lower(s: &[u8]) -> bool {
    s.first().is_some_and(|c| c.is_ascii_lowercase())
}

/// Go's `nextStdChunk`: the text before the next layout element, the element, and the rest.
fn next_std_chunk(layout: &[u8]) -> (&[u8], Option<Std>, &[u8]) {
    let tz = |iso, colon, short, seconds| {
        Std::Tz(TzStd {
            iso,
            colon,
            short,
            seconds,
        })
    };
    let n = layout.len();
    for i in 0..n {
        let rest = &layout[i..];
        let hit = |std: Std, len: usize| Some((&layout[..i], Some(std), &layout[i + len..]));
        let found = match layout[i] {
            b'J' if rest.starts_with(b"Jan") => {
                if rest.starts_with(b"January") {
                    hit(Std::LongMonth, 7)
                } else if !starts_with_lower(&rest[3..]) {
                    hit(Std::Month, 3)
                } else {
                    None
                }
            }
            b'M' if rest.len() >= 3 => {
                if rest.starts_with(b"Mon") {
                    if rest.starts_with(b"Monday") {
                        hit(Std::LongWeekDay, 6)
                    } else if !starts_with_lower(&rest[3..]) {
                        hit(Std::WeekDay, 3)
                    } else if rest.starts_with(b"MST") {
                        hit(Std::TzName, 3)
                    } else {
                        None
                    }
                } else if rest.starts_with(b"MST") {
                    hit(Std::TzName, 3)
                } else {
                    None
                }
            }
            b'0' => {
                if rest.len() >= 2 && (b'1'..=b'6').contains(&rest[1]) {
                    let std = [
                        Std::ZeroMonth,
                        Std::ZeroDay,
                        Std::ZeroHour12,
                        Std::ZeroMinute,
                        Std::ZeroSecond,
                        Std::Year,
                    ][(rest[1] - b'1') as usize];
                    hit(std, 2)
                } else if rest.len() >= 3 && rest[1] == b'0' && rest[2] == b'2' {
                    hit(Std::ZeroYearDay, 3)
                } else {
                    None
                }
            }
            b'1' => {
                if rest.len() >= 2 && rest[1] == b'5' {
                    hit(Std::Hour, 2)
                } else {
                    hit(Std::NumMonth, 1)
                }
            }
            b'2' => {
                if rest.starts_with(b"2006") {
                    hit(Std::LongYear, 4)
                } else {
                    hit(Std::Day, 1)
                }
            }
            b'_' => {
                if rest.len() >= 2 && rest[1] == b'2' {
                    if rest.len() >= 5 && &rest[1..5] == b"2006" {
                        return (&layout[..i + 1], Some(Std::LongYear), &layout[i + 5..]);
                    }
                    hit(Std::UnderDay, 2)
                } else if rest.len() >= 3 && rest[1] == b'_' && rest[2] == b'2' {
                    hit(Std::UnderYearDay, 3)
                } else {
                    None
                }
            }
            b'3' => hit(Std::Hour12, 1),
            b'4' => hit(Std::Minute, 1),
            b'5' => hit(Std::Second, 1),
            b'P' if rest.len() >= 2 && rest[1] == b'M' => hit(Std::PM, 2),
            b'p' if rest.len() >= 2 && rest[1] == b'm' => hit(Std::Pm, 2),
            b'-' => {
                if rest.starts_with(b"-070000") {
                    hit(tz(false, false, false, true), 7)
                } else if rest.starts_with(b"-07:00:00") {
                    hit(tz(false, true, false, true), 9)
                } else if rest.starts_with(b"-0700") {
                    hit(tz(false, false, false, false), 5)
                } else if rest.starts_with(b"-07:00") {
                    hit(tz(false, true, false, false), 6)
                } else if rest.starts_with(b"-07") {
                    hit(tz(false, false, true, false), 3)
                } else {
                    None
                }
            }
            b'Z' => {
                if rest.starts_with(b"Z070000") {
                    hit(tz(true, false, false, true), 7)
                } else if rest.starts_with(b"Z07:00:00") {
                    hit(tz(true, true, false, true), 9)
                } else if rest.starts_with(b"Z0700") {
                    hit(tz(true, false, false, false), 5)
                } else if rest.starts_with(b"Z07:00") {
                    hit(tz(true, true, false, false), 6)
                } else if rest.starts_with(b"Z07") {
                    hit(tz(true, false, true, false), 3)
                } else {
                    None
                }
            }
            c @ (b'.' | b',') if rest.len() >= 2 && (rest[1] == b'0' || rest[1] == b'9') => {
                let ch = rest[1];
                let mut j = 1;
                while j < rest.len() && rest[j] == ch {
                    j += 1;
                }
                if rest.get(j).is_some_and(|c| c.is_ascii_digit()) {
                    None
                } else {
                    hit(
                        Std::Frac {
                            n: (j - 1) & 0xfff,
                            trim: ch == b'9',
                            sep: c,
                        },
                        j,
                    )
                }
            }
            _ => None,
        };
        if let Some(f) = found {
            return f;
        }
    }
    (layout, None, &[])
}

/// Go's `Duration.String()`.
pub fn duration_string(d: i64) -> String {
    let mut buf = [0u8; 32];
    let mut w = buf.len();
    let neg = d < 0;
    let mut u = d.unsigned_abs();
    fn fmt_frac(buf: &mut [u8], mut w: usize, mut v: u64, prec: usize) -> (usize, u64) {
        let mut print = false;
        for _ in 0..prec {
            let digit = v % 10;
            print = print || digit != 0;
            if print {
                w -= 1;
                buf[w] = digit as u8 + b'0';
            }
            v /= 10;
        }
        if print {
            w -= 1;
            buf[w] = b'.';
        }
        (w, v)
    }
    fn fmt_int(buf: &mut [u8], mut w: usize, mut v: u64) -> usize {
        if v == 0 {
            w -= 1;
            buf[w] = b'0';
        } else {
            while v > 0 {
                w -= 1;
                buf[w] = (v % 10) as u8 + b'0';
                v /= 10;
            }
        }
        w
    }
    if u < 1_000_000_000 {
        w -= 1;
        buf[w] = b's';
        w -= 1;
        let prec;
        if u == 0 {
            return "0s".to_string();
        } else if u < 1000 {
            prec = 0;
            buf[w] = b'n';
        } else if u < 1_000_000 {
            prec = 3;
            w -= 1;
            buf[w..w + 2].copy_from_slice("µ".as_bytes());
        } else {
            prec = 6;
            buf[w] = b'm';
        }
        let (nw, nu) = fmt_frac(&mut buf, w, u, prec);
        w = fmt_int(&mut buf, nw, nu);
    } else {
        w -= 1;
        buf[w] = b's';
        let (nw, nu) = fmt_frac(&mut buf, w, u, 9);
        u = nu;
        w = fmt_int(&mut buf, nw, u % 60);
        u /= 60;
        if u > 0 {
            w -= 1;
            buf[w] = b'm';
            w = fmt_int(&mut buf, w, u % 60);
            u /= 60;
            if u > 0 {
                w -= 1;
                buf[w] = b'h';
                w = fmt_int(&mut buf, w, u);
            }
        }
    }
    if neg {
        w -= 1;
        buf[w] = b'-';
    }
    String::from_utf8_lossy(&buf[w..]).into_owned()
}

/// The name of a location as a shared allocation: `time.UTC` and `time.Local` are single
/// locations, a fixed zone is the allocation of its name.
fn location_name(loc: &Loc) -> Arc<[u8]> {
    static UTC: std::sync::OnceLock<Arc<[u8]>> = std::sync::OnceLock::new();
    static LOCAL: std::sync::OnceLock<Arc<[u8]>> = std::sync::OnceLock::new();
    match loc {
        Loc::Utc => UTC.get_or_init(|| Arc::from(&b"UTC"[..])).clone(),
        Loc::Local => LOCAL.get_or_init(|| Arc::from(&b"Local"[..])).clone(),
        Loc::Fixed { name, .. } => Arc::<[u8]>::from(name.clone()),
    }
}

/// Go's `==` on two `time.Time` values: the same instant and the same `*Location` pointer.
pub(crate) fn same_time(a: &Time, b: &Time) -> bool {
    a.unix == b.unix
        && a.nanos == b.nanos
        && match (&a.loc, &b.loc) {
            (Loc::Utc, Loc::Utc) | (Loc::Local, Loc::Local) => true,
            (Loc::Fixed { name: x, .. }, Loc::Fixed { name: y, .. }) => Arc::ptr_eq(x, y),
            _ => false,
        }
}

/// Go's `==` on two non-nil `*time.Location` values built by `Time.Location`.
pub(crate) fn same_location(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Struct(_, x), Value::Struct(_, y)) => match (x.first(), y.first()) {
            (Some(Value::Str(p, _)), Some(Value::Str(q, _))) => Arc::ptr_eq(p, q),
            _ => false,
        },
        _ => false,
    }
}

fn time_of(v: &Value) -> &Time {
    match v {
        Value::Time(t) => t,
        Value::Ptr(_, Some(p)) => time_of(p),
        _ => &Time::ZERO,
    }
}

fn int_of(v: &Value) -> i64 {
    match v {
        Value::Int(i, _) => *i,
        Value::Uint(u, _) => *u as i64,
        Value::Ptr(_, Some(p)) => int_of(p),
        _ => 0,
    }
}

fn s(x: String) -> Value {
    Value::string(x.as_bytes())
}

macro_rules! m {
    ($name:expr, [$($p:expr),*], $results:expr, $f:expr) => {
        Method { name: $name, params: &[$($p),*], results: $results, error_result: false, func: $f }
    };
}

fn unsupported(_: &Value, _: &[Value]) -> Result<Value, String> {
    Err("not supported by hooktest".to_string())
}

fn with_loc(t: &Time, loc: Loc) -> Value {
    Value::Time(Time {
        unix: t.unix,
        nanos: t.nanos,
        loc,
    })
}

fn add_date(t: &Time, y: i64, mo: i64, d: i64) -> Time {
    let (year, month, day, _) = t.date();
    let (h, mi, sec) = t.clock();
    // Go's Date normalises month and day overflow.
    let total_months = year
        .wrapping_mul(12)
        .wrapping_add(month as i64 - 1)
        .wrapping_add(mo)
        .wrapping_add(y.wrapping_mul(12));
    let ny = total_months.div_euclid(12);
    let nm = total_months.rem_euclid(12) as u32 + 1;
    let days = days_from_civil(ny, nm, 1)
        .wrapping_add(day as i64 - 1)
        .wrapping_add(d);
    let local = days
        .wrapping_mul(86400)
        .wrapping_add((h * 3600 + mi * 60 + sec) as i64);
    Time {
        unix: local.wrapping_sub(t.offset() as i64),
        nanos: t.nanos,
        loc: t.loc.clone(),
    }
}

fn truncate_round(t: &Time, d: i64, round: bool) -> Time {
    if d <= 0 {
        return Time {
            unix: t.unix,
            nanos: t.nanos,
            loc: t.loc.clone(),
        };
    }
    // Go rounds relative to the zero time.
    let since_zero = (t.unix as i128 + UNIX_TO_INTERNAL as i128) * 1_000_000_000 + t.nanos as i128;
    let d = d as i128;
    let r = since_zero.rem_euclid(d);
    let mut delta = -r;
    if round && r + r >= d {
        delta = d - r;
    }
    let ns = delta.clamp(i64::MIN as i128, i64::MAX as i128) as i64;
    t.add_nanos(ns)
}

const RFC3339_NANO: &str = "2006-01-02T15:04:05.999999999Z07:00";

fn bytes_value(s: String) -> Value {
    Value::slice(
        &types::BYTE_SLICE,
        Some(
            s.bytes()
                .map(|b| Value::Uint(b as u64, &types::UINT8))
                .collect(),
        ),
    )
}

static LOCATION_FIELDS: [crate::value::FieldInfo; 1] = [crate::value::FieldInfo {
    name: "name",
    ty: &types::STRING,
    embedded: false,
}];

/// `time.Location` (its only field here is the unexported name).
pub static LOCATION: TypeInfo = TypeInfo {
    name: "time.Location",
    kind: Kind::Struct,
    elem: None,
    key: None,
    fields: &LOCATION_FIELDS,
    methods: &[m!("String", [], 1, |v, _| {
        let name = match v {
            Value::Ptr(_, Some(p)) => match &**p {
                Value::Struct(_, f) => f.first().cloned(),
                _ => None,
            },
            Value::Struct(_, f) => f.first().cloned(),
            _ => None,
        };
        Ok(name.unwrap_or_else(|| Value::string(b"UTC")))
    })],
    comparable: true,
};

/// `*time.Location`.
pub static LOCATION_PTR: TypeInfo = TypeInfo {
    name: "*time.Location",
    kind: Kind::Pointer,
    elem: Some(&LOCATION),
    key: None,
    fields: &[],
    methods: &[],
    comparable: true,
};

/// `time.Month`.
pub static MONTH: TypeInfo = TypeInfo {
    name: "time.Month",
    kind: Kind::Int,
    elem: None,
    key: None,
    fields: &[],
    methods: &[m!("String", [], 1, |v, _| {
        let i = int_of(v);
        Ok(s(if (1..=12).contains(&i) {
            MONTHS[i as usize - 1].to_string()
        } else {
            format!("%!Month({i})")
        }))
    })],
    comparable: true,
};

/// `time.Weekday`.
pub static WEEKDAY: TypeInfo = TypeInfo {
    name: "time.Weekday",
    kind: Kind::Int,
    elem: None,
    key: None,
    fields: &[],
    methods: &[m!("String", [], 1, |v, _| {
        let i = int_of(v);
        Ok(s(if (0..7).contains(&i) {
            DAYS[i as usize].to_string()
        } else {
            format!("%!Weekday({i})")
        }))
    })],
    comparable: true,
};

fn dur(d: i64) -> Value {
    Value::Int(d, &DURATION)
}

/// `time.Duration`.
pub static DURATION: TypeInfo = TypeInfo {
    name: "time.Duration",
    kind: Kind::Int64,
    elem: None,
    key: None,
    fields: &[],
    methods: &[
        m!("Abs", [], 1, |v, _| {
            let d = int_of(v);
            Ok(dur(if d >= 0 {
                d
            } else if d == i64::MIN {
                i64::MAX
            } else {
                -d
            }))
        }),
        m!("Hours", [], 1, |v, _| {
            let d = int_of(v);
            let (h, nsec) = (d / 3_600_000_000_000, d % 3_600_000_000_000);
            Ok(Value::Float(
                h as f64 + nsec as f64 / 3.6e12,
                &types::FLOAT64,
            ))
        }),
        m!("Microseconds", [], 1, |v, _| Ok(Value::Int(
            int_of(v) / 1000,
            &types::INT64
        ))),
        m!("Milliseconds", [], 1, |v, _| Ok(Value::Int(
            int_of(v) / 1_000_000,
            &types::INT64
        ))),
        m!("Minutes", [], 1, |v, _| {
            let d = int_of(v);
            let (m, nsec) = (d / 60_000_000_000, d % 60_000_000_000);
            Ok(Value::Float(m as f64 + nsec as f64 / 6e10, &types::FLOAT64))
        }),
        m!("Nanoseconds", [], 1, |v, _| Ok(Value::Int(
            int_of(v),
            &types::INT64
        ))),
        m!("Round", [&DURATION], 1, |v, a| {
            let (d, m) = (int_of(v), int_of(&a[0]));
            if m <= 0 {
                return Ok(dur(d));
            }
            let mut r = d % m;
            if d < 0 {
                r = -r;
                if r + r < m {
                    return Ok(dur(d + r));
                }
                return Ok(dur(d.checked_sub(m - r).unwrap_or(i64::MIN)));
            }
            if r + r < m {
                return Ok(dur(d - r));
            }
            Ok(dur(d.checked_add(m - r).unwrap_or(i64::MAX)))
        }),
        m!("Seconds", [], 1, |v, _| {
            let d = int_of(v);
            let (sec, nsec) = (d / 1_000_000_000, d % 1_000_000_000);
            Ok(Value::Float(
                sec as f64 + nsec as f64 / 1e9,
                &types::FLOAT64,
            ))
        }),
        m!("String", [], 1, |v, _| Ok(s(duration_string(int_of(v))))),
        m!("Truncate", [&DURATION], 1, |v, a| {
            let (d, m) = (int_of(v), int_of(&a[0]));
            Ok(dur(if m <= 0 { d } else { d - d % m }))
        }),
    ],
    comparable: true,
};

fn int(i: i64) -> Value {
    Value::int(i)
}

/// `time.Time`, with its exported methods (the value-receiver method set).
pub static TIME: TypeInfo = TypeInfo {
    name: "time.Time",
    kind: Kind::Struct,
    elem: None,
    key: None,
    fields: &[],
    methods: &[
        m!("Add", [&DURATION], 1, |v, a| Ok(Value::Time(
            time_of(v).add_nanos(int_of(&a[0]))
        ))),
        m!(
            "AddDate",
            [&types::INT, &types::INT, &types::INT],
            1,
            |v, a| {
                Ok(Value::Time(add_date(
                    time_of(v),
                    int_of(&a[0]),
                    int_of(&a[1]),
                    int_of(&a[2]),
                )))
            }
        ),
        m!("After", [&TIME], 1, |v, a| Ok(Value::Bool(
            time_of(v).sub(time_of(&a[0])) > 0
        ))),
        m!(
            "AppendFormat",
            [&types::BYTE_SLICE, &types::STRING],
            1,
            unsupported
        ),
        m!("Before", [&TIME], 1, |v, a| Ok(Value::Bool(
            time_of(v).sub(time_of(&a[0])) < 0
        ))),
        m!("Clock", [], 3, unsupported),
        m!("Date", [], 3, unsupported),
        m!("Day", [], 1, |v, _| Ok(int(time_of(v).date().2 as i64))),
        m!("Equal", [&TIME], 1, |v, a| {
            let (x, y) = (time_of(v), time_of(&a[0]));
            Ok(Value::Bool(x.unix == y.unix && x.nanos == y.nanos))
        }),
        m!("Format", [&types::STRING], 1, |v, a| {
            let layout = match &a[0] {
                Value::Str(s, _) => s.clone(),
                _ => Arc::from(&b""[..]),
            };
            let mut out = Vec::with_capacity(layout.len() + 10);
            time_of(v).append_format(&mut out, &layout);
            Ok(Value::Str(Arc::from(out), &types::STRING))
        }),
        m!("GoString", [], 1, |v, _| Ok(s(time_of(v).go_string()))),
        m!("Hour", [], 1, |v, _| Ok(int(time_of(v).clock().0 as i64))),
        m!("ISOWeek", [], 2, unsupported),
        m!("IsDST", [], 1, |_, _| Ok(Value::Bool(false))),
        m!("IsZero", [], 1, |v, _| Ok(Value::Bool(
            time_of(v).is_zero()
        ))),
        m!("Local", [], 1, |v, _| Ok(with_loc(time_of(v), Loc::Local))),
        m!("Location", [], 1, |v, _| {
            // The name keeps the location's identity (one allocation per `time.Location`), so
            // `eq` can compare the pointers as Go does.
            Ok(Value::Ptr(
                &LOCATION_PTR,
                Some(Arc::new(Value::Struct(
                    &LOCATION,
                    Arc::from([Value::Str(location_name(&time_of(v).loc), &types::STRING)]),
                ))),
            ))
        }),
        Method {
            name: "MarshalJSON",
            params: &[],
            results: 2,
            error_result: true,
            func: |v, _| {
                Ok(bytes_value(format!(
                    "\"{}\"",
                    time_of(v).format(RFC3339_NANO)
                )))
            },
        },
        Method {
            name: "MarshalText",
            params: &[],
            results: 2,
            error_result: true,
            func: |v, _| Ok(bytes_value(time_of(v).format(RFC3339_NANO))),
        },
        m!("Minute", [], 1, |v, _| Ok(int(time_of(v).clock().1 as i64))),
        m!("Month", [], 1, |v, _| Ok(Value::Int(
            time_of(v).date().1 as i64,
            &MONTH
        ))),
        m!("Nanosecond", [], 1, |v, _| Ok(int(time_of(v).nanos as i64))),
        m!("Round", [&DURATION], 1, |v, a| {
            Ok(Value::Time(truncate_round(time_of(v), int_of(&a[0]), true)))
        }),
        m!("Second", [], 1, |v, _| Ok(int(time_of(v).clock().2 as i64))),
        m!("String", [], 1, |v, _| Ok(s(time_of(v).string()))),
        m!("Sub", [&TIME], 1, |v, a| Ok(dur(
            time_of(v).sub(time_of(&a[0]))
        ))),
        m!("Truncate", [&DURATION], 1, |v, a| {
            Ok(Value::Time(truncate_round(
                time_of(v),
                int_of(&a[0]),
                false,
            )))
        }),
        m!("UTC", [], 1, |v, _| Ok(with_loc(time_of(v), Loc::Utc))),
        m!("Unix", [], 1, |v, _| Ok(Value::Int(
            time_of(v).unix,
            &types::INT64
        ))),
        m!("UnixMicro", [], 1, |v, _| {
            let t = time_of(v);
            Ok(Value::Int(
                t.unix
                    .wrapping_mul(1_000_000)
                    .wrapping_add(t.nanos as i64 / 1000),
                &types::INT64,
            ))
        }),
        m!("UnixMilli", [], 1, |v, _| {
            let t = time_of(v);
            Ok(Value::Int(
                t.unix
                    .wrapping_mul(1000)
                    .wrapping_add(t.nanos as i64 / 1_000_000),
                &types::INT64,
            ))
        }),
        m!("UnixNano", [], 1, |v, _| {
            let t = time_of(v);
            Ok(Value::Int(
                t.unix
                    .wrapping_mul(1_000_000_000)
                    .wrapping_add(t.nanos as i64),
                &types::INT64,
            ))
        }),
        m!("Weekday", [], 1, |v, _| Ok(Value::Int(
            time_of(v).weekday() as i64,
            &WEEKDAY
        ))),
        m!("Year", [], 1, |v, _| Ok(int(time_of(v).date().0))),
        m!("YearDay", [], 1, |v, _| Ok(int(time_of(v).date().3 as i64))),
        m!("Zone", [], 2, unsupported),
        m!("ZoneBounds", [], 2, unsupported),
    ],
    comparable: true,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_go() {
        let t = Time::with_offset(1727175748, 412_000_000, None);
        assert_eq!(t.string(), "2024-09-24 11:02:28.412 +0000 UTC");
        assert_eq!(
            t.format("2006-01-02T15:04:05Z07:00 Mon Jan _2 3PM .000 __2"),
            "2024-09-24T11:02:28Z Tue Sep 24 11AM .412 268"
        );
        let f = Time::with_offset(1727175748, 0, Some(7200));
        assert_eq!(f.string(), "2024-09-24 13:02:28 +0200 +0200");
        assert_eq!(Time::ZERO.string(), "0001-01-01 00:00:00 +0000 UTC");
    }

    #[test]
    fn durations_print_like_go() {
        assert_eq!(duration_string(94_675_000_000), "1m34.675s");
        assert_eq!(duration_string(1500), "1.5µs");
        assert_eq!(duration_string(0), "0s");
        assert_eq!(duration_string(-3_600_000_000_000), "-1h0m0s");
    }
}
