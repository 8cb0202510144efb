//! What each command does: read inputs, call the library, write outputs atomically, print
//! warnings and errors, and pick the exit status. The only layer that touches the terminal.

use crate::cli::{
    AnalyzeArgs, CharterCommand, Cli, Command, DiarizationEvalArgs, EvalArgs, EvalTarget,
    LexiconArgs, LexiconCommand,
};
use crate::recording::Transcriber;
use anyhow::{Context, Result, anyhow, bail};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use swimlane::analyze::{Settings, analyze};
use swimlane::audio::{Recording, is_audio_path};
use swimlane::charter::{Charter, same_person};
use swimlane::debrief::Debrief;
use swimlane::diarize::der::{self, DerSettings};
use swimlane::diarize::rttm::{self, SpeakerTurn};
use swimlane::eval::{Labels, Report};
use swimlane::lexicon::Lexicon;
use swimlane::model::CallType;
use swimlane::model::Transcript;
use swimlane::report::{ReportFormat, render};
use swimlane::roles::RoleFlag;
use swimlane::time::Ms;
use swimlane::transcript::{self, Format};

/// Exit statuses, documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything asked for was done.
    Success = 0,
    /// An error stopped the command; nothing was written.
    Failure = 1,
    /// Some inputs of a batch failed; the others were written.
    Partial = 3,
    /// `eval` ran but the figures are below `--min-f1` or `--min-accuracy`.
    BelowGate = 4,
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e as u8)
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<Exit> {
    match cli.command {
        Command::Analyze(args) => analyze_command(args),
        Command::Transcribe(args) => crate::recording::transcribe_command(args),
        Command::Model(command) => crate::recording::model_command(command),
        Command::Voice(command) => crate::voice::voice_command(command),
        Command::Charter(CharterCommand::Init { output, force }) => charter_init(&output, force),
        Command::Charter(CharterCommand::Check { file }) => {
            Charter::load(&file)?;
            println!("{}: ok", file.display());
            Ok(Exit::Success)
        }
        Command::Lexicon(LexiconCommand::Check { dirs }) => lexicon_check(&dirs),
        Command::Lexicon(LexiconCommand::List { lexicon }) => lexicon_list(&lexicon),
        Command::Eval(args) => eval_command(args),
        Command::Review(args) => crate::review_command::review_command(args),
        Command::Serve(args) => crate::serve::serve_command(args),
        Command::User(command) => crate::serve::user_command(command),
    }
}

pub(crate) fn load_lexicon(args: &LexiconArgs) -> Result<Lexicon> {
    let dirs: Vec<&Path> = args.lexicons.iter().map(PathBuf::as_path).collect();
    Lexicon::load(&dirs).map_err(|e| {
        anyhow!("{e}\nfix the lexicon files above; `swimlane lexicon check DIR` validates them")
    })
}

pub(crate) fn load_charter(path: Option<&Path>) -> Result<Charter> {
    Ok(match path {
        Some(p) => Charter::load(p)?,
        None => Charter::default(),
    })
}

fn parse_role_flags(flags: &[String]) -> Result<Vec<RoleFlag>> {
    let mut parsed: Vec<RoleFlag> = Vec::new();
    for flag in flags {
        let (name, role) = flag.rsplit_once('=').ok_or_else(|| {
            anyhow!("--role \"{flag}\": write NAME=ROLE, e.g. --role \"Dana Ruiz=AE\"")
        })?;
        let role = role
            .parse()
            .map_err(|e| anyhow!("--role \"{flag}\": {e}"))?;
        let name = name.trim();
        if name.is_empty() {
            bail!("--role \"{flag}\": the name is empty; write NAME=ROLE");
        }
        if let Some(earlier) = parsed
            .iter()
            .find(|f| same_person(&f.name, name) && f.role != role)
        {
            bail!(
                "--role \"{flag}\": {name} is also given the role {}; give each person one role",
                earlier.role
            );
        }
        parsed.push(RoleFlag {
            name: name.to_string(),
            role,
        });
    }
    Ok(parsed)
}

/// The calls an input names: the file itself, or the recordings and transcripts in a folder.
fn expand_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(input)
                .with_context(|| format!("{}: cannot read folder", input.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && (has_transcript_extension(p) || is_audio_path(p)))
                .collect();
            if found.is_empty() {
                bail!(
                    "{}: no recordings (.wav, .mp3, .m4a, .flac, .ogg...) or transcripts (.json, .vtt, .srt, .txt) in this folder",
                    input.display()
                );
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(input.clone());
        }
    }
    Ok(out)
}

fn has_transcript_extension(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("json" | "vtt" | "srt" | "txt")
    )
}

fn analyze_command(args: AnalyzeArgs) -> Result<Exit> {
    let format: ReportFormat = args
        .format
        .parse()
        .map_err(|e| anyhow!("--format {}: {e}", args.format))?;
    let input_format: Option<Format> = args
        .input_format
        .as_deref()
        .map(|f| f.parse().map_err(|e| anyhow!("--input-format {f}: {e}")))
        .transpose()?;
    let call_type: Option<CallType> = args
        .call_type
        .as_deref()
        .map(|t| t.parse().unwrap_or_else(|never| match never {}));
    let roles = parse_role_flags(&args.roles)?;
    let charter = load_charter(args.charter.as_deref())?;
    let lexicon = load_lexicon(&args.lexicon)?;
    let tracks = crate::recording::tracks(&args.asr)?;
    if tracks.is_some() && !args.inputs.is_empty() {
        bail!("--track makes one call of its files; analyse other inputs in another run");
    }
    let inputs = match &tracks {
        Some(call) => vec![call.files()[0].to_path_buf()],
        None => expand_inputs(&args.inputs)?,
    };
    let settings = Settings {
        lexicon: &lexicon,
        charter: &charter,
        roles: &roles,
        call_type: call_type.as_ref(),
    };
    let batch = inputs.len() > 1 || args.inputs.iter().any(|p| p.is_dir());
    let out_dir = output_dir(args.output.as_deref(), batch)?;
    let names = output_names(&inputs, format.extension());
    let mut transcriber = None;
    let mut failures = 0;
    for (input, name) in inputs.iter().zip(&names) {
        let recording = match &tracks {
            Some(call) => Some(call.clone()),
            None if input_format.is_none() && is_audio_path(input) => {
                Some(Recording::File(input.clone()))
            }
            None => None,
        };
        let source = recording
            .as_ref()
            .map_or_else(|| source_name(input), Recording::label);
        let transcript = match &recording {
            Some(recording) => {
                if transcriber.is_none() {
                    transcriber =
                        Some(Transcriber::new(&args.asr, &charter, &lexicon, args.quiet)?);
                }
                transcriber
                    .as_mut()
                    .expect("created above")
                    .transcript(recording)
            }
            None => read_transcript(input, input_format),
        };
        let result = transcript.and_then(|mut transcript| {
            transcript.date = args.date.or(transcript.date);
            let debrief = analyze(&transcript, Some(&source), &settings);
            warn(&debrief, &source, args.quiet);
            emit(
                &render(&debrief, format),
                out_dir.as_deref(),
                name,
                args.output.as_deref(),
            )
        });
        if let Err(e) = result {
            eprintln!("error: {e:#}");
            failures += 1;
        }
    }
    Ok(batch_exit(failures, inputs.len()))
}

/// Where a batch's outputs go: the `-o` folder (created if need be); `None` for one input.
pub(crate) fn output_dir(output: Option<&Path>, batch: bool) -> Result<Option<PathBuf>> {
    Ok(match (output, batch) {
        (Some(dir), true) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("{}: cannot create output folder", dir.display()))?;
            Some(dir.to_path_buf())
        }
        (None, true) => bail!("several inputs need -o DIR to say where their outputs go"),
        (Some(path), false) if path.is_dir() => Some(path.to_path_buf()),
        _ => None,
    })
}

/// Writes one output: into the batch folder, to the `-o` file, or to standard output.
pub(crate) fn emit(
    bytes: &[u8],
    dir: Option<&Path>,
    name: &str,
    output: Option<&Path>,
) -> Result<()> {
    match (dir, output) {
        (Some(dir), _) => write_atomically(&dir.join(name), bytes),
        (None, Some(path)) => write_atomically(path, bytes),
        (None, None) => std::io::stdout()
            .write_all(bytes)
            .context("writing to standard output"),
    }
}

/// The exit status of a batch with `failures` failed inputs out of `total`.
pub(crate) fn batch_exit(failures: usize, total: usize) -> Exit {
    match failures {
        0 => Exit::Success,
        n if n == total => Exit::Failure,
        n => {
            eprintln!("{n} of {total} inputs failed; the others were written");
            Exit::Partial
        }
    }
}

fn read_transcript(input: &Path, format: Option<Format>) -> Result<Transcript> {
    Ok(if input == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("reading standard input")?;
        transcript::parse(&bytes, format, "<stdin>")?
    } else if let Some(format) = format {
        let bytes = std::fs::read(input)
            .with_context(|| format!("{}: cannot read; check the path", input.display()))?;
        transcript::parse(&bytes, Some(format), &input.display().to_string())?
    } else {
        transcript::read(input)?
    })
}

fn source_name(input: &Path) -> String {
    if input == Path::new("-") {
        "stdin".to_string()
    } else {
        input.display().to_string()
    }
}

fn warn(debrief: &Debrief, source: &str, quiet: bool) {
    if quiet {
        return;
    }
    for w in &debrief.warnings {
        eprintln!("warning: {source}: {w}");
    }
}

/// Report file names, one per input: the input's stem with the report's extension
/// (`call.vtt` gives `call.json`), or the whole file name where two inputs share a stem
/// (`call.vtt.json` and `call.json.json`), so no report overwrites another.
pub(crate) fn output_names(inputs: &[PathBuf], extension: &str) -> Vec<String> {
    let stem = |p: &PathBuf| {
        p.file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_else(|| "stdin".into())
    };
    inputs
        .iter()
        .map(|input| {
            let shared = inputs
                .iter()
                .filter(|other| stem(other) == stem(input))
                .count()
                > 1;
            let base = match input.file_name() {
                Some(name) if shared => name.to_string_lossy().to_string(),
                _ => stem(input),
            };
            format!("{base}.{extension}")
        })
        .collect()
}

/// Writes through a temporary file in the same folder, then renames, so that a failure never
/// leaves a half-written report behind.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(&dir).with_context(|| {
        format!(
            "{}: cannot write here; check that the folder exists and is writable",
            path.display()
        )
    })?;
    file.write_all(bytes)
        .with_context(|| format!("{}: write failed", path.display()))?;
    file.persist(path)
        .map_err(|e| anyhow!("{}: cannot replace the file: {}", path.display(), e.error))?;
    Ok(())
}

fn charter_init(output: &Path, force: bool) -> Result<Exit> {
    if output.exists() && !force {
        bail!(
            "{}: already exists; pass --force to replace it",
            output.display()
        );
    }
    write_atomically(output, Charter::template().as_bytes())?;
    println!(
        "wrote {}: edit the names, then pass it as --charter {}",
        output.display(),
        output.display()
    );
    Ok(Exit::Success)
}

fn lexicon_check(dirs: &[PathBuf]) -> Result<Exit> {
    let layers: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    match Lexicon::load(&layers) {
        Ok(lexicon) => {
            println!(
                "ok: {} rules from {} files",
                lexicon.rules.len(),
                lexicon.files_read
            );
            Ok(Exit::Success)
        }
        Err(errors) => {
            for e in &errors.0 {
                eprintln!("{e}");
            }
            bail!("{} problem(s) in the lexicons", errors.0.len())
        }
    }
}

fn lexicon_list(args: &LexiconArgs) -> Result<Exit> {
    let lexicon = load_lexicon(args)?;
    for rule in &lexicon.rules {
        let roles = if rule.roles.is_empty() {
            "anyone".to_string()
        } else {
            rule.roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(",")
        };
        println!(
            "{:<44} {:<9} {:<10} {:<16} {}",
            rule.id,
            rule.level.as_str(),
            roles,
            kind_name(&rule.kind),
            rule.origin
        );
    }
    Ok(Exit::Success)
}

fn kind_name(kind: &swimlane::lexicon::RuleKind) -> &'static str {
    use swimlane::lexicon::RuleKind::*;
    match kind {
        Existence => "existence",
        Conditional { .. } => "conditional",
        Occurrence { .. } => "occurrence",
        Sequence { .. } => "sequence",
        Missing { .. } => "missing",
        Title => "title",
    }
}

fn eval_command(args: EvalArgs) -> Result<Exit> {
    let dir = match (args.target, args.dir) {
        (Some(EvalTarget::Diarization(args)), _) => return eval_diarization(args),
        (None, Some(dir)) => dir,
        (None, None) => bail!("name a folder of labelled calls: swimlane eval DIR"),
    };
    let lexicon = load_lexicon(&args.lexicon)?;
    let charter = load_charter(args.charter.as_deref())?;
    let settings = Settings {
        lexicon: &lexicon,
        charter: &charter,
        roles: &[],
        call_type: None,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("{}: cannot read folder", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut report = Report::default();
    for path in &files {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        let labels: Labels = serde_json::from_str(&text).with_context(|| {
            format!(
                "{}: not a labelled call (needs `events` and `expected`)",
                path.display()
            )
        })?;
        let transcript = transcript::parse(
            text.as_bytes(),
            Some(Format::Json),
            &path.display().to_string(),
        )?;
        let debrief = analyze(&transcript, Some(&path.display().to_string()), &settings);
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        report.add(&name, &debrief, &labels);
    }
    if report.calls == 0 {
        bail!("{}: no labelled call JSON files here", dir.display());
    }
    match args.format.as_str() {
        "json" => println!("{}", serde_json::to_string_pretty(&report)?),
        "text" => print!("{}", report.render_text(args.verbose)),
        other => bail!("--format {other}: use text or json"),
    }
    let below_f1 = args.min_f1.is_some_and(|m| report.min_f1() < m);
    let below_acc = args
        .min_accuracy
        .is_some_and(|m| report.finding_accuracy() < m);
    if below_f1 || below_acc {
        eprintln!(
            "below the gate: min event F1 {:.3}, call-level accuracy {:.3}",
            report.min_f1(),
            report.finding_accuracy()
        );
        return Ok(Exit::BelowGate);
    }
    Ok(Exit::Success)
}

fn eval_diarization(args: DiarizationEvalArgs) -> Result<Exit> {
    let collar = Ms::from_secs_f64(args.collar)
        .ok_or_else(|| anyhow!("--collar {}: give seconds, 0 or more", args.collar))?;
    let read = |path: &Path| -> Result<Vec<SpeakerTurn>> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        let turns = rttm::parse(&text).map_err(|e| {
            anyhow!(
                "{}:{}: {}; fix the line or regenerate the file",
                path.display(),
                e.line,
                e.problem
            )
        })?;
        Ok(turns)
    };
    let reference = read(&args.reference)?;
    if reference.is_empty() {
        bail!(
            "{}: no SPEAKER lines; a reference RTTM needs at least one turn",
            args.reference.display()
        );
    }
    let hypothesis = read(&args.hypothesis)?;
    let settings = DerSettings {
        collar,
        ignore_overlap: args.ignore_overlap,
    };
    let score = der::score(&reference, &hypothesis, settings);
    match args.format.as_str() {
        "json" => {
            let json = serde_json::json!({
                "der": score.der(),
                "missed_speech": score.missed_percent(),
                "false_alarm": score.false_alarm_percent(),
                "speaker_confusion": score.confusion_percent(),
                "scored_seconds": score.scored.as_secs_f64(),
                "collar_seconds": collar.as_secs_f64(),
                "ignore_overlap": args.ignore_overlap,
            });
            println!("{}", serde_json::to_string_pretty(&json)?);
        }
        "text" => {
            println!(
                "DER {:.2} % (missed speech {:.2} %, false alarm {:.2} %, speaker confusion {:.2} %)",
                score.der(),
                score.missed_percent(),
                score.false_alarm_percent(),
                score.confusion_percent()
            );
            println!(
                "over {:.2} s of reference speaker time; collar {} s; overlapped speech {}",
                score.scored.as_secs_f64(),
                collar.as_secs_f64(),
                if args.ignore_overlap {
                    "ignored"
                } else {
                    "scored"
                }
            );
        }
        other => bail!("--format {other}: use text or json"),
    }
    Ok(Exit::Success)
}
