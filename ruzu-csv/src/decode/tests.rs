//! Properties of all parsers on arbitrary text: they never panic, and whatever they accept
//! reads back from its canonical text (`parse(format(parse(s))) == parse(s)`).

use proptest::prelude::*;

use super::*;
use crate::format;

/// Text made of the bytes the grammars care about, so that near-valid inputs are common.
fn structured() -> impl Strategy<Value = Vec<u8>> {
    proptest::string::string_regex(
        r"[-+]?[0-9]{0,7}([-/ \\:.T]?[0-9a-fA-F]{0,3}){0,6}( ?[a-zA-Z]{0,7})?([Z+\-][0-9:]{0,5})?",
    )
    .expect("valid regex")
    .prop_map(String::into_bytes)
}

fn any_text() -> impl Strategy<Value = Vec<u8>> {
    let date = r"-?[0-9]{1,7}[-/ \\](0?[1-9]|1[0-2])[-/ \\](0?[1-9]|[12][0-9]|3[01])";
    let iso = r"-?[0-9]{1,7}-(0?[1-9]|1[0-2])-(0?[1-9]|1[0-9]|2[0-8])";
    let time = r"([ T]([01]?[0-9]|2[0-3]):[0-5]?[0-9]:[0-5]?[0-9](\.[0-9]{1,9})?Z?([-+][01][0-9](:?[0-5][0-9])?)?)?";
    let interval = r"@?( ?[-+]?[0-9]{1,10}(\.[0-9]{1,7})? ?(years?|Months?|DAY|d|h|hrs|m|s|us|ms|weeks?|mon|y|decades|c|quarter)){1,4}( [-+]?[0-9]{1,11}:[0-9]{1,2}(:[0-9]{1,2}(\.[0-9]{1,8})?)?)?";
    let regex = |r: &str| {
        proptest::string::string_regex(r)
            .expect("valid regex")
            .prop_map(String::into_bytes)
    };
    prop_oneof![
        1 => proptest::collection::vec(any::<u8>(), 0..48),
        1 => structured(),
        4 => regex(&format!("{iso}{time}")),
        1 => regex(&format!("{date}{time}")),
        2 => regex(interval),
        1 => regex(r"\{?[-0-9a-fA-F]{30,40}\}?"),
        1 => regex(r"([ -~]|\\x[0-9a-fA-F]{2}){0,12}"),
    ]
}

fn canonical(write: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut out = Vec::new();
    write(&mut out);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3_000))]

    #[test]
    fn parsers_never_panic_and_accepted_values_round_trip(s in any_text()) {
        let _ = parse_bool(&s);
        if let Ok(v) = parse_i128(&s) {
            prop_assert_eq!(parse_i128(&canonical(|o| format::write_i128(o, v))), Ok(v));
        }
        let _ = parse_int::<u8>(&s);
        if let Ok(v) = parse_f64(&s) {
            let back = parse_f64(&canonical(|o| format::write_f64(o, v)));
            prop_assert!(back.is_ok_and(|b| b.to_bits() == v.to_bits() || (b.is_nan() && v.is_nan())));
        }
        let _ = parse_f32(&s);
        if let Ok(v) = parse_date(&s) {
            prop_assert_eq!(parse_date(&canonical(|o| format::write_date(o, v))), Ok(v));
        }
        if let Ok(v) = parse_timestamp(&s) {
            prop_assert_eq!(parse_timestamp(&canonical(|o| format::write_timestamp(o, v))), Ok(v));
        }
        if let Ok(v) = parse_interval(&s) {
            prop_assert_eq!(parse_interval(&canonical(|o| format::write_interval(o, v))), Ok(v));
        }
        if let Ok(v) = parse_uuid(&s) {
            prop_assert_eq!(parse_uuid(&canonical(|o| format::write_uuid(o, v))), Ok(v));
        }
        let mut blob = Vec::new();
        if parse_blob(&s, &mut blob).is_ok() {
            let mut back = Vec::new();
            prop_assert_eq!(parse_blob(&canonical(|o| format::write_blob(o, &blob)), &mut back), Ok(()));
            prop_assert_eq!(back, blob);
        }
    }
}
