//! Enrolled voices: a name, a role and a GE2E voiceprint per person, kept in one JSON file in
//! the user's data folder so that later calls can recognise their speakers.

use super::encoder::{EMBEDDING, Embedding, VoiceEncoder, mean_voiceprint};
use crate::model::{NameSource, Role, Transcript};
use serde::{Deserialize, Serialize};

/// The schema tag of the voiceprint file.
pub const SCHEMA: &str = "swimlane.voices/1";

/// One enrolled person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Voiceprint {
    pub name: String,
    pub role: Role,
    /// Unit length, 256 values.
    pub embedding: Embedding,
    /// Seconds of speech the voiceprint was made from.
    pub seconds: f64,
    /// What it was made from (file names), for `voice list`.
    pub sources: Vec<String>,
}

/// Every enrolled voice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoiceStore {
    pub schema: String,
    pub voices: Vec<Voiceprint>,
}

impl Default for VoiceStore {
    fn default() -> Self {
        Self {
            schema: SCHEMA.to_string(),
            voices: Vec::new(),
        }
    }
}

/// The voiceprint file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not a voiceprint file: {0}")]
    Json(#[from] serde_json::Error),
    #[error("schema `{0}` is not {SCHEMA}")]
    Schema(String),
    #[error("the voiceprint of {0} does not have {EMBEDDING} values")]
    Embedding(String),
}

impl VoiceStore {
    pub fn parse(text: &str) -> Result<Self, StoreError> {
        let store: VoiceStore = serde_json::from_str(text)?;
        if store.schema != SCHEMA {
            return Err(StoreError::Schema(store.schema));
        }
        if let Some(bad) = store.voices.iter().find(|v| v.embedding.len() != EMBEDDING) {
            return Err(StoreError::Embedding(bad.name.clone()));
        }
        Ok(store)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("voiceprints serialize") + "\n"
    }

    /// Adds a voice, replacing an earlier one of the same name (names compare case-blind).
    pub fn enroll(&mut self, voice: Voiceprint) {
        self.voices
            .retain(|v| !v.name.eq_ignore_ascii_case(&voice.name));
        self.voices.push(voice);
    }

    /// Removes a voice by name; whether there was one.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.voices.len();
        self.voices.retain(|v| !v.name.eq_ignore_ascii_case(name));
        self.voices.len() != before
    }
}

/// 20 ms frames (16 kHz) quieter than this below the loudest frame are silence.
const SILENCE_BELOW_PEAK_DB: f32 = 40.0;
const FRAME: usize = 320;

/// The speech of a recording with its silences cut out, so that a voiceprint is made of voice.
pub fn voiced(samples: &[f32]) -> Vec<f32> {
    let energy: Vec<f32> = samples
        .chunks(FRAME)
        .map(|f| f.iter().map(|v| v * v).sum::<f32>() / f.len() as f32)
        .collect();
    let peak = energy.iter().cloned().fold(0f32, f32::max);
    let floor = peak * 10f32.powf(-SILENCE_BELOW_PEAK_DB / 10.0);
    samples
        .chunks(FRAME)
        .zip(&energy)
        .filter(|(_, e)| **e > floor && **e > 0.0)
        .flat_map(|(f, _)| f.iter().copied())
        .collect()
}

/// A voiceprint of the speech in several recordings of one person (16 kHz mono each): the
/// normalised mean of each recording's embedding, as resemblyzer's `embed_speaker` makes it.
/// `None` when there is no speech at all.
pub fn voiceprint(encoder: &VoiceEncoder, recordings: &[Vec<f32>]) -> Option<(Embedding, f64)> {
    let mut seconds = 0.0;
    let embeddings: Vec<Embedding> = recordings
        .iter()
        .map(|samples| voiced(samples))
        .filter(|speech| !speech.is_empty())
        .map(|speech| {
            seconds += speech.len() as f64 / 16_000.0;
            encoder.embed_utterance(&speech)
        })
        .collect();
    let mean = mean_voiceprint(&embeddings)?;
    mean.iter().any(|&v| v != 0.0).then_some((mean, seconds))
}

/// A speaker's voice and an enrolled voice this alike (cosine similarity of the speaker's mean
/// voiceprint and the enrolled one) are taken to be the same person. Measured on the corpus
/// calls: the same synthetic voice in two calls scores 0.93 to 0.97 (DOCUMENT), different voices up to
/// 0.93 (two male espeak voices in call-06); see the issue note.
pub const SAME_PERSON: f32 = 0.85;

/// A diarized speaker recognised as an enrolled person.
#[derive(Debug, Clone, PartialEq)]
pub struct VoiceMatch {
    /// The name diarization gave the speaker ("Speaker 2").
    pub speaker: String,
    pub name: String,
    pub role: Role,
    pub similarity: f32,
}

/// Matches speakers' voiceprints (name, voiceprint) with enrolled voices, one to one, most
/// alike pairs first, keeping pairs at least `SAME_PERSON` alike.
pub fn match_voices(speakers: &[(String, Embedding)], store: &VoiceStore) -> Vec<VoiceMatch> {
    let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
    for (s, (_, voiceprint)) in speakers.iter().enumerate() {
        for (v, voice) in store.voices.iter().enumerate() {
            let similarity = super::encoder::similarity(voiceprint, &voice.embedding);
            if similarity >= SAME_PERSON {
                pairs.push((similarity, s, v));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut matches: Vec<VoiceMatch> = Vec::new();
    let (mut speaker_taken, mut voice_taken) = (Vec::new(), Vec::new());
    for (similarity, s, v) in pairs {
        if speaker_taken.contains(&s) || voice_taken.contains(&v) {
            continue;
        }
        speaker_taken.push(s);
        voice_taken.push(v);
        matches.push(VoiceMatch {
            speaker: speakers[s].0.clone(),
            name: store.voices[v].name.clone(),
            role: store.voices[v].role,
            similarity,
        });
    }
    matches
}

/// Renames matched speakers in `transcript` to the enrolled names, with their roles, unless
/// someone else in the call already has that name.
pub fn apply_matches(transcript: &mut Transcript, matches: &[VoiceMatch]) {
    for found in matches {
        if transcript.participants.iter().any(|p| p.name == found.name) {
            transcript.warnings.push(format!(
                "{} sounds like enrolled {} ({:.2}), but that name is taken in this call",
                found.speaker, found.name, found.similarity
            ));
            continue;
        }
        transcript.rename(&found.speaker, &found.name);
        if let Some(p) = transcript
            .participants
            .iter_mut()
            .find(|p| p.name == found.name)
        {
            p.role = Some(found.role);
            p.identified = Some(NameSource::Voiceprint {
                similarity: found.similarity,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diarize::encoder::normalise;

    fn voice(name: &str) -> Voiceprint {
        Voiceprint {
            name: name.into(),
            role: Role::Se,
            embedding: vec![1.0 / 16.0; EMBEDDING],
            seconds: 12.5,
            sources: vec!["sam.wav".into()],
        }
    }

    #[test]
    fn the_store_round_trips_and_enrolling_a_name_again_replaces_it() {
        let mut store = VoiceStore::default();
        store.enroll(voice("Sam Patel"));
        store.enroll(voice("Dana Ruiz"));
        store.enroll(voice("sam patel"));
        assert_eq!(store.voices.len(), 2);
        let back = VoiceStore::parse(&store.to_json()).unwrap();
        assert_eq!(back, store);
        let mut store = back;
        assert!(store.remove("DANA RUIZ"));
        assert!(!store.remove("Dana Ruiz"));
        assert_eq!(store.voices.len(), 1);
    }

    #[test]
    fn a_file_of_another_kind_is_refused() {
        assert!(matches!(
            VoiceStore::parse(r#"{"schema": "other/1", "voices": []}"#),
            Err(StoreError::Schema(_))
        ));
        let mut store = VoiceStore::default();
        let mut short = voice("Sam");
        short.embedding.truncate(3);
        store.voices.push(short);
        assert!(matches!(
            VoiceStore::parse(&store.to_json()),
            Err(StoreError::Embedding(_))
        ));
    }

    #[test]
    fn voices_match_one_to_one_and_only_when_alike() {
        let axis = |i: usize, lean: f32| {
            let mut v = vec![0.0; EMBEDDING];
            v[i] = 1.0;
            v[i + 1] = lean;
            normalise(&mut v);
            v
        };
        let mut store = VoiceStore::default();
        let enrolled = |name: &str, embedding: Embedding| Voiceprint {
            embedding,
            ..voice(name)
        };
        store.enroll(enrolled("Sam Patel", axis(0, 0.0)));
        store.enroll(enrolled("Dana Ruiz", axis(4, 0.0)));
        let speakers = vec![
            ("Speaker 1".to_string(), axis(0, 0.2)), // Sam, 0.98
            ("Speaker 2".to_string(), axis(0, 0.4)), // also near Sam, less so
            ("Speaker 3".to_string(), axis(4, 0.9)), // 0.74: not Dana
        ];
        let matches = match_voices(&speakers, &store);
        assert_eq!(matches.len(), 1);
        assert_eq!(matches[0].speaker, "Speaker 1");
        assert_eq!(matches[0].name, "Sam Patel");
        assert!(matches[0].similarity > 0.97);
    }

    #[test]
    fn silence_is_cut_out_of_enrolment_audio() {
        let mut samples = vec![0.0f32; 3 * FRAME];
        samples.extend((0..2 * FRAME).map(|i| (i as f32 * 0.1).sin() * 0.5));
        samples.extend(vec![0.0f32; FRAME]);
        assert_eq!(voiced(&samples).len(), 2 * FRAME);
    }
}
