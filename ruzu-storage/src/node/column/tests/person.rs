//! A person.csv-shaped node group (BENCH_DATA.md): encoded size against the CSV bytes, and a
//! release-mode speed probe (`cargo test --release -p ruzu-storage person_chunk_speed --
//! --ignored --nocapture`).

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

use ruzu_csv::{Batch, DataType, Field, Schema, Value};

use crate::node::column::{ChunkEncoder, ChunkReader, Encoding};

const BATCH_ROWS: usize = 16 * 1024;

/// splitmix64: a small deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A pronounceable name for `index` (distinct for distinct indexes below 20^3).
fn name(index: u64, capital: bool) -> String {
    const SYL: [&str; 20] = [
        "an", "be", "ca", "do", "el", "fi", "ga", "ho", "is", "ju", "ka", "li", "ma", "no", "or",
        "pe", "ra", "si", "to", "vy",
    ];
    let mut s = String::new();
    let mut k = index;
    for _ in 0..(2 + index % 2) {
        s.push_str(SYL[(k % 20) as usize]);
        k /= 20;
    }
    if capital {
        s[..1].make_ascii_uppercase();
    }
    s
}

/// (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn schema() -> Arc<Schema> {
    let f = Field::new;
    Arc::new(Schema::new(vec![
        f("id", DataType::Int64),
        f("first_name", DataType::String),
        f("last_name", DataType::String),
        f("gender", DataType::String),
        f("birthday", DataType::Date),
        f("creation_date", DataType::Timestamp),
        f("location_ip", DataType::String),
        f("browser", DataType::String),
        f("email", DataType::String),
        f("score", DataType::Double),
        f("bio", DataType::String),
    ]))
}

/// `rows` person rows in batches of 16 k, and the bytes of the same rows as CSV.
fn person_batches(rows: u64) -> (Vec<Batch>, usize) {
    const WORDS: [&str; 12] = [
        "graph", "data", "loves", "music", "and", "the", "travel", "coffee", "rust", "a",
        "reader", "of",
    ];
    const BROWSERS: [&str; 5] = ["Firefox", "Chrome", "Safari", "Internet Explorer", "Opera"];
    const DOMAINS: [&str; 6] = [
        "gmail.com",
        "yahoo.com",
        "hotmail.com",
        "example.org",
        "mail.ru",
        "gmx.de",
    ];
    let mut rng = Rng(42);
    let schema = schema();
    let mut batches = Vec::new();
    let mut csv_bytes = 0usize;
    let mut line = String::new();
    for i in 0..rows {
        if i as usize % BATCH_ROWS == 0 {
            batches.push(Batch::new(schema.clone(), BATCH_ROWS, 4 << 20));
        }
        // A permutation of 0..rows: multiplication by a number coprime to rows.
        let p = (i * 2_654_435_761) % rows;
        let id = 1_000_000_000_000 + 7919 * p as i64;
        let first = name(rng.below(500), true);
        let last = name(1000 + rng.below(1000), true);
        let gender = if rng.below(2) == 0 { "male" } else { "female" };
        let birthday = -7305 + rng.below(20_454) as i32;
        let created = (1_262_304_000 + rng.below(473_385_600) as i64) * 1_000_000;
        let ip = format!(
            "{}.{}.{}.{}",
            rng.below(256),
            rng.below(256),
            rng.below(256),
            rng.below(256)
        );
        let browser = BROWSERS[rng.below(5) as usize];
        let email = format!(
            "{}.{}{}@{}",
            first.to_lowercase(),
            last.to_lowercase(),
            rng.below(1000),
            DOMAINS[rng.below(6) as usize]
        );
        let score = rng.below(1_000_000_001) as f64 / 1e6;
        let mut bio = String::new();
        let bio_len = rng.below(141) as usize;
        while bio.len() < bio_len {
            if !bio.is_empty() {
                bio.push(if rng.below(40) == 0 { ',' } else { ' ' });
            }
            bio.push_str(WORDS[rng.below(12) as usize]);
        }
        bio.truncate(bio_len);
        batches
            .last_mut()
            .expect("invariant: pushed at row 0")
            .push_row(
                &[
                    Value::Int64(id),
                    Value::String(&first),
                    Value::String(&last),
                    Value::String(gender),
                    Value::Date(birthday),
                    Value::Timestamp(created),
                    Value::String(&ip),
                    Value::String(browser),
                    Value::String(&email),
                    Value::Double(score),
                    Value::String(&bio),
                ],
                i + 2,
                0,
            )
            .expect("row matches the schema");
        let (y, m, d) = civil(i64::from(birthday));
        let secs = created / 1_000_000;
        let (cy, cm, cd) = civil(secs.div_euclid(86_400));
        let tod = secs.rem_euclid(86_400);
        let bio_csv = if bio.contains([',', '"']) {
            format!("\"{}\"", bio.replace('"', "\"\""))
        } else {
            bio
        };
        line.clear();
        writeln!(
            line,
            "{id},{first},{last},{gender},{y:04}-{m:02}-{d:02},{cy:04}-{cm:02}-{cd:02} \
             {:02}:{:02}:{:02},{ip},{browser},{email},{score},{bio_csv}",
            tod / 3600,
            tod / 60 % 60,
            tod % 60
        )
        .expect("writing to a String");
        csv_bytes += line.len();
    }
    (batches, csv_bytes)
}

/// Encodes every column of `batches` as one chunk; returns the images.
fn encode_all(batches: &[Batch]) -> Vec<Vec<u8>> {
    schema()
        .fields()
        .iter()
        .enumerate()
        .map(|(c, f)| {
            let mut encoder = ChunkEncoder::new(f.data_type).expect("stored type");
            for b in batches {
                encoder
                    .append(b.column(c), 0..b.num_rows())
                    .expect("fits in a chunk");
            }
            let mut image = Vec::new();
            encoder.finish(&mut image);
            image
        })
        .collect()
}

#[test]
fn person_node_group_is_well_under_its_csv_size() {
    let rows = 200_000;
    let (batches, csv_bytes) = person_batches(rows);
    let images = encode_all(&batches);
    let encoded: usize = images.iter().map(Vec::len).sum();
    let ratio = encoded as f64 / csv_bytes as f64;
    let mut report = String::new();
    for (f, image) in schema().fields().iter().zip(&images) {
        let reader = ChunkReader::new(image).expect("valid image");
        assert_eq!(reader.len(), rows as usize);
        writeln!(
            report,
            "{:>14} {:>9?} {:>10} bytes {:>6.2} B/row",
            f.name,
            reader.encoding(),
            image.len(),
            image.len() as f64 / rows as f64
        )
        .expect("writing to a String");
    }
    println!("{report}{rows} rows: {encoded} encoded bytes / {csv_bytes} CSV bytes = {ratio:.3}x");
    let encodings: Vec<Encoding> = images
        .iter()
        .map(|i| ChunkReader::new(i).expect("valid").encoding())
        .collect();
    assert_eq!(
        encodings,
        [
            Encoding::FrameOfReference,
            Encoding::Dictionary,
            Encoding::Dictionary,
            Encoding::Dictionary,
            Encoding::FrameOfReference,
            Encoding::FrameOfReference,
            Encoding::VarLen,
            Encoding::Dictionary,
            Encoding::VarLen,
            Encoding::Decimal,
            Encoding::VarLen,
        ]
    );
    assert!(ratio < 0.7, "{ratio}");
    // Spot-check values against the batches.
    for (c, image) in images.iter().enumerate() {
        let reader = ChunkReader::new(image).expect("valid");
        for row in [0usize, 16_383, 16_384, 199_999] {
            let b = &batches[row / BATCH_ROWS];
            assert_eq!(reader.value(row), b.value(row % BATCH_ROWS, c), "column {c} row {row}");
        }
    }
}

/// Prints encode and decode speeds; run in release (see the module docs).
#[test]
#[ignore = "speed probe: run in release with --ignored --nocapture"]
fn person_chunk_speed() {
    let rows = 256 * 1024;
    let (batches, _) = person_batches(rows);
    let schema = schema();
    let mut out = Vec::with_capacity(64 << 20);
    for (c, f) in schema.fields().iter().enumerate() {
        let mut encoder = ChunkEncoder::new(f.data_type).expect("stored type");
        let raw: usize = batches
            .iter()
            .map(|b| match b.column(c).data() {
                ruzu_csv::ColumnData::String(v) => v.data().len(),
                _ => f.data_type.fixed_width_bytes().unwrap_or(0) * b.num_rows(),
            })
            .sum();
        let rounds = 8;
        let start = Instant::now();
        for _ in 0..rounds {
            out.clear();
            for b in &batches {
                encoder
                    .append(b.column(c), 0..b.num_rows())
                    .expect("fits in a chunk");
            }
            encoder.finish(&mut out);
        }
        let enc = start.elapsed().as_secs_f64() / f64::from(rounds);
        let start = Instant::now();
        let mut len = 0;
        for _ in 0..rounds {
            let reader = ChunkReader::new(&out).expect("valid");
            len += reader.to_arrow().len();
        }
        let dec = start.elapsed().as_secs_f64() / f64::from(rounds);
        assert_eq!(len, rows as usize * rounds as usize);
        println!(
            "{:>14}: raw {:>9} B -> {:>9} B; encode {:>7.0} MB/s {:>6.1} Mrows/s; \
             check+to_arrow {:>7.0} MB/s",
            f.name,
            raw,
            out.len(),
            raw as f64 / enc / 1e6,
            rows as f64 / enc / 1e6,
            raw as f64 / dec / 1e6,
        );
    }
}
