//! Reads a call transcript file (call JSON, WebVTT, SubRip or plain text) into a
//! [`Transcript`], so that every later stage sees one shape whatever tool wrote the file.
//!
//! Every reader keeps turns in file order and numbers them 0, 1, 2, … (events cite the index),
//! trims each turn's text and collapses its white space. Problems that stop reading are one-line
//! [`TranscriptError`]s naming the file, the line where there is one, and what to do; problems
//! that do not (a skipped cue) become [`Transcript::warnings`].
//!
//! Caption formats mark speakers in several ways. `<v Name>` voice tags win; otherwise a line that
//! begins `Name:` (or, in captions, `[Name]`) starts that speaker's text, and text with no marker
//! belongs to the previous speaker, as captions often label only speaker changes. What counts as
//! a name is decided by [`speaker_prefix`]'s rule, described there.

pub mod decode;
pub mod json;
pub mod srt;
pub mod text;
pub mod vtt;
pub mod write;

/// Turns as `(index, speaker, start ms, end ms, text)`, for the readers' tests.
#[cfg(test)]
pub(crate) fn turn_tuples(transcript: &Transcript) -> Vec<(usize, String, u64, u64, String)> {
    transcript
        .turns
        .iter()
        .map(|t| {
            (
                t.index,
                t.speaker.clone(),
                t.start.0,
                t.end.0,
                t.text.clone(),
            )
        })
        .collect()
}

/// One expected turn for [`turn_tuples`].
#[cfg(test)]
pub(crate) fn turn(
    index: usize,
    speaker: &str,
    start: u64,
    end: u64,
    text: &str,
) -> (usize, String, u64, u64, String) {
    (index, speaker.into(), start, end, text.into())
}

use crate::model::{DeclaredParticipant, Timing, Transcript, Turn};
use crate::time::Ms;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

pub use decode::DecodeError;

/// The transcript formats this module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// The project's own call JSON (participants with roles, timed turns).
    Json,
    /// WebVTT captions, including Zoom and Microsoft Teams exports.
    Vtt,
    /// SubRip captions.
    Srt,
    /// Plain `Name: text` lines, with or without time stamps.
    Text,
}

impl Format {
    /// The name used on the command line and in file extensions.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Vtt => "vtt",
            Format::Srt => "srt",
            Format::Text => "txt",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for a format name other than json, vtt, srt, txt or text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown transcript format `{0}`: use json, vtt, srt or txt")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;
    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        match s
            .trim()
            .trim_start_matches('.')
            .to_ascii_lowercase()
            .as_str()
        {
            "json" => Ok(Format::Json),
            "vtt" | "webvtt" => Ok(Format::Vtt),
            "srt" | "subrip" => Ok(Format::Srt),
            "txt" | "text" => Ok(Format::Text),
            _ => Err(UnknownFormat(s.to_string())),
        }
    }
}

/// Why a transcript could not be read. Each message is one line that names the file, the line
/// where there is one, and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum TranscriptError {
    /// The file could not be read at all.
    #[error("{name}: cannot read the file ({cause}); check the path and that the file is readable")]
    Io { name: String, cause: std::io::Error },
    /// The bytes are not text in an accepted encoding.
    #[error("{name}: {cause}; re-save the file as UTF-8")]
    Encoding { name: String, cause: DecodeError },
    /// Call JSON that is not well-formed or not shaped like a call.
    #[error(
        "{name}: line {line} column {column}: {problem}; the call JSON schema is in the README"
    )]
    Json {
        name: String,
        line: usize,
        column: usize,
        problem: String,
    },
    /// Content that breaks the format's rules, at a line where one is known.
    #[error("{name}: {}{problem}; {fix}", line_prefix(.line))]
    Invalid {
        name: String,
        line: Option<usize>,
        problem: String,
        fix: String,
    },
    /// The file was read but holds no turns.
    #[error("{name}: no turns found; is this a transcript?")]
    NoTurns { name: String },
}

fn line_prefix(line: &Option<usize>) -> String {
    line.map(|line| format!("line {line}: "))
        .unwrap_or_default()
}

impl TranscriptError {
    pub(crate) fn invalid(
        name: &str,
        line: Option<usize>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> TranscriptError {
        TranscriptError::Invalid {
            name: name.to_string(),
            line,
            problem: problem.into(),
            fix: fix.into(),
        }
    }

    pub(crate) fn no_turns(name: &str) -> TranscriptError {
        TranscriptError::NoTurns {
            name: name.to_string(),
        }
    }
}

/// Guesses a file's format: by extension (`.json`, `.vtt`, `.srt`, `.txt`) when it has one of
/// those, otherwise from the text: `{` first means call JSON, a `WEBVTT` signature means WebVTT,
/// a SubRip timing line (`hh:mm:ss,mmm --> hh:mm:ss,mmm`, with `.` accepted for `,`) means
/// SubRip, and anything else is plain text.
pub fn detect_format(path: &Path, text: &str) -> Format {
    if let Some(format) = path
        .extension()
        .and_then(|ext| ext.to_str())
        .and_then(|ext| ext.parse().ok())
    {
        return format;
    }
    let start = text.trim_start_matches('\u{feff}').trim_start();
    if start.starts_with('{') {
        Format::Json
    } else if start.starts_with("WEBVTT") {
        Format::Vtt
    } else if text.lines().any(srt::is_timing_line) {
        Format::Srt
    } else {
        Format::Text
    }
}

/// Reads, decodes and parses a transcript file, choosing the format with [`detect_format`].
/// Errors name the file by `path` as given.
pub fn read(path: &Path) -> Result<Transcript, TranscriptError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|cause| TranscriptError::Io {
        name: name.clone(),
        cause,
    })?;
    parse(&bytes, None, &name)
}

/// Decodes and parses transcript bytes in `format`, or in the format [`detect_format`] finds
/// from `name`'s extension and the text when `format` is `None`. `name` is how errors refer to
/// the file. A transcript with no turns is an error.
pub fn parse(
    bytes: &[u8],
    format: Option<Format>,
    name: &str,
) -> Result<Transcript, TranscriptError> {
    let text = decode::decode(bytes).map_err(|cause| TranscriptError::Encoding {
        name: name.to_string(),
        cause,
    })?;
    if text.trim().is_empty() {
        return Err(TranscriptError::no_turns(name));
    }
    let format = format.unwrap_or_else(|| detect_format(Path::new(name), &text));
    match format {
        Format::Json => json::parse(&text, name),
        Format::Vtt => vtt::parse(&text, name),
        Format::Srt => srt::parse(&text, name),
        Format::Text => text::parse(&text, name),
    }
}

/// Trims text and collapses every run of white space (new lines included) into one space.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A time as `hh:mm:ss.mmm`, the way caption files write it, for warnings.
pub(crate) fn caption_clock(time: Ms) -> String {
    let ms = time.0;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// Labels that are written like a speaker prefix (`Note: …`) but are not people, compared in
/// lower case against the whole prefix. Sound descriptions (`[Laughter]`) are here too.
const NOT_SPEAKERS: &[&str] = &[
    "a",
    "action item",
    "action items",
    "agenda",
    "answer",
    "applause",
    "attendees",
    "background",
    "background noise",
    "beep",
    "blocker",
    "blockers",
    "bonus",
    "bottom line",
    "budget",
    "caution",
    "chapter",
    "cheering",
    "conclusion",
    "cons",
    "context",
    "cost",
    "cross talk",
    "crosstalk",
    "date",
    "deadline",
    "decision",
    "decisions",
    "disclaimer",
    "e.g.",
    "edit",
    "example",
    "feedback",
    "follow-up",
    "fyi",
    "goal",
    "goals",
    "hint",
    "i.e.",
    "important",
    "inaudible",
    "indistinct",
    "issue",
    "issues",
    "key takeaway",
    "key takeaways",
    "laughing",
    "laughs",
    "laughter",
    "link",
    "location",
    "meeting",
    "music",
    "n.b.",
    "nb",
    "next step",
    "next steps",
    "no audio",
    "noise",
    "note",
    "notes",
    "objective",
    "objectives",
    "option",
    "options",
    "outcome",
    "outcomes",
    "overlapping",
    "p.s.",
    "participants",
    "pause",
    "price",
    "pricing",
    "problem",
    "pros",
    "ps",
    "q",
    "question",
    "questions",
    "re",
    "recap",
    "recording",
    "reminder",
    "result",
    "results",
    "risk",
    "risks",
    "section",
    "sighs",
    "silence",
    "solution",
    "source",
    "static",
    "status",
    "step",
    "subject",
    "summary",
    "takeaway",
    "takeaways",
    "tbd",
    "time",
    "timeline",
    "tip",
    "title",
    "todo",
    "topic",
    "transcript",
    "translation",
    "unintelligible",
    "update",
    "url",
    "warning",
];

/// Words that may be followed by a number to make a name ("Speaker 2", "Guest 1"), compared in
/// lower case; a number after any other word ("Step 1", "At 10") is not a name.
const NUMBERED_SPEAKERS: &[&str] = &[
    "agent",
    "attendee",
    "caller",
    "customer",
    "guest",
    "host",
    "interviewee",
    "interviewer",
    "moderator",
    "panelist",
    "participant",
    "person",
    "rep",
    "speaker",
    "unknown",
    "user",
    "voice",
];

/// Lower-case words allowed inside a name ("Ana de la Cruz", "Ludwig van Beethoven").
const NAME_PARTICLES: &[&str] = &[
    "al", "bin", "da", "das", "de", "del", "della", "den", "der", "di", "do", "dos", "du", "el",
    "la", "le", "ter", "van", "von", "y",
];

const MAX_NAME_CHARS: usize = 40;
const MAX_NAME_WORDS: usize = 4;

/// Returns the speaker's name and the rest of the line when `line` begins with a speaker
/// prefix: `Name:` followed by white space or the end of the line, or, when `brackets` is set,
/// `[Name]` or `[Name]:`.
///
/// The rule for a name, chosen so that ordinary sentences and labels are left alone:
/// - 1 to 4 words and at most 40 characters;
/// - the first and last words start with an upper-case letter and hold only letters and
///   `' ’ - . _`, with digits only after an `_` (`SPEAKER_01`), so times (`10:30`), quarters
///   (`Q3`) and URLs never qualify;
/// - middle words may also be lower-case particles (`de`, `van`, `bin`, …);
/// - a two-word prefix may be a generic speaker word and a number of up to three digits
///   (`Speaker 2`, `Guest 1`), but not any other word and a number (`Step 1`, `At 10`);
/// - the whole prefix is not one of a list of labels (`Note`, `Agenda`, `Next steps`,
///   `Action items`, `Pricing`, …) or sound descriptions (`Laughter`, `Music`, …).
pub fn speaker_prefix(line: &str, brackets: bool) -> Option<(String, &str)> {
    let line = line.trim_start();
    if brackets {
        let bracketed = line.strip_prefix('[').and_then(|inner| {
            let (candidate, after) = inner.split_once(']')?;
            let after = after.strip_prefix(':').unwrap_or(after);
            let ends_prefix = after.is_empty() || after.starts_with(char::is_whitespace);
            ends_prefix
                .then(|| as_name(candidate))
                .flatten()
                .map(|name| (name, after.trim_start()))
        });
        if bracketed.is_some() {
            return bracketed;
        }
    }
    let colon = line.find(':')?;
    let after = &line[colon + 1..];
    if !(after.is_empty() || after.starts_with(char::is_whitespace)) {
        return None;
    }
    let name = as_name(&line[..colon])?;
    Some((name, after.trim_start()))
}

/// The candidate with its spacing normalised, if it passes [`speaker_prefix`]'s name rule.
fn as_name(candidate: &str) -> Option<String> {
    let candidate = candidate.trim();
    if candidate.chars().count() > MAX_NAME_CHARS {
        return None;
    }
    let words: Vec<&str> = candidate.split_whitespace().collect();
    let (&first, rest) = words.split_first()?;
    if words.len() > MAX_NAME_WORDS || !is_name_word(first) {
        return None;
    }
    let numbered = words.len() == 2
        && words[1].len() <= 3
        && words[1].bytes().all(|b| b.is_ascii_digit())
        && NUMBERED_SPEAKERS.contains(&first.to_lowercase().as_str());
    let last_index = rest.len().saturating_sub(1);
    let rest_ok = numbered
        || rest.iter().enumerate().all(|(i, word)| {
            is_name_word(word) || (i < last_index && NAME_PARTICLES.contains(word))
        });
    let name = words.join(" ");
    if !rest_ok || NOT_SPEAKERS.contains(&name.to_lowercase().as_str()) {
        return None;
    }
    Some(name)
}

fn is_name_word(word: &str) -> bool {
    let mut chars = word.chars();
    if !chars.next().is_some_and(char::is_uppercase) {
        return false;
    }
    let mut after_underscore = false;
    chars.all(|c| {
        after_underscore |= c == '_';
        c.is_alphabetic()
            || matches!(c, '\'' | '’' | '-' | '.' | '_')
            || (after_underscore && c.is_ascii_digit())
    })
}

/// A piece of one cue's text and who says it, if the cue says; `None` means the previous
/// speaker's.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Span {
    pub speaker: Option<String>,
    pub text: String,
}

/// Splits caption text into spans at each line that begins with a speaker prefix; other lines
/// continue the span before them. Span text keeps its line breaks until the turn is made.
pub(crate) fn spans_by_prefix(text: &str, brackets: bool) -> Vec<Span> {
    let mut spans: Vec<Span> = Vec::new();
    for line in text.split('\n') {
        match (speaker_prefix(line, brackets), spans.last_mut()) {
            (Some((speaker, rest)), _) => spans.push(Span {
                speaker: Some(speaker),
                text: rest.to_string(),
            }),
            (None, Some(span)) => {
                span.text.push('\n');
                span.text.push_str(line);
            }
            (None, None) => spans.push(Span {
                speaker: None,
                text: line.to_string(),
            }),
        }
    }
    spans
}

/// The name given to text that has no speaker and no earlier speaker to inherit.
pub const UNKNOWN_SPEAKER: &str = "Unknown speaker";

/// Builds turns from timed caption cues in file order: one turn per span with text, unnamed
/// spans going to the previous speaker. Warnings are kept with their line so they can be
/// reported in file order.
#[derive(Debug, Default)]
pub(crate) struct CueTurns {
    turns: Vec<Turn>,
    warnings: Vec<(usize, String)>,
    last_speaker: Option<String>,
    warned_unknown: bool,
}

impl CueTurns {
    pub(crate) fn warn(&mut self, line: usize, message: impl fmt::Display) {
        self.warnings
            .push((line, format!("line {line}: {message}")));
    }

    /// Adds the turns of one cue whose timing line is `line`, or a warning when it has none.
    pub(crate) fn push_cue(&mut self, line: usize, start: Ms, end: Ms, spans: Vec<Span>) {
        if end < start {
            self.warn(
                line,
                format_args!(
                    "skipped cue: end time {} is before start {}",
                    caption_clock(end),
                    caption_clock(start)
                ),
            );
            return;
        }
        let before = self.turns.len();
        for span in spans {
            let text = collapse_whitespace(&span.text);
            if let Some(speaker) = span.speaker {
                self.last_speaker = Some(speaker);
            }
            if text.is_empty() {
                continue;
            }
            let speaker = match &self.last_speaker {
                Some(speaker) => speaker.clone(),
                None => {
                    if !self.warned_unknown {
                        self.warned_unknown = true;
                        self.warn(
                            line,
                            format_args!(
                                "cue has no speaker name and none came before; \
                                 its text is given to \"{UNKNOWN_SPEAKER}\""
                            ),
                        );
                    }
                    UNKNOWN_SPEAKER.to_string()
                }
            };
            self.turns.push(Turn {
                index: self.turns.len(),
                speaker,
                start,
                end,
                text,
                doubt: None,
            });
        }
        if self.turns.len() == before {
            self.warn(line, "skipped cue: it has no text");
        }
    }

    /// Whether any cue gave a turn.
    pub(crate) fn is_empty(&self) -> bool {
        self.turns.is_empty()
    }

    /// The transcript of the cues, with recorded timing and participants in order of first
    /// speaking.
    pub(crate) fn into_transcript(mut self) -> Transcript {
        self.warnings.sort_by_key(|(line, _)| *line);
        Transcript {
            participants: participants_from_turns(&self.turns),
            turns: self.turns,
            timing: Timing::Recorded,
            warnings: self.warnings.into_iter().map(|(_, text)| text).collect(),
            ..Transcript::default()
        }
    }
}

/// Every speaker of `turns`, in order of first turn, with no declared role.
pub(crate) fn participants_from_turns(turns: &[Turn]) -> Vec<DeclaredParticipant> {
    let mut participants: Vec<DeclaredParticipant> = Vec::new();
    for turn in turns {
        if !participants.iter().any(|p| p.name == turn.speaker) {
            participants.push(DeclaredParticipant {
                name: turn.speaker.clone(),
                role: None,
                title: None,
                identified: None,
            });
        }
    }
    participants
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_of(line: &str) -> Option<String> {
        speaker_prefix(line, true).map(|(name, _)| name)
    }

    #[test]
    fn formats_parse_and_display() {
        assert_eq!("json".parse(), Ok(Format::Json));
        assert_eq!("VTT".parse(), Ok(Format::Vtt));
        assert_eq!("srt".parse(), Ok(Format::Srt));
        assert_eq!("txt".parse(), Ok(Format::Text));
        assert_eq!("text".parse(), Ok(Format::Text));
        assert_eq!(Format::Text.to_string(), "txt");
        assert_eq!(
            "docx".parse::<Format>().unwrap_err().to_string(),
            "unknown transcript format `docx`: use json, vtt, srt or txt"
        );
    }

    #[test]
    fn format_detection_prefers_the_extension() {
        let vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhi";
        assert_eq!(detect_format(Path::new("a.TXT"), vtt), Format::Text);
        assert_eq!(detect_format(Path::new("a.srt"), "{"), Format::Srt);
        assert_eq!(detect_format(Path::new("a.json"), "x"), Format::Json);
    }

    #[test]
    fn format_detection_sniffs_content_without_a_known_extension() {
        let none = Path::new("call");
        assert_eq!(detect_format(none, "  {\"turns\": []}"), Format::Json);
        assert_eq!(detect_format(none, "WEBVTT\n"), Format::Vtt);
        assert_eq!(
            detect_format(none, "1\n00:00:01,000 --> 00:00:02,500\nhi\n"),
            Format::Srt
        );
        assert_eq!(
            detect_format(Path::new("call.log"), "Dana: hi\nSam: hello"),
            Format::Text
        );
    }

    #[test]
    fn speaker_prefixes_accept_names() {
        assert_eq!(name_of("Dana Ruiz: Good morning"), Some("Dana Ruiz".into()));
        assert_eq!(name_of("Dana:"), Some("Dana".into()));
        assert_eq!(
            name_of("  Ana de la Cruz: hola"),
            Some("Ana de la Cruz".into())
        );
        assert_eq!(
            name_of("Mary-Jane O'Neil: ok"),
            Some("Mary-Jane O'Neil".into())
        );
        assert_eq!(name_of("J. R. Smith: ok"), Some("J. R. Smith".into()));
        assert_eq!(name_of("Speaker 2: ok"), Some("Speaker 2".into()));
        assert_eq!(name_of("SPEAKER_01: ok"), Some("SPEAKER_01".into()));
        assert_eq!(name_of("Zoë Åberg: ok"), Some("Zoë Åberg".into()));
        assert_eq!(name_of("[Marisol Vega] So"), Some("Marisol Vega".into()));
        assert_eq!(name_of("[Ben]: yes"), Some("Ben".into()));
    }

    #[test]
    fn speaker_prefixes_reject_labels_times_and_sentences() {
        for line in [
            "Note: this is recorded",
            "NOTE: this is recorded",
            "Q3: revenue was up",
            "Next steps: send the SOW",
            "Action Items: none",
            "Pricing: we will come back to it",
            "10:30 works for me",
            "At 10: we start",
            "https://example.com is the link",
            "The main issue: latency",
            "So what I mean is this: we need SSO",
            "Bottom line: it works",
            "This Is A Very Long Title: no",
            "Ludwig van: no",
            "Speaker 1234: no",
            "Step 1: log in",
            "FY24: budget",
            "Dana:text without a space",
            "[Laughter] ha",
            "[music]",
            "[Dana]text",
        ] {
            assert_eq!(name_of(line), None, "{line}");
        }
        assert_eq!(speaker_prefix("[Ben] yes", false), None);
    }

    #[test]
    fn spans_split_at_prefixed_lines_only() {
        let spans = spans_by_prefix("so that's the plan\nSam Patel: Sounds good\nsee you", true);
        assert_eq!(
            spans,
            vec![
                Span {
                    speaker: None,
                    text: "so that's the plan".into()
                },
                Span {
                    speaker: Some("Sam Patel".into()),
                    text: "Sounds good\nsee you".into()
                },
            ]
        );
    }

    #[test]
    fn cue_turns_inherit_speakers_and_warn_once_about_unknown_ones() {
        let mut cues = CueTurns::default();
        let plain = |text: &str| Span {
            speaker: None,
            text: text.into(),
        };
        cues.push_cue(3, Ms(0), Ms(1000), vec![plain("hello")]);
        cues.push_cue(6, Ms(1000), Ms(2000), vec![plain("again")]);
        cues.push_cue(
            9,
            Ms(2000),
            Ms(3000),
            vec![Span {
                speaker: Some("Dana".into()),
                text: " hi\n there ".into(),
            }],
        );
        cues.push_cue(12, Ms(3000), Ms(4000), vec![plain("more")]);
        cues.push_cue(15, Ms(5000), Ms(4000), vec![plain("backwards")]);
        cues.push_cue(18, Ms(5000), Ms(6000), vec![plain("  ")]);
        let transcript = cues.into_transcript();
        let speakers: Vec<_> = transcript
            .turns
            .iter()
            .map(|t| t.speaker.as_str())
            .collect();
        assert_eq!(speakers, [UNKNOWN_SPEAKER, UNKNOWN_SPEAKER, "Dana", "Dana"]);
        assert_eq!(transcript.turns[2].text, "hi there");
        assert_eq!(
            transcript.warnings,
            [
                "line 3: cue has no speaker name and none came before; its text is given to \"Unknown speaker\"",
                "line 15: skipped cue: end time 00:00:04.000 is before start 00:00:05.000",
                "line 18: skipped cue: it has no text",
            ]
        );
        assert_eq!(transcript.participants.len(), 2);
    }

    #[test]
    fn errors_are_one_line_and_name_file_and_line() {
        let err = TranscriptError::invalid("call.vtt", Some(14), "bad thing", "fix it");
        assert_eq!(err.to_string(), "call.vtt: line 14: bad thing; fix it");
        let err = TranscriptError::invalid("call.json", None, "turn 3: bad", "fix it");
        assert_eq!(err.to_string(), "call.json: turn 3: bad; fix it");
    }

    #[test]
    fn parse_rejects_empty_and_undecodable_input() {
        let err = parse(b"", None, "empty.vtt").unwrap_err();
        assert_eq!(
            err.to_string(),
            "empty.vtt: no turns found; is this a transcript?"
        );
        let err = parse(b" \n\r\n", Some(Format::Srt), "blank.srt").unwrap_err();
        assert!(matches!(err, TranscriptError::NoTurns { .. }));
        let mut bytes = b"Dana: hi ".to_vec();
        bytes.push(0xFE);
        let err = parse(&bytes, None, "call.txt").unwrap_err();
        assert_eq!(
            err.to_string(),
            "call.txt: not UTF-8 or UTF-16 text (invalid byte at offset 9); re-save the file as UTF-8"
        );
    }

    #[test]
    fn read_names_a_missing_file() {
        let err = read(Path::new("/nonexistent/call.vtt")).unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with("/nonexistent/call.vtt: cannot read the file ("),
            "{message}"
        );
        assert!(!message.contains('\n'));
    }

    #[test]
    fn parse_dispatches_on_the_detected_format() {
        let vtt = parse(b"WEBVTT\n\n00:01.000 --> 00:02.000\nDana: hi\n", None, "x").unwrap();
        assert_eq!(vtt.turns[0].speaker, "Dana");
        let text = parse(b"Dana: hi\nSam: hello\n", None, "notes.md").unwrap();
        assert_eq!(text.timing, Timing::Estimated);
        let forced = parse(b"Dana: hi\n", Some(Format::Text), "call.vtt").unwrap();
        assert_eq!(forced.turns.len(), 1);
    }

    #[test]
    fn caption_clock_pads_every_field() {
        assert_eq!(caption_clock(Ms(3_723_004)), "01:02:03.004");
    }
}
