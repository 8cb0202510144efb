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
    /// Analyse call transcripts (call JSON, WebVTT, SRT or plain text) and write debriefs.
    Analyze(AnalyzeArgs),
    /// Work with the pair's charter.
    #[command(subcommand)]
    Charter(CharterCommand),
    /// Validate or list lexicon rules.
    #[command(subcommand)]
    Lexicon(LexiconCommand),
    /// Measure detection against labelled calls.
    Eval(EvalArgs),
}

/// Options shared by commands that run the rules.
#[derive(Debug, Args)]
pub struct LexiconArgs {
    /// A folder of extra or overriding lexicon rules, laid over the shipped ones (repeatable).
    #[arg(long = "lexicons", value_name = "DIR")]
    pub lexicons: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Transcript files or folders of them; `-` reads standard input.
    #[arg(required = true, value_name = "INPUT")]
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
    /// Do not print warnings.
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub lexicon: LexiconArgs,
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
pub struct EvalArgs {
    /// A folder of labelled call JSON files.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
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
