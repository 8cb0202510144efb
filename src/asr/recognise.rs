//! Runs whisper.cpp (through whisper-rs) over a decoded recording: the voice gate packs speech
//! into chunks of up to 30 s, each chunk is recognised in one `full` call, and every segment and
//! word is mapped back to recording time. Memory stays flat however long the call is.

use super::{Envelope, ModelError, Recognition, Segment, Word};
use crate::audio::vad::{Chunk, Gate, GateSettings};
use crate::audio::{AudioStream, mix_down, own_speech};
use crate::time::Ms;
use std::path::Path;
use whisper_rs::{
    DtwMode, DtwModelPreset, DtwParameters, FullParams, SamplingStrategy, WhisperContext,
    WhisperContextParameters,
};

/// How recognition runs.
#[derive(Debug, Clone, PartialEq)]
pub struct RecogniseSettings {
    pub threads: usize,
    /// Beam width; `None` decodes greedily.
    pub beam: Option<usize>,
    /// Text that primes the decoder with the call's vocabulary (names, products, jargon).
    pub prompt: String,
    pub gate: GateSettings,
    /// Shrink the encoder's 30 s window to each chunk's length (faster; measured no worse).
    pub fit_audio_context: bool,
    /// Time words by dynamic time warping ([`dtw_mode`]): accurate enough to split a mixed
    /// channel's words among its voices, at about a quarter more CPU. Needs a recogniser
    /// loaded for it.
    pub align_words: bool,
}

impl RecogniseSettings {
    /// A stable description of everything that changes the recognised words, for cache keys.
    pub fn fingerprint(&self) -> String {
        format!(
            "recogniser={RECOGNISER_VERSION};beam={:?};prompt={};gate={:?};fit={};align={}",
            self.beam, self.prompt, self.gate, self.fit_audio_context, self.align_words
        )
    }
}

/// Bumped whenever a change to how chunks are recognised changes the words, so that cached
/// transcripts from before are not reused.
const RECOGNISER_VERSION: u32 = 5;

/// Recognition failed part-way.
#[derive(Debug, thiserror::Error)]
pub enum RecogniseError {
    #[error(transparent)]
    Audio(#[from] crate::audio::AudioError),
    #[error("{}: recognition failed: {problem}", path.display())]
    Whisper {
        path: std::path::PathBuf,
        problem: String,
    },
}

/// A loaded Whisper model, reusable across recordings.
pub struct Recogniser {
    context: WhisperContext,
    name: String,
    /// Whether it was loaded to time words by DTW.
    pub align_words: bool,
}

/// Where a recording's recognition has got to, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Recording time decoded so far.
    pub decoded: Ms,
    /// Recording time recognised so far.
    pub recognised: Ms,
}

impl Recogniser {
    /// Loads a ggml Whisper model; `name` identifies it in cached results and debriefs.
    /// Loads a model; `align_words` turns on DTW word timing (see
    /// [`RecogniseSettings::align_words`]).
    pub fn load(path: &Path, name: &str, align_words: bool) -> Result<Self, ModelError> {
        if !path.is_file() {
            return Err(ModelError::Missing {
                path: path.to_path_buf(),
            });
        }
        let layout = super::ggml::inspect(path)?;
        whisper_rs::install_logging_hooks();
        let mut params = WhisperContextParameters::default();
        if align_words {
            params.dtw_parameters(DtwParameters {
                mode: dtw_mode(&layout.hparams),
                ..DtwParameters::default()
            });
        }
        // The GPU back-ends are opt-in cargo features; the default build is CPU only.
        params.use_gpu(cfg!(any(
            feature = "cuda",
            feature = "vulkan",
            feature = "metal"
        )));
        let text = path.to_str().ok_or_else(|| ModelError::Load {
            path: path.to_path_buf(),
            problem: "the path is not UTF-8".into(),
        })?;
        let context =
            WhisperContext::new_with_params(text, params).map_err(|e| ModelError::Load {
                path: path.to_path_buf(),
                problem: e.to_string(),
            })?;
        Ok(Self {
            context,
            name: name.to_string(),
            align_words,
        })
    }

    /// Recognises a whole recording, calling `progress` as decoding and recognition advance.
    pub fn recognise(
        &self,
        mut stream: AudioStream,
        path: &Path,
        settings: &RecogniseSettings,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Recognition, RecogniseError> {
        let whisper_error = |e: whisper_rs::WhisperError| RecogniseError::Whisper {
            path: path.to_path_buf(),
            problem: e.to_string(),
        };
        let mut state = self.context.create_state().map_err(whisper_error)?;
        let channels = stream.info().channels;
        let mut envelope = EnvelopeBuilder::new(channels);
        // One gate per channel when each participant has their own: every chunk is then one
        // person's speech, and nothing is recognised twice. A mono mix has one gate.
        let lanes = if channels > 1 { channels } else { 1 };
        let lane_gate = GateSettings {
            split_at_pauses: lanes > 1,
            ..settings.gate.clone()
        };
        let mut gates: Vec<Gate> = (0..lanes).map(|_| Gate::new(lane_gate.clone())).collect();
        let mut segments: Vec<Segment> = Vec::new();
        let mut decoded = 0u64;
        let mut recognised = Ms(0);
        let mut speech = Ms(0);
        let mut mono = Vec::new();
        let mut pace = SpeechPace::default();
        loop {
            let block = stream.next_block()?;
            let mut chunks: Vec<(Option<usize>, Chunk)> = Vec::new();
            match &block {
                Some(block) if lanes > 1 => {
                    envelope.push(block);
                    decoded += block[0].len() as u64;
                    for (channel, (gate, samples)) in
                        gates.iter_mut().zip(own_speech(block)).enumerate()
                    {
                        chunks.extend(gate.push(&samples).into_iter().map(|c| (Some(channel), c)));
                    }
                }
                Some(block) => {
                    envelope.push(block);
                    mix_down(block, &mut mono);
                    decoded += mono.len() as u64;
                    chunks.extend(gates[0].push(&mono).into_iter().map(|c| (None, c)));
                }
                None => {
                    for (channel, gate) in std::mem::take(&mut gates).into_iter().enumerate() {
                        speech = speech.max(Ms(gate.speech_ms() as u64));
                        let channel = (lanes > 1).then_some(channel);
                        chunks.extend(gate.finish().into_iter().map(|c| (channel, c)));
                    }
                }
            }
            for (channel, chunk) in chunks {
                if let Some(last) = chunk.pieces.last() {
                    recognised = recognised.max(Ms((last.source_start + last.len as u64) / 16));
                }
                let found = self
                    .recognise_checked(&mut state, chunk, settings, &mut pace, RETRIES)
                    .map_err(whisper_error)?;
                segments.extend(found.into_iter().map(|s| Segment { channel, ..s }));
                progress(Progress {
                    decoded: Ms(decoded / 16),
                    recognised,
                });
            }
            if block.is_none() {
                break;
            }
            progress(Progress {
                decoded: Ms(decoded / 16),
                recognised,
            });
        }
        segments.sort_by_key(|s| s.start);
        Ok(Recognition {
            duration: Ms(decoded / 16),
            speech,
            channels,
            segments,
            envelope: envelope.finish(),
            model: self.name.clone(),
        })
    }

    /// Recognises a chunk, guarding against Whisper's known way of losing speech: it jumps
    /// ahead, or closes a segment early and stops, and seconds of speech come back as a handful
    /// of words. Where a segment (or the whole chunk) carries far fewer words a second than this
    /// recording's speakers manage elsewhere, the audio from that point on is recognised again on
    /// its own, as Whisper's own seeking would, or the chunk is split at its quietest point near
    /// the middle when the failure starts at its beginning.
    fn recognise_checked(
        &self,
        state: &mut whisper_rs::WhisperState,
        chunk: Chunk,
        settings: &RecogniseSettings,
        pace: &mut SpeechPace,
        retries_left: u32,
    ) -> Result<Vec<Segment>, whisper_rs::WhisperError> {
        let mut found = self.recognise_chunk(state, &chunk, settings)?;
        let duration_cs = chunk.duration().0 as i64 / 10;
        let words: usize = found.iter().map(|f| f.segment.words.len()).sum();
        let suspicious = |words: usize, centiseconds: i64| {
            centiseconds >= MIN_CHECKED_CS && pace.too_slow(words, centiseconds)
        };
        let skipped_at = found.iter().position(|f| {
            let span = f.chunk_end.min(duration_cs) - f.chunk_start;
            suspicious(f.segment.words.len(), span)
        });
        if retries_left == 0 || (skipped_at.is_none() && !suspicious(words, duration_cs)) {
            pace.record(words, duration_cs);
            return Ok(found.into_iter().map(|f| f.segment).collect());
        }
        let resume_cs = skipped_at.map_or(0, |i| found[i].chunk_start);
        if resume_cs >= MIN_CHECKED_CS / 4 {
            found.truncate(skipped_at.unwrap_or(found.len()));
            let (_, rest) = chunk.split(resume_cs as usize * 160);
            let mut out: Vec<Segment> = found.into_iter().map(|f| f.segment).collect();
            out.extend(self.recognise_checked(state, rest, settings, pace, retries_left - 1)?);
            return Ok(out);
        }
        let len = chunk.samples.len();
        let middle = chunk.quietest_between(len * 2 / 5, len * 3 / 5);
        let (head, tail) = chunk.split(middle);
        let mut out = self.recognise_checked(state, head, settings, pace, retries_left - 1)?;
        out.extend(self.recognise_checked(state, tail, settings, pace, retries_left - 1)?);
        Ok(out)
    }

    fn recognise_chunk(
        &self,
        state: &mut whisper_rs::WhisperState,
        chunk: &Chunk,
        settings: &RecogniseSettings,
    ) -> Result<Vec<Found>, whisper_rs::WhisperError> {
        let mut found = Vec::new();
        let strategy = match settings.beam {
            Some(width) => SamplingStrategy::BeamSearch {
                beam_size: width as i32,
                patience: -1.0,
            },
            None => SamplingStrategy::Greedy { best_of: 5 },
        };
        let mut params = FullParams::new(strategy);
        params.set_n_threads(settings.threads as i32);
        params.set_language(Some("en"));
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_special(false);
        params.set_print_timestamps(false);
        params.set_token_timestamps(true);
        params.set_suppress_nst(true);
        params.set_no_context(true);
        if !settings.prompt.is_empty() {
            params.set_initial_prompt(&settings.prompt);
        }
        if settings.fit_audio_context {
            params.set_audio_ctx(audio_context(chunk.samples.len()));
        }
        state.full(params, &chunk.samples)?;
        let end_of_text = self.context.token_eot();
        for segment in state.as_iter() {
            let mut words: Vec<Word> = Vec::new();
            let mut pending: Option<(Vec<u8>, i64, i64, Vec<f32>)> = None;
            for t in 0..segment.n_tokens() {
                let Some(token) = segment.get_token(t) else {
                    continue;
                };
                if token.token_id() >= end_of_text {
                    continue;
                }
                let data = token.token_data();
                // The DTW time is when the token is heard; Whisper's own t0 and t1 run late, so
                // with it a word spans its tokens' DTW times (its end is settled below).
                let (t0, t1) = match data.t_dtw {
                    heard if heard >= 0 => (heard, heard),
                    _ => (data.t0, data.t1),
                };
                let bytes = token.to_bytes().unwrap_or_default();
                let starts_word = bytes.first() == Some(&b' ') || pending.is_none();
                let is_punctuation = bytes.iter().all(|b| b.is_ascii_punctuation());
                match pending.as_mut() {
                    Some((text, _, end, probabilities)) if !starts_word || is_punctuation => {
                        text.extend_from_slice(bytes);
                        *end = (*end).max(t1);
                        probabilities.push(data.p);
                    }
                    _ => {
                        if let Some(done) = pending.take() {
                            words.extend(finish_word(done, chunk));
                        }
                        pending = Some((bytes.to_vec(), t0, t1, vec![data.p]));
                    }
                }
            }
            if let Some(done) = pending.take() {
                words.extend(finish_word(done, chunk));
            }
            settle_word_ends(&mut words, chunk.source_time(chunk.duration().0 as i64));
            let text = segment.to_str_lossy().map(|t| t.trim().to_string());
            let text = text.unwrap_or_default();
            if text.is_empty() || words.is_empty() {
                continue;
            }
            let start = words.first().map(|w| w.start).unwrap_or_default();
            let end = words.last().map(|w| w.end).unwrap_or(start);
            found.push(Found {
                segment: Segment {
                    start,
                    end,
                    text,
                    words,
                    channel: None,
                },
                chunk_start: segment.start_timestamp(),
                chunk_end: segment.end_timestamp(),
            });
        }
        Ok(found)
    }
}

/// Encoder positions for a chunk: one per 320 samples (10 ms mel hop, stride-2 convolution),
/// with a margin, capped at Whisper's 1500 (30 s).
fn audio_context(samples: usize) -> i32 {
    (samples.div_ceil(320) + 64).min(1500) as i32
}

/// Alignment gives each word's start; a word ends where the next one starts, or, before a
/// pause (or at the end), a typical word length after its start.
fn settle_word_ends(words: &mut [Word], limit: Ms) {
    const TYPICAL_WORD: Ms = Ms(350);
    const PAUSE: Ms = Ms(1_000);
    for i in 0..words.len() {
        let start = words[i].start;
        let next = words.get(i + 1).map(|w| w.start);
        words[i].end = match next {
            Some(next) if next > start && next.saturating_sub(start) < PAUSE => next,
            _ => words[i].end.max(Ms(start.0 + TYPICAL_WORD.0)),
        }
        .min(limit)
        .max(start);
    }
}

/// Word timings from dynamic time warping over the attention heads that follow the audio
/// (whisper.cpp's presets, chosen by the model's shape): words land on the speech that says
/// them to within a word or so, where Whisper's own token times run about a word late, which
/// would hand the first words of every turn to the previous speaker.
fn dtw_mode(hparams: &super::ggml::Hparams) -> DtwMode<'static> {
    const ENGLISH_VOCAB: i32 = 51_864;
    let english = hparams.n_vocab == ENGLISH_VOCAB;
    let preset = match (hparams.n_text_layer, english) {
        (4, true) => DtwModelPreset::TinyEn,
        (4, false) => DtwModelPreset::Tiny,
        (6, true) => DtwModelPreset::BaseEn,
        (6, false) => DtwModelPreset::Base,
        (12, true) => DtwModelPreset::SmallEn,
        (12, false) => DtwModelPreset::Small,
        (24, true) => DtwModelPreset::MediumEn,
        (24, false) => DtwModelPreset::Medium,
        // Large models share a shape across versions with different heads: take the top
        // layers' heads rather than guess the version.
        _ => return DtwMode::TopMost { n_top: 4 },
    };
    DtwMode::ModelPreset {
        model_preset: preset,
    }
}

/// A segment as Whisper placed it within its chunk (centiseconds), with its words in recording
/// time.
struct Found {
    segment: Segment,
    chunk_start: i64,
    chunk_end: i64,
}

/// Chunks and segments shorter than this (centiseconds) are not checked for skipped speech.
const MIN_CHECKED_CS: i64 = 500;
/// How many times a chunk may be recognised again, in parts, after speech was skipped.
const RETRIES: u32 = 3;

/// How fast this recording's speakers talk, learnt from the chunks recognised so far, so that
/// speech Whisper skipped shows as a stretch with far fewer words a second than the rest.
#[derive(Debug, Default)]
struct SpeechPace {
    words_per_second: Vec<f64>,
}

impl SpeechPace {
    /// Conversation runs at two to three words a second; this is the guess until the
    /// recording itself has said otherwise.
    const PRIOR: f64 = 2.5;
    /// A stretch with under this fraction of the typical pace lost speech.
    const SKIPPED_BELOW: f64 = 0.5;

    fn typical(&self) -> f64 {
        if self.words_per_second.len() < 3 {
            return Self::PRIOR;
        }
        let mut rates = self.words_per_second.clone();
        rates.sort_by(f64::total_cmp);
        rates[rates.len() / 2].clamp(1.5, 3.5)
    }

    fn too_slow(&self, words: usize, centiseconds: i64) -> bool {
        (words as f64) < Self::SKIPPED_BELOW * self.typical() * centiseconds as f64 / 100.0
    }

    fn record(&mut self, words: usize, centiseconds: i64) {
        if centiseconds >= MIN_CHECKED_CS {
            self.words_per_second
                .push(words as f64 * 100.0 / centiseconds as f64);
        }
    }
}

/// Turns a word's bytes and centisecond times (chunk-relative) into a timed word.
fn finish_word(
    (bytes, t0, t1, probabilities): (Vec<u8>, i64, i64, Vec<f32>),
    chunk: &Chunk,
) -> Option<Word> {
    let text = String::from_utf8_lossy(&bytes).trim().to_string();
    if text.is_empty() {
        return None;
    }
    let start = chunk.source_time(t0 * 10);
    let end = chunk.source_time(t1 * 10).max(start);
    let confidence = probabilities.iter().sum::<f32>() / probabilities.len().max(1) as f32;
    Some(Word {
        text,
        start,
        end,
        confidence,
    })
}

const ENVELOPE_FRAME: usize = 320;

/// Builds the per-channel loudness envelope as blocks stream past.
struct EnvelopeBuilder {
    partial: Vec<Vec<f32>>,
    channels: Vec<Vec<f32>>,
}

impl EnvelopeBuilder {
    fn new(channels: usize) -> Self {
        Self {
            partial: vec![Vec::new(); channels],
            channels: vec![Vec::new(); channels],
        }
    }

    fn push(&mut self, block: &[Vec<f32>]) {
        for ((partial, frames), samples) in self
            .partial
            .iter_mut()
            .zip(self.channels.iter_mut())
            .zip(block)
        {
            partial.extend_from_slice(samples);
            let whole = partial.len() / ENVELOPE_FRAME * ENVELOPE_FRAME;
            frames.extend(
                partial[..whole]
                    .chunks_exact(ENVELOPE_FRAME)
                    .map(|f| f.iter().map(|v| v * v).sum::<f32>() / ENVELOPE_FRAME as f32),
            );
            partial.drain(..whole);
        }
    }

    fn finish(self) -> Envelope {
        Envelope {
            frame_ms: 20,
            channels: self.channels,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pace_starts_from_a_prior_and_learns_from_the_recording() {
        let mut pace = SpeechPace::default();
        // Prior 2.5 words/s: ten seconds with fewer than 12.5 words lost speech.
        assert!(pace.too_slow(12, 1_000));
        assert!(!pace.too_slow(13, 1_000));
        // Stretches too short to judge teach nothing.
        pace.record(0, MIN_CHECKED_CS - 1);
        for _ in 0..3 {
            pace.record(30, 1_000);
        }
        // Now 3 words/s is typical: under 15 words in ten seconds is a skip.
        assert!(pace.too_slow(14, 1_000));
        assert!(!pace.too_slow(15, 1_000));
    }

    #[test]
    fn the_learnt_pace_stays_within_what_people_say() {
        let mut slow = SpeechPace::default();
        let mut fast = SpeechPace::default();
        for _ in 0..5 {
            slow.record(1, 1_000);
            fast.record(100, 1_000);
        }
        assert_eq!(slow.typical(), 1.5);
        assert_eq!(fast.typical(), 3.5);
    }
}
