//! Reads SubRip (.srt) captions, the lowest common denominator that meeting and caption tools
//! export, tolerating the variations found in the wild: missing index lines, `.` for `,`,
//! short fields, missing blank lines between blocks, and formatting tags.

use super::decode::normalize_newlines;
use super::{CueTurns, TranscriptError, spans_by_prefix};
use crate::model::Transcript;
use crate::time::Ms;
use regex::Regex;
use std::sync::LazyLock;

/// `hh:mm:ss,mmm --> hh:mm:ss,mmm`, with `.` allowed for `,`, one-digit fields and one to three
/// fraction digits; anything after the end time (old position coordinates) is ignored.
static TIMING: LazyLock<Regex> = LazyLock::new(|| {
    let stamp = r"(\d{1,4}):(\d{1,2}):(\d{1,2})[,.](\d{1,3})";
    Regex::new(&format!(r"^\s*{stamp}\s*-->\s*{stamp}(?:\s.*)?$")).expect("valid regex")
});

/// SubRip formatting tags: `<b>`, `<i>`, `<u>`, `<s>`, `<font …>` and their end tags.
static FORMAT_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)</?(?:font|b|i|u|s)\b[^>]*>").expect("valid regex"));

/// Advanced SubStation override tags that SubRip files borrow: `{\an8}`, `{\i1}`.
static OVERRIDE_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{\\[^}]*\}").expect("valid regex"));

const TIMING_SHAPE: &str = "\"hh:mm:ss,mmm --> hh:mm:ss,mmm\"";

/// Whether `line` is a SubRip cue timing line.
pub fn is_timing_line(line: &str) -> bool {
    TIMING.is_match(line)
}

/// The start and end of a timing line, or `None` when it is not one or has a minute or second
/// field above 59.
fn parse_timing(line: &str) -> Option<(Ms, Ms)> {
    let caps = TIMING.captures(line)?;
    let field = |i: usize| {
        caps.get(i)
            .map_or(Some(0), |m| m.as_str().parse::<u64>().ok())
    };
    let stamp = |first: usize| -> Option<Ms> {
        let (hours, minutes, seconds) = (field(first)?, field(first + 1)?, field(first + 2)?);
        let fraction = caps.get(first + 3)?.as_str();
        if minutes > 59 || seconds > 59 {
            return None;
        }
        let millis = field(first + 3)? * 10u64.pow(3 - fraction.len() as u32);
        Some(Ms(hours * 3_600_000
            + minutes * 60_000
            + seconds * 1000
            + millis))
    };
    Some((stamp(1)?, stamp(5)?))
}

/// Reads SubRip captions into a transcript, one turn per block, or per speaker when a block's
/// lines start with different `Name:` or `[Name]` prefixes. A block with a malformed timing is
/// skipped with a warning when other blocks are good, and is an error when none are.
pub fn parse(text: &str, name: &str) -> Result<Transcript, TranscriptError> {
    let text = normalize_newlines(text);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut turns = CueTurns::default();
    let mut first_bad: Option<(usize, String)> = None;
    for block in blocks(text) {
        match read_block(&block) {
            Ok((line, start, end, payload)) => {
                let payload = clean_payload(&payload);
                turns.push_cue(line, start, end, spans_by_prefix(&payload, true));
            }
            Err(BlockProblem::BadTiming { line, problem }) => {
                turns.warn(line, format_args!("skipped block: {problem}"));
                first_bad.get_or_insert((line, problem));
            }
            Err(BlockProblem::NoTiming { line }) => {
                turns.warn(line, "skipped text with no timing line");
            }
        }
    }
    if turns.is_empty() {
        return Err(match first_bad {
            Some((line, problem)) => {
                TranscriptError::invalid(name, Some(line), problem, "fix or delete the block")
            }
            None => TranscriptError::no_turns(name),
        });
    }
    Ok(turns.into_transcript())
}

/// A non-blank line and its 1-based line number.
type NumberedLine<'a> = (usize, &'a str);

/// Splits the file into blocks of non-blank lines. A timing line also starts a new block when the
/// block before it already has a timing or more than an index line, taking a number line just
/// before it along as its index, so that a missing blank line does not merge two cues.
fn blocks(text: &str) -> Vec<Vec<NumberedLine<'_>>> {
    let mut blocks = Vec::new();
    let mut current: Vec<NumberedLine<'_>> = Vec::new();
    let mut current_has_timing = false;
    for (at, line) in text.split('\n').enumerate() {
        let numbered = (at + 1, line);
        if line.trim().is_empty() {
            if !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
            current_has_timing = false;
            continue;
        }
        if is_timing_line(line) {
            if current_has_timing || current.len() >= 2 {
                let index = match current.last() {
                    Some(&(_, last)) if is_index(last) => current.pop(),
                    _ => None,
                };
                if !current.is_empty() {
                    blocks.push(std::mem::take(&mut current));
                }
                current.extend(index);
            }
            current_has_timing = true;
        }
        current.push(numbered);
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    blocks
}

fn is_index(line: &str) -> bool {
    let line = line.trim();
    !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit())
}

/// Why a block gave no cue.
enum BlockProblem {
    /// Where a timing line belongs there is none, or a malformed one.
    BadTiming { line: usize, problem: String },
    /// Text with neither an index nor a timing line.
    NoTiming { line: usize },
}

/// The timing line's number, the times, and the text lines of a block.
fn read_block(block: &[NumberedLine<'_>]) -> Result<(usize, Ms, Ms, String), BlockProblem> {
    let Some(&(first_line, first)) = block.first() else {
        return Err(BlockProblem::NoTiming { line: 0 });
    };
    let timing_at = if first.contains("-->") {
        0
    } else if block.get(1).is_some_and(|(_, line)| line.contains("-->")) {
        1
    } else if is_index(first) {
        let line = block.get(1).map_or(first_line, |(line, _)| *line);
        return Err(BlockProblem::BadTiming {
            line,
            problem: format!(
                "index {} is not followed by a timing line {TIMING_SHAPE}",
                first.trim()
            ),
        });
    } else {
        return Err(BlockProblem::NoTiming { line: first_line });
    };
    let (line, timing) = block[timing_at];
    let (start, end) = parse_timing(timing).ok_or_else(|| BlockProblem::BadTiming {
        line,
        problem: format!("cue timing is not {TIMING_SHAPE}"),
    })?;
    let payload: Vec<&str> = block[timing_at + 1..]
        .iter()
        .map(|(_, text)| *text)
        .collect();
    Ok((line, start, end, payload.join("\n")))
}

/// Removes formatting tags and override blocks, and turns `\N` line breaks and `\h` hard spaces
/// into plain ones.
fn clean_payload(payload: &str) -> String {
    let without_tags = FORMAT_TAG.replace_all(payload, "");
    let without_overrides = OVERRIDE_TAG.replace_all(&without_tags, "");
    without_overrides.replace("\\N", "\n").replace("\\h", " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turns_of(text: &str) -> Vec<(usize, String, u64, u64, String)> {
        super::super::turn_tuples(&parse(text, "call.srt").unwrap())
    }

    use super::super::turn;

    #[test]
    fn reads_indexed_blocks_with_name_prefixes() {
        let text = "1\n00:00:01,000 --> 00:00:04,500\nDana Ruiz: Morning, everyone.\nThanks for the time.\n\n2\n00:00:05,000 --> 00:00:07,250\nMarisol Vega: Happy to.\n";
        assert_eq!(
            turns_of(text),
            [
                turn(
                    0,
                    "Dana Ruiz",
                    1000,
                    4500,
                    "Morning, everyone. Thanks for the time."
                ),
                turn(1, "Marisol Vega", 5000, 7250, "Happy to."),
            ]
        );
    }

    #[test]
    fn bracketed_names_with_or_without_colon() {
        let text = "1\n00:00:01,000 --> 00:00:02,000\n[Sam Patel] Let me share my screen.\n\n2\n00:00:02,000 --> 00:00:03,000\n[Ben Adler]: Looks good.\n\n3\n00:00:03,000 --> 00:00:04,000\n[Laughter]\n";
        assert_eq!(
            turns_of(text),
            [
                turn(0, "Sam Patel", 1000, 2000, "Let me share my screen."),
                turn(1, "Ben Adler", 2000, 3000, "Looks good."),
                turn(2, "Ben Adler", 3000, 4000, "[Laughter]"),
            ]
        );
    }

    #[test]
    fn missing_indexes_and_dots_are_tolerated() {
        let text = "00:00:01.000 --> 00:00:02.000\nDana: one\n\n00:00:0,500 --> 00:00:03,5\ntwo";
        assert_eq!(
            turns_of(text),
            [
                turn(0, "Dana", 1000, 2000, "one"),
                turn(1, "Dana", 500, 3500, "two")
            ]
        );
    }

    #[test]
    fn crlf_and_bom_are_handled() {
        let text = "\u{feff}1\r\n00:00:01,000 --> 00:00:02,000\r\nSam: hi\r\n\r\n2\r\n00:00:02,000 --> 00:00:03,000\r\nthere\r\n";
        assert_eq!(
            turns_of(text),
            [
                turn(0, "Sam", 1000, 2000, "hi"),
                turn(1, "Sam", 2000, 3000, "there")
            ]
        );
    }

    #[test]
    fn formatting_tags_are_stripped() {
        let text = "1\n00:00:01,000 --> 00:00:02,000  X1:000 X2:000 Y1:050 Y2:100\n{\\an8}<font color=\"#00FF00\">Ben:</font> <b><i>SSO</i></b> is\\Na <U>must</U>\\hfor us <br> {normal}";
        assert_eq!(
            turns_of(text),
            [turn(
                0,
                "Ben",
                1000,
                2000,
                "SSO is a must for us <br> {normal}"
            )]
        );
    }

    #[test]
    fn a_missing_blank_line_does_not_merge_cues() {
        let text = "1\n00:00:01,000 --> 00:00:02,000\nDana: one\n2\n00:00:02,000 --> 00:00:03,000\nSam: two\n";
        assert_eq!(
            turns_of(text),
            [
                turn(0, "Dana", 1000, 2000, "one"),
                turn(1, "Sam", 2000, 3000, "two")
            ]
        );
    }

    #[test]
    fn bad_blocks_are_skipped_with_warnings_naming_lines() {
        let text = "1\n00:00:01,000 --> 00:00:02,000\nDana: one\n\n2\n00:00:01 --> 00:00:02\nlost\n\n3\nno timing here\n\nstray words\n\n4\n00:00:09,000 --> 00:00:08,000\nbackwards\n\n5\n00:00:10,000 --> 00:00:11,000\n\n\n6\n00:00:12,000 --> 00:00:13,000\ntwo";
        let transcript = parse(text, "call.srt").unwrap();
        let texts: Vec<_> = transcript.turns.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["one", "two"]);
        assert_eq!(transcript.turns[1].index, 1);
        assert_eq!(
            transcript.warnings,
            [
                "line 6: skipped block: cue timing is not \"hh:mm:ss,mmm --> hh:mm:ss,mmm\"",
                "line 10: skipped block: index 3 is not followed by a timing line \"hh:mm:ss,mmm --> hh:mm:ss,mmm\"",
                "line 12: skipped text with no timing line",
                "line 15: skipped cue: end time 00:00:08.000 is before start 00:00:09.000",
                "line 19: skipped cue: it has no text",
            ]
        );
    }

    #[test]
    fn only_bad_blocks_is_an_error_naming_the_line() {
        let err = parse(
            "1\n00:00:01 --> 00:00:10\nThis subtitle is invalid\n",
            "invalid.srt",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid.srt: line 2: cue timing is not \"hh:mm:ss,mmm --> hh:mm:ss,mmm\"; fix or delete the block"
        );
        let err = parse("1", "one.srt").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("one.srt: line 1: index 1 is not followed"),
            "{err}"
        );
    }

    #[test]
    fn text_without_timings_is_no_turns() {
        let err = parse("some text", "notes.srt").unwrap_err();
        assert_eq!(
            err.to_string(),
            "notes.srt: no turns found; is this a transcript?"
        );
    }

    #[test]
    fn timing_fields_above_59_are_rejected() {
        assert_eq!(parse_timing("00:60:00,000 --> 01:00:00,000"), None);
        assert_eq!(parse_timing("00:00:61,000 --> 01:00:00,000"), None);
        assert_eq!(
            parse_timing("10:00:00,5 --> 10:00:01,25"),
            Some((Ms(36_000_500), Ms(36_001_250)))
        );
    }
}
