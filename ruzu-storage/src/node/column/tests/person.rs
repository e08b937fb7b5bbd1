//! A person.csv-shaped node group (docs/bench-data.md): encoded size against the CSV bytes, and a
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
        "graph", "data", "loves", "music", "and", "the", "travel", "coffee", "rust", "a", "reader",
        "of",
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
        if (i as usize).is_multiple_of(BATCH_ROWS) {
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
            Encoding::ScaledFrameOfReference,
            Encoding::VarLenZstd,
            Encoding::Dictionary,
            Encoding::VarLenZstd,
            Encoding::Decimal,
            Encoding::VarLenZstd,
        ]
    );
    assert!(ratio < 0.4, "{ratio}");
    // Spot-check values against the batches.
    for (c, image) in images.iter().enumerate() {
        let reader = ChunkReader::new(image).expect("valid");
        for row in [0usize, 16_383, 16_384, 199_999] {
            let b = &batches[row / BATCH_ROWS];
            assert_eq!(
                reader.value(row),
                b.value(row % BATCH_ROWS, c),
                "column {c} row {row}"
            );
        }
    }
}

/// CPU time of this thread in seconds (the machine is shared: wall time would count other
/// processes), from `/proc/thread-self/schedstat`; wall time where that is missing.
fn cpu_seconds(wall: Instant) -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or_else(|| wall.elapsed().as_secs_f64(), |ns| ns / 1e9)
}

/// Prints encode and decode speeds; run in release (see the module docs).
#[test]
#[ignore = "speed probe: run in release with --ignored --nocapture"]
fn person_chunk_speed() {
    let rows = 256 * 1024;
    let (batches, csv_bytes) = person_batches(rows);
    for level in [Some(1), Some(-5), None] {
        println!("zstd level {level:?}:");
        speed_probe(&batches, rows, csv_bytes, level);
    }
}

fn speed_probe(batches: &[Batch], rows: u64, csv_bytes: usize, level: Option<i32>) {
    let schema = schema();
    let wall = Instant::now();
    let mut out = Vec::with_capacity(64 << 20);
    let (mut total_raw, mut total_enc, mut total_encode, mut total_decode) =
        (0usize, 0usize, 0f64, 0f64);
    for (c, f) in schema.fields().iter().enumerate() {
        let mut encoder = ChunkEncoder::new(f.data_type)
            .expect("stored type")
            .with_zstd_level(level);
        let raw: usize = batches
            .iter()
            .map(|b| match b.column(c).data() {
                ruzu_csv::ColumnData::String(v) => v.data().len(),
                _ => f.data_type.fixed_width_bytes().unwrap_or(0) * b.num_rows(),
            })
            .sum();
        // Round 0 warms buffers and caches; then many rounds per measure, since the thread
        // clock ticks coarsely.
        let rounds = 40;
        let mut encode = 0f64;
        for round in 0..=rounds {
            out.clear();
            let t0 = cpu_seconds(wall);
            for b in batches {
                encoder
                    .append(b.column(c), 0..b.num_rows())
                    .expect("fits in a chunk");
            }
            encoder.finish(&mut out);
            if round > 0 {
                encode += cpu_seconds(wall) - t0;
            }
        }
        let t0 = cpu_seconds(wall);
        for _ in 0..rounds {
            let reader = ChunkReader::new(&out).expect("valid");
            assert_eq!(reader.to_arrow().expect("converts").len(), rows as usize);
        }
        let decode = (cpu_seconds(wall) - t0) / f64::from(rounds);
        let encode = encode / f64::from(rounds);
        let mbs = |secs: f64| raw as f64 / secs / 1e6;
        println!(
            "{:>14}: {:>8} B -> {:>8} B {:>16?}; encode {:>6.0} MB/s = {:>5.1} Mrows/s; \
             new+to_arrow {:>6.0} MB/s = {:>5.1} Mrows/s",
            f.name,
            raw,
            out.len(),
            ChunkReader::new(&out).expect("valid").encoding(),
            mbs(encode),
            rows as f64 / encode / 1e6,
            mbs(decode),
            rows as f64 / decode / 1e6,
        );
        total_raw += raw;
        total_enc += out.len();
        total_encode += encode;
        total_decode += decode;
    }
    println!(
        "all columns: {total_raw} raw B -> {total_enc} B ({:.3}x of {csv_bytes} CSV B); encode \
         {:.1} Mrows/s ({:.0} MB/s raw), new+to_arrow {:.1} Mrows/s, one core",
        total_enc as f64 / csv_bytes as f64,
        rows as f64 / total_encode / 1e6,
        total_raw as f64 / total_encode / 1e6,
        rows as f64 / total_decode / 1e6,
    );
}
