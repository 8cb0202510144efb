//! Speech recognition, all on this machine: provisioning a Whisper model (converted from the
//! CTranslate2 weights our registries carry), running whisper.cpp through whisper-rs over the
//! speech the voice gate keeps, and turning its words into the transcript the analysis reads.

pub mod attribute;
pub mod cache;
pub mod ct2;
pub mod ggml;
pub mod models;
pub mod recognise;

use crate::time::Ms;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// A model that could not be found, read, converted or loaded.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {problem}", path.display())]
    Format { path: PathBuf, problem: String },
    #[error(
        "no Whisper model at {}; run `swimlane model install` (or pass --model PATH, or set SWIMLANE_MODEL)",
        path.display()
    )]
    Missing { path: PathBuf },
    #[error("unknown model `{name}`; `swimlane model list` shows the models swimlane can install")]
    Unknown { name: String },
    #[error("installing {name}: {problem}")]
    Install { name: String, problem: String },
    #[error("{}: whisper.cpp could not load it ({problem}); reinstall with `swimlane model install`", path.display())]
    Load { path: PathBuf, problem: String },
}

/// One recognised word, timed in recording milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub text: String,
    pub start: Ms,
    pub end: Ms,
    /// The recogniser's mean token probability for the word, 0 to 1.
    pub confidence: f32,
}

/// A sentence-like stretch as Whisper segments it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub start: Ms,
    pub end: Ms,
    pub text: String,
    pub words: Vec<Word>,
    /// The channel it was recognised from, when each participant has their own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<usize>,
}

/// Per-channel loudness over the whole recording, 20 ms a frame: small enough to keep for an
/// hour-long call, and all that attributing words to channels needs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Envelope {
    pub frame_ms: u64,
    /// Mean square amplitude per frame, one vector per channel.
    pub channels: Vec<Vec<f32>>,
}

impl Envelope {
    /// The channel carrying the most energy between `start` and `end`, with its share of the
    /// total (1.0 = only that channel).
    pub fn loudest(&self, start: Ms, end: Ms) -> Option<(usize, f32)> {
        if self.channels.len() < 2 {
            return None;
        }
        let first = (start.0 / self.frame_ms) as usize;
        let last = (end.0.div_ceil(self.frame_ms) as usize).max(first + 1);
        let sums: Vec<f32> = self
            .channels
            .iter()
            .map(|c| c.get(first..last.min(c.len())).unwrap_or(&[]).iter().sum())
            .collect();
        let total: f32 = sums.iter().sum();
        let (best, energy) = sums.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1))?;
        (total > 0.0).then_some((best, energy / total))
    }
}

/// What recognition produced for one recording: cached whole, so re-analysis never re-runs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recognition {
    pub duration: Ms,
    /// How much of the recording the voice gate judged to be speech.
    pub speech: Ms,
    pub channels: usize,
    pub segments: Vec<Segment>,
    pub envelope: Envelope,
    /// Which model recognised it (file name and sha256 prefix).
    pub model: String,
}

/// The text that primes Whisper toward the call's vocabulary: the charter's prompt if it has
/// one, else the AE's and SE's names, the charter's vocabulary and the lexicons' recognition
/// terms, as a comma-separated glossary (Whisper reads at most about 220 prompt tokens).
pub fn prompt(charter: &crate::charter::Charter, recognition_terms: &[String]) -> String {
    if let Some(prompt) = &charter.prompt {
        return prompt.clone();
    }
    let mut terms: Vec<&str> = Vec::new();
    let names = charter.ae.iter().chain(&charter.se);
    for term in names.chain(&charter.vocabulary).chain(recognition_terms) {
        let term = term.trim();
        // Wildcard stems (`licens*`) are for matching, not words anyone says.
        if !term.is_empty()
            && !term.ends_with('*')
            && !terms.iter().any(|t| t.eq_ignore_ascii_case(term))
        {
            terms.push(term);
        }
    }
    let mut prompt = String::new();
    for term in terms {
        if prompt.split_whitespace().count() + term.split_whitespace().count() > PROMPT_WORDS {
            break;
        }
        if !prompt.is_empty() {
            prompt.push_str(", ");
        }
        prompt.push_str(term);
    }
    if !prompt.is_empty() {
        prompt.push('.');
    }
    prompt
}

/// Words of glossary that fit Whisper's prompt window with room to spare.
const PROMPT_WORDS: usize = 30;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charter::Charter;

    #[test]
    fn prompt_lists_names_then_vocabulary_without_repeats() {
        let charter = Charter {
            ae: vec!["Dana Ruiz".into()],
            se: vec!["Sam Patel".into()],
            vocabulary: vec!["Ledgerline".into(), "SAML".into()],
            ..Charter::default()
        };
        let terms = vec![
            "saml".to_string(),
            "SCIM".to_string(),
            "licens*".to_string(),
        ];
        assert_eq!(
            prompt(&charter, &terms),
            "Dana Ruiz, Sam Patel, Ledgerline, SAML, SCIM."
        );
    }

    #[test]
    fn charter_prompt_replaces_the_glossary_and_long_lists_are_cut() {
        let own = Charter {
            prompt: Some("Ledgerline call.".into()),
            ..Charter::default()
        };
        assert_eq!(prompt(&own, &["SAML".into()]), "Ledgerline call.");
        let many: Vec<String> = (0..500).map(|i| format!("term{i}")).collect();
        let long = prompt(&Charter::default(), &many);
        assert_eq!(long.split_whitespace().count(), PROMPT_WORDS);
    }
}
