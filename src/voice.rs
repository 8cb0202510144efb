//! `swimlane voice`: voiceprints of known people, made with the GE2E encoder and kept in
//! `voiceprints.json` in the user's data folder.

use crate::cli::VoiceCommand;
use anyhow::{Context, Result, anyhow, bail};
use std::path::{Path, PathBuf};
use swimlane::asr::models;
use swimlane::audio::{decode_all, mix_down};
use swimlane::diarize::encoder::VoiceEncoder;
use swimlane::diarize::voiceprint::{VoiceStore, Voiceprint, voiceprint};
use swimlane::model::Role;

pub fn voice_command(command: VoiceCommand) -> Result<crate::app::Exit> {
    let path = store_path();
    match command {
        VoiceCommand::Enroll { name, role, audio } => {
            let role: Role = role.parse().map_err(|e| anyhow!("--role {role}: {e}"))?;
            let name = name.trim().to_string();
            if name.is_empty() {
                bail!("the name is empty; give the person's name as calls show it");
            }
            let mut store = load(&path)?;
            let encoder = load_encoder()?;
            let recordings = audio
                .iter()
                .map(|file| mono_16k(file))
                .collect::<Result<Vec<_>>>()?;
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

/// A recording's channels mixed to one, at 16 kHz.
fn mono_16k(path: &Path) -> Result<Vec<f32>> {
    let mut mono = Vec::new();
    mix_down(&decode_all(path)?, &mut mono);
    Ok(mono)
}
