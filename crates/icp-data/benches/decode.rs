//! Decoding alone: a generated CSV of the benchmark's shape (text, int, money, percent,
//! date, set and enum-like text cells, with missing markers) split and decoded into row
//! values by `Source::run`, nothing evaluated: `cargo bench -p icp-data --bench decode`.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    missing_docs,
    reason = "a benchmark: terse on purpose"
)]

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use icp_data::{ReadOptions, Row, RowSink, Source};
use icp_model::{Field, Loc, Program, Schema, Ty, Value};

const ROWS: usize = 20_000;

fn field(name: &str, column: &str, ty: Ty) -> Field {
    Field {
        name: name.into(),
        column: column.into(),
        ty,
        optional: true,
        fraction: false,
        loc: Loc::default(),
    }
}

fn schema() -> Schema {
    Schema {
        name: "Account".into(),
        loc: Loc::default(),
        key: None,
        fields: vec![
            field("id", "Record ID", Ty::Text),
            field("name", "Company name", Ty::Text),
            field("employees", "Number of Employees", Ty::Int),
            field("marketers", "marketers", Ty::Int),
            field("revenue", "Annual Revenue", Ty::Money),
            field("country", "country", Ty::Text),
            field("tech", "Technologies", Ty::Set(Box::new(Ty::Text))),
            field("intent", "Intent", Ty::Percent),
            field("last_touch", "Last touch", Ty::Date),
        ],
    }
}

/// A messy export: a deterministic mix of the cell forms the benchmark's generator writes.
fn csv() -> String {
    let mut s = String::from(
        "Record ID,Company name,Number of Employees,marketers,Annual Revenue,country,Technologies,Intent,Last touch\n",
    );
    let revenue = ["$2.5M", "1,200,000", "NA", "$750K", "3.1 million", ""];
    let tech = [
        "\"[\"\"HubSpot\"\",\"\"Slack\"\"]\"",
        "Salesforce;Marketo",
        "",
        "HubSpot",
    ];
    let intent = ["72%", "0.4", "N/A", "95.5%"];
    let date = ["2026-10-01", "2026-08-15T10:00:00Z", "", "2025-01-31"];
    for i in 0..ROWS {
        let _ = writeln!(
            s,
            "A{i:07},Company {i},{},{},{},{},{},{},{}",
            (i * 37) % 1500,
            i % 4,
            revenue[i % revenue.len()],
            if i % 5 == 0 { "Russia" } else { "France" },
            tech[i % tech.len()],
            intent[i % intent.len()],
            date[i % date.len()],
        );
    }
    s
}

/// Counts rows and known values: every value is read, nothing is scored.
struct Count;

impl RowSink for Count {
    type Local = ();
    type Stats = ();
    fn local(&self) {}
    fn row(&self, &mut (): &mut (), &mut (): &mut (), row: &Row<'_>, out: &mut Vec<u8>) {
        let known = row
            .values
            .iter()
            .filter(|v| !matches!(v, Value::Missing))
            .count();
        out.push(known as u8);
    }
}

fn decode(c: &mut Criterion) {
    // `Source::open` takes a `'static` reader: the text lives as long as the benchmark.
    let text: &'static str = Box::leak(csv().into_boxed_str());
    let schema = schema();
    let program = Program::default();
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Elements(ROWS as u64));
    g.bench_function("csv 9 fields", |b| {
        b.iter(|| {
            let source =
                Source::open(Box::new(black_box(text.as_bytes())), ReadOptions::default()).unwrap();
            let (binding, _) = source.bind(&program, &schema).unwrap();
            let mut n = 0usize;
            source
                .run(&binding, &Count, |chunk| {
                    n += chunk.bytes.len();
                    Ok(())
                })
                .unwrap();
            n
        });
    });
    g.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
