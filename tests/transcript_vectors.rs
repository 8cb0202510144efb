//! Checks the transcript readers end to end: always against the project's own fixtures, and,
//! when the shared `realdata` folder is present, against the W3C WebVTT file-parsing vectors and
//! third-party caption files (used in place, never copied; see realdata/MANIFEST.md).
//!
//! The realdata folder is `$SWIMLANE_REALDATA`, or else `../shared/realdata` beside the crate;
//! without it those tests pass after a note on stderr.

use regex::Regex;
use std::fs;
use std::path::{Path, PathBuf};
use swimlane::model::{Role, Timing, Transcript};
use swimlane::time::Ms;
use swimlane::transcript::vtt::{self, Cue, Dialect};
use swimlane::transcript::{self, Format, TranscriptError, decode};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/transcripts")
        .join(name)
}

/// Speaker, start ms, end ms and text of each turn, checking that indexes count up from 0.
fn turns(transcript: &Transcript) -> Vec<(&str, u64, u64, &str)> {
    for (position, turn) in transcript.turns.iter().enumerate() {
        assert_eq!(turn.index, position);
    }
    transcript
        .turns
        .iter()
        .map(|t| (t.speaker.as_str(), t.start.0, t.end.0, t.text.as_str()))
        .collect()
}

fn read_fixture(name: &str) -> Transcript {
    transcript::read(&fixture(name)).unwrap_or_else(|err| panic!("{err}"))
}

#[test]
fn zoom_vtt_fixture() {
    let call = read_fixture("zoom.vtt");
    assert_eq!(
        turns(&call),
        [
            (
                "Priya Shah",
                1240,
                5880,
                "Morning, Tom. Thanks for carving out the half hour."
            ),
            (
                "Tom Becker",
                6100,
                11420,
                "Sure. I should say up front, procurement wants a number before the end of the quarter."
            ),
            (
                "Tom Becker",
                11420,
                14010,
                "That's really the driver on our side."
            ),
            (
                "Priya Shah",
                14500,
                19730,
                "Understood. Note: we can talk pricing once Lee has walked through the rollout."
            ),
            (
                "Lee Okafor",
                20050,
                26300,
                "Happy to. Q3 is realistic if your SSO team can give us two days in July."
            ),
        ]
    );
    assert!(call.warnings.is_empty(), "{:?}", call.warnings);
    assert_eq!(call.timing, Timing::Recorded);
    let names: Vec<_> = call.participants.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Priya Shah", "Tom Becker", "Lee Okafor"]);
}

#[test]
fn teams_vtt_fixture() {
    let call = read_fixture("teams.vtt");
    assert_eq!(
        turns(&call),
        [
            (
                "Priya Shah",
                2500,
                7120,
                "Can everyone see the dashboard? The amber tile is the login service."
            ),
            ("Tom Becker", 7400, 9000, "Yes."),
            (
                "Lee Okafor",
                7400,
                9000,
                "And that's where the <30s> alert fires."
            ),
            (
                "Priya Shah",
                9300,
                15750,
                "So the question for you, Tom: who gets paged today when that goes red?"
            ),
        ]
    );
    assert!(call.warnings.is_empty(), "{:?}", call.warnings);
}

#[test]
fn crlf_srt_fixture() {
    let call = read_fixture("crlf.srt");
    assert_eq!(
        turns(&call),
        [
            (
                "Lee Okafor",
                3000,
                6500,
                "The agent is read-only, so it never writes to the EHR."
            ),
            (
                "Tom Becker",
                6800,
                9100,
                "Good, security will ask that first."
            ),
            ("Tom Becker", 9100, 12000, "And whether it phones home."),
            (
                "Lee Okafor",
                12400,
                15900,
                "It does not; everything stays in your VPC."
            ),
        ]
    );
    assert!(call.warnings.is_empty(), "{:?}", call.warnings);
}

#[test]
fn bracketed_names_srt_fixture() {
    let call = read_fixture("names.srt");
    assert_eq!(
        turns(&call),
        [
            (
                "Priya Shah",
                500,
                4000,
                "Before we dive in, who else should be on the next call?"
            ),
            (
                "Tom Becker",
                4200,
                8750,
                "Probably Dana from security, and our CFO if we're talking a multi-year deal."
            ),
            ("Tom Becker", 9000, 10400, "[Laughter]"),
            (
                "Priya Shah",
                10600,
                13000,
                "Great, I'll send a draft agenda tonight."
            ),
        ]
    );
}

#[test]
fn utf16le_stamped_text_fixture() {
    let call = read_fixture("stamped-utf16le.txt");
    assert_eq!(call.timing, Timing::Recorded);
    assert_eq!(
        turns(&call),
        [
            ("Priya Shah", 4000, 9000, "Thanks for joining, everyone."),
            (
                "Tom Becker",
                9000,
                15000,
                "Glad to. Grüße from the Berlin office."
            ),
            (
                "Lee Okafor",
                15000,
                41000,
                "I'll keep the demo to twenty minutes so we have time for questions."
            ),
            ("Tom Becker", 41000, 41400, "Perfect."),
        ]
    );
}

#[test]
fn call_json_fixture() {
    let call = read_fixture("call.json");
    assert_eq!(call.id.as_deref(), Some("northwind-discovery"));
    assert_eq!(
        call.rescue_phrase.as_deref(),
        Some("Let me take a step back")
    );
    let roles: Vec<_> = call
        .participants
        .iter()
        .map(|p| (p.name.as_str(), p.role))
        .collect();
    assert_eq!(
        roles,
        [
            ("Priya Shah", Some(Role::Ae)),
            ("Lee Okafor", Some(Role::Se)),
            ("Tom Becker", Some(Role::Prospect)),
            ("Rosa Diaz", None),
        ]
    );
    assert_eq!(call.turns.len(), 4);
    assert_eq!(call.turns[2].end, Ms(21031));
    assert_eq!(
        call.warnings,
        ["turn 3: speaker \"Rosa Diaz\" is not in participants; added with no role"]
    );
}

#[test]
fn format_can_be_forced_and_sniffed() {
    let bytes = fs::read(fixture("zoom.vtt")).expect("fixture");
    let sniffed = transcript::parse(&bytes, None, "upload").expect("sniffed as vtt");
    assert_eq!(sniffed.turns.len(), 5);
    let forced = transcript::parse(&bytes, Some(Format::Srt), "upload").expect("read as srt");
    assert_eq!(forced.turns.len(), 5);
}

/// The shared third-party data, when it is present.
fn realdata() -> Option<PathBuf> {
    let dir = std::env::var_os("SWIMLANE_REALDATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realdata"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "note: {} not found; set SWIMLANE_REALDATA to run the realdata checks",
            dir.display()
        );
        None
    }
}

fn files_with_extension(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| extensions.contains(&e))
        })
        .collect();
    files.sort();
    files
}

/// One check from a WPT `*.assertions.txt` file that needs no JavaScript to evaluate.
#[derive(Debug)]
enum Assertion {
    Length(usize),
    Text(usize, String),
    Id(usize, String),
    StartTime(usize, f64),
    EndTime(usize, f64),
}

impl Assertion {
    fn check(&self, cues: &[Cue]) -> Result<(), String> {
        let cue = |index: usize| {
            cues.get(index)
                .ok_or_else(|| format!("no cue {index} (have {})", cues.len()))
        };
        let same_time = |time: Ms, secs: f64| time.0 == (secs * 1000.0).round() as u64;
        let ok = match self {
            Assertion::Length(expected) => cues.len() == *expected,
            Assertion::Text(index, expected) => cue(*index)?.text == *expected,
            Assertion::Id(index, expected) => cue(*index)?.id == *expected,
            Assertion::StartTime(index, secs) => same_time(cue(*index)?.start, *secs),
            Assertion::EndTime(index, secs) => same_time(cue(*index)?.end, *secs),
        };
        if ok {
            Ok(())
        } else {
            Err(format!("{self:?} failed; cues: {cues:?}"))
        }
    }
}

/// A JavaScript string or number literal at the start of `source`, and what follows it.
fn js_literal(source: &str) -> Option<(Literal, &str)> {
    let mut chars = source.char_indices();
    let (_, quote) = chars.next()?;
    if quote != '\'' && quote != '"' {
        let len = source
            .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E')))
            .unwrap_or(source.len());
        let number = source[..len].parse().ok()?;
        return Some((Literal::Number(number), &source[len..]));
    }
    let mut value = String::new();
    while let Some((at, c)) = chars.next() {
        match c {
            c if c == quote => return Some((Literal::Str(value), &source[at + 1..])),
            '\\' => {
                let (_, escaped) = chars.next()?;
                match escaped {
                    'n' => value.push('\n'),
                    't' => value.push('\t'),
                    'u' => {
                        let hex: String = (0..4)
                            .filter_map(|_| chars.next().map(|(_, c)| c))
                            .collect();
                        value.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                    }
                    other => value.push(other),
                }
            }
            c => value.push(c),
        }
    }
    None
}

enum Literal {
    Str(String),
    Number(f64),
}

/// The simple assertions of a WPT assertions file: `cues.length`, and literal `text`, `id`,
/// `startTime` and `endTime` of `cues[N]` or of a `var cue = cues[N];`. Lines that compute their
/// expectation (loops, concatenation) are left out.
fn parse_assertions(source: &str) -> Vec<Assertion> {
    let length = Regex::new(r"^\s*assert_equals\(cues\.length,\s*(\d+)\s*[,)]").expect("regex");
    let alias = Regex::new(r"^\s*var cue = cues\[(\d+)\];").expect("regex");
    let field = Regex::new(
        r"^\s*assert_equals\((?:cues\[(\d+)\]|(cue))\.(text|id|startTime|endTime),\s*(.*)$",
    )
    .expect("regex");
    let mut alias_index = None;
    let mut assertions = Vec::new();
    for line in source.lines() {
        if let Some(caps) = length.captures(line) {
            assertions.push(Assertion::Length(caps[1].parse().expect("digits")));
        } else if let Some(caps) = alias.captures(line) {
            alias_index = caps[1].parse().ok();
        } else if let Some(caps) = field.captures(line) {
            let index = match caps.get(1) {
                Some(index) => index.as_str().parse().ok(),
                None => alias_index,
            };
            let Some(index) = index else { continue };
            let Some((literal, rest)) = js_literal(&caps[4]) else {
                continue;
            };
            let rest = rest.trim_start();
            if !(rest.starts_with(')') || rest.starts_with(',')) {
                continue;
            }
            assertions.push(match (&caps[3], literal) {
                ("text", Literal::Str(text)) => Assertion::Text(index, text),
                ("id", Literal::Str(id)) => Assertion::Id(index, id),
                ("startTime", Literal::Number(secs)) => Assertion::StartTime(index, secs),
                ("endTime", Literal::Number(secs)) => Assertion::EndTime(index, secs),
                _ => continue,
            });
        }
    }
    assertions
}

#[test]
fn wpt_file_parsing_vectors_pass_in_strict_mode() {
    let Some(root) = realdata() else { return };
    let dir = root.join("w3c-webvtt.js-wpt-vectors/test/wpt-file-parsing");
    let mut vectors = 0;
    let mut checked = 0;
    let mut failures = Vec::new();
    for path in files_with_extension(&dir, &["vtt"]) {
        let bytes = fs::read(&path).expect("vector");
        let text = decode::decode(&bytes).expect("vectors are UTF-8");
        let (cues, _) = vtt::parse_cues(&text, Dialect::Strict);
        let assertions_path = path.with_extension("assertions.txt");
        let source = fs::read_to_string(&assertions_path)
            .unwrap_or_else(|err| panic!("{}: {err}", assertions_path.display()));
        vectors += 1;
        for assertion in parse_assertions(&source) {
            checked += 1;
            if let Err(message) = assertion.check(&cues) {
                failures.push(format!("{}: {message}", path.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(vectors, 37, "vector count");
    assert_eq!(checked, 99, "simple assertions found");
}

/// Which realdata caption files should give turns, with how many skip warnings, and which should
/// be refused; found by reading each file.
enum Expect {
    Turns { count: usize, skipped: usize },
    Refused,
}

fn skipped_warnings(transcript: &Transcript) -> usize {
    transcript
        .warnings
        .iter()
        .filter(|w| w.contains("skipped"))
        .count()
}

fn check_expectations(dir: &Path, expectations: &[(&str, Expect)], extensions: &[&str]) {
    let mut seen = 0;
    for path in files_with_extension(dir, extensions) {
        let file = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let result = transcript::read(&path);
        if let Err(err) = &result {
            let message = err.to_string();
            assert!(!message.contains('\n'), "{message}");
            assert!(
                message.starts_with(&path.display().to_string()),
                "{message}"
            );
        }
        let Some((_, expect)) = expectations.iter().find(|(name, _)| *name == file) else {
            continue;
        };
        seen += 1;
        match (expect, &result) {
            (Expect::Turns { count, skipped }, Ok(transcript)) => {
                assert_eq!(transcript.turns.len(), *count, "{file}: turns");
                assert_eq!(
                    skipped_warnings(transcript),
                    *skipped,
                    "{file}: {:?}",
                    transcript.warnings
                );
            }
            (Expect::Refused, Err(_)) => {}
            (Expect::Turns { .. }, Err(err)) => panic!("{file}: {err}"),
            (Expect::Refused, Ok(transcript)) => panic!("{file}: read {:?}", transcript.turns),
        }
    }
    assert_eq!(seen, expectations.len(), "every listed file exists");
}

#[test]
fn webvtt_py_fixtures_read_or_fail_cleanly() {
    let Some(root) = realdata() else { return };
    let dir = root.join("webvtt-py-fixtures/tests/subtitles");
    use Expect::{Refused, Turns};
    let expectations = [
        (
            "captions_with_bom.vtt",
            Turns {
                count: 4,
                skipped: 0,
            },
        ),
        (
            "comments.vtt",
            Turns {
                count: 3,
                skipped: 0,
            },
        ),
        (
            "cue_tags.vtt",
            Turns {
                count: 3,
                skipped: 0,
            },
        ),
        ("empty.vtt", Refused),
        ("invalid.vtt", Refused),
        // Cue 2's end time `00:00:1d.890` is malformed.
        (
            "invalid_timeframe.vtt",
            Turns {
                count: 6,
                skipped: 1,
            },
        ),
        // A second timing line ends cue 2 with no text; the spec starts a new cue there.
        (
            "invalid_timeframe_in_cue_text.vtt",
            Turns {
                count: 3,
                skipped: 1,
            },
        ),
        (
            "metadata_headers.vtt",
            Turns {
                count: 2,
                skipped: 0,
            },
        ),
        (
            "metadata_headers_multiline.vtt",
            Turns {
                count: 2,
                skipped: 0,
            },
        ),
        (
            "missing_caption_text.vtt",
            Turns {
                count: 4,
                skipped: 1,
            },
        ),
        (
            "missing_timeframe.vtt",
            Turns {
                count: 6,
                skipped: 1,
            },
        ),
        ("no_captions.vtt", Refused),
        (
            "one_caption.vtt",
            Turns {
                count: 1,
                skipped: 0,
            },
        ),
        (
            "sample.vtt",
            Turns {
                count: 16,
                skipped: 0,
            },
        ),
        (
            "styles.vtt",
            Turns {
                count: 1,
                skipped: 0,
            },
        ),
        (
            "teams_timeframe.vtt",
            Turns {
                count: 2,
                skipped: 0,
            },
        ),
        (
            "using_identifiers.vtt",
            Turns {
                count: 6,
                skipped: 0,
            },
        ),
        (
            "youtube_dl.vtt",
            Turns {
                count: 4,
                skipped: 0,
            },
        ),
        ("invalid_format1.srt", Refused),
        ("invalid_format2.srt", Refused),
        ("invalid_format3.srt", Refused),
        ("invalid_format4.srt", Refused),
        // Only a `.` for `,` in one time, which this reader accepts on purpose.
        (
            "invalid_timeframe.srt",
            Turns {
                count: 5,
                skipped: 0,
            },
        ),
        (
            "missing_caption_text.srt",
            Turns {
                count: 4,
                skipped: 1,
            },
        ),
        (
            "missing_timeframe.srt",
            Turns {
                count: 4,
                skipped: 1,
            },
        ),
        (
            "one_caption.srt",
            Turns {
                count: 1,
                skipped: 0,
            },
        ),
        (
            "sample.srt",
            Turns {
                count: 5,
                skipped: 0,
            },
        ),
    ];
    check_expectations(&dir, &expectations, &["vtt", "srt", "sbv"]);

    let tags = transcript::read(&dir.join("cue_tags.vtt")).expect("cue_tags.vtt");
    let texts: Vec<_> = tags.turns.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "When the moon hits your eye",
            "Like a big-a pizza pie",
            "That's amore"
        ]
    );
    let netflix = transcript::read(&dir.join("netflix_chicas_del_cable.vtt")).expect("netflix");
    assert_eq!(
        (
            netflix.turns[0].speaker.as_str(),
            netflix.turns[0].text.as_str()
        ),
        ("Alba", "En 1928,")
    );
}

#[test]
fn teams_timeframe_speakers_and_times() {
    let Some(root) = realdata() else { return };
    let path = root.join("webvtt-py-fixtures/tests/subtitles/teams_timeframe.vtt");
    let call = transcript::read(&path).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(
        turns(&call),
        [
            ("Yuri Bakulin", 0, 570, "There you go."),
            ("Adrian Petrescu", 210, 1130, "Why hello there, Yuri."),
        ]
    );
    assert!(call.warnings.is_empty(), "{:?}", call.warnings);
    let (strict, skipped) = vtt::parse_cues(
        &fs::read_to_string(&path).expect("teams_timeframe.vtt"),
        Dialect::Strict,
    );
    assert!(
        strict.is_empty(),
        "Teams' short times are not spec timestamps"
    );
    assert_eq!(skipped.len(), 2);
}

#[test]
fn pysrt_fixtures_read_or_fail_cleanly() {
    let Some(root) = realdata() else { return };
    let dir = root.join("pysrt-fixtures");
    use Expect::{Refused, Turns};
    let expectations = [
        (
            "bom-utf-8.srt",
            Turns {
                count: 7,
                skipped: 0,
            },
        ),
        (
            "bom-utf-16-le.srt",
            Turns {
                count: 7,
                skipped: 0,
            },
        ),
        (
            "bom-utf-16-be.srt",
            Turns {
                count: 7,
                skipped: 0,
            },
        ),
        (
            "bom-utf-32-le.srt",
            Turns {
                count: 7,
                skipped: 0,
            },
        ),
        (
            "bom-utf-32-be.srt",
            Turns {
                count: 7,
                skipped: 0,
            },
        ),
        (
            "no-indexes.srt",
            Turns {
                count: 7,
                skipped: 0,
            },
        ),
        // Blocks 3 and 4 have a timing but no text.
        (
            "empty.srt",
            Turns {
                count: 5,
                skipped: 2,
            },
        ),
        // `00:00:01 --> 00:00:10` has no milliseconds.
        ("invalid.srt", Refused),
        (
            "overlapping-dialogues.srt",
            Turns {
                count: 4,
                skipped: 0,
            },
        ),
        (
            "capability_tester.srt",
            Turns {
                count: 37,
                skipped: 0,
            },
        ),
    ];
    check_expectations(&dir, &expectations, &["srt"]);

    let reference = transcript::read(&dir.join("bom-utf-8.srt")).expect("bom-utf-8.srt");
    for other in [
        "bom-utf-16-le.srt",
        "bom-utf-16-be.srt",
        "bom-utf-32-le.srt",
        "bom-utf-32-be.srt",
        "no-indexes.srt",
    ] {
        let transcript = transcript::read(&dir.join(other)).expect(other);
        assert_eq!(transcript.turns, reference.turns, "{other}");
    }

    let tester = transcript::read(&dir.join("capability_tester.srt")).expect("capability tester");
    for turn in &tester.turns {
        for tag in ["<font", "</font>", "<b>", "<i>", "<u>", "{\\an"] {
            assert!(!turn.text.contains(tag), "{tag} left in {:?}", turn.text);
        }
    }

    match transcript::read(&dir.join("invalid.srt")) {
        Err(TranscriptError::Invalid { line, .. }) => assert_eq!(line, Some(2)),
        other => panic!("invalid.srt: {other:?}"),
    }
}

/// A small deterministic generator, so the fuzz inputs are the same on every run.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Pieces that exercise the readers' edge cases when strung together at random.
const PIECES: &[&str] = &[
    "WEBVTT",
    "\n",
    "\n\n",
    "\r",
    "\r\n",
    " ",
    "\t",
    "-->",
    " --> ",
    "00:00:01.000",
    "0:0:1.5",
    "00:00:02,500",
    "99:59:59.999",
    "00:",
    ":",
    ".",
    ",",
    "1",
    "42",
    "<v Dana Ruiz>",
    "<v.x>",
    "</v>",
    "<",
    ">",
    "<c.y>",
    "<00:00:01.000>",
    "<rt>",
    "&amp;",
    "&",
    ";",
    "&#x1F600;",
    "[",
    "]",
    "[Sam]",
    "Dana Ruiz: ",
    "Note: ",
    "NOTE",
    "STYLE",
    "REGION",
    "{",
    "}",
    "{\\an8}",
    "<font color=red>",
    "\"",
    "\"turns\"",
    "\"speaker\"",
    "[00:01]",
    "(00:00:02)",
    "é",
    "\0",
    "\u{feff}",
    "text",
];

#[test]
fn fuzzed_input_never_panics_and_errors_stay_on_one_line() {
    let mut random = XorShift(0x5eed_cafe_f00d_d00d);
    let formats = [Format::Json, Format::Vtt, Format::Srt, Format::Text];
    for round in 0..4000 {
        let mut input = String::new();
        for _ in 0..random.below(40) {
            input.push_str(PIECES[random.below(PIECES.len())]);
        }
        let mut bytes = input.into_bytes();
        if round % 10 == 0 && !bytes.is_empty() {
            let at = random.below(bytes.len());
            bytes[at] = random.next() as u8;
        }
        for format in [None, Some(formats[round % formats.len()])] {
            match transcript::parse(&bytes, format, "fuzz") {
                Ok(call) => {
                    assert!(!call.turns.is_empty());
                    for (position, turn) in call.turns.iter().enumerate() {
                        assert_eq!(turn.index, position);
                        assert!(turn.start <= turn.end, "{turn:?}");
                    }
                }
                Err(err) => {
                    let message = err.to_string();
                    assert!(message.starts_with("fuzz: "), "{message}");
                    assert!(!message.contains('\n'), "{message:?}");
                }
            }
        }
    }
}
