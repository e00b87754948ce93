//! Ports of the parts of Go's `strconv` and `unicode/utf8` that templates reach: UTF-8 decoding
//! of byte strings, quoting, unquoting literals, number parsing and float formatting.

/// Go's `utf8.DecodeRune`: the rune at the start of `b` and its width; invalid bytes decode as
/// U+FFFD of width 1, an empty input as U+FFFD of width 0.
pub fn decode_rune(b: &[u8]) -> (u32, usize) {
    if b.is_empty() {
        return (0xFFFD, 0);
    }
    let b0 = b[0];
    if b0 < 0x80 {
        return (b0 as u32, 1);
    }
    let (len, min, init) = match b0 {
        0xC2..=0xDF => (2, 0x80, (b0 & 0x1F) as u32),
        0xE0..=0xEF => (3, 0x800, (b0 & 0x0F) as u32),
        0xF0..=0xF4 => (4, 0x10000, (b0 & 0x07) as u32),
        _ => return (0xFFFD, 1),
    };
    if b.len() < len {
        return (0xFFFD, 1);
    }
    let mut r = init;
    for &c in &b[1..len] {
        if c & 0xC0 != 0x80 {
            return (0xFFFD, 1);
        }
        r = (r << 6) | (c & 0x3F) as u32;
    }
    if r < min || r > 0x10FFFF || (0xD800..=0xDFFF).contains(&r) {
        return (0xFFFD, 1);
    }
    (r, len)
}

/// Go's `utf8.DecodeLastRune` width, for backing up over text.
pub fn rune_count(b: &[u8]) -> usize {
    let mut i = 0;
    let mut n = 0;
    while i < b.len() {
        let (_, w) = decode_rune(&b[i..]);
        i += w.max(1);
        n += 1;
    }
    n
}

/// Appends the UTF-8 encoding of `r` (U+FFFD for invalid runes), as Go's `utf8.AppendRune`.
pub fn push_rune(out: &mut Vec<u8>, r: u32) {
    let c = char::from_u32(r).unwrap_or('\u{FFFD}');
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

/// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
///
/// Rust's standard library has no general-category table, so this approximates the complement
/// (controls, separators other than U+0020, format characters, private use, noncharacters);
/// unassigned code points count as printable here, where Go says they are not.
pub fn is_print(r: u32) -> bool {
    if r < 0x80 {
        return (0x20..0x7F).contains(&r);
    }
    let Some(c) = char::from_u32(r) else {
        return false;
    };
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(r,
        0x00A0 | 0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2
        | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F
        | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x13438 | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F | 0xE000..=0xF8FF
        | 0xF0000..=0x10FFFF | 0xFDD0..=0xFDEF)
        && (r & 0xFFFE) != 0xFFFE
}

const LOWERHEX: &[u8; 16] = b"0123456789abcdef";

fn append_escaped_rune(out: &mut Vec<u8>, r: u32, quote: u8, ascii_only: bool) {
    if r == quote as u32 || r == '\\' as u32 {
        out.push(b'\\');
        out.push(r as u8);
        return;
    }
    if ascii_only {
        if r < 0x80 && is_print(r) {
            out.push(r as u8);
            return;
        }
    } else if is_print(r) {
        push_rune(out, r);
        return;
    }
    match r {
        7 => out.extend_from_slice(b"\\a"),
        8 => out.extend_from_slice(b"\\b"),
        12 => out.extend_from_slice(b"\\f"),
        10 => out.extend_from_slice(b"\\n"),
        13 => out.extend_from_slice(b"\\r"),
        9 => out.extend_from_slice(b"\\t"),
        11 => out.extend_from_slice(b"\\v"),
        _ => {
            if r < 0x20 || r == 0x7F {
                out.extend_from_slice(b"\\x");
                out.push(LOWERHEX[(r >> 4) as usize & 0xF]);
                out.push(LOWERHEX[r as usize & 0xF]);
            } else if r < 0x10000 {
                out.extend_from_slice(b"\\u");
                for s in [12, 8, 4, 0] {
                    out.push(LOWERHEX[(r >> s) as usize & 0xF]);
                }
            } else {
                out.extend_from_slice(b"\\U");
                for s in [28, 24, 20, 16, 12, 8, 4, 0] {
                    out.push(LOWERHEX[(r >> s) as usize & 0xF]);
                }
            }
        }
    }
}

/// Go's `strconv.Quote` (or `QuoteToASCII` when `ascii_only`), appended to `out`.
pub fn append_quote(out: &mut Vec<u8>, s: &[u8], ascii_only: bool) {
    out.push(b'"');
    let mut i = 0;
    while i < s.len() {
        let (r, w) = decode_rune(&s[i..]);
        if w == 1 && r == 0xFFFD {
            out.extend_from_slice(b"\\x");
            out.push(LOWERHEX[(s[i] >> 4) as usize]);
            out.push(LOWERHEX[(s[i] & 0xF) as usize]);
            i += 1;
            continue;
        }
        append_escaped_rune(out, r, b'"', ascii_only);
        i += w;
    }
    out.push(b'"');
}

/// Go's `strconv.QuoteRune` (or `QuoteRuneToASCII`).
pub fn append_quote_rune(out: &mut Vec<u8>, r: u32, ascii_only: bool) {
    let r = if char::from_u32(r).is_none() {
        0xFFFD
    } else {
        r
    };
    out.push(b'\'');
    append_escaped_rune(out, r, b'\'', ascii_only);
    out.push(b'\'');
}

/// `fmt.Sprintf("%.Nq", s)` for valid text: the first `n` runes, quoted.
pub fn quote_str_prefix(s: &str, n: usize) -> String {
    let cut = s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
    let mut out = Vec::new();
    append_quote(&mut out, &s.as_bytes()[..cut], false);
    String::from_utf8_lossy(&out).into_owned()
}

/// `fmt.Sprintf("%#U", r)`: `U+0021 '!'`.
pub fn quote_rune_ascii_hash_u(c: char) -> String {
    let r = c as u32;
    if is_print(r) {
        format!("U+{r:04X} '{c}'")
    } else {
        format!("U+{r:04X}")
    }
}

/// Go's `strconv.CanBackquote`.
pub fn can_backquote(s: &[u8]) -> bool {
    let mut i = 0;
    while i < s.len() {
        let (r, w) = decode_rune(&s[i..]);
        i += w.max(1);
        if w > 1 {
            if r == 0xFEFF {
                return false;
            }
            continue;
        }
        if r == 0xFFFD {
            return false;
        }
        if (r < 0x20 && r != '\t' as u32) || r == '`' as u32 || r == 0x7F {
            return false;
        }
    }
    true
}

/// The error of a failed unquote; Go's `strconv.ErrSyntax` prints as "invalid syntax".
pub const INVALID_SYNTAX: &str = "invalid syntax";

fn unhex(b: u8) -> Option<u32> {
    (b as char).to_digit(16)
}

/// Go's `strconv.UnquoteChar`: decodes one character or escape from `s`, returning the value,
/// whether it must be written as a multibyte rune, and the rest.
pub fn unquote_char(s: &[u8], quote: u8) -> Result<(u32, bool, &[u8]), &'static str> {
    let Some(&c) = s.first() else {
        return Err(INVALID_SYNTAX);
    };
    if c == quote && (quote == b'\'' || quote == b'"') {
        return Err(INVALID_SYNTAX);
    }
    if c >= 0x80 {
        let (r, w) = decode_rune(s);
        return Ok((r, true, &s[w..]));
    }
    if c != b'\\' {
        return Ok((c as u32, false, &s[1..]));
    }
    if s.len() <= 1 {
        return Err(INVALID_SYNTAX);
    }
    let c = s[1];
    let mut rest = &s[2..];
    let value = match c {
        b'a' => 7,
        b'b' => 8,
        b'f' => 12,
        b'n' => 10,
        b'r' => 13,
        b't' => 9,
        b'v' => 11,
        b'x' | b'u' | b'U' => {
            let n = match c {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            if rest.len() < n {
                return Err(INVALID_SYNTAX);
            }
            let mut v = 0u32;
            for &d in &rest[..n] {
                v = (v << 4) | unhex(d).ok_or(INVALID_SYNTAX)?;
            }
            rest = &rest[n..];
            if c == b'x' {
                return Ok((v, false, rest));
            }
            if char::from_u32(v).is_none() {
                return Err(INVALID_SYNTAX);
            }
            return Ok((v, true, rest));
        }
        b'0'..=b'7' => {
            let mut v = (c - b'0') as u32;
            if rest.len() < 2 {
                return Err(INVALID_SYNTAX);
            }
            for &d in &rest[..2] {
                let x = (d as char).to_digit(8).ok_or(INVALID_SYNTAX)?;
                v = (v << 3) | x;
            }
            rest = &rest[2..];
            if v > 255 {
                return Err(INVALID_SYNTAX);
            }
            return Ok((v, false, rest));
        }
        b'\\' => '\\' as u32,
        b'\'' | b'"' => {
            if c != quote {
                return Err(INVALID_SYNTAX);
            }
            c as u32
        }
        _ => return Err(INVALID_SYNTAX),
    };
    Ok((value, false, rest))
}

/// Go's `strconv.Unquote` for the three quote styles, producing bytes (Go strings may hold
/// invalid UTF-8 through `\x` escapes).
pub fn unquote(s: &str) -> Result<Vec<u8>, &'static str> {
    let b = s.as_bytes();
    if b.len() < 2 {
        return Err(INVALID_SYNTAX);
    }
    let quote = b[0];
    if quote != b[b.len() - 1] {
        return Err(INVALID_SYNTAX);
    }
    let inner = &b[1..b.len() - 1];
    match quote {
        b'`' => {
            if inner.contains(&b'`') {
                return Err(INVALID_SYNTAX);
            }
            Ok(inner.iter().copied().filter(|&c| c != b'\r').collect())
        }
        b'"' | b'\'' => {
            if inner.contains(&b'\n') {
                return Err(INVALID_SYNTAX);
            }
            let mut out = Vec::with_capacity(inner.len());
            let mut rest = inner;
            while !rest.is_empty() {
                let (v, multibyte, tail) = unquote_char(rest, quote)?;
                rest = tail;
                if v < 0x80 || !multibyte {
                    out.push(v as u8);
                } else {
                    push_rune(&mut out, v);
                }
                if quote == b'\'' && !rest.is_empty() {
                    return Err(INVALID_SYNTAX);
                }
            }
            Ok(out)
        }
        _ => Err(INVALID_SYNTAX),
    }
}

/// Go's `underscoreOK`: underscores only between digits or after a base prefix.
fn underscore_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    if !b.is_empty() && (b[0] == b'-' || b[0] == b'+') {
        i = 1;
    }
    let mut hex = false;
    if b.len() - i >= 2 && b[i] == b'0' {
        let c = b[i + 1] | 0x20;
        if c == b'x' || c == b'o' || c == b'b' {
            hex = c == b'x';
            i += 2;
            saw = b'0';
        }
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// Go's `strconv.ParseUint(s, 0, 64)`; `None` on any error.
pub fn parse_uint0(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let b = s.as_bytes();
    let (base, digits) = if b[0] == b'0' {
        if b.len() >= 3 && (b[1] | 0x20) == b'x' {
            (16, &s[2..])
        } else if b.len() >= 3 && (b[1] | 0x20) == b'o' {
            (8, &s[2..])
        } else if b.len() >= 3 && (b[1] | 0x20) == b'b' {
            (2, &s[2..])
        } else {
            (8, &s[1..])
        }
    } else {
        (10, s)
    };
    let mut n: u64 = 0;
    let mut underscores = false;
    let mut any = base == 8 && digits.len() + 1 == s.len();
    for c in digits.bytes() {
        if c == b'_' {
            underscores = true;
            continue;
        }
        let d = (c as char).to_digit(base)? as u64;
        n = n.checked_mul(base as u64)?.checked_add(d)?;
        any = true;
    }
    if !any || (underscores && !underscore_ok(s)) {
        return None;
    }
    Some(n)
}

/// Go's `strconv.ParseInt(s, 0, 64)`; `None` on any error.
pub fn parse_int0(s: &str) -> Option<i64> {
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let u = parse_uint0(rest)?;
    if neg {
        if u > 1 << 63 {
            None
        } else {
            Some((u as i64).wrapping_neg())
        }
    } else if u > i64::MAX as u64 {
        None
    } else {
        Some(u as i64)
    }
}

/// Go's `strconv.ParseFloat(s, 64)` for the syntaxes the lexer lets through; `None` on error
/// (including out-of-range values, which Go reports as errors too).
pub fn parse_float(s: &str) -> Option<f64> {
    if s.contains('_') && !underscore_ok(s) {
        return None;
    }
    let clean: String = s.chars().filter(|&c| c != '_').collect();
    let (neg, body) = match clean.as_bytes().first() {
        Some(b'+') => (false, &clean[1..]),
        Some(b'-') => (true, &clean[1..]),
        _ => (false, &clean[..]),
    };
    let lower = body.to_ascii_lowercase();
    let v = if let Some(hex) = lower.strip_prefix("0x") {
        parse_hex_float(hex)?
    } else {
        if lower.starts_with("0o")
            || lower.starts_with("0b")
            || lower.contains("inf")
            || lower.contains("nan")
        {
            return None;
        }
        if !body
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
        {
            return None;
        }
        let v: f64 = body.parse().ok()?;
        if v.is_infinite() {
            return None;
        }
        v
    };
    Some(if neg { -v } else { v })
}

fn parse_hex_float(s: &str) -> Option<f64> {
    let (mant, exp) = match s.find('p') {
        Some(i) => (&s[..i], s[i + 1..].parse::<i64>().ok()?),
        None => return None,
    };
    let mut m: f64 = 0.0;
    let mut frac_digits = 0i64;
    let mut seen_dot = false;
    let mut any = false;
    for c in mant.chars() {
        if c == '.' {
            if seen_dot {
                return None;
            }
            seen_dot = true;
            continue;
        }
        let d = c.to_digit(16)?;
        m = m * 16.0 + d as f64;
        any = true;
        if seen_dot {
            frac_digits += 1;
        }
    }
    if !any {
        return None;
    }
    let v = m * 2f64.powi((exp - 4 * frac_digits).clamp(-2000, 2000) as i32);
    if v.is_infinite() {
        None
    } else {
        Some(v)
    }
}

/// Decimal digits of a float (no leading or trailing zeros) and the decimal point position, as
/// Go's `decimalSlice` (`0.d1d2… × 10^dp`); zero has no digits.
struct Digits {
    d: Vec<u8>,
    dp: i32,
}

fn digits_from_exp(s: &str) -> Digits {
    // `s` is Rust's `{:e}` form: "d.ddde±x" or "de±x".
    let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut d: Vec<u8> = mant.bytes().filter(|c| c.is_ascii_digit()).collect();
    while d.last() == Some(&b'0') {
        d.pop();
    }
    if d.is_empty() {
        return Digits { d, dp: 0 };
    }
    Digits { d, dp: exp + 1 }
}

fn digits_fixed(v: f64, prec: usize) -> Digits {
    let s = format!("{:.*}", prec, v);
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let mut all: Vec<u8> = int.bytes().chain(frac.bytes()).collect();
    let mut dp = int.len() as i32;
    let lead = all.iter().take_while(|&&c| c == b'0').count();
    all.drain(..lead);
    dp -= lead as i32;
    while all.last() == Some(&b'0') {
        all.pop();
    }
    if all.is_empty() {
        dp = 0;
    }
    Digits { d: all, dp }
}

fn fmt_e(dst: &mut Vec<u8>, neg: bool, d: &Digits, prec: i32, fmt: u8) {
    if neg {
        dst.push(b'-');
    }
    dst.push(d.d.first().copied().unwrap_or(b'0'));
    if prec > 0 {
        dst.push(b'.');
        let mut i = 1usize;
        let m = d.d.len().min(prec as usize + 1);
        if i < m {
            dst.extend_from_slice(&d.d[i..m]);
            i = m;
        }
        while i as i32 <= prec {
            dst.push(b'0');
            i += 1;
        }
    }
    dst.push(fmt);
    let mut exp = d.dp - 1;
    if d.d.is_empty() {
        exp = 0;
    }
    if exp < 0 {
        dst.push(b'-');
        exp = -exp;
    } else {
        dst.push(b'+');
    }
    if exp < 10 {
        dst.push(b'0');
        dst.push(b'0' + exp as u8);
    } else if exp < 100 {
        dst.push(b'0' + (exp / 10) as u8);
        dst.push(b'0' + (exp % 10) as u8);
    } else {
        dst.push(b'0' + (exp / 100) as u8);
        dst.push(b'0' + ((exp / 10) % 10) as u8);
        dst.push(b'0' + (exp % 10) as u8);
    }
}

fn fmt_f(dst: &mut Vec<u8>, neg: bool, d: &Digits, prec: i32) {
    if neg {
        dst.push(b'-');
    }
    let nd = d.d.len() as i32;
    if d.dp > 0 {
        let m = nd.min(d.dp);
        dst.extend_from_slice(&d.d[..m as usize]);
        for _ in m..d.dp {
            dst.push(b'0');
        }
    } else {
        dst.push(b'0');
    }
    if prec > 0 {
        dst.push(b'.');
        for i in 0..prec {
            let j = d.dp + i;
            dst.push(if 0 <= j && j < nd {
                d.d[j as usize]
            } else {
                b'0'
            });
        }
    }
}

/// Go's `strconv.fmtB`: `-ddddp±ddd` (decimal mantissa and binary exponent).
fn fmt_b(dst: &mut Vec<u8>, neg: bool, mant: u64, exp: i64) {
    if neg {
        dst.push(b'-');
    }
    dst.extend_from_slice(mant.to_string().as_bytes());
    dst.push(b'p');
    let exp = exp - 52;
    if exp >= 0 {
        dst.push(b'+');
    }
    dst.extend_from_slice(exp.to_string().as_bytes());
}

/// Go's `strconv.fmtX`: `-0x1.yyyyyyp±dd` (hexadecimal mantissa and binary exponent).
fn fmt_x(dst: &mut Vec<u8>, prec: i32, fmt: u8, neg: bool, mut mant: u64, mut exp: i64) {
    if mant == 0 {
        exp = 0;
    }
    mant <<= 60 - 52;
    while mant != 0 && mant & (1 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    if (0..15).contains(&prec) {
        let shift = (prec * 4) as u32;
        let extra = (mant << shift) & ((1u64 << 60) - 1);
        mant >>= 60 - shift;
        if extra | (mant & 1) > 1 << 59 {
            mant += 1;
        }
        mant <<= 60 - shift;
        if mant & (1 << 61) != 0 {
            mant >>= 1;
            exp += 1;
        }
    }
    let hex: &[u8; 16] = if fmt == b'X' {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    if neg {
        dst.push(b'-');
    }
    dst.extend_from_slice(&[b'0', fmt, b'0' + ((mant >> 60) & 1) as u8]);
    mant <<= 4;
    if prec < 0 && mant != 0 {
        dst.push(b'.');
        while mant != 0 {
            dst.push(hex[((mant >> 60) & 15) as usize]);
            mant <<= 4;
        }
    } else if prec > 0 {
        dst.push(b'.');
        for _ in 0..prec {
            dst.push(hex[((mant >> 60) & 15) as usize]);
            mant <<= 4;
        }
    }
    dst.push(if fmt == b'X' { b'P' } else { b'p' });
    if exp < 0 {
        dst.push(b'-');
        exp = -exp;
    } else {
        dst.push(b'+');
    }
    if exp < 100 {
        dst.extend_from_slice(format!("{exp:02}").as_bytes());
    } else {
        dst.extend_from_slice(exp.to_string().as_bytes());
    }
}

/// Go's `strconv.AppendFloat(dst, v, fmt, prec, 64)` for `b e E f g G x X`.
pub fn append_float(dst: &mut Vec<u8>, v: f64, fmt: u8, prec: i32) {
    if v.is_nan() {
        dst.extend_from_slice(b"NaN");
        return;
    }
    if v.is_infinite() {
        dst.extend_from_slice(if v > 0.0 { b"+Inf" } else { b"-Inf" });
        return;
    }
    let neg = v.is_sign_negative();
    if matches!(fmt, b'b' | b'x' | b'X') {
        // Go's genericFtoa: split the bits, then fmtB / fmtX.
        let bits = v.to_bits();
        let mut exp = ((bits >> 52) & 0x7FF) as i64;
        let mut mant = bits & ((1u64 << 52) - 1);
        if exp == 0 {
            exp += 1;
        } else {
            mant |= 1u64 << 52;
        }
        exp -= 1023;
        if fmt == b'b' {
            fmt_b(dst, neg, mant, exp);
        } else {
            fmt_x(dst, prec, fmt, neg, mant, exp);
        }
        return;
    }
    let a = v.abs();
    let fmt = match fmt {
        b'e' | b'E' | b'f' | b'g' | b'G' => fmt,
        b'F' => b'f',
        _ => b'g',
    };
    let shortest = prec < 0;
    let mut prec = prec;
    let digs = if shortest {
        let d = digits_from_exp(&format!("{:e}", a));
        let nd = d.d.len() as i32;
        prec = match fmt {
            b'e' | b'E' => (nd - 1).max(0),
            b'f' => (nd - d.dp).max(0),
            _ => nd,
        };
        d
    } else if fmt == b'f' {
        digits_fixed(a, prec.min(1100) as usize)
    } else {
        let digits = match fmt {
            b'e' | b'E' => prec + 1,
            _ => {
                if prec == 0 {
                    prec = 1;
                }
                prec
            }
        };
        digits_from_exp(&format!("{:.*e}", (digits - 1).clamp(0, 1100) as usize, a))
    };
    let nd = digs.d.len() as i32;
    match fmt {
        b'e' | b'E' => fmt_e(dst, neg, &digs, prec, fmt),
        b'f' => fmt_f(dst, neg, &digs, prec),
        _ => {
            let mut eprec = prec;
            if eprec > nd && nd >= digs.dp {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exp = digs.dp - 1;
            if exp < -4 || exp >= eprec {
                if prec > nd {
                    prec = nd;
                }
                fmt_e(dst, neg, &digs, prec - 1, fmt + b'e' - b'g');
            } else {
                if prec > digs.dp {
                    prec = nd;
                }
                fmt_f(dst, neg, &digs, (prec - digs.dp).max(0));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(v: f64, fmt: u8, prec: i32) -> String {
        let mut out = Vec::new();
        append_float(&mut out, v, fmt, prec);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn floats_format_like_go() {
        assert_eq!(f(1000000.0, b'g', -1), "1e+06");
        assert_eq!(f(100000.0, b'g', -1), "100000");
        assert_eq!(f(1.23456, b'f', 2), "1.23");
        assert_eq!(f(3.0, b'e', 6), "3.000000e+00");
        assert_eq!(f(0.0, b'g', -1), "0");
        assert_eq!(f(-0.5, b'g', -1), "-0.5");
        assert_eq!(f(1e-5, b'g', -1), "1e-05");
        assert_eq!(f(123456789.0, b'g', 3), "1.23e+08");
        assert_eq!(f(2.5, b'f', 0), "2");
    }

    #[test]
    fn quoting_matches_strconv() {
        let mut out = Vec::new();
        append_quote(&mut out, "a\"b\n\u{2028}é\x01".as_bytes(), false);
        assert_eq!(String::from_utf8(out).unwrap(), r#""a\"b\n\u2028é\x01""#);
        assert_eq!(unquote(r#""\x41\u00e9""#).unwrap(), "Aé".as_bytes());
        assert!(unquote(r#""\z""#).is_err());
    }

    #[test]
    fn integers_parse_with_prefixes() {
        assert_eq!(parse_int0("0x1F"), Some(31));
        assert_eq!(parse_int0("017"), Some(15));
        assert_eq!(parse_int0("1_000"), Some(1000));
        assert_eq!(parse_int0("08"), None);
        assert_eq!(parse_int0("-0b11"), Some(-3));
        assert_eq!(parse_uint0("-1"), None);
    }
}
