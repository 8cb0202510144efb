//! The GE2E speaker encoder with its real weights: the same embedding as an independent numpy
//! implementation, voices told apart on the bundled sample, the diarizer on the sample mixed
//! to one channel, and `swimlane voice`. These need the voice encoder
//! installed (`swimlane model install`, which `scripts/test` runs first); without it they fail
//! and say so, unless SWIMLANE_SKIP_MODEL_TESTS=1 asks to skip them.

use std::path::{Path, PathBuf};
use swimlane::asr::models;
use swimlane::audio::{AudioStream, mix_down};
use swimlane::diarize::cluster::{ClusterSettings, diarize};
use swimlane::diarize::der::{DerSettings, score};
use swimlane::diarize::encoder::{MelStream, PARTIAL_FRAMES, VoiceEncoder, similarity};
use swimlane::diarize::rttm::SpeakerTurn;
use swimlane::time::Ms;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn encoder() -> Option<VoiceEncoder> {
    if std::env::var_os("SWIMLANE_SKIP_MODEL_TESTS").is_some() {
        eprintln!("skipped: SWIMLANE_SKIP_MODEL_TESTS is set");
        return None;
    }
    let path: PathBuf = root()
        .join("models")
        .join(models::default_voice_encoder().file);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}: run `cargo run --release -- model install` (scripts/test does), or set SWIMLANE_SKIP_MODEL_TESTS=1",
            path.display()
        )
    });
    Some(VoiceEncoder::from_checkpoint(&bytes).expect("the installed encoder loads"))
}

/// whisper.cpp's jfk.wav (16 kHz, 16-bit mono) as samples.
fn jfk_samples() -> Vec<f32> {
    let mut wav = hound::WavReader::open(root().join("tests/fixtures/audio/jfk.wav")).unwrap();
    wav.samples::<i16>()
        .map(|s| f32::from(s.unwrap()) / 32768.0)
        .collect()
}

#[test]
fn embedding_matches_the_numpy_reference() {
    let Some(encoder) = encoder() else { return };
    let ours = encoder.embed_utterance(&jfk_samples()[..64_000]);
    let text =
        std::fs::read_to_string(root().join("tests/fixtures/encoder/jfk-4s.ge2e.txt")).unwrap();
    let reference: Vec<f32> = text.lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(ours.len(), reference.len());
    let worst = ours
        .iter()
        .zip(&reference)
        .map(|(a, b)| (a - b).abs())
        .fold(0f32, f32::max);
    assert!(worst < 1e-5, "largest difference {worst}");
    assert!(similarity(&ours, &reference) > 0.99999);
}

/// Each channel of the sample is one synthetic voice. Two stretches of one channel's speech
/// must be more alike than stretches of different channels.
#[test]
fn one_voice_is_closer_to_itself_than_to_the_others() {
    let Some(encoder) = encoder() else { return };
    let mut stream = AudioStream::open(&root().join("samples/demo-call.flac"), false).unwrap();
    let channels = stream.info().channels;
    let mut speech: Vec<Vec<f32>> = vec![Vec::new(); channels];
    while let Some(block) = stream.next_block().unwrap() {
        // Keep each 20 ms frame for the channel that is clearly the loudest in it.
        for start in (0..block[0].len()).step_by(320) {
            let end = (start + 320).min(block[0].len());
            let energy: Vec<f32> = block
                .iter()
                .map(|c| c[start..end].iter().map(|v| v * v).sum())
                .collect();
            let (loudest, &top) = energy
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .unwrap();
            if top > 1e-3 && energy.iter().filter(|&&e| e * 10.0 > top).count() == 1 {
                speech[loudest].extend_from_slice(&block[loudest][start..end]);
            }
        }
    }
    const STRETCH: usize = 6 * 16_000;
    let halves: Vec<(Vec<f32>, Vec<f32>)> = speech
        .iter()
        .map(|s| {
            assert!(s.len() >= 2 * STRETCH, "a channel has too little speech");
            (
                encoder.embed_utterance(&s[..STRETCH]),
                encoder.embed_utterance(&s[s.len() - STRETCH..]),
            )
        })
        .collect();
    for (a, (first, last)) in halves.iter().enumerate() {
        let same = similarity(first, last);
        for (b, (other, _)) in halves.iter().enumerate() {
            if a != b {
                let different = similarity(first, other);
                eprintln!("channel {a}: same voice {same:.3}, channel {b} {different:.3}");
                assert!(
                    same > different,
                    "channel {a} vs {b}: {same} <= {different}"
                );
            }
        }
    }
}

/// Mel frames computed from audio in odd-sized blocks are the frames of the whole.
#[test]
fn streamed_mel_frames_match_whole_ones() {
    let Some(encoder) = encoder() else { return };
    let samples = jfk_samples();
    let whole = encoder.mel_frames(&samples);
    assert_eq!(whole.len(), 1 + samples.len() / 160);
    for block in [37, 160, 1_000] {
        let mut stream = MelStream::new(&encoder);
        samples.chunks(block).for_each(|b| stream.push(b));
        let streamed = stream.finish();
        assert_eq!(streamed.frames, whole, "blocks of {block}");
        assert!(streamed.rms > 0.01);
    }
}

/// Batching windows through the LSTM gives the same voiceprints as one window at a time.
#[test]
fn batched_windows_match_single_windows() {
    let Some(encoder) = encoder() else { return };
    let samples = jfk_samples();
    let frames = encoder.mel_frames(&samples);
    let starts = [0, 80, 333, frames.len() - PARTIAL_FRAMES];
    let windows: Vec<_> = starts
        .iter()
        .map(|&start| &frames[start..start + PARTIAL_FRAMES])
        .collect();
    let batched = encoder.embed_windows(&windows);
    for (start, embedding) in starts.iter().zip(&batched) {
        let single = encoder.embed_frames(&frames[*start..start + PARTIAL_FRAMES]);
        let worst = single
            .iter()
            .zip(embedding)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(
            worst < 1e-4,
            "window at {start}: largest difference {worst}"
        );
    }
}

/// The sample's three tracks mixed to one channel, as most recordings come: the diarizer
/// finds three speakers, and its turns score a low DER against the sample's known turns.
#[test]
fn the_sample_mixed_to_mono_is_diarized() {
    let Some(encoder) = encoder() else { return };
    let mut stream = AudioStream::open(&root().join("samples/demo-call.flac"), false).unwrap();
    let mut mel = MelStream::new(&encoder);
    let mut mono = Vec::new();
    while let Some(block) = stream.next_block().unwrap() {
        mix_down(&block, &mut mono);
        mel.push(&mono);
    }
    let found = diarize(&encoder, mel.finish(), ClusterSettings::default());
    assert_eq!(found.voiceprints.len(), 3);
    let hypothesis: Vec<SpeakerTurn> = found
        .spans
        .iter()
        .map(|s| SpeakerTurn {
            file: "demo".into(),
            speaker: s.speaker.to_string(),
            start: s.start,
            end: s.end,
        })
        .collect();
    let call: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("samples/demo-call.json")).unwrap(),
    )
    .unwrap();
    let ms = |v: &serde_json::Value| Ms((v.as_f64().unwrap() * 1000.0).round() as u64);
    let reference: Vec<SpeakerTurn> = call["turns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| SpeakerTurn {
            file: "demo".into(),
            speaker: t["speaker"].as_str().unwrap().into(),
            start: ms(&t["start"]),
            end: ms(&t["end"]),
        })
        .collect();
    let der = score(&reference, &hypothesis, DerSettings::default()).der();
    assert!(der < 5.0, "DER {der:.2} %");
}

/// `voice enroll`, `list` and `remove` through the real binary, with the voiceprint file in a
/// temporary data folder.
#[test]
fn voices_are_enrolled_listed_and_removed() {
    if encoder().is_none() {
        return;
    }
    let data = tempfile::TempDir::new().unwrap();
    let swimlane = |args: &[&str]| {
        assert_cmd::Command::cargo_bin("swimlane")
            .unwrap()
            .current_dir(root())
            .env("XDG_DATA_HOME", data.path())
            .env_remove("SWIMLANE_MODELS")
            .args(args)
            .output()
            .unwrap()
    };
    let out = swimlane(&[
        "voice",
        "enroll",
        "Sam Patel",
        "--role",
        "SE",
        "tests/fixtures/audio/jfk.wav",
    ]);
    assert!(out.status.success(), "{out:?}");
    let file = data.path().join("swimlane/voiceprints.json");
    let store =
        swimlane::diarize::voiceprint::VoiceStore::parse(&std::fs::read_to_string(&file).unwrap())
            .unwrap();
    assert_eq!(store.voices.len(), 1);
    assert!(store.voices[0].seconds > 9.0, "{}", store.voices[0].seconds);

    let out = swimlane(&["voice", "list"]);
    let listed = String::from_utf8(out.stdout).unwrap();
    assert!(listed.starts_with("Sam Patel\tSE\t"), "{listed}");

    let silent = swimlane(&[
        "voice",
        "enroll",
        "Dana Ruiz",
        "--role",
        "AE",
        "tests/fixtures/audio/silence.wav",
    ]);
    assert_eq!(silent.status.code(), Some(1));
    let error = String::from_utf8(silent.stderr).unwrap();
    assert!(error.contains("silence.wav: no speech found"), "{error}");

    assert!(swimlane(&["voice", "remove", "sam patel"]).status.success());
    let again = swimlane(&["voice", "remove", "Sam Patel"]);
    assert_eq!(again.status.code(), Some(1));
    let listed = swimlane(&["voice", "list"]).stdout;
    assert!(listed.is_empty());
}

/// `voice enroll --from-call`: the person's turns in a recorded call's debrief, cut from its
/// recording. The debrief here is written by hand with the sample's known turns.
#[test]
fn a_voice_is_enrolled_from_a_debriefed_call() {
    if encoder().is_none() {
        return;
    }
    let data = tempfile::TempDir::new().unwrap();
    let call: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("samples/demo-call.json")).unwrap(),
    )
    .unwrap();
    let debrief = |source: &str| {
        serde_json::json!({
            "call": {"source": source},
            "speakers": [{"name": "Dana Ruiz"}, {"name": "Sam Patel"}, {"name": "Priya Shah"}],
            "turns": call["turns"],
        })
        .to_string()
    };
    let from_audio = data.path().join("audio.json");
    std::fs::write(&from_audio, debrief("samples/demo-call.flac")).unwrap();
    let from_text = data.path().join("text.json");
    std::fs::write(&from_text, debrief("samples/demo-call.json")).unwrap();
    let enroll = |name: &str, debrief: &Path| {
        assert_cmd::Command::cargo_bin("swimlane")
            .unwrap()
            .current_dir(root())
            .env("XDG_DATA_HOME", data.path())
            .env_remove("SWIMLANE_MODELS")
            .args(["voice", "enroll", name, "--role", "SE", "--from-call"])
            .arg(debrief)
            .output()
            .unwrap()
    };
    let out = enroll("Sam Patel", &from_audio);
    assert!(out.status.success(), "{out:?}");
    let store = swimlane::diarize::voiceprint::VoiceStore::parse(
        &std::fs::read_to_string(data.path().join("swimlane/voiceprints.json")).unwrap(),
    )
    .unwrap();
    // Sam speaks for about 35 s of the sample; silences inside turns are cut out.
    let seconds = store.voices[0].seconds;
    assert!((25.0..40.0).contains(&seconds), "{seconds}");

    let absent = enroll("Nobody Here", &from_audio);
    assert_eq!(absent.status.code(), Some(1));
    let message = String::from_utf8_lossy(&absent.stderr);
    assert!(
        message.contains("Nobody Here does not speak in this call"),
        "{message}"
    );
    let transcript = enroll("Sam Patel", &from_text);
    assert_eq!(transcript.status.code(), Some(1));
    let message = String::from_utf8_lossy(&transcript.stderr);
    assert!(message.contains("not a recording"), "{message}");
}
