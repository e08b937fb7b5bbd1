//! BLOB text to bytes.
//!
//! Accepted (Kùzu's rules): every byte other than `\` stands for itself, non-ASCII bytes
//! included (`ü` is stored as its two UTF-8 bytes, as Kùzu does although its error text asks
//! for non-ASCII bytes to be escaped); `\xHH` (lower-case `x`, hex digits in any case) stands
//! for the byte `0xHH`. A `\` not starting such an escape is invalid.

use super::ValueError;
use super::uuid::HEX_VALUE;

/// BLOB text to bytes, appended to `out`. On error `out` is left as it was.
pub(crate) fn parse_blob(s: &[u8], out: &mut Vec<u8>) -> Result<(), ValueError> {
    let start_len = out.len();
    let result = append_blob(s, out);
    if result.is_err() {
        out.truncate(start_len);
    }
    result
}

fn append_blob(mut s: &[u8], out: &mut Vec<u8>) -> Result<(), ValueError> {
    out.reserve(s.len());
    loop {
        let plain_len = memchr::memchr(b'\\', s).unwrap_or(s.len());
        out.extend_from_slice(&s[..plain_len]);
        s = &s[plain_len..];
        match s {
            [] => return Ok(()),
            [b'\\', b'x', hi, lo, rest @ ..] => {
                let (hi, lo) = (HEX_VALUE[usize::from(*hi)], HEX_VALUE[usize::from(*lo)]);
                if hi == 0xFF || lo == 0xFF {
                    return Err(ValueError::Invalid);
                }
                out.push(hi << 4 | lo);
                s = rest;
            }
            _ => return Err(ValueError::Invalid),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(s: &[u8]) -> Result<Vec<u8>, ValueError> {
        let mut out = Vec::new();
        parse_blob(s, &mut out).map(|()| out)
    }

    #[test]
    fn ascii_is_literal_and_hex_escapes_are_bytes() {
        assert_eq!(blob(b""), Ok(vec![]));
        assert_eq!(blob(b"abc"), Ok(b"abc".to_vec()));
        assert_eq!(blob(br"\xBC\xBD\xBA\xAA"), Ok(vec![0xBC, 0xBD, 0xBA, 0xAA]));
        assert_eq!(blob(br"a\x00b\xffc"), Ok(vec![b'a', 0, b'b', 0xFF, b'c']));
        assert_eq!(blob(br"\x5c"), Ok(vec![b'\\']));
    }

    #[test]
    fn bad_escapes_are_invalid_and_leave_out_unchanged() {
        for s in [
            &br"\"[..],
            br"\x",
            br"\x1",
            br"\xg0",
            br"\X41",
            br"\\",
            br"\n",
            "é\\".as_bytes(),
            &[0x80, b'\\', b'y'],
        ] {
            let mut out = b"keep".to_vec();
            assert_eq!(parse_blob(s, &mut out), Err(ValueError::Invalid), "{s:?}");
            assert_eq!(out, b"keep");
        }
    }

    #[test]
    fn non_ascii_bytes_are_stored_as_they_are() {
        // Kùzu 0.11.3 stores the UTF-8 bytes of a raw `ü` in a BLOB column.
        assert_eq!(blob("ü".as_bytes()), Ok(vec![0xC3, 0xBC]));
        assert_eq!(blob("a\\x41ü".as_bytes()), Ok(vec![b'a', b'A', 0xC3, 0xBC]));
        assert_eq!(blob(&[0x80, 0xFF]), Ok(vec![0x80, 0xFF]));
    }

    #[test]
    fn blob_appends_after_existing_bytes() {
        let mut out = b"ab".to_vec();
        parse_blob(br"c\x64", &mut out).expect("valid blob");
        assert_eq!(out, b"abcd");
    }
}
