//! REPL query latency as percentiles (criterion reports means): every query of the dev and held-out
//! sets, many rounds, each timed through analysis, search and the compact view the REPL prints.
//! Run with `cargo bench --bench latency`; issue 7's target is p99 ≤ 1 ms.
//!
//! Two advisors are measured: the REPL's (the index read into a term table once, in the background
//! at start-up) and a one-shot `ask`'s (every query reads the tantivy index).

use beian::render::compact;
use beian::render::text::TextOptions;
use beian_engine::advise::Advisor;
use std::hint::black_box;
use std::time::{Duration, Instant};

const ROUNDS: usize = 20;

fn queries() -> Vec<String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut queries = Vec::new();
    for set in ["tests/eval/dev.jsonl", "tests/eval/holdout.jsonl"] {
        let text = std::fs::read_to_string(format!("{root}/{set}")).expect("query set");
        for line in text.lines().filter(|line| !line.trim().is_empty()) {
            let case: serde_json::Value = serde_json::from_str(line).expect("query set line");
            queries.push(case["query"].as_str().expect("query").to_string());
        }
    }
    queries
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn measure(label: &str, advisor: &Advisor, queries: &[String]) {
    let options = TextOptions::default();
    let mut out = Vec::with_capacity(64 * 1024);
    let mut once = |query: &str| {
        out.clear();
        let advice = advisor.advise(black_box(query), 5).unwrap();
        compact::write_advice(&mut out, &advice, &options).unwrap();
        black_box(&out);
    };
    for query in queries {
        once(query); // warm: lazily compiled patterns, caches
    }
    let mut times = Vec::with_capacity(queries.len() * ROUNDS);
    for _ in 0..ROUNDS {
        for query in queries {
            let start = Instant::now();
            once(query);
            times.push(start.elapsed());
        }
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{label:<44} {:>5} queries  median {:.3} ms  p90 {:.3} ms  p99 {:.3} ms  max {:.3} ms",
        times.len(),
        ms(percentile(&times, 50.0)),
        ms(percentile(&times, 90.0)),
        ms(percentile(&times, 99.0)),
        ms(*times.last().unwrap()),
    );
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument (as `cargo test --benches` gives) skips.
    if std::env::args().skip(1).any(|arg| arg != "--bench") {
        return;
    }
    let queries = queries();
    let repl = beian::builtin::advisor().unwrap();
    let start = Instant::now();
    repl.prepare_for_many().unwrap();
    println!(
        "term table built in {:.1} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );
    measure("REPL query (term table, compact view)", &repl, &queries);
    let one_shot = beian::builtin::advisor().unwrap();
    measure(
        "one-shot query (index lookups, compact view)",
        &one_shot,
        &queries,
    );
}
