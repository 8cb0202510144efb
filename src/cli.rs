//! The command line, as clap definitions only. `app` does the work.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Post-call swimlane coaching for AE/SE pairs: transcript in, debrief out. Everything runs
/// locally.
#[derive(Debug, Parser)]
#[command(name = "swimlane", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse calls (recordings, or transcripts in call JSON, WebVTT, SRT or plain text) and
    /// write debriefs.
    Analyze(AnalyzeArgs),
    /// Transcribe recordings locally with Whisper and write the transcripts.
    Transcribe(TranscribeArgs),
    /// Install, list or convert Whisper models.
    #[command(subcommand)]
    Model(ModelCommand),
    /// Enrol, list or remove voiceprints (who is who by voice).
    #[command(subcommand)]
    Voice(VoiceCommand),
    /// Work with the pair's charter.
    #[command(subcommand)]
    Charter(CharterCommand),
    /// Validate or list lexicon rules.
    #[command(subcommand)]
    Lexicon(LexiconCommand),
    /// Measure detection against labelled calls (`eval DIR`), or diarization against a
    /// reference (`eval diarization REF.rttm HYP.rttm`).
    Eval(EvalArgs),
    /// Review many debriefs at once for a manager: per pair and per person, lane violations
    /// and their trend, rescue phrases, handoffs, next steps, qualification, talk ratios, and
    /// win and no-go rates where deal outcomes are recorded.
    Review(ReviewArgs),
    /// Start the team's coaching workspace: upload calls, read debriefs, review the team, in
    /// the browser or over HTTP. Binds to 127.0.0.1 unless told otherwise.
    Serve(ServeArgs),
    /// Add, list or remove the people who may use `swimlane serve`, and renew their tokens.
    #[command(subcommand)]
    User(UserCommand),
}

/// Where the workspace keeps its users, database, recordings and debriefs.
#[derive(Debug, Args, Clone)]
pub struct DataArgs {
    /// The workspace folder (default: swimlane's folder in the user's data directory).
    #[arg(long = "data", value_name = "DIR", env = "SWIMLANE_DATA")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on; 0 picks a free one (printed at start).
    #[arg(long, default_value_t = 8080, value_name = "N")]
    pub port: u16,
    /// Address to listen on. Call recordings are confidential: only widen this behind a
    /// TLS proxy.
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub bind: std::net::IpAddr,
    /// Calls transcribed at once; more than one shares the cores between them.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub workers: usize,
    /// The largest upload accepted, in megabytes (all files of one call together).
    #[arg(long, default_value_t = 500, value_name = "MB")]
    pub max_upload_mb: u64,
    /// Delete recordings this many days after upload, keeping their debriefs.
    #[arg(long, value_name = "DAYS")]
    pub retention_days: Option<u32>,
    /// The pair's charter, applied to every call.
    #[arg(long, value_name = "FILE")]
    pub charter: Option<PathBuf>,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub asr: AsrArgs,
    #[command(flatten)]
    pub lexicon: LexiconArgs,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user and print their access token (shown once; only its hash is kept).
    Add {
        /// Their name as calls show it (an AE's or SE's name in the pair).
        #[arg(value_name = "NAME")]
        name: String,
        /// se, ae or manager: an SE or AE sees their own pairs' calls, a manager every call.
        #[arg(long, value_name = "ROLE")]
        role: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Show the users and their roles.
    List {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Remove a user; their token stops working.
    Remove {
        #[arg(value_name = "NAME")]
        name: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Give a user a new token and print it; the old one stops working.
    Token {
        #[arg(value_name = "NAME")]
        name: String,
        #[command(flatten)]
        data: DataArgs,
    },
}

/// Options shared by commands that run the rules.
#[derive(Debug, Args, Clone)]
pub struct LexiconArgs {
    /// A folder of extra or overriding lexicon rules, laid over the shipped ones (repeatable).
    #[arg(long = "lexicons", value_name = "DIR")]
    pub lexicons: Vec<PathBuf>,
}

/// How recordings are transcribed (ignored for transcript inputs).
#[derive(Debug, Args, Default, Clone)]
pub struct AsrArgs {
    /// A ggml Whisper model file (default: the installed default model).
    #[arg(long, value_name = "FILE", env = "SWIMLANE_MODEL")]
    pub model: Option<PathBuf>,
    /// Threads for recognition (default: all cores). Give each of several parallel runs its
    /// share: whisper.cpp's threads spin while they wait, so oversubscribed cores crawl.
    #[arg(long, value_name = "N", env = "SWIMLANE_THREADS")]
    pub threads: Option<usize>,
    /// Decode with beam search of this width instead of greedily (slower, sometimes better).
    #[arg(long, value_name = "WIDTH")]
    pub beam: Option<usize>,
    /// Name the speaker on a channel of a multi-channel recording, e.g. --channel 0="Dana Ruiz".
    /// A named channel is that one person; other channels are diarized.
    #[arg(long = "channel", value_name = "N=NAME")]
    pub channels: Vec<String>,
    /// One participant's own recording, e.g. --track "Dana Ruiz=dana.m4a", repeated per person:
    /// the tracks make one call, recorded together, and each word goes to the track that
    /// carries it. Takes the place of the recording argument.
    #[arg(long = "track", value_name = "NAME=FILE")]
    pub tracks: Vec<String>,
    /// How many people speak in a mono recording (default: estimated from their voices);
    /// 1 keeps the recording as one speaker and needs no voice encoder.
    #[arg(long, value_name = "N")]
    pub speakers: Option<usize>,
    /// When telling speakers apart by voice, time words by Whisper's own timestamps instead of
    /// aligning them (DTW): faster, but more words at turn changes go to the wrong speaker.
    #[arg(long)]
    pub no_word_alignment: bool,
    /// Run Whisper's encoder over its full 30 s window for every chunk, instead of fitting the
    /// window to the chunk (slower; for comparison).
    #[arg(long)]
    pub full_audio_context: bool,
    /// Recognise again even when a cached transcript of this recording exists.
    #[arg(long)]
    pub no_cache: bool,
    /// Use the part of a truncated recording that is there instead of stopping.
    #[arg(long)]
    pub allow_truncated: bool,
}

#[derive(Debug, Args)]
pub struct TranscribeArgs {
    /// Recordings: WAV, MP3, M4A/AAC, FLAC or Ogg Vorbis.
    #[arg(required_unless_present = "tracks", value_name = "AUDIO")]
    pub inputs: Vec<PathBuf>,
    /// Transcript format: json (call JSON), vtt, srt or txt; or rttm for the speaker turns
    /// alone (names with spaces joined by underscores).
    #[arg(short, long, default_value = "json", value_name = "FORMAT")]
    pub format: String,
    /// Output file, or folder when there are several inputs. Standard output when omitted.
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// The pair's charter: its names and [transcription] vocabulary prime recognition.
    #[arg(long, value_name = "FILE")]
    pub charter: Option<PathBuf>,
    /// No progress bar and no warnings.
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub asr: AsrArgs,
    #[command(flatten)]
    pub lexicon: LexiconArgs,
}

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Download, convert and verify a model (default: the default Whisper model and the default
    /// voice encoder).
    Install {
        /// A model name from `swimlane model list`.
        #[arg(value_name = "NAME")]
        name: Option<String>,
    },
    /// Show the models swimlane can install and which are installed.
    List,
    /// Convert a CTranslate2 Whisper directory (model.bin, vocabulary) to a ggml file.
    Convert {
        #[arg(value_name = "CT2_DIR")]
        dir: PathBuf,
        #[arg(value_name = "OUT.bin")]
        output: PathBuf,
        /// Store the weight matrices as q8_0 (8-bit) instead of f16.
        #[arg(long)]
        q8_0: bool,
    },
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Recordings or transcript files, or folders of them; `-` reads a transcript from
    /// standard input.
    #[arg(required_unless_present = "tracks", value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Set a speaker's role, e.g. --role "Dana Ruiz=AE" (roles: AE, SE, prospect).
    #[arg(short, long = "role", value_name = "NAME=ROLE")]
    pub roles: Vec<String>,
    /// The pair's charter (see `swimlane charter init`).
    #[arg(long, value_name = "FILE")]
    pub charter: Option<PathBuf>,
    /// Report format: md, html or json.
    #[arg(short, long, default_value = "md", value_name = "FORMAT")]
    pub format: String,
    /// Output file, or folder when there are several inputs. Standard output when omitted.
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Read inputs as this format instead of guessing from the name: json, vtt, srt or txt.
    #[arg(long, value_name = "FORMAT")]
    pub input_format: Option<String>,
    /// The kind of call, overriding the transcript: intro, discovery, demo, technical-deep-dive,
    /// poc-readout, negotiation.
    #[arg(long, value_name = "TYPE")]
    pub call_type: Option<String>,
    /// The day of the call, e.g. 2026-11-28, overriding the transcript's `date` (reviews order
    /// and filter calls by it).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<jiff::civil::Date>,
    /// Do not print warnings or progress.
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub asr: AsrArgs,
    #[command(flatten)]
    pub lexicon: LexiconArgs,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// JSON debriefs (`analyze --format json`), or folders holding them (searched through
    /// subfolders; other JSON files there are skipped).
    #[arg(required = true, value_name = "DEBRIEFS")]
    pub inputs: Vec<PathBuf>,
    /// Review format: md, html or json.
    #[arg(short, long, default_value = "md", value_name = "FORMAT")]
    pub format: String,
    /// Output file. Standard output when omitted.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Deal outcomes by call id, a TOML file of lines like `"call-07" = "won"` (won, lost or
    /// no-go): they give the SE win and no-go rates.
    #[arg(long, value_name = "FILE")]
    pub outcomes: Option<PathBuf>,
    /// Only calls on which this person spoke (repeat for calls with all of them, e.g. a pair).
    #[arg(long = "person", value_name = "NAME")]
    pub people: Vec<String>,
    /// Only calls of this type: intro, discovery, demo, technical-deep-dive, poc-readout,
    /// negotiation.
    #[arg(long, value_name = "TYPE")]
    pub call_type: Option<String>,
    /// Only calls on or after this day (calls without a date are left out).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub since: Option<jiff::civil::Date>,
    /// Only calls on or before this day (calls without a date are left out).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub until: Option<jiff::civil::Date>,
    /// Do not print warnings.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum CharterCommand {
    /// Write a commented charter template.
    Init {
        /// Where to write it.
        #[arg(short, long, default_value = "charter.toml", value_name = "FILE")]
        output: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Validate a charter file.
    Check {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum LexiconCommand {
    /// Validate the shipped lexicons and, laid over them, the given folders.
    Check {
        #[arg(value_name = "DIR")]
        dirs: Vec<PathBuf>,
    },
    /// List the rules in effect.
    List {
        #[command(flatten)]
        lexicon: LexiconArgs,
    },
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct EvalArgs {
    #[command(subcommand)]
    pub target: Option<EvalTarget>,
    /// A folder of labelled call JSON files.
    #[arg(value_name = "DIR", required = true)]
    pub dir: Option<PathBuf>,
    /// Exit with status 4 when any event type's F1 is below this.
    #[arg(long, value_name = "F1")]
    pub min_f1: Option<f64>,
    /// Exit with status 4 when call-level accuracy is below this (0..1).
    #[arg(long, value_name = "ACCURACY")]
    pub min_accuracy: Option<f64>,
    /// Output format: text or json.
    #[arg(short, long, default_value = "text")]
    pub format: String,
    /// List every disagreement with the labels.
    #[arg(short, long)]
    pub verbose: bool,
    /// The pair's charter to judge by.
    #[arg(long, value_name = "FILE")]
    pub charter: Option<PathBuf>,
    #[command(flatten)]
    pub lexicon: LexiconArgs,
}

#[derive(Debug, Subcommand)]
pub enum EvalTarget {
    /// Diarization error rate of a hypothesis RTTM against a reference RTTM, scored as NIST
    /// md-eval scores it.
    Diarization(DiarizationEvalArgs),
}

#[derive(Debug, Args)]
pub struct DiarizationEvalArgs {
    /// The reference (ground truth) RTTM file.
    #[arg(value_name = "REF.rttm")]
    pub reference: PathBuf,
    /// The RTTM file to score.
    #[arg(value_name = "HYP.rttm")]
    pub hypothesis: PathBuf,
    /// Seconds on each side of every reference boundary that are not scored.
    #[arg(long, value_name = "SECONDS", default_value_t = 0.25)]
    pub collar: f64,
    /// Leave out overlapped speech (time where the reference has several speakers at once).
    #[arg(long)]
    pub ignore_overlap: bool,
    /// Output format: text or json.
    #[arg(short, long, default_value = "text")]
    pub format: String,
}

#[derive(Debug, Subcommand)]
pub enum VoiceCommand {
    /// Make a voiceprint of one person from recordings of them alone, and store it under their
    /// name (replacing an earlier one).
    Enroll {
        /// The person's name, as calls will show it.
        #[arg(value_name = "NAME")]
        name: String,
        /// Their role: AE, SE or prospect.
        #[arg(long, value_name = "ROLE")]
        role: String,
        /// Recordings of this person speaking alone (any format `transcribe` reads).
        #[arg(required_unless_present = "from_call", value_name = "AUDIO")]
        audio: Vec<PathBuf>,
        /// Instead of AUDIO: a JSON debrief of a recorded call in which NAME speaks; their
        /// turns are cut from the call's recording.
        #[arg(long, value_name = "DEBRIEF", conflicts_with = "audio")]
        from_call: Option<PathBuf>,
    },
    /// Show the enrolled voices.
    List,
    /// Forget a voice.
    Remove {
        #[arg(value_name = "NAME")]
        name: String,
    },
}
