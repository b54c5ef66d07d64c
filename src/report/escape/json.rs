//! JSON (the report, SARIF, statistics). JSON strings are data, kept exact; serde_json already
//! escapes C0 controls, quotes and backslashes. This writer also escapes what serde_json leaves
//! raw but a terminal or a reader's eye acts on (DEL, C1 controls such as CSI, bidi controls,
//! line separators) and `<`, `>`, `&` (so the text can sit in HTML or XML as it is). Parsed,
//! the values are the same.

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter, PrettyFormatter};
use std::io::{self, Write};

/// A formatter that escapes more characters than serde_json does, delegating the layout.
struct Guarded<F>(F);

fn needs_escape(c: char) -> bool {
    super::is_hidden(c) || matches!(c, '<' | '>' | '&')
}

macro_rules! delegate {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {
        $(fn $name<W: ?Sized + Write>(&mut self, writer: &mut W $(, $arg: $ty)*) -> io::Result<()> {
            self.0.$name(writer $(, $arg)*)
        })*
    };
}

impl<F: Formatter> Formatter for Guarded<F> {
    delegate! {
        begin_array();
        end_array();
        begin_array_value(first: bool);
        end_array_value();
        begin_object();
        end_object();
        begin_object_key(first: bool);
        end_object_key();
        begin_object_value();
        end_object_value();
        write_char_escape(escape: CharEscape);
    }

    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // Most text is ASCII needing nothing, which is checked a vector at a time: serde_json
        // hands over fragments with C0 controls, quotes and backslashes already cut out, so the
        // one ASCII control left to find is DEL.
        let bytes = fragment.as_bytes();
        if bytes.is_ascii()
            && memchr::memchr3(b'<', b'>', b'&', bytes).is_none()
            && memchr::memchr(0x7f, bytes).is_none()
        {
            return writer.write_all(bytes);
        }
        // Else only bytes that may start an escape are decoded.
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b.is_ascii() && !b.is_ascii_control() && !matches!(b, b'<' | b'>' | b'&') {
                i += 1;
                continue;
            }
            let c = fragment[i..].chars().next().unwrap_or_default();
            if needs_escape(c) {
                writer.write_all(&bytes[start..i])?;
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
                start = i + c.len_utf8();
            }
            i += c.len_utf8();
        }
        writer.write_all(&bytes[start..])
    }
}

/// `value` as pretty JSON.
pub fn to_writer_pretty<T: Serialize + ?Sized>(
    out: &mut dyn Write,
    value: &T,
) -> serde_json::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(out, Guarded(PrettyFormatter::new()));
    value.serialize(&mut ser)
}

/// `value` as compact JSON, safe inside an HTML `<script>` element.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut out,
        Guarded(serde_json::ser::CompactFormatter),
    );
    value.serialize(&mut ser)?;
    // The formatter writes only what serde_json gives it and ASCII escapes: still UTF-8.
    Ok(String::from_utf8(out).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_strings_are_escaped_and_round_trip() {
        let hostile =
            "x\u{1b}]0;t\u{7}\u{9b}2J\u{7f}\u{202e}\u{2028}</script><!-- & \n::error::y 😀";
        let value = serde_json::json!({ "message": hostile });
        let mut out = Vec::new();
        to_writer_pretty(&mut out, &value).unwrap();
        let text = String::from_utf8(out).unwrap();
        for raw in [
            '\u{1b}', '\u{7}', '\u{9b}', '\u{7f}', '\u{202e}', '\u{2028}', '<', '>', '&',
        ] {
            assert!(!text.contains(raw), "{raw:?} in {text}");
        }
        assert!(text.lines().all(|l| !l.trim_start().starts_with("::")));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["message"], hostile);
        let compact = to_string(&value).unwrap();
        assert!(!compact.contains("</script"));
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&compact).unwrap(),
            value
        );
    }

    #[test]
    fn one_odd_char_in_plain_ascii_is_still_escaped() {
        // Each the only char to escape in an ASCII fragment: what the fast path must not miss.
        for (raw, escaped) in [
            ('\u{7f}', "\\u007f"),
            ('<', "\\u003c"),
            ('>', "\\u003e"),
            ('&', "\\u0026"),
        ] {
            let message = format!("plain ascii {raw} and more plain ascii");
            let mut out = Vec::new();
            to_writer_pretty(&mut out, &serde_json::json!({ "m": message })).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(!text.contains(raw), "{raw:?} in {text}");
            assert!(text.contains(escaped), "{escaped} not in {text}");
            let back: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(back["m"], message);
        }
        let mut out = Vec::new();
        to_writer_pretty(&mut out, &"plain ascii, nothing to escape").unwrap();
        assert_eq!(out, b"\"plain ascii, nothing to escape\"");
    }
}
