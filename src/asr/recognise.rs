//! Runs whisper.cpp (through whisper-rs) over a decoded recording: the voice gate packs speech
//! into chunks of up to 30 s, workers recognise the chunks side by side, each in one `full` call,
//! and every segment and word is mapped back to recording time. Only the chunks in flight are
//! held, so memory does not follow the length of the call.

use super::{Envelope, ModelError, Recognition, Segment, Word};
use crate::audio::vad::{Chunk, Gate, GateSettings};
use crate::audio::{AudioError, AudioStream, mix_down, own_speech};
use crate::time::Ms;
use std::path::Path;
use std::sync::{Condvar, Mutex, PoisonError, mpsc};
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
const RECOGNISER_VERSION: u32 = 7;

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
        params.use_gpu(GPU);
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
    ///
    /// The calling thread decodes and gates the audio; chunks are recognised side by side by
    /// workers (`Crew`), each with its own whisper state, and put back in recording order.
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
        let crew = Crew::for_threads(settings.threads);
        let worker_settings = RecogniseSettings {
            threads: crew.threads_each,
            ..settings.clone()
        };
        let mut states = (0..crew.workers)
            .map(|_| self.context.create_state())
            .collect::<Result<Vec<_>, _>>()
            .map_err(whisper_error)?;
        let mut chunker = Chunker::new(&mut stream, &settings.gate);
        let book = PaceBook::default();
        let mut results = Results::default();
        let (job_sender, job_receiver) = mpsc::sync_channel::<Job>(crew.workers);
        let job_receiver = Mutex::new(job_receiver);
        let (done_sender, done_receiver) = mpsc::channel::<Done>();
        let fed: Result<(), RecogniseError> = std::thread::scope(|scope| {
            for state in &mut states {
                let (jobs, done, book) = (&job_receiver, done_sender.clone(), &book);
                let settings = &worker_settings;
                scope.spawn(move || {
                    while let Some(job) = next_job(jobs) {
                        let finished = self.recognise_job(state, job, settings, book);
                        return_freed_memory();
                        if done.send(finished).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(done_sender);
            let mut index = 0;
            let fed = loop {
                let chunks = match chunker.next_chunks() {
                    Ok(Some(chunks)) => chunks,
                    Ok(None) => break Ok(()),
                    Err(e) => break Err(e.into()),
                };
                for (channel, chunk) in chunks {
                    // Sending waits while every worker is busy and the queue is full, which
                    // keeps memory flat: only a few chunks are ever held.
                    let job = Job {
                        index,
                        channel,
                        chunk,
                    };
                    index += 1;
                    if job_sender.send(job).is_err() {
                        break;
                    }
                    results.take(done_receiver.try_iter());
                    progress(results.progress(chunker.decoded));
                }
                if results.failed() {
                    break Ok(());
                }
                results.take(done_receiver.try_iter());
                progress(results.progress(chunker.decoded));
            };
            drop(job_sender);
            for finished in done_receiver {
                results.take([finished]);
                progress(results.progress(chunker.decoded));
            }
            fed
        });
        fed?;
        let segments = results.into_segments().map_err(whisper_error)?;
        Ok(Recognition {
            duration: Ms(chunker.decoded / 16),
            speech: chunker.speech,
            channels: chunker.channels,
            segments,
            envelope: chunker.envelope.finish(),
            model: self.name.clone(),
        })
    }

    /// One worker's turn: recognise a chunk, then check it against the pace of the chunks
    /// before it (see [`PaceBook`]), recognising parts of it again where speech was skipped.
    fn recognise_job(
        &self,
        state: &mut whisper_rs::WhisperState,
        job: Job,
        settings: &RecogniseSettings,
        book: &PaceBook,
    ) -> Done {
        let mut learnt = Learnt {
            book,
            index: job.index,
            rates: Vec::new(),
        };
        let end = job.chunk.end();
        let segments = self
            .recognise_chunk(state, &job.chunk, settings)
            .and_then(|found| {
                let mut pace = book.pace_before(job.index);
                let known = pace.words_per_second.len();
                let checked = self.check(state, job.chunk, found, settings, &mut pace, RETRIES);
                learnt.rates = pace.words_per_second.split_off(known);
                checked
            })
            .map(|segments| {
                let channel = job.channel;
                segments
                    .into_iter()
                    .map(|s| Segment { channel, ..s })
                    .collect()
            });
        Done {
            index: job.index,
            end,
            segments,
        }
    }

    fn recognise_checked(
        &self,
        state: &mut whisper_rs::WhisperState,
        chunk: Chunk,
        settings: &RecogniseSettings,
        pace: &mut SpeechPace,
        retries_left: u32,
    ) -> Result<Vec<Segment>, whisper_rs::WhisperError> {
        let found = self.recognise_chunk(state, &chunk, settings)?;
        self.check(state, chunk, found, settings, pace, retries_left)
    }

    /// Checks a recognised chunk, guarding against Whisper's known way of losing speech: it
    /// jumps ahead, or closes a segment early and stops, and seconds of speech come back as a
    /// handful of words. Where a segment (or the whole chunk) carries far fewer words a second
    /// than this recording's speakers manage elsewhere, the audio from that point on is
    /// recognised again on its own, as Whisper's own seeking would, or the chunk is split at its
    /// quietest point near the middle when the failure starts at its beginning.
    fn check(
        &self,
        state: &mut whisper_rs::WhisperState,
        chunk: Chunk,
        mut found: Vec<Found>,
        settings: &RecogniseSettings,
        pace: &mut SpeechPace,
        retries_left: u32,
    ) -> Result<Vec<Segment>, whisper_rs::WhisperError> {
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

/// A chunk of speech and, when each channel is gated alone, its channel.
type LaneChunk = (Option<usize>, Chunk);

/// Decodes a recording block by block and cuts its speech into chunks: one gate per channel when
/// each participant has their own (every chunk is then one person's speech, and nothing is
/// recognised twice), one gate over the mix otherwise.
struct Chunker<'a> {
    stream: &'a mut AudioStream,
    channels: usize,
    gates: Vec<Gate>,
    envelope: EnvelopeBuilder,
    mono: Vec<f32>,
    /// Samples (16 kHz, per channel) decoded so far.
    decoded: u64,
    /// The most speech any gate passed, known once the stream has ended.
    speech: Ms,
    finished: bool,
}

impl<'a> Chunker<'a> {
    fn new(stream: &'a mut AudioStream, gate: &GateSettings) -> Self {
        let channels = stream.info().channels;
        let lanes = if channels > 1 { channels } else { 1 };
        let lane_gate = GateSettings {
            split_at_pauses: lanes > 1,
            ..gate.clone()
        };
        Self {
            stream,
            channels,
            gates: (0..lanes).map(|_| Gate::new(lane_gate.clone())).collect(),
            envelope: EnvelopeBuilder::new(channels),
            mono: Vec::new(),
            decoded: 0,
            speech: Ms(0),
            finished: false,
        }
    }

    /// The chunks that the next block of audio completes (often none), with their channel when
    /// each channel is gated alone; `None` once the recording has ended and every gate is empty.
    fn next_chunks(&mut self) -> Result<Option<Vec<LaneChunk>>, AudioError> {
        if self.finished {
            return Ok(None);
        }
        let mut chunks = Vec::new();
        let per_channel = self.gates.len() > 1;
        match self.stream.next_block()? {
            Some(block) if per_channel => {
                self.envelope.push(&block);
                self.decoded += block[0].len() as u64;
                for (channel, (gate, samples)) in
                    self.gates.iter_mut().zip(own_speech(&block)).enumerate()
                {
                    chunks.extend(gate.push(&samples).into_iter().map(|c| (Some(channel), c)));
                }
            }
            Some(block) => {
                self.envelope.push(&block);
                mix_down(&block, &mut self.mono);
                self.decoded += self.mono.len() as u64;
                chunks.extend(
                    self.gates[0]
                        .push(&self.mono)
                        .into_iter()
                        .map(|c| (None, c)),
                );
            }
            None => {
                self.finished = true;
                for (channel, gate) in std::mem::take(&mut self.gates).into_iter().enumerate() {
                    self.speech = self.speech.max(Ms(gate.speech_ms() as u64));
                    let channel = per_channel.then_some(channel);
                    chunks.extend(gate.finish().into_iter().map(|c| (channel, c)));
                }
            }
        }
        Ok(Some(chunks))
    }
}

/// Whether whisper.cpp runs on a GPU: the back-ends are opt-in cargo features, and the default
/// build is CPU only.
const GPU: bool = cfg!(any(feature = "cuda", feature = "vulkan", feature = "metal"));

/// How recognition spends its threads. On the CPU, one decoding step of a small Whisper model is
/// too little work to keep several threads busy, so the threads go to workers that each
/// recognise a chunk of their own, up to [`MAX_WORKERS`], each with an equal share. Measured on
/// corpus call-01 (494 s) on two cores with tiny.en: two workers of one thread took 19.9 s wall
/// and 38 CPU-s where one worker of two threads took 24.4 s and 45 CPU-s, with the same words.
/// A GPU build keeps one worker with every thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Crew {
    workers: usize,
    threads_each: usize,
}

/// Each worker holds a whisper state, whose encoder and decoder buffers are most of the memory
/// recognition takes (with two workers and tiny.en, a 65-minute recording peaks at 485 MiB
/// resident; see `scripts/bench-memory`), so memory, not speed, caps the count.
const MAX_WORKERS: usize = 2;

impl Crew {
    fn for_threads(threads: usize) -> Self {
        let threads = threads.max(1);
        if GPU {
            return Self {
                workers: 1,
                threads_each: threads,
            };
        }
        let workers = threads.min(MAX_WORKERS);
        Self {
            workers,
            threads_each: threads / workers,
        }
    }
}

/// Hands the memory that recognising a chunk freed back to the system. Each worker allocates
/// and frees megabytes per chunk (whisper.cpp's per-chunk buffers and results) in its own
/// glibc arena, which keeps freed pages resident: a 65-minute recording peaked at 620 MB
/// resident without this and at 594 MB with it.
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim has no preconditions; it only releases free memory.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// A chunk handed to a worker; `index` is its place in the order the gates cut them.
struct Job {
    index: usize,
    channel: Option<usize>,
    chunk: Chunk,
}

/// A worker's answer for one job.
struct Done {
    index: usize,
    /// Where the chunk ends in the recording, for progress.
    end: Ms,
    segments: Result<Vec<Segment>, whisper_rs::WhisperError>,
}

fn next_job(jobs: &Mutex<mpsc::Receiver<Job>>) -> Option<Job> {
    jobs.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .recv()
        .ok()
}

/// Finished chunks, gathered as the workers report them and put back in recording order at the
/// end, so that the result is the same whichever worker finished first.
#[derive(Default)]
struct Results {
    done: Vec<(usize, Vec<Segment>)>,
    /// The failure of the earliest chunk that failed.
    failure: Option<(usize, whisper_rs::WhisperError)>,
    recognised: Ms,
}

impl Results {
    fn take(&mut self, finished: impl IntoIterator<Item = Done>) {
        for done in finished {
            self.recognised = self.recognised.max(done.end);
            match done.segments {
                Ok(segments) => self.done.push((done.index, segments)),
                Err(e) => {
                    if self.failure.as_ref().is_none_or(|(i, _)| done.index < *i) {
                        self.failure = Some((done.index, e));
                    }
                }
            }
        }
    }

    fn failed(&self) -> bool {
        self.failure.is_some()
    }

    fn progress(&self, decoded_samples: u64) -> Progress {
        Progress {
            decoded: Ms(decoded_samples / 16),
            recognised: self.recognised,
        }
    }

    fn into_segments(mut self) -> Result<Vec<Segment>, whisper_rs::WhisperError> {
        if let Some((_, failure)) = self.failure {
            return Err(failure);
        }
        self.done.sort_by_key(|(index, _)| *index);
        let mut segments: Vec<Segment> = self.done.into_iter().flat_map(|(_, s)| s).collect();
        segments.sort_by_key(|s| s.start);
        Ok(segments)
    }
}

/// A chunk is checked against the pace of the chunks at least this many places before it, which
/// are settled by then however the workers are scheduled (there are never more workers than
/// this), so the check does not depend on the worker count or on who finished first.
const PACE_LAG: usize = 8;
const _: () = assert!(PACE_LAG >= MAX_WORKERS);

/// The speaking rates each chunk's check learnt, shared by the workers (see [`PACE_LAG`]).
#[derive(Default)]
struct PaceBook {
    /// By chunk index; `None` until the chunk's worker is done with it.
    rates: Mutex<Vec<Option<Vec<f64>>>>,
    settled: Condvar,
}

impl PaceBook {
    /// The pace learnt from every chunk at least [`PACE_LAG`] places before `index`, waiting
    /// for any of them still being recognised.
    fn pace_before(&self, index: usize) -> SpeechPace {
        let known = index.saturating_sub(PACE_LAG);
        let mut rates = self.rates.lock().unwrap_or_else(PoisonError::into_inner);
        while rates.len() < known || rates[..known].iter().any(Option::is_none) {
            rates = self
                .settled
                .wait(rates)
                .unwrap_or_else(PoisonError::into_inner);
        }
        SpeechPace {
            words_per_second: rates[..known].iter().flatten().flatten().copied().collect(),
        }
    }

    fn settle(&self, index: usize, learnt: Vec<f64>) {
        let mut rates = self.rates.lock().unwrap_or_else(PoisonError::into_inner);
        if rates.len() <= index {
            rates.resize(index + 1, None);
        }
        rates[index] = Some(learnt);
        self.settled.notify_all();
    }
}

/// A chunk's entry in the [`PaceBook`], settled when its worker lets go of it, even by a failure
/// or a panic, so that no later chunk waits for it forever.
struct Learnt<'a> {
    book: &'a PaceBook,
    index: usize,
    rates: Vec<f64>,
}

impl Drop for Learnt<'_> {
    fn drop(&mut self) {
        self.book
            .settle(self.index, std::mem::take(&mut self.rates));
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
    fn threads_go_to_workers_of_one_thread_up_to_the_cap() {
        let crew = |threads| {
            let Crew {
                workers,
                threads_each,
            } = Crew::for_threads(threads);
            (workers, threads_each)
        };
        assert_eq!(crew(0), (1, 1));
        assert_eq!(crew(1), (1, 1));
        assert_eq!(crew(2), (2, 1));
        assert_eq!(crew(3), (2, 1));
        assert_eq!(crew(8), (2, 4));
    }

    fn segment_at(start: u64) -> Segment {
        Segment {
            start: Ms(start),
            end: Ms(start + 500),
            text: format!("at {start}"),
            words: Vec::new(),
            channel: None,
        }
    }

    #[test]
    fn results_come_back_in_recording_order_whoever_finished_first() {
        let mut results = Results::default();
        let done = |index, starts: &[u64]| Done {
            index,
            end: Ms(starts.iter().max().copied().unwrap_or(0) + 500),
            segments: Ok(starts.iter().map(|s| segment_at(*s)).collect()),
        };
        results.take([done(2, &[9_000]), done(0, &[0, 4_000])]);
        assert_eq!(results.progress(16_000 * 20).recognised, Ms(9_500));
        results.take([done(1, &[4_000, 6_000])]);
        let texts: Vec<String> = results
            .into_segments()
            .unwrap()
            .into_iter()
            .map(|s| s.text)
            .collect();
        // Equal starts keep the order of their chunks.
        assert_eq!(texts, ["at 0", "at 4000", "at 4000", "at 6000", "at 9000"]);
    }

    #[test]
    fn the_earliest_failed_chunk_is_the_one_reported() {
        let mut results = Results::default();
        let failed = |index, code| Done {
            index,
            end: Ms(0),
            segments: Err(whisper_rs::WhisperError::GenericError(code)),
        };
        results.take([failed(5, 5)]);
        assert!(results.failed());
        results.take([failed(3, 3), failed(4, 4)]);
        assert!(matches!(
            results.into_segments(),
            Err(whisper_rs::WhisperError::GenericError(3))
        ));
    }

    #[test]
    fn a_chunk_learns_the_pace_of_the_chunks_well_before_it() {
        let book = PaceBook::default();
        for index in (0..PACE_LAG + 3).rev() {
            book.settle(index, vec![index as f64]);
        }
        let pace = book.pace_before(PACE_LAG + 2);
        assert_eq!(pace.words_per_second, [0.0, 1.0]);
        assert!(book.pace_before(PACE_LAG).words_per_second.is_empty());
    }

    #[test]
    fn a_chunk_waits_for_the_pace_of_earlier_chunks_still_being_recognised() {
        let book = PaceBook::default();
        std::thread::scope(|scope| {
            let waiting = scope.spawn(|| book.pace_before(PACE_LAG + 1).words_per_second);
            std::thread::sleep(std::time::Duration::from_millis(50));
            assert!(!waiting.is_finished());
            // A worker that fails or panics still settles its chunk when it lets go of it.
            let failed = scope.spawn(|| {
                let _learnt = Learnt {
                    book: &book,
                    index: 0,
                    rates: vec![2.0],
                };
                panic!("recognition blew up");
            });
            assert!(failed.join().is_err());
            assert_eq!(waiting.join().unwrap(), [2.0]);
        });
    }

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
