//! Corrupt images are errors, never panics.

use std::sync::OnceLock;

use proptest::prelude::*;
use ruzu_csv::DataType;

use super::{Owned, batches, encode};
use crate::node::column::{ChunkReader, ChunkValue, ColumnError};

/// Images of every encoding, made once per test process.
fn sample_images() -> &'static [Vec<u8>] {
    static IMAGES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    IMAGES.get_or_init(make_sample_images)
}

fn make_sample_images() -> Vec<Vec<u8>> {
    let strings = |f: &dyn Fn(usize) -> String| -> Vec<Owned> {
        (0..300)
            .map(|i| {
                if i % 11 == 0 {
                    Owned::Null
                } else {
                    Owned::String(f(i))
                }
            })
            .collect()
    };
    let cases: Vec<(DataType, Vec<Owned>)> = vec![
        (
            DataType::Int64,
            (0..300).map(|i| Owned::Int64(i * 1000 - 7)).collect(),
        ),
        (
            DataType::Int8,
            (0..300)
                .map(|i| Owned::Int8((i % 256) as u8 as i8))
                .collect(),
        ),
        (DataType::UInt16, vec![Owned::UInt16(9); 40]),
        (
            DataType::Timestamp,
            (0..300)
                .map(|i| Owned::Timestamp(i * 86_400_000_000))
                .collect(),
        ),
        (
            DataType::Double,
            (0..300).map(|i| Owned::Double(i as f64 / 8.0)).collect(),
        ),
        (
            DataType::Double,
            (0..300).map(|i| Owned::Double(i as f64 / 3.0)).collect(),
        ),
        (
            DataType::Float,
            vec![Owned::Float(1.5), Owned::Null, Owned::Float(2.5)],
        ),
        (
            DataType::Bool,
            (0..300).map(|i| Owned::Bool(i % 3 == 1)).collect(),
        ),
        (DataType::Bool, vec![Owned::Bool(true), Owned::Null]),
        (
            DataType::Uuid,
            (0..30).map(|i| Owned::Uuid(i * 77)).collect(),
        ),
        (DataType::String, strings(&|i| format!("s{}", i % 4))),
        (DataType::String, strings(&|i| format!("unique-ü-{i}"))),
        (
            DataType::String,
            strings(&|i| format!("{i}-compressible-ü-text-{}", i % 7)),
        ),
        (DataType::Blob, vec![Owned::Null; 20]),
        (DataType::Date, vec![]),
    ];
    cases
        .iter()
        .map(|(t, values)| encode(*t, &batches(*t, values, &[])).0)
        .collect()
}

/// Runs every read path of a reader; must not panic.
fn read_everything(r: &ChunkReader<'_>) -> usize {
    fn bulk<T: ChunkValue>(r: &ChunkReader<'_>) -> usize {
        let mut out: Vec<T> = Vec::new();
        r.decode_into(&mut out).map_or(0, |()| out.len())
    }
    if r.len() > 100_000 {
        return 0; // a forged row count of a constant chunk: valid, just large
    }
    let mut seen = 0;
    for i in 0..r.len() {
        seen += usize::from(r.value(i).is_null());
    }
    seen += r.to_arrow().expect("converts").len();
    seen += bulk::<i64>(r) + bulk::<i32>(r) + bulk::<f64>(r) + bulk::<bool>(r) + bulk::<u128>(r);
    let (mut offsets, mut data) = (Vec::new(), Vec::new());
    if r.decode_var_into(&mut offsets, &mut data).is_ok() {
        seen += offsets.len();
    }
    seen
}

#[test]
fn every_truncation_and_extension_is_an_error() {
    for image in sample_images() {
        let image = image.as_slice();
        for len in 0..image.len() {
            assert!(
                ChunkReader::new(&image[..len]).is_err(),
                "truncated to {len}"
            );
        }
        let mut longer = image.to_vec();
        longer.push(0);
        assert!(ChunkReader::new(&longer).is_err());
    }
}

#[test]
fn bad_magic_and_version_are_named() {
    let mut image = sample_images()[0].clone();
    image[4] = 9;
    assert_eq!(
        ChunkReader::new(&image).map(|_| ()),
        Err(ColumnError::UnsupportedVersion { version: 9 })
    );
    image[0] = b'X';
    assert!(matches!(
        ChunkReader::new(&image),
        Err(ColumnError::BadMagic { .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn a_flipped_byte_fails_the_checksum(which in 0usize..15, at in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let images = sample_images();
        let mut image = images[which % images.len()].clone();
        let at = at.index(image.len());
        image[at] ^= flip;
        prop_assert!(ChunkReader::new(&image).is_err());
    }

    #[test]
    fn forged_images_with_a_valid_checksum_never_panic(
        which in 0usize..15,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let images = sample_images();
        let mut image = images[which % images.len()].clone();
        let body = image.len() - 4;
        for (at, byte) in edits {
            image[at.index(body)] = byte;
        }
        let crc = crc32c::crc32c(&image[..body]);
        image[body..].copy_from_slice(&crc.to_le_bytes());
        if let Ok(reader) = ChunkReader::new(&image) {
            read_everything(&reader);
            reader.check().expect("a reader that was valid stays valid");
        }
    }
}
