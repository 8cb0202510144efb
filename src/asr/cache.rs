//! Keeps each recording's recognition and diarization results, keyed by the audio's sha256,
//! the model and the settings, so that re-analysing a call with other roles, lexicons, a
//! charter or voiceprints never runs Whisper again, and another speaker count re-runs only the
//! diarizer. Entries are JSON files written atomically.

use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::Digest;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A folder of cached recognitions.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// The key for a recording processed by `model` with settings `fingerprint`.
    pub fn key(audio: &Path, model: &str, fingerprint: &str) -> std::io::Result<String> {
        Ok(Self::key_of(&Self::audio_hash(audio)?, model, fingerprint))
    }

    /// The sha256 of a recording's bytes, for keys of several results of one recording.
    pub fn audio_hash(audio: &Path) -> std::io::Result<String> {
        let mut hasher = sha2::Sha256::new();
        let mut file = std::fs::File::open(audio)?;
        std::io::copy(&mut file, &mut HashWriter(&mut hasher))?;
        Ok(super::models::hex(&hasher.finalize()))
    }

    /// The key for the recording with sha256 `audio_hash`, `model` and `fingerprint`.
    pub fn key_of(audio_hash: &str, model: &str, fingerprint: &str) -> String {
        let mut hasher = sha2::Sha256::new();
        hasher.update(audio_hash.as_bytes());
        hasher.update(b"\0");
        hasher.update(model.as_bytes());
        hasher.update(b"\0");
        hasher.update(fingerprint.as_bytes());
        super::models::hex(&hasher.finalize())
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    /// The cached result, if there is a readable one.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let bytes = std::fs::read(self.path(key)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    pub fn put<T: Serialize>(&self, key: &str, value: &T) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let mut file = tempfile::NamedTempFile::new_in(&self.dir)?;
        serde_json::to_writer(&mut file, value)?;
        file.flush()?;
        file.persist(self.path(key)).map_err(|e| e.error)?;
        Ok(())
    }
}

struct HashWriter<'a>(&'a mut sha2::Sha256);

impl Write for HashWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asr::{Envelope, Recognition};
    use crate::time::Ms;

    #[test]
    fn stores_and_keys_by_content_model_and_settings() {
        let dir = tempfile::tempdir().unwrap();
        let audio = dir.path().join("a.wav");
        std::fs::write(&audio, b"RIFF one").unwrap();
        let key = Cache::key(&audio, "tiny", "beam=None").unwrap();
        assert_ne!(key, Cache::key(&audio, "base", "beam=None").unwrap());
        assert_ne!(key, Cache::key(&audio, "tiny", "beam=Some(5)").unwrap());
        let renamed = dir.path().join("b.wav");
        std::fs::copy(&audio, &renamed).unwrap();
        assert_eq!(key, Cache::key(&renamed, "tiny", "beam=None").unwrap());

        let cache = Cache::new(dir.path().join("cache"));
        assert!(cache.get::<Recognition>(&key).is_none());
        let recognition = Recognition {
            duration: Ms(1_000),
            speech: Ms(0),
            channels: 1,
            segments: Vec::new(),
            envelope: Envelope::default(),
            model: "tiny".into(),
        };
        cache.put(&key, &recognition).unwrap();
        assert_eq!(cache.get(&key), Some(recognition));
    }
}
