//! Property: random CSV written by a reference writer reads back exactly, whatever the reads,
//! chunk sizes and batch sizes; and no input makes the reader panic.

mod common;

use common::{Pieces, plain, read_with, strings};
use proptest::prelude::*;
use ruzu_csv::{Batch, Chunk, CsvOptions, Decoder, Splitter};

/// A value: `None` is NULL (written as an empty unquoted field).
type Cell = Option<String>;

fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        1 => Just(None),
        8 => proptest::collection::vec(
            prop_oneof![
                Just('a'), Just('b'), Just(','), Just('"'), Just('\n'), Just('\r'), Just(' '),
                Just('é'), Just('|'),
            ],
            0..6
        )
        .prop_map(|c| Some(c.into_iter().collect())),
    ]
}

/// Writes rows the way `COPY TO` would: NULL empty and unquoted, every other value quoted when
/// it is empty or holds a delimiter, quote or line end.
fn write_csv(rows: &[Vec<Cell>], ends: &[usize], last_end: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        for (j, c) in row.iter().enumerate() {
            if j > 0 {
                out.push(b',');
            }
            if let Some(v) = c {
                if v.is_empty() || v.contains([',', '"', '\n', '\r']) {
                    out.push(b'"');
                    out.extend_from_slice(v.replace('"', "\"\"").as_bytes());
                    out.push(b'"');
                } else {
                    out.extend_from_slice(v.as_bytes());
                }
            }
        }
        if i + 1 < rows.len() || last_end {
            out.extend_from_slice([&b"\n"[..], b"\r\n", b"\r"][ends[i % ends.len()]]);
        }
    }
    out
}

fn expected(rows: &[Vec<Cell>]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| {
            r.iter()
                .map(|c| c.as_ref().map_or("NULL".to_string(), |v| format!("{v:?}")))
                .collect()
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn random_csv_round_trips_with_any_chunking(
        rows in proptest::collection::vec(proptest::collection::vec(cell(), 3), 0..12),
        ends in proptest::collection::vec(0usize..3, 1..4),
        last_end in any::<bool>(),
        read_max in 1usize..9,
        chunk_bytes in 1usize..40,
        batch_rows in 1usize..5,
    ) {
        let input = write_csv(&rows, &ends, last_end);
        let sc = strings(3);
        let whole = read_with(&input[..], &sc, &plain());
        prop_assert!(whole.errors.is_empty(), "{:?}", whole.errors);
        prop_assert_eq!(whole.values(), expected(&rows));
        let o = plain().with_chunk_bytes(chunk_bytes).with_batch_rows(batch_rows);
        let pieces = read_with(Pieces::new(&input, read_max), &sc, &o);
        prop_assert_eq!(&pieces, &whole);
        let out_of_order = common::read_chunks_out_of_order(&input, &sc, &o);
        prop_assert_eq!(&out_of_order, &whole);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_chunking_agrees(
        input in proptest::collection::vec(
            prop_oneof![Just(b'a'), Just(b','), Just(b'"'), Just(b'\n'), Just(b'\r'), Just(b'\\'),
                        Just(b'1'), Just(0xff)],
            0..60,
        ),
        backslash in any::<bool>(),
        ncols in 1usize..4,
        chunk_bytes in 1usize..20,
        max_line in 1usize..30,
    ) {
        let mut o = plain().with_max_line_size_bytes(max_line);
        if backslash {
            o = o.with_escape(b'\\');
        }
        let sc = strings(ncols);
        let whole = read_with(&input[..], &sc, &o);
        let small = o.clone().with_chunk_bytes(chunk_bytes).with_batch_rows(2);
        prop_assert_eq!(&read_with(Pieces::new(&input, 3), &sc, &small), &whole);
        // Sniffing must not panic either.
        let _ = read_with(&input[..], &sc, &CsvOptions::default());
    }
}

#[test]
fn chunk_and_batch_buffers_are_reused() {
    let input = b"a,b,c\n".repeat(1000);
    let sc = strings(3);
    let o = plain().with_chunk_bytes(600).with_batch_rows(100);
    let mut splitter = Splitter::new(&input[..], o.explicit_dialect(), &o, None);
    let mut decoder = Decoder::new(sc.clone(), o.explicit_dialect(), &o).expect("decoder");
    let mut chunk = Chunk::new();
    let mut batch = Batch::new(sc, 100, 4096);
    let mut sizes = Vec::new();
    while splitter.next_chunk(&mut chunk).expect("read") {
        decoder
            .decode(&chunk, &mut batch, &mut |e| panic!("{e}"))
            .expect("decode");
        sizes.push(chunk.memory_bytes() + batch.memory_bytes());
    }
    assert_eq!(sizes.len(), 10);
    assert!(sizes.windows(2).skip(1).all(|w| w[0] == w[1]), "{sizes:?}");
}
