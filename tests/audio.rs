//! Decoding recordings: every supported container and codec, WAV sample formats and rates, and
//! the bad files users actually have (empty, truncated, unsupported, not audio at all). No model
//! is needed here.

use std::path::{Path, PathBuf};
use swimlane::audio::{AudioError, AudioStream, Recording, SAMPLE_RATE, Track, decode_all};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/audio")
        .join(name)
}

fn rms(samples: &[f32]) -> f32 {
    (samples.iter().map(|v| v * v).sum::<f32>() / samples.len().max(1) as f32).sqrt()
}

#[test]
fn every_supported_format_decodes_to_the_same_16k_speech() {
    let reference = decode_all(&fixture("speech.flac")).unwrap();
    assert_eq!(reference.len(), 1);
    let length = reference[0].len();
    assert!(length > SAMPLE_RATE as usize / 2, "{length}");
    for name in ["speech.mp3", "speech.m4a", "speech.ogg", "speech-8k.wav"] {
        let decoded = decode_all(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(decoded.len(), 1, "{name}");
        let got = decoded[0].len() as f64;
        // Lossy codecs add encoder delay and padding: allow 120 ms either way.
        assert!(
            (got - length as f64).abs() < 0.12 * SAMPLE_RATE as f64,
            "{name}: {got} samples against {length}"
        );
        let level = rms(&decoded[0]);
        let expected = rms(&reference[0]);
        assert!(
            level > expected * 0.5 && level < expected * 1.5,
            "{name}: level {level} against {expected}"
        );
    }
}

#[test]
fn stereo_44k_keeps_its_channels_apart() {
    let decoded = decode_all(&fixture("stereo-44k.flac")).unwrap();
    assert_eq!(decoded.len(), 2);
    assert_eq!(decoded[0].len(), decoded[1].len());
    assert!(rms(&decoded[0]) > 0.01);
    assert!(rms(&decoded[1]) < 0.001);
    let mono = decode_all(&fixture("speech.flac")).unwrap();
    let difference = decoded[0].len() as i64 - mono[0].len() as i64;
    assert!(difference.abs() < 400, "{difference}");
}

/// One second of a 440 Hz tone as a WAV file of the given sample format and rate.
fn tone_wav(dir: &Path, name: &str, rate: u32, bits: u16, float: bool) -> PathBuf {
    let path = dir.join(name);
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: if float {
            hound::SampleFormat::Float
        } else {
            hound::SampleFormat::Int
        },
    };
    let mut writer = hound::WavWriter::create(&path, spec).unwrap();
    for i in 0..rate {
        let v = 0.5 * (2.0 * std::f64::consts::PI * 440.0 * i as f64 / rate as f64).sin();
        match (float, bits) {
            (true, _) => writer.write_sample(v as f32).unwrap(),
            (false, 8) => writer.write_sample((v * 127.0) as i8).unwrap(),
            (false, 16) => writer.write_sample((v * 32767.0) as i16).unwrap(),
            (false, _) => writer.write_sample((v * 8_388_607.0) as i32).unwrap(),
        }
    }
    writer.finalize().unwrap();
    path
}

#[test]
fn wav_sample_formats_and_rates_all_decode_to_one_second_at_16k() {
    let dir = tempfile::tempdir().unwrap();
    for (rate, bits, float) in [
        (16_000, 16, false),
        (16_000, 8, false),
        (16_000, 24, false),
        (16_000, 32, true),
        (8_000, 16, false),
        (44_100, 16, false),
        (48_000, 24, false),
    ] {
        let name = format!("tone-{rate}-{bits}{}.wav", if float { "f" } else { "" });
        let path = tone_wav(dir.path(), &name, rate, bits, float);
        let decoded = decode_all(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(decoded[0].len(), 16_000, "{name}");
        let crossings = decoded[0]
            .windows(2)
            .filter(|w| w[0] < 0.0 && w[1] >= 0.0)
            .count();
        assert!((438..=441).contains(&crossings), "{name}: {crossings}");
        let level = rms(&decoded[0]);
        assert!((level - 0.354).abs() < 0.02, "{name}: level {level}");
    }
}

fn open_error(name: &str) -> AudioError {
    let path = fixture(name);
    match AudioStream::open(&path, false) {
        Err(e) => e,
        Ok(mut stream) => loop {
            match stream.next_block() {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("{name} decoded without error"),
                Err(e) => break e,
            }
        },
    }
}

#[test]
fn empty_file_says_so() {
    let message = open_error("empty.wav").to_string();
    assert!(message.contains("empty.wav"), "{message}");
    assert!(message.contains("empty (0 bytes)"), "{message}");
}

#[test]
fn truncated_wav_is_an_error_unless_allowed() {
    let message = open_error("truncated.wav").to_string();
    assert!(message.contains("truncated.wav"), "{message}");
    assert!(message.contains("truncated"), "{message}");
    assert!(message.contains("--allow-truncated"), "{message}");
    let mut stream = AudioStream::open(&fixture("truncated.wav"), true).unwrap();
    let mut samples = 0;
    while let Some(block) = stream.next_block().unwrap() {
        samples += block[0].len();
    }
    assert!(samples > 1_000, "{samples}");
}

#[test]
fn unsupported_codec_and_non_audio_name_the_problem() {
    let opus = open_error("speech.opus").to_string();
    assert!(opus.contains("speech.opus"), "{opus}");
    assert!(opus.contains("not supported"), "{opus}");
    assert!(opus.contains("ffmpeg"), "{opus}");
    let text = open_error("not-audio.wav").to_string();
    assert!(text.contains("not-audio.wav"), "{text}");
    assert!(text.contains("not a recording"), "{text}");
}

#[test]
fn missing_file_names_the_path() {
    let message = open_error("no-such-file.wav").to_string();
    assert!(message.contains("no-such-file.wav"), "{message}");
}

#[test]
fn pure_silence_decodes_as_silence() {
    let decoded = decode_all(&fixture("silence.wav")).unwrap();
    assert_eq!(decoded[0].len(), 2 * 16_000);
    assert_eq!(rms(&decoded[0]), 0.0);
}

/// Real-world damaged and odd files from `../shared/realdata`, when that folder is present.
#[test]
fn realdata_corrupt_header_and_8bit_telephone_audio() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realdata");
    if !root.is_dir() {
        eprintln!("skipped: ../shared/realdata is not present");
        return;
    }
    let katie = root.join("azure-speech-sdk-katiesteve/enrollment_audio_katie.wav");
    let message = AudioStream::open(&katie, false)
        .and_then(|mut s| while_blocks(&mut s))
        .unwrap_err()
        .to_string();
    assert!(message.contains("truncated"), "{message}");
    let calls: Vec<PathBuf> = std::fs::read_dir(root.join("aws-pca-samples"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "wav"))
        .collect();
    for call in calls {
        let decoded = decode_all(&call).unwrap_or_else(|e| panic!("{e}"));
        assert!(decoded[0].len() > 60 * 16_000, "{}", call.display());
    }
}

fn while_blocks(stream: &mut AudioStream) -> Result<(), AudioError> {
    while stream.next_block()?.is_some() {}
    Ok(())
}

/// A WAV file of `seconds` of silence with a 20 ms burst of 1 kHz tone at `burst_s`, in every
/// one of `channels` channels.
fn burst_wav(
    dir: &Path,
    name: &str,
    rate: u32,
    channels: u16,
    seconds: f64,
    burst_s: f64,
) -> PathBuf {
    let path = dir.join(name);
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(&path, spec).unwrap();
    let burst = (burst_s * rate as f64) as usize..((burst_s + 0.02) * rate as f64) as usize;
    for i in 0..(seconds * rate as f64) as usize {
        let v = if burst.contains(&i) {
            0.5 * (2.0 * std::f64::consts::PI * 1000.0 * i as f64 / rate as f64).sin()
        } else {
            0.0
        };
        for _ in 0..channels {
            writer.write_sample((v * 32767.0) as i16).unwrap();
        }
    }
    writer.finalize().unwrap();
    path
}

fn open_tracks(paths: &[&Path]) -> Result<AudioStream, AudioError> {
    let tracks = paths
        .iter()
        .enumerate()
        .map(|(i, path)| Track {
            name: format!("Person {i}"),
            path: path.to_path_buf(),
        })
        .collect();
    AudioStream::open_recording(&Recording::Tracks(tracks), false)
}

fn read_all(mut stream: AudioStream) -> Result<Vec<Vec<f32>>, AudioError> {
    let mut channels = vec![Vec::new(); stream.info().channels];
    while let Some(block) = stream.next_block()? {
        assert!(block.iter().all(|c| c.len() == block[0].len()));
        for (all, part) in channels.iter_mut().zip(block) {
            all.extend(part);
        }
    }
    Ok(channels)
}

/// The sample where a channel is loudest.
fn peak(channel: &[f32]) -> usize {
    (0..channel.len())
        .max_by(|&a, &b| channel[a].abs().total_cmp(&channel[b].abs()))
        .unwrap()
}

#[test]
fn tracks_at_different_rates_line_up_sample_for_sample() {
    let dir = tempfile::tempdir().unwrap();
    let phone = burst_wav(dir.path(), "phone.wav", 8_000, 1, 3.0, 1.0);
    let studio = burst_wav(dir.path(), "studio.wav", 48_000, 2, 3.0, 2.0);
    let channels = read_all(open_tracks(&[&phone, &studio]).unwrap()).unwrap();
    assert_eq!(
        channels.len(),
        2,
        "one channel per track, a stereo track mixed to one"
    );
    assert_eq!(channels[0].len(), 48_000);
    assert_eq!(channels[1].len(), 48_000);
    // Each burst lands where it was recorded, within a millisecond or so of the 1 kHz period.
    let (first, second) = (peak(&channels[0]), peak(&channels[1]));
    assert!((16_000..16_000 + 320).contains(&first), "{first}");
    assert!((32_000..32_000 + 320).contains(&second), "{second}");
    assert!(channels[0][32_000..32_320].iter().all(|v| v.abs() < 0.01));
    assert!(channels[1][16_000..16_320].iter().all(|v| v.abs() < 0.01));
}

#[test]
fn tracks_ending_within_a_second_are_padded_to_the_longest() {
    let dir = tempfile::tempdir().unwrap();
    let short = burst_wav(dir.path(), "short.wav", 16_000, 1, 3.0, 2.9);
    let long = burst_wav(dir.path(), "long.wav", 16_000, 1, 3.5, 3.4);
    let stream = open_tracks(&[&short, &long]).unwrap();
    assert_eq!(stream.info().channels, 2);
    let channels = read_all(stream).unwrap();
    assert_eq!(channels[0].len(), 56_000);
    assert!(channels[0][48_000..].iter().all(|&v| v == 0.0));
    assert!((54_400..54_720).contains(&peak(&channels[1])));
}

#[test]
fn tracks_of_different_lengths_are_refused_naming_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let short = burst_wav(dir.path(), "dana.wav", 16_000, 1, 3.0, 1.0);
    let long = burst_wav(dir.path(), "sam.wav", 44_100, 1, 6.0, 1.0);
    let error = open_tracks(&[&long, &short]).err().expect("refused");
    assert!(
        matches!(error, AudioError::TrackLengths { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.starts_with(&format!("{}: ", short.display())),
        "{message}"
    );
    assert!(message.contains("3.0 s"), "{message}");
    assert!(
        message.contains(&format!("{} runs to 6.0 s", long.display())),
        "{message}"
    );
    assert!(!message.contains('\n'), "{message}");
}

#[test]
fn a_missing_track_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let there = burst_wav(dir.path(), "there.wav", 16_000, 1, 1.0, 0.5);
    let missing = dir.path().join("missing.wav");
    let message = open_tracks(&[&there, &missing])
        .err()
        .expect("refused")
        .to_string();
    assert!(message.contains("missing.wav"), "{message}");
}
