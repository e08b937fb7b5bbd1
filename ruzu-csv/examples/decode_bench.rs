//! Single-threaded throughput of the splitter and decoder on person.csv-shaped rows
//! (BENCH_DATA.md), generated in memory.
//!
//! `cargo run --release -p ruzu-csv --example decode_bench [rows]`
//!
//! DATE and TIMESTAMP parsers are still placeholders, so the "typed" schema reads `birthday`
//! and `creation_date` as STRING; the other columns are INT64, STRING and DOUBLE as in the
//! real schema.

use std::sync::Arc;
use std::time::Instant;

use ruzu_csv::{Batch, Chunk, CsvOptions, DataType, Decoder, Field, Schema, Splitter};

const FIRST: [&str; 12] = [
    "Alice", "Bob", "Carol", "Dmitri", "Eve", "Farah", "Gustavo", "Hana", "Ivan", "Jun", "Kofi",
    "Lena",
];
const LAST: [&str; 12] = [
    "Smith", "Ng", "Garcia", "Ivanova", "Okafor", "Muller", "Rossi", "Kim", "Dubois", "Sato",
    "Silva", "Novak",
];
const BROWSERS: [&str; 5] = ["Chrome", "Firefox", "Safari", "Edge", "Opera"];
const WORDS: [&str; 10] = [
    "graph", "data", "lorem", "ipsum", "quick", "brown", "fox", "jumps", "over", "lazy",
];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Appends one person.csv row.
fn person_row(rng: &mut Rng, i: u64, out: &mut Vec<u8>) {
    use std::io::Write;
    let f = FIRST[rng.below(12) as usize];
    let l = LAST[rng.below(12) as usize];
    let mut bio = String::new();
    let target = rng.below(140) as usize;
    while bio.len() + 6 < target {
        bio.push_str(WORDS[rng.below(10) as usize]);
        bio.push(' ');
    }
    let quoted = rng.below(10) == 0;
    if quoted {
        bio.push_str("say \"hi\", then");
    }
    let _ = write!(
        out,
        "{},{f},{l},{},{}-{:02}-{:02},{}-{:02}-{:02} {:02}:{:02}:{:02},{}.{}.{}.{},{},{}.{}{}@example.com,{}.{:06},",
        1_000_000_000_000u64 + 7919 * i,
        if rng.below(2) == 0 { "male" } else { "female" },
        1950 + rng.below(56),
        1 + rng.below(12),
        1 + rng.below(28),
        2010 + rng.below(15),
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(24),
        rng.below(60),
        rng.below(60),
        rng.below(256),
        rng.below(256),
        rng.below(256),
        rng.below(256),
        BROWSERS[rng.below(5) as usize],
        f.to_lowercase(),
        l.to_lowercase(),
        rng.below(1000),
        rng.below(1000),
        rng.below(1_000_000),
    );
    if quoted {
        out.push(b'"');
        out.extend_from_slice(bio.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(bio.as_bytes());
    }
    out.push(b'\n');
}

fn schema(typed: bool) -> Arc<Schema> {
    let t = |dt| if typed { dt } else { DataType::String };
    Arc::new(Schema::new(vec![
        Field::new("id", t(DataType::Int64)),
        Field::new("first_name", DataType::String),
        Field::new("last_name", DataType::String),
        Field::new("gender", DataType::String),
        Field::new("birthday", DataType::String),
        Field::new("creation_date", DataType::String),
        Field::new("location_ip", DataType::String),
        Field::new("browser", DataType::String),
        Field::new("email", DataType::String),
        Field::new("score", t(DataType::Double)),
        Field::new("bio", DataType::String),
    ]))
}

fn main() -> Result<(), ruzu_csv::CsvError> {
    let rows: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(500_000);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut data = b"id,first_name,last_name,gender,birthday,creation_date,location_ip,browser,email,score,bio\n".to_vec();
    for i in 0..rows {
        person_row(&mut rng, i, &mut data);
    }
    let mb = data.len() as f64 / 1e6;
    println!(
        "{rows} rows, {mb:.1} MB ({:.0} B/row)",
        data.len() as f64 / rows as f64
    );
    let options = CsvOptions::default().with_header(true);
    let dialect = ruzu_csv::Dialect {
        header: true,
        ..ruzu_csv::Dialect::default()
    };
    for _round in 0..2 {
        // Splitter alone.
        let t = Instant::now();
        let mut splitter = Splitter::new(&data[..], dialect, &options, None);
        let mut chunk = Chunk::new();
        let mut records = 0;
        while splitter.next_chunk(&mut chunk)? {
            records += chunk.num_records();
        }
        let s = t.elapsed().as_secs_f64();
        println!(
            "split only:        {:7.0} MB/s {:6.2} M rows/s ({records} records)",
            mb / s,
            records as f64 / s / 1e6
        );
        for (name, typed) in [("all STRING", false), ("typed", true)] {
            let schema = schema(typed);
            let t = Instant::now();
            let mut splitter = Splitter::new(&data[..], dialect, &options, None);
            let mut decoder = Decoder::new(schema.clone(), dialect, &options)?;
            let mut batch = Batch::new(schema, options.batch_rows, 4 << 20);
            let mut n = 0;
            let mut errors = 0;
            while splitter.next_chunk(&mut chunk)? {
                let stats = decoder.decode(&chunk, &mut batch, &mut |_| errors += 1)?;
                n += stats.rows;
            }
            let s = t.elapsed().as_secs_f64();
            println!(
                "split+decode {name:10}: {:6.0} MB/s {:6.2} M rows/s ({n} rows, {errors} errors)",
                mb / s,
                n as f64 / s / 1e6
            );
        }
    }
    Ok(())
}
