//! UUID text to `u128` (the 16 bytes read big-endian, as written).
//!
//! Accepted (Kùzu's rules, which follow PostgreSQL): 32 hex digits in any case, optionally
//! inside `{` `}`, with `-` allowed anywhere between them (`a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11`,
//! `{a0eebc999c0b4ef8bb6d6bb9bd380a11}`, `a0ee-bc99-...`). Anything else is invalid.

use super::ValueError;

/// Value of each byte as a hex digit, `0xFF` for non-hex bytes.
pub(crate) const HEX_VALUE: [u8; 256] = {
    let mut table = [0xFF; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// UUID text to its 128-bit value (see the module docs for the forms).
#[inline]
pub(crate) fn parse_uuid(s: &[u8]) -> Result<u128, ValueError> {
    if s.len() == 36 && s[8] == b'-' && s[13] == b'-' && s[18] == b'-' && s[23] == b'-' {
        // Canonical 8-4-4-4-12: no per-byte dash test, one validity check at the end.
        let mut value: u128 = 0;
        let mut seen: u8 = 0; // OR of all digit values: above 0xF iff a byte is not hex
        for group in [&s[0..8], &s[9..13], &s[14..18], &s[19..23], &s[24..36]] {
            for &b in group {
                let v = HEX_VALUE[usize::from(b)];
                seen |= v;
                value = value << 4 | u128::from(v & 0xF);
            }
        }
        return if seen > 0xF {
            Err(ValueError::Invalid)
        } else {
            Ok(value)
        };
    }
    let body = match s {
        [b'{', body @ .., b'}'] => body,
        _ => s,
    };
    let mut value: u128 = 0;
    let mut digits = 0;
    for &b in body {
        if b == b'-' {
            continue;
        }
        let v = HEX_VALUE[usize::from(b)];
        if v == 0xFF || digits == 32 {
            return Err(ValueError::Invalid);
        }
        value = value << 4 | u128::from(v);
        digits += 1;
    }
    if digits != 32 {
        return Err(ValueError::Invalid);
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A0: u128 = 0xa0ee_bc99_9c0b_4ef8_bb6d_6bb9_bd38_0a11;

    #[test]
    fn canonical_form_reads_big_endian() {
        assert_eq!(parse_uuid(b"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), Ok(A0));
        assert_eq!(parse_uuid(b"00000000-0000-0000-0000-000000000001"), Ok(1));
        assert_eq!(
            parse_uuid(b"ffffffff-ffff-ffff-ffff-ffffffffffff"),
            Ok(u128::MAX)
        );
    }

    #[test]
    fn case_braces_and_dash_placement_are_free() {
        for s in [
            "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
            "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
            "a0eebc999c0b4ef8bb6d6bb9bd380a11",
            "{a0eebc999c0b4ef8bb6d6bb9bd380a11}",
            "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11",
        ] {
            assert_eq!(parse_uuid(s.as_bytes()), Ok(A0), "{s:?}");
        }
    }

    #[test]
    fn wrong_length_or_characters_are_invalid() {
        for s in [
            "",
            "{}",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1-",
            "g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1\u{e9}",
            "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
            " a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            "a0eebc99 9c0b 4ef8 bb6d 6bb9bd380a11",
        ] {
            assert_eq!(parse_uuid(s.as_bytes()), Err(ValueError::Invalid), "{s:?}");
        }
    }

    #[test]
    fn kuzu_corpus_uuids_read_as_kuzu_reads_them() {
        // tinysnb/vPerson.csv (accepted) and csv-sniffing-test/uuid.csv (malformed columns).
        assert!(parse_uuid(b"{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a15}").is_ok());
        assert!(parse_uuid(b"1bece37b-4384-4fe2-9969-44d34e12ae37").is_ok());
        for s in [
            "gbece37b-4384-4fe2-9969-44d34e12ae37",
            "4e7d6f4f-85b0_4033-9aaa-d23948e65c13",
            "dd946bbf-21b-494b-b550-0325b2bcd420",
            "1154b62c-92fd-4707-ae0e-ef2ebb5a0ed92",
        ] {
            assert_eq!(parse_uuid(s.as_bytes()), Err(ValueError::Invalid), "{s:?}");
        }
    }
}
