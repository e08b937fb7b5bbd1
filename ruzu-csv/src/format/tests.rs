//! Golden texts and `parse(format(v)) == v` property tests for every type.

use proptest::prelude::*;

use super::*;
use crate::decode::{
    parse_blob, parse_bool, parse_date, parse_f32, parse_f64, parse_i128, parse_int,
    parse_interval, parse_timestamp, parse_uuid,
};

fn text(f: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut out = Vec::new();
    f(&mut out);
    String::from_utf8(out).expect("formatters write ASCII")
}

fn iv(months: i32, days: i32, micros: i64) -> Interval {
    Interval {
        months,
        days,
        micros,
    }
}

#[test]
fn integers_are_plain_decimal() {
    assert_eq!(text(|o| write_i64(o, 0)), "0");
    assert_eq!(text(|o| write_i64(o, -42)), "-42");
    assert_eq!(text(|o| write_i64(o, i64::MIN)), i64::MIN.to_string());
    assert_eq!(text(|o| write_u64(o, u64::MAX)), u64::MAX.to_string());
    assert_eq!(text(|o| write_i128(o, i128::MIN)), i128::MIN.to_string());
    assert_eq!(text(|o| write_i128(o, i128::MAX)), i128::MAX.to_string());
    assert_eq!(text(|o| write_i128(o, -7)), "-7");
}

#[test]
fn floats_are_shortest_with_exponent_for_extremes() {
    assert_eq!(text(|o| write_f64(o, 0.1)), "0.1");
    assert_eq!(text(|o| write_f64(o, 1.0)), "1.0");
    assert_eq!(text(|o| write_f64(o, -0.0)), "-0.0");
    assert_eq!(text(|o| write_f64(o, 1e300)), "1e300");
    assert_eq!(text(|o| write_f64(o, 1.5e-7)), "1.5e-7");
    assert_eq!(text(|o| write_f64(o, f64::NAN)), "NaN");
    assert_eq!(text(|o| write_f64(o, f64::NEG_INFINITY)), "-inf");
    assert_eq!(text(|o| write_f32(o, 0.1)), "0.1");
    assert_eq!(text(|o| write_f32(o, f32::MAX)), "3.4028235e38");
}

#[test]
fn dates_are_iso_with_signed_and_long_years() {
    assert_eq!(text(|o| write_date(o, 0)), "1970-01-01");
    assert_eq!(text(|o| write_date(o, 19_782)), "2024-02-29");
    assert_eq!(text(|o| write_date(o, -719_528)), "0000-01-01");
    assert_eq!(text(|o| write_date(o, -719_529)), "-0001-12-31");
    assert_eq!(text(|o| write_date(o, 2_932_897)), "10000-01-01");
    assert_eq!(text(|o| write_date(o, i32::MAX)), "5881580-07-11");
    assert_eq!(text(|o| write_date(o, i32::MIN)), "-5877641-06-23");
}

#[test]
fn timestamps_are_utc_with_trimmed_fraction() {
    assert_eq!(text(|o| write_timestamp(o, 0)), "1970-01-01 00:00:00");
    assert_eq!(
        text(|o| write_timestamp(o, -1)),
        "1969-12-31 23:59:59.999999"
    );
    assert_eq!(
        text(|o| write_timestamp(o, 500_000)),
        "1970-01-01 00:00:00.5"
    );
    assert_eq!(
        text(|o| write_timestamp(o, 1_700_000_000_123_400)),
        "2023-11-14 22:13:20.1234"
    );
    assert_eq!(
        text(|o| write_timestamp(o, i64::MAX)),
        "294247-01-10 04:00:54.775807"
    );
    assert_eq!(
        text(|o| write_timestamp(o, i64::MIN)),
        "-290308-12-21 19:59:05.224192"
    );
}

#[test]
fn intervals_read_like_duckdb() {
    assert_eq!(text(|o| write_interval(o, iv(0, 0, 0))), "00:00:00");
    assert_eq!(text(|o| write_interval(o, iv(12, 2, 0))), "1 year 2 days");
    assert_eq!(
        text(|o| write_interval(o, iv(14, -3, 4 * MICROS_PER_HOUR + 5_000_000 + 6))),
        "1 year 2 months -3 days 04:00:05.000006"
    );
    assert_eq!(
        text(|o| write_interval(o, iv(-13, 0, 0))),
        "-1 years -1 months"
    );
    assert_eq!(
        text(|o| write_interval(o, iv(1, 1, -1))),
        "1 month 1 day -00:00:00.000001"
    );
    assert_eq!(
        text(|o| write_interval(o, iv(0, 0, i64::MIN))),
        "-2562047788:00:54.775808"
    );
}

#[test]
fn uuids_are_lower_case_8_4_4_4_12() {
    assert_eq!(
        text(|o| write_uuid(o, 0xA0EE_BC99_9C0B_4EF8_BB6D_6BB9_BD38_0A11)),
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
    );
    assert_eq!(
        text(|o| write_uuid(o, 0)),
        "00000000-0000-0000-0000-000000000000"
    );
}

#[test]
fn blobs_escape_non_printable_bytes_and_quotes() {
    assert_eq!(text(|o| write_blob(o, b"ab c")), "ab c");
    assert_eq!(
        text(|o| write_blob(o, &[0xBC, 0xBD, 0, b'\\', b'"', b'\'', b'\n'])),
        r#"\xBC\xBD\x00\x5C\x22\x27\x0A"#
    );
}

#[test]
fn write_value_dispatches_on_the_type() {
    assert_eq!(text(|o| write_value(o, &Value::Null)), "");
    assert_eq!(text(|o| write_value(o, &Value::Int8(-8))), "-8");
    assert_eq!(text(|o| write_value(o, &Value::UInt16(16))), "16");
    assert_eq!(text(|o| write_value(o, &Value::String("a,b"))), "a,b");
    assert_eq!(text(|o| write_value(o, &Value::Bool(false))), "false");
    assert_eq!(text(|o| write_value(o, &Value::Date(1))), "1970-01-02");
}

/// Formats with `$write`, parses with `$parse`, and compares.
macro_rules! round_trips {
    ($value:expr, $write:expr, $parse:expr) => {{
        let value = $value;
        let mut out = Vec::new();
        $write(&mut out, value);
        let parsed = $parse(&out[..]);
        prop_assert_eq!(parsed, Ok(value), "{:?}", String::from_utf8_lossy(&out));
    }};
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn bool_round_trips(v: bool) {
        round_trips!(v, write_bool, parse_bool);
    }

    #[test]
    fn integers_round_trip(a: i64, b: u64, c: i128, d: i8, e: u32) {
        round_trips!(a, write_i64, parse_int::<i64>);
        round_trips!(b, write_u64, parse_int::<u64>);
        round_trips!(c, write_i128, parse_i128);
        round_trips!(d, |o: &mut Vec<u8>, v: i8| write_i64(o, v.into()), parse_int::<i8>);
        round_trips!(e, |o: &mut Vec<u8>, v: u32| write_u64(o, v.into()), parse_int::<u32>);
    }

    #[test]
    fn doubles_round_trip_bit_for_bit(bits: u64) {
        let v = f64::from_bits(bits);
        let mut out = Vec::new();
        write_f64(&mut out, v);
        let parsed = parse_f64(&out);
        if v.is_nan() {
            prop_assert!(parsed.is_ok_and(f64::is_nan));
        } else {
            prop_assert_eq!(parsed.map(f64::to_bits), Ok(bits));
        }
    }

    #[test]
    fn floats_round_trip_bit_for_bit(bits: u32) {
        let v = f32::from_bits(bits);
        let mut out = Vec::new();
        write_f32(&mut out, v);
        let parsed = parse_f32(&out);
        if v.is_nan() {
            prop_assert!(parsed.is_ok_and(f32::is_nan));
        } else {
            prop_assert_eq!(parsed.map(f32::to_bits), Ok(bits));
        }
    }

    #[test]
    fn dates_round_trip_over_all_of_i32(days: i32, near in -800_000i32..3_000_000) {
        round_trips!(days, write_date, parse_date);
        round_trips!(near, write_date, parse_date);
    }

    #[test]
    fn timestamps_round_trip_over_all_of_i64(micros: i64, near in -100_000_000_000_000_000i64..300_000_000_000_000_000) {
        round_trips!(micros, write_timestamp, parse_timestamp);
        round_trips!(near, write_timestamp, parse_timestamp);
    }

    #[test]
    fn intervals_round_trip(months: i32, days: i32, micros: i64, small in -100_000_000i64..100_000_000) {
        round_trips!(iv(months, days, micros), write_interval, parse_interval);
        round_trips!(iv(months % 30, days % 40, small), write_interval, parse_interval);
    }

    #[test]
    fn uuids_round_trip(v: u128) {
        round_trips!(v, write_uuid, parse_uuid);
    }

    #[test]
    fn blobs_round_trip(bytes: Vec<u8>) {
        let mut text = Vec::new();
        write_blob(&mut text, &bytes);
        let mut parsed = Vec::new();
        prop_assert_eq!(parse_blob(&text, &mut parsed), Ok(()));
        prop_assert_eq!(parsed, bytes);
    }
}

#[test]
fn extreme_values_round_trip() {
    for micros in [i64::MIN, i64::MIN + 1, i64::MAX, -1, 0, 1] {
        let mut out = Vec::new();
        write_timestamp(&mut out, micros);
        assert_eq!(parse_timestamp(&out), Ok(micros));
    }
    for days in [i32::MIN, i32::MAX, -719_529, -719_528] {
        let mut out = Vec::new();
        write_date(&mut out, days);
        assert_eq!(parse_date(&out), Ok(days));
    }
    for v in [
        iv(i32::MIN, i32::MIN, i64::MIN),
        iv(i32::MAX, i32::MAX, i64::MAX),
        iv(-1, -1, -1),
    ] {
        let mut out = Vec::new();
        write_interval(&mut out, v);
        assert_eq!(parse_interval(&out), Ok(v));
    }
}
