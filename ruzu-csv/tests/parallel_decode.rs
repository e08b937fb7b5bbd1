//! Chunks decoded on several threads give exactly the rows and errors of sequential reading.

mod common;

use std::sync::Mutex;

use common::{Outcome, plain, read_with, schema};
use ruzu_csv::{Batch, Chunk, DataType, Decoder, Splitter};

fn assert_send<T: Send>() {}

#[test]
fn chunks_decoded_on_two_threads_match_sequential_reading() {
    assert_send::<Chunk>();
    assert_send::<Decoder>();
    assert_send::<Batch>();
    assert_send::<Splitter<std::fs::File>>();

    let mut input = Vec::new();
    for i in 0..3000 {
        match i % 97 {
            0 => input.extend_from_slice(format!("{i}x,bad\n").as_bytes()),
            1 => input.extend_from_slice(format!("{i},\"two\nlines\"\n").as_bytes()),
            2 => input.extend_from_slice(format!("{i},\"open\"x\n").as_bytes()),
            _ => input.extend_from_slice(format!("{i},\"v,{i}\"\r\n").as_bytes()),
        }
    }
    let sc = schema(&[("id", DataType::Int64), ("v", DataType::String)]);
    let options = plain().with_chunk_bytes(2000).with_batch_rows(64);
    let sequential = read_with(&input[..], &sc, &options);
    assert_eq!(sequential.errors.len(), 31 + 31);

    let dialect = options.explicit_dialect();
    let queue = Mutex::new(Splitter::new(&input[..], dialect, &options, None));
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let mut decoder = Decoder::new(sc.clone(), dialect, &options).expect("decoder");
                let mut chunk = Chunk::new();
                let mut batch = Batch::new(sc.clone(), 64, 4096);
                loop {
                    let more = queue
                        .lock()
                        .expect("no panic while splitting")
                        .next_chunk(&mut chunk)
                        .expect("in-memory read");
                    if !more {
                        break;
                    }
                    let mut errors = Vec::new();
                    decoder
                        .decode(&chunk, &mut batch, &mut |e| errors.push(e))
                        .expect("decode");
                    let rows: Vec<common::Row> = (0..batch.num_rows())
                        .map(|r| {
                            let values = (0..2)
                                .map(|c| common::value_text(batch.value(r, c)))
                                .collect();
                            (batch.line(r), batch.byte_offset(r), values)
                        })
                        .collect();
                    let errors: Vec<common::Err> = errors
                        .into_iter()
                        .map(|e| {
                            let t = e.text.map(|t| t.to_string());
                            let p = e.position;
                            (p.line, p.byte, p.record, e.column, e.kind, t)
                        })
                        .collect();
                    results.lock().expect("no panic while collecting").push((
                        chunk.seq(),
                        rows,
                        errors,
                    ));
                }
            });
        }
    });
    let mut results = results.into_inner().expect("threads done");
    results.sort_by_key(|r| r.0);
    let mut parallel = Outcome {
        rows: Vec::new(),
        errors: Vec::new(),
    };
    for (_, rows, errors) in results {
        parallel.rows.extend(rows);
        parallel.errors.extend(errors);
    }
    assert_eq!(parallel, sequential);
}
