//! Every type round trips through every read path, whatever the batch boundaries.

use proptest::collection::vec;
use proptest::prelude::*;
use ruzu_csv::DataType;

use super::{Owned, assert_decodes_to, batches, encode};
use crate::node::column::{ChunkEncoder, ChunkReader, ColumnError, Encoding};

fn value_strategy(t: DataType) -> BoxedStrategy<Owned> {
    match t {
        DataType::Bool => any::<bool>().prop_map(Owned::Bool).boxed(),
        DataType::Int8 => prop_oneof![any::<i8>(), Just(i8::MIN), Just(i8::MAX), -3i8..3]
            .prop_map(Owned::Int8)
            .boxed(),
        DataType::Int16 => prop_oneof![any::<i16>(), Just(i16::MIN), Just(i16::MAX), -3i16..3]
            .prop_map(Owned::Int16)
            .boxed(),
        DataType::Int32 => prop_oneof![any::<i32>(), Just(i32::MIN), Just(i32::MAX), -3i32..3]
            .prop_map(Owned::Int32)
            .boxed(),
        DataType::Int64 => prop_oneof![
            any::<i64>(),
            Just(i64::MIN),
            Just(i64::MAX),
            -3i64..3,
            1_000_000_000_000i64..1_000_000_100_000,
            (-1000i64..1000).prop_map(|x| x * 100),
        ]
        .prop_map(Owned::Int64)
        .boxed(),
        DataType::Int128 => prop_oneof![any::<i128>(), Just(i128::MIN), Just(i128::MAX), -3i128..3]
            .prop_map(Owned::Int128)
            .boxed(),
        DataType::UInt8 => prop_oneof![any::<u8>(), Just(u8::MAX), 0u8..3]
            .prop_map(Owned::UInt8)
            .boxed(),
        DataType::UInt16 => prop_oneof![any::<u16>(), Just(u16::MAX), 0u16..3]
            .prop_map(Owned::UInt16)
            .boxed(),
        DataType::UInt32 => prop_oneof![any::<u32>(), Just(u32::MAX), 0u32..3]
            .prop_map(Owned::UInt32)
            .boxed(),
        DataType::UInt64 => prop_oneof![any::<u64>(), Just(u64::MAX), 0u64..3]
            .prop_map(Owned::UInt64)
            .boxed(),
        DataType::Float => prop_oneof![
            any::<f32>(),
            Just(f32::NAN),
            Just(-0.0f32),
            (-100i32..100).prop_map(|x| x as f32 / 4.0)
        ]
        .prop_map(Owned::Float)
        .boxed(),
        DataType::Double => prop_oneof![
            any::<f64>(),
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(-0.0),
            (-100_000i64..100_000).prop_map(|x| x as f64 / 100.0),
            (0i64..1_000_000_000).prop_map(|x| x as f64 / 1e6),
            (-1_000_000i64..1_000_000).prop_map(|x| x as f64),
        ]
        .prop_map(Owned::Double)
        .boxed(),
        DataType::String => prop_oneof![
            Just(String::new()),
            Just("a".to_owned()),
            Just("bäh".to_owned()),
            "\\PC{0,12}",
        ]
        .prop_map(Owned::String)
        .boxed(),
        DataType::Date => prop_oneof![any::<i32>(), -20_000i32..20_000]
            .prop_map(Owned::Date)
            .boxed(),
        DataType::Timestamp => prop_oneof![
            any::<i64>(),
            Just(i64::MIN),
            0i64..1_000_000,
            (1_262_304_000i64..1_262_404_000).prop_map(|s| s * 1_000_000),
            (-10_000i64..10_000).prop_map(|d| d * 86_400_000_000),
        ]
        .prop_map(Owned::Timestamp)
        .boxed(),
        DataType::Interval => (any::<i32>(), any::<i32>(), any::<i64>())
            .prop_map(|(months, days, micros)| Owned::Interval(months, days, micros))
            .boxed(),
        DataType::Uuid => prop_oneof![any::<u128>(), Just(u128::MAX)]
            .prop_map(Owned::Uuid)
            .boxed(),
        _ => prop_oneof![
            Just(Vec::new()),
            vec(any::<u8>(), 0..10),
            Just(vec![0xFF, 0])
        ]
        .prop_map(Owned::Blob)
        .boxed(),
    }
}

/// A column of `t`: mixed values and NULLs, all equal, or all NULL.
fn column_strategy(t: DataType) -> BoxedStrategy<Vec<Owned>> {
    let value = value_strategy(t);
    prop_oneof![
        4 => vec(
            prop_oneof![1 => Just(Owned::Null), 4 => value.clone()],
            0..300
        ),
        1 => (value, 1usize..200, any::<bool>()).prop_map(|(v, n, with_null)| {
            let mut col = vec![v; n];
            if with_null {
                col[n / 2] = Owned::Null;
            }
            col
        }),
        1 => (1usize..100).prop_map(|n| vec![Owned::Null; n]),
    ]
    .boxed()
}

fn case() -> impl Strategy<Value = (DataType, Vec<Owned>, Vec<usize>)> {
    proptest::sample::select(DataType::ALL.to_vec())
        .prop_flat_map(|t| (Just(t), column_strategy(t)))
        .prop_flat_map(|(t, col)| {
            let n = col.len().max(1);
            (Just(t), Just(col), vec(0..n, 0..5))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_type_round_trips_across_batch_boundaries((t, values, cuts) in case()) {
        let (whole, meta) = encode(t, &batches(t, &values, &[]));
        let (split, _) = encode(t, &batches(t, &values, &cuts));
        prop_assert_eq!(&whole, &split, "batch boundaries changed the image");
        prop_assert_eq!(meta.rows as usize, values.len());
        prop_assert_eq!(meta.image_bytes as usize, whole.len());
        assert_decodes_to(t, &whole, &values);
    }
}

/// Found by the round-trip proptest: the DECIMAL encoding stored `-0.0` as the integer 0,
/// which read back as `+0.0`.
#[test]
fn negative_zero_double_keeps_its_sign() {
    let t = DataType::Double;
    let values = [Owned::Double(-0.0), Owned::Double(0.0)];
    let (image, _) = encode(t, &batches(t, &values, &[]));
    assert_decodes_to(t, &image, &values);
}

#[test]
fn a_reused_encoder_writes_the_same_image_and_stops_allocating() {
    let values: Vec<Owned> = (0..5000)
        .map(|i| Owned::String(format!("name{}", i % 700)))
        .collect();
    let input = batches(DataType::String, &values, &[1000, 2500]);
    let mut encoder = ChunkEncoder::new(DataType::String).expect("STRING is stored");
    let mut images = Vec::new();
    let mut memory = Vec::new();
    for _ in 0..4 {
        for b in &input {
            encoder.append(b.column(0), 0..b.num_rows()).expect("fits");
        }
        let mut image = Vec::new();
        encoder.finish(&mut image);
        images.push(image);
        memory.push(encoder.memory_bytes());
    }
    assert!(images.windows(2).all(|w| w[0] == w[1]));
    assert!(
        memory.windows(2).skip(1).all(|w| w[0] == w[1]),
        "{memory:?}"
    );
    assert!(encoder.is_empty());
}

#[test]
fn a_sub_range_of_a_batch_is_appended() {
    let values: Vec<Owned> = (0..100)
        .map(|i| {
            if i % 7 == 0 {
                Owned::Null
            } else {
                Owned::Int32(i)
            }
        })
        .collect();
    let input = batches(DataType::Int32, &values, &[]);
    let mut encoder = ChunkEncoder::new(DataType::Int32).expect("INT32 is stored");
    encoder.append(input[0].column(0), 13..70).expect("inside");
    encoder
        .append(input[0].column(0), 70..70)
        .expect("empty range");
    let mut image = Vec::new();
    encoder.finish(&mut image);
    assert_decodes_to(DataType::Int32, &image, &values[13..70]);
}

#[test]
fn wrong_type_and_bad_range_are_refused() {
    let values = vec![Owned::Int64(1), Owned::Int64(2)];
    let input = batches(DataType::Int64, &values, &[]);
    let mut encoder = ChunkEncoder::new(DataType::Int32).expect("INT32 is stored");
    assert_eq!(
        encoder.append(input[0].column(0), 0..2),
        Err(ColumnError::TypeMismatch {
            expected: DataType::Int32,
            found: DataType::Int64
        })
    );
    let mut encoder = ChunkEncoder::new(DataType::Int64).expect("INT64 is stored");
    assert_eq!(
        encoder.append(input[0].column(0), 1..3),
        Err(ColumnError::RowRange {
            start: 1,
            end: 3,
            len: 2
        })
    );
    assert!(encoder.is_empty());
}

/// The encoding chosen for `values` of type `t`, after checking the round trip.
fn encoding_of(t: DataType, values: &[Owned]) -> (Encoding, usize) {
    let (image, meta) = encode(t, &batches(t, values, &[]));
    assert_decodes_to(t, &image, values);
    assert_eq!(
        ChunkReader::new(&image).map(|r| r.encoding()),
        Ok(meta.encoding)
    );
    (meta.encoding, image.len())
}

#[test]
fn each_shape_gets_its_encoding() {
    let n = 1000;
    let ids: Vec<Owned> = (0..n)
        .map(|i| Owned::Int64(1_000_000_000_000 + 7919 * ((i * 617) % n)))
        .collect();
    let (enc, size) = encoding_of(DataType::Int64, &ids);
    assert_eq!(enc, Encoding::FrameOfReference);
    // 7919 * 999 < 2^23: 23 bits a row instead of 64.
    assert!(size < 24 + 9 + n as usize * 23 / 8 + 1, "{size}");

    let same: Vec<Owned> = vec![Owned::Int64(i64::MIN); 500];
    assert_eq!(
        encoding_of(DataType::Int64, &same),
        (Encoding::FrameOfReference, 24 + 9)
    );
    // Whole seconds: differences are multiples of 10^6 and stored divided by it.
    let seconds: Vec<Owned> = (0..n)
        .map(|i| match i % 9 {
            0 => Owned::Null,
            _ => Owned::Timestamp((1_262_304_000 + i * 3_600 - 17) * 1_000_000),
        })
        .collect();
    let (enc, size) = encoding_of(DataType::Timestamp, &seconds);
    assert_eq!(enc, Encoding::ScaledFrameOfReference);
    // 3.6 M seconds need 22 bits; microseconds would need 42.
    assert!(
        size < 24 + n as usize / 8 + 1 + 17 + n as usize * 22 / 8 + 1,
        "{size}"
    );
    let cents: Vec<Owned> = (0..n).map(|i| Owned::UInt32(i as u32 * 100 + 5)).collect();
    assert_eq!(
        encoding_of(DataType::UInt32, &cents).0,
        Encoding::ScaledFrameOfReference
    );
    let extremes = vec![Owned::Int64(i64::MIN), Owned::Int64(i64::MAX)];
    assert_eq!(encoding_of(DataType::Int64, &extremes).0, Encoding::Plain);

    let scores: Vec<Owned> = (0..n)
        .map(|i| Owned::Double((i * 7_654_321 % 1_000_000_000) as f64 / 1e6))
        .collect();
    assert_eq!(encoding_of(DataType::Double, &scores).0, Encoding::Decimal);
    let halves: Vec<Owned> = (0..n).map(|i| Owned::Double(i as f64 / 2.0)).collect();
    let (enc, size) = encoding_of(DataType::Double, &halves);
    assert_eq!(enc, Encoding::Decimal);
    assert!(
        size < 24 + 10 + n as usize * 14 / 8 + 1,
        "scale 1 needs 14 bits: {size}"
    );
    let thirds: Vec<Owned> = (0..n).map(|i| Owned::Double(i as f64 / 3.0)).collect();
    assert_eq!(encoding_of(DataType::Double, &thirds).0, Encoding::Plain);

    let flags: Vec<Owned> = (0..n).map(|i| Owned::Bool(i % 3 == 0)).collect();
    assert_eq!(encoding_of(DataType::Bool, &flags).0, Encoding::Bits);
    assert_eq!(
        encoding_of(DataType::Bool, &vec![Owned::Bool(true); 70]).0,
        Encoding::Constant
    );
    assert_eq!(
        encoding_of(DataType::Uuid, &vec![Owned::Uuid(7); 70]).0,
        Encoding::Constant
    );
    assert_eq!(
        encoding_of(DataType::String, &vec![Owned::Null; 70]),
        (Encoding::None, 24)
    );
    assert_eq!(encoding_of(DataType::Blob, &[]), (Encoding::None, 24));
}

#[test]
fn strings_use_a_dictionary_only_when_it_is_smaller() {
    let browsers = ["Firefox", "Chrome", "Safari", "Edge", "Opera"];
    let low: Vec<Owned> = (0..3000)
        .map(|i| Owned::String(browsers[i * 7 % 5].to_owned()))
        .collect();
    let (enc, size) = encoding_of(DataType::String, &low);
    assert_eq!(enc, Encoding::Dictionary);
    assert!(size < 24 + 100 + 3000 * 3 / 8, "{size}");

    let unique: Vec<Owned> = (0..3000)
        .map(|i| Owned::String(format!("user{i}@example.com")))
        .collect();
    let (enc, size) = encoding_of(DataType::String, &unique);
    assert_eq!(enc, Encoding::VarLenZstd);
    assert!(size < 3000 * 20 / 2, "compressed to less than half: {size}");

    // Short data is not worth compressing; random bytes do not compress.
    let few: Vec<Owned> = (0..100).map(|i| Owned::String(format!("u{i}"))).collect();
    assert_eq!(encoding_of(DataType::String, &few).0, Encoding::VarLen);
    let mut x = 1u64;
    let noise: Vec<Owned> = (0..2000)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            Owned::Blob(x.to_le_bytes().to_vec())
        })
        .collect();
    assert_eq!(encoding_of(DataType::Blob, &noise).0, Encoding::VarLen);

    // One value repeated: a one-entry dictionary with 0-bit codes.
    let (enc, size) = encoding_of(DataType::String, &vec![Owned::String("x".into()); 999]);
    assert_eq!(enc, Encoding::Dictionary);
    assert_eq!(size, 24 + 4 + 1 + 4 + 1 + 1 + 1);
}

#[test]
fn dictionary_is_given_up_past_its_cap() {
    // 70 000 distinct short values in 5 batches: more than 65 536 entries.
    let values: Vec<Owned> = (0..70_000u32)
        .map(|i| Owned::Blob(i.to_le_bytes()[..3].to_vec()))
        .collect();
    let input = batches(DataType::Blob, &values, &[14_000, 28_000, 42_000, 56_000]);
    let (image, meta) = encode(DataType::Blob, &input);
    assert_ne!(meta.encoding, Encoding::Dictionary);
    let reader = ChunkReader::new(&image).expect("valid");
    assert_eq!(reader.value(69_999), values[69_999].as_value());
    assert_eq!(reader.value(300), values[300].as_value());
}

#[test]
fn dictionary_of_repeating_values_survives_many_batches() {
    // 80 000 rows of 2 000 distinct values: the probe after 16 k rows keeps the dictionary.
    let values: Vec<Owned> = (0..80_000u32)
        .map(|i| Owned::String(format!("v{}", i * 31 % 2000)))
        .collect();
    let cuts: Vec<usize> = (1..5).map(|k| k * 16_000).collect();
    let (image, meta) = encode(DataType::String, &batches(DataType::String, &values, &cuts));
    assert_eq!(meta.encoding, Encoding::Dictionary);
    let reader = ChunkReader::new(&image).expect("valid");
    for i in [0, 1, 16_000, 79_999] {
        assert_eq!(reader.value(i), values[i].as_value());
    }
}

#[test]
fn chunks_after_a_given_up_dictionary_skip_it_then_try_again() {
    use crate::node::column::var_builder::DICT_RETRY_CHUNKS;
    let t = DataType::String;
    let unique: Vec<Owned> = (0..3000)
        .map(|i| Owned::String(format!("user{i}@example.com")))
        .collect();
    // Low cardinality, with NULLs (code 0 in the dictionary's codes).
    let low: Vec<Owned> = (0..3000)
        .map(|i| match i % 7 {
            0 => Owned::Null,
            k => Owned::String(format!("browser{k}")),
        })
        .collect();
    let mut encoder = ChunkEncoder::new(t).expect("strings have an encoding");
    let mut chunk = |values: &[Owned]| {
        for b in batches(t, values, &[1000, 2000]) {
            encoder
                .append(b.column(0), 0..b.num_rows())
                .expect("column type and range are right");
        }
        let mut image = Vec::new();
        let meta = encoder.finish(&mut image);
        assert_decodes_to(t, &image, values);
        meta.encoding
    };
    assert_eq!(chunk(&low), Encoding::Dictionary);
    assert_eq!(chunk(&unique), Encoding::VarLenZstd);
    for _ in 0..DICT_RETRY_CHUNKS {
        assert_eq!(chunk(&low), Encoding::VarLenZstd);
    }
    assert_eq!(chunk(&low), Encoding::Dictionary);
}
