//! `swimlane voice`: voiceprints of known people, made with the GE2E encoder and kept in
//! `voiceprints.json` in the user's data folder.

use crate::cli::VoiceCommand;
use anyhow::{Context, Result, anyhow, bail};
use std::path::{Path, PathBuf};
use swimlane::asr::models;
use swimlane::audio::{AudioStream, decode_all, mix_down};
use swimlane::charter::same_person;
use swimlane::diarize::encoder::VoiceEncoder;
use swimlane::diarize::voiceprint::{VoiceStore, Voiceprint, voiceprint};
use swimlane::model::Role;

pub fn voice_command(command: VoiceCommand) -> Result<crate::app::Exit> {
    let path = store_path();
    match command {
        VoiceCommand::Enroll {
            name,
            role,
            audio,
            from_call,
        } => {
            let role: Role = role.parse().map_err(|e| anyhow!("--role {role}: {e}"))?;
            let name = name.trim().to_string();
            if name.is_empty() {
                bail!("the name is empty; give the person's name as calls show it");
            }
            let mut store = load(&path)?;
            let encoder = load_encoder()?;
            let (recordings, audio) = match &from_call {
                Some(debrief) => {
                    let (speech, recording) = speech_from_call(debrief, &name)?;
                    (vec![speech], vec![recording])
                }
                None => {
                    let recordings = audio
                        .iter()
                        .map(|file| mono_16k(file))
                        .collect::<Result<Vec<_>>>()?;
                    (recordings, audio)
                }
            };
            let Some((embedding, seconds)) = voiceprint(&encoder, &recordings) else {
                bail!(
                    "{}: no speech found; enrol from recordings of {name} speaking",
                    audio[0].display()
                );
            };
            let sources = audio
                .iter()
                .map(|a| {
                    a.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default()
                })
                .collect();
            store.enroll(Voiceprint {
                name: name.clone(),
                role,
                embedding,
                seconds,
                sources,
            });
            save(&path, &store)?;
            eprintln!(
                "enrolled {name} ({role}) from {seconds:.1} s of speech in {}",
                path.display()
            );
        }
        VoiceCommand::List => {
            let store = load(&path)?;
            if store.voices.is_empty() {
                eprintln!("no voices enrolled ({})", path.display());
            }
            for voice in &store.voices {
                println!(
                    "{}\t{}\t{:.1} s\t{}",
                    voice.name,
                    voice.role,
                    voice.seconds,
                    voice.sources.join(", ")
                );
            }
        }
        VoiceCommand::Remove { name } => {
            let mut store = load(&path)?;
            if !store.remove(&name) {
                bail!("no voice named {name}; `swimlane voice list` shows the enrolled ones");
            }
            save(&path, &store)?;
            eprintln!("removed {name}");
        }
    }
    Ok(crate::app::Exit::Success)
}

fn store_path() -> PathBuf {
    swimlane::paths::data_dir().join("voiceprints.json")
}

/// The enrolled voices (none when nobody has enrolled one yet).
pub(crate) fn load_store() -> Result<VoiceStore> {
    load(&store_path())
}

fn load(path: &Path) -> Result<VoiceStore> {
    match std::fs::read_to_string(path) {
        Ok(text) => VoiceStore::parse(&text).map_err(|e| {
            anyhow!(
                "{}: {e}; move the file aside to start a new one",
                path.display()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(VoiceStore::default()),
        Err(e) => Err(anyhow!("{}: cannot read: {e}", path.display())),
    }
}

fn save(path: &Path, store: &VoiceStore) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create the folder", dir.display()))?;
    }
    crate::app::write_atomically(path, store.to_json().as_bytes())
}

pub(crate) fn load_encoder() -> Result<VoiceEncoder> {
    let entry = models::default_voice_encoder();
    let path = models::models_dir().join(&entry.file);
    let bytes = std::fs::read(&path).map_err(|_| {
        anyhow!(
            "no voice encoder at {}; run `swimlane model install`",
            path.display()
        )
    })?;
    VoiceEncoder::from_checkpoint(&bytes).map_err(|e| {
        anyhow!(
            "{}: {e}; reinstall with `swimlane model install`",
            path.display()
        )
    })
}

/// The speech of `name` in a recorded call: their turns, as a debrief JSON gives them, cut
/// from the call's recording (mixed to one channel) as it streams past. Returns the speech and
/// the recording's path.
fn speech_from_call(debrief: &Path, name: &str) -> Result<(Vec<f32>, PathBuf)> {
    let text = std::fs::read_to_string(debrief)
        .with_context(|| format!("{}: cannot read", debrief.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        anyhow!(
            "{}: not a JSON debrief ({e}); make one with `swimlane analyze CALL --format json`",
            debrief.display()
        )
    })?;
    let source = json["call"]["source"].as_str().unwrap_or_default();
    if source.contains(" + ") {
        bail!(
            "{}: the call was recorded as one track per person ({source}); enrol {name} from their own track instead: swimlane voice enroll \"{name}\" --role ROLE TRACK",
            debrief.display()
        );
    }
    if !swimlane::audio::is_audio_path(Path::new(source)) {
        bail!(
            "{}: the debrief was made from {source:?}, not a recording; enrol from audio instead",
            debrief.display()
        );
    }
    // The source as given to `analyze`: from where it ran, or else beside the debrief.
    let recording = [
        PathBuf::from(source),
        debrief.parent().unwrap_or(Path::new(".")).join(source),
    ]
    .into_iter()
    .find(|p| p.is_file())
    .ok_or_else(|| {
        anyhow!(
            "{}: its recording {source} is not here or beside the debrief",
            debrief.display()
        )
    })?;
    let turns: Vec<(u64, u64)> = json["turns"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["speaker"].as_str().is_some_and(|s| same_person(s, name)))
        .filter_map(|t| {
            let sample = |key: &str| t[key].as_f64().map(|s| (s * 16_000.0) as u64);
            Some((sample("start")?, sample("end")?))
        })
        .collect();
    if turns.is_empty() {
        let speakers: Vec<&str> = json["speakers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["name"].as_str())
            .collect();
        bail!(
            "{}: {name} does not speak in this call; its speakers are: {}",
            debrief.display(),
            speakers.join(", ")
        );
    }
    let mut turns = turns;
    turns.sort_unstable();
    let mut stream = AudioStream::open(&recording, false)?;
    let (mut speech, mut mono, mut position, mut next) = (Vec::new(), Vec::new(), 0u64, 0);
    while let Some(block) = stream.next_block()? {
        mix_down(&block, &mut mono);
        for sample in &mono {
            while next < turns.len() && turns[next].1 <= position {
                next += 1;
            }
            if next < turns.len() && turns[next].0 <= position {
                speech.push(*sample);
            }
            position += 1;
        }
    }
    Ok((speech, recording))
}

/// A recording's channels mixed to one, at 16 kHz.
fn mono_16k(path: &Path) -> Result<Vec<f32>> {
    let mut mono = Vec::new();
    mix_down(&decode_all(path)?, &mut mono);
    Ok(mono)
}
