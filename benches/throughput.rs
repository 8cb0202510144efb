//! End-to-end analysis throughput: parse a transcript from bytes, analyse it, render the JSON
//! debrief. Criterion prints MiB of transcript per second. Runs over the development corpus when
//! it is beside the project (`../shared/corpus`, or `SWIMLANE_CORPUS`), else over the bundled
//! sample and test fixtures. Also reports the one-off cost of compiling the lexicons.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use swimlane::analyze::{Settings, analyze};
use swimlane::charter::Charter;
use swimlane::lexicon::Lexicon;
use swimlane::report::{ReportFormat, render};
use swimlane::transcript;

fn inputs() -> (String, Vec<(String, Vec<u8>)>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = std::env::var_os("SWIMLANE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/corpus"));
    let dirs = if corpus.is_dir() {
        vec![corpus]
    } else {
        vec![
            root.join("samples"),
            root.join("tests/fixtures/transcripts"),
        ]
    };
    let mut files = Vec::new();
    for dir in &dirs {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        entries.sort();
        for path in entries {
            let wanted = matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("json" | "vtt" | "srt" | "txt")
            );
            if let (true, Ok(bytes)) = (wanted, std::fs::read(&path)) {
                files.push((path.display().to_string(), bytes));
            }
        }
    }
    let label = dirs
        .iter()
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    (label, files)
}

fn throughput(c: &mut Criterion) {
    let (label, files) = inputs();
    let lexicon = Lexicon::load(&[]).expect("shipped lexicons load");
    let charter = Charter::default();
    let settings = Settings {
        lexicon: &lexicon,
        charter: &charter,
        roles: &[],
        call_type: None,
    };
    let parsed: Vec<_> = files
        .iter()
        .filter_map(|(name, bytes)| {
            transcript::parse(bytes, None, name)
                .ok()
                .map(|t| (name, bytes, t))
        })
        .collect();
    let text_bytes: usize = parsed
        .iter()
        .map(|(_, _, t)| t.turns.iter().map(|x| x.text.len()).sum::<usize>())
        .sum();
    eprintln!(
        "throughput over {} transcripts from {label}: {text_bytes} bytes of turn text",
        parsed.len()
    );

    let mut group = c.benchmark_group("analysis");
    group.throughput(Throughput::Bytes(text_bytes as u64));
    group.bench_function("parse+analyze+json", |b| {
        b.iter(|| {
            for (name, bytes, _) in &parsed {
                let t = transcript::parse(bytes, None, name).expect("parsed once already");
                let debrief = analyze(&t, Some(name), &settings);
                black_box(render(&debrief, ReportFormat::Json));
            }
        })
    });
    group.bench_function("analyze only", |b| {
        b.iter(|| {
            for (name, _, t) in &parsed {
                black_box(analyze(t, Some(name), &settings));
            }
        })
    });
    group.finish();

    let mut load = c.benchmark_group("lexicons");
    load.sample_size(10);
    load.bench_function("compile shipped lexicons", |b| {
        b.iter(|| black_box(Lexicon::load(&[]).expect("loads")))
    });
    load.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
