//! Reads plain-text transcripts (`Name: text` lines, optionally time-stamped), the form people
//! paste from meeting notes or note-taking apps, estimating times when the text has none.

use super::decode::normalize_newlines;
use super::{TranscriptError, collapse_whitespace, participants_from_turns, speaker_prefix};
use crate::model::{Timing, Transcript, Turn};
use crate::time::Ms;
use regex::Regex;
use std::sync::LazyLock;

/// A line's leading time stamp: `[hh:mm:ss]`, `[mm:ss]`, `(hh:mm:ss)`, `(mm:ss)`, or a bare
/// `hh:mm:ss` followed by white space; any of them may carry `.mmm` or `,mmm`.
static STAMP: LazyLock<Regex> = LazyLock::new(|| {
    let fraction = r"(?:[.,]\d{1,3})?";
    let short_or_long = format!(r"(?:\d{{1,2}}:)?\d{{1,2}}:\d{{2}}{fraction}");
    let long = format!(r"\d{{1,2}}:\d{{2}}:\d{{2}}{fraction}");
    Regex::new(&format!(
        r"^\s*(?:\[(?P<square>{short_or_long})\]|\((?P<round>{short_or_long})\)|(?P<bare>{long})\s)"
    ))
    .expect("valid regex")
});

/// Speaking rate used to estimate how long a turn lasts: 150 words a minute.
const MS_PER_WORD: u64 = 400;
/// Pause assumed between estimated turns.
const GAP_BETWEEN_TURNS: Ms = Ms(500);

/// One turn as written, before times are settled.
struct Draft {
    line: usize,
    stamp: Option<Ms>,
    speaker: String,
    text: String,
}

/// Reads a plain-text transcript. Each line that starts with `Name:` (after an optional time
/// stamp) starts a turn; other lines continue the turn before. A line with a bracketed stamp but
/// no name starts a new turn by the previous speaker. With stamps, a turn ends where the next
/// begins (the last lasts 0.4 s a word); without, times are estimated at 150 words a minute with
/// half a second between turns, and the transcript's timing is [`Timing::Estimated`].
pub fn parse(text: &str, name: &str) -> Result<Transcript, TranscriptError> {
    let text = normalize_newlines(text);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut drafts: Vec<Draft> = Vec::new();
    for (at, raw) in text.split('\n').enumerate() {
        let line = at + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let (stamp, rest, bare) = split_stamp(raw);
        let (speaker, words) = match speaker_prefix(rest, false) {
            Some((speaker, words)) => (Some(speaker), words),
            None if stamp.is_some() && !bare => (None, rest),
            None => {
                let Some(draft) = drafts.last_mut() else {
                    return Err(no_speaker(name, line));
                };
                draft.text.push(' ');
                draft.text.push_str(raw);
                continue;
            }
        };
        let speaker = match (speaker, drafts.last()) {
            (Some(speaker), _) => speaker,
            (None, Some(previous)) => previous.speaker.clone(),
            (None, None) => return Err(no_speaker(name, line)),
        };
        drafts.push(Draft {
            line,
            stamp,
            speaker,
            text: words.to_string(),
        });
    }
    let mut warnings = Vec::new();
    drafts.retain_mut(|draft| {
        draft.text = collapse_whitespace(&draft.text);
        if draft.text.is_empty() {
            warnings.push(format!("line {}: skipped turn: it has no text", draft.line));
        }
        !draft.text.is_empty()
    });
    if drafts.is_empty() {
        return Err(TranscriptError::no_turns(name));
    }
    let (turns, timing) = if drafts.iter().any(|d| d.stamp.is_some()) {
        (stamped_turns(drafts, name)?, Timing::Recorded)
    } else {
        (estimated_turns(drafts), Timing::Estimated)
    };
    Ok(Transcript {
        participants: participants_from_turns(&turns),
        turns,
        timing,
        warnings,
        ..Transcript::default()
    })
}

fn no_speaker(name: &str, line: usize) -> TranscriptError {
    TranscriptError::invalid(
        name,
        Some(line),
        "text has no speaker",
        "start the line with \"Name: \"",
    )
}

/// The line's time stamp if it has one, the text after it, and whether the stamp was bare.
fn split_stamp(line: &str) -> (Option<Ms>, &str, bool) {
    let Some(caps) = STAMP.captures(line) else {
        return (None, line, false);
    };
    let whole = caps.get(0).map_or(0, |m| m.end());
    let (stamp, bare) = match (caps.name("square"), caps.name("round"), caps.name("bare")) {
        (Some(m), _, _) | (_, Some(m), _) => (m.as_str(), false),
        (_, _, Some(m)) => (m.as_str(), true),
        _ => return (None, line, false),
    };
    match stamp_time(stamp) {
        Some(time) => (Some(time), line[whole..].trim_start(), bare),
        None => (None, line, false),
    }
}

/// `[h:]mm:ss[.mmm]` as a time, or `None` when minutes or seconds are above 59.
fn stamp_time(stamp: &str) -> Option<Ms> {
    let (clock, fraction) = match stamp.split_once(['.', ',']) {
        Some((clock, fraction)) => (clock, fraction),
        None => (stamp, ""),
    };
    let fields = clock
        .split(':')
        .map(|field| field.parse::<u64>().ok())
        .collect::<Option<Vec<u64>>>()?;
    let (hours, minutes, seconds) = match fields[..] {
        [minutes, seconds] => (0, minutes, seconds),
        [hours, minutes, seconds] => (hours, minutes, seconds),
        _ => return None,
    };
    if minutes > 59 || seconds > 59 {
        return None;
    }
    let millis = if fraction.is_empty() {
        0
    } else {
        fraction.parse::<u64>().ok()? * 10u64.pow(3 - fraction.len() as u32)
    };
    Some(Ms(hours * 3_600_000
        + minutes * 60_000
        + seconds * 1000
        + millis))
}

fn speaking_time(text: &str) -> Ms {
    Ms(text.split_whitespace().count() as u64 * MS_PER_WORD)
}

/// Turns whose starts are their stamps and whose ends are the next turn's start. Every turn must
/// be stamped, and stamps must not go backwards.
fn stamped_turns(drafts: Vec<Draft>, name: &str) -> Result<Vec<Turn>, TranscriptError> {
    let mut starts = Vec::with_capacity(drafts.len());
    let first_stamped = drafts.iter().find(|d| d.stamp.is_some()).map(|d| d.line);
    for draft in &drafts {
        let Some(start) = draft.stamp else {
            return Err(TranscriptError::invalid(
                name,
                Some(draft.line),
                format!(
                    "turn has no time stamp but line {} has one",
                    first_stamped.unwrap_or_default()
                ),
                "stamp every turn or none",
            ));
        };
        let previous = starts.last().copied().unwrap_or_default();
        if start < previous {
            return Err(TranscriptError::invalid(
                name,
                Some(draft.line),
                format!(
                    "time stamp {} is before the previous turn's {}",
                    start.clock(),
                    previous.clock()
                ),
                "put the turns in time order or fix the stamp",
            ));
        }
        starts.push(start);
    }
    let turns = drafts
        .into_iter()
        .enumerate()
        .map(|(index, draft)| {
            let start = starts[index];
            let end = starts
                .get(index + 1)
                .copied()
                .unwrap_or_else(|| start + speaking_time(&draft.text));
            Turn {
                index,
                speaker: draft.speaker,
                start,
                end,
                text: draft.text,
                doubt: None,
            }
        })
        .collect();
    Ok(turns)
}

/// Turns timed by word count, one after another with a short pause between.
fn estimated_turns(drafts: Vec<Draft>) -> Vec<Turn> {
    let mut next_start = Ms(0);
    drafts
        .into_iter()
        .enumerate()
        .map(|(index, draft)| {
            let start = next_start;
            let end = start + speaking_time(&draft.text);
            next_start = end + GAP_BETWEEN_TURNS;
            Turn {
                index,
                speaker: draft.speaker,
                start,
                end,
                text: draft.text,
                doubt: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turns_of(text: &str) -> Vec<(usize, String, u64, u64, String)> {
        super::super::turn_tuples(&parse(text, "call.txt").unwrap())
    }

    use super::super::turn;

    #[test]
    fn unstamped_lines_get_estimated_times() {
        let transcript = parse(
            "Dana Ruiz: Thanks for making the time today.\n\nMarisol Vega: Of course.\nBen Adler:   Happy to   be here.\n",
            "call.txt",
        )
        .unwrap();
        assert_eq!(transcript.timing, Timing::Estimated);
        assert_eq!(
            super::super::turn_tuples(&transcript),
            [
                super::super::turn(0, "Dana Ruiz", 0, 2400, "Thanks for making the time today."),
                super::super::turn(1, "Marisol Vega", 2900, 3700, "Of course."),
                super::super::turn(2, "Ben Adler", 4200, 5800, "Happy to be here."),
            ]
        );
        assert_eq!(transcript.participants.len(), 3);
    }

    #[test]
    fn lines_without_a_name_continue_the_turn() {
        assert_eq!(
            turns_of(
                "Sam Patel: So the agent\nsits on each host.\nNote: it is read-only.\nBen: Got it."
            ),
            [
                turn(
                    0,
                    "Sam Patel",
                    0,
                    4400,
                    "So the agent sits on each host. Note: it is read-only."
                ),
                turn(1, "Ben", 4900, 5700, "Got it."),
            ]
        );
    }

    #[test]
    fn every_stamp_style_is_read() {
        let text = "[00:05] Dana: Hi all.\n(00:01:10) Sam: Two words\n00:02:00 Ben: ok\n[1:02:03.5] Dana: bye now";
        let transcript = parse(text, "call.txt").unwrap();
        assert_eq!(transcript.timing, Timing::Recorded);
        let got: Vec<_> = transcript
            .turns
            .iter()
            .map(|t| (t.speaker.as_str(), t.start.0, t.end.0, t.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("Dana", 5000, 70_000, "Hi all."),
                ("Sam", 70_000, 120_000, "Two words"),
                ("Ben", 120_000, 3_723_500, "ok"),
                ("Dana", 3_723_500, 3_724_300, "bye now"),
            ]
        );
    }

    #[test]
    fn a_bracketed_stamp_without_a_name_is_a_new_turn_by_the_same_speaker() {
        assert_eq!(
            turns_of(
                "[00:01] Dana: First point.\n[00:04] And a second.\n12:30:00 is a time, not a stamp"
            ),
            [
                turn(0, "Dana", 1000, 4000, "First point."),
                turn(
                    1,
                    "Dana",
                    4000,
                    8000,
                    "And a second. 12:30:00 is a time, not a stamp"
                ),
            ]
        );
    }

    #[test]
    fn crlf_and_bom_are_handled() {
        assert_eq!(
            turns_of("\u{feff}[00:01] Dana: hi\r\n[00:02] Sam: hello\r"),
            [
                turn(0, "Dana", 1000, 2000, "hi"),
                turn(1, "Sam", 2000, 2400, "hello")
            ]
        );
    }

    #[test]
    fn leading_text_without_a_speaker_is_an_error() {
        let err = parse("\nWelcome to the call\nDana: hi", "call.txt").unwrap_err();
        assert_eq!(
            err.to_string(),
            "call.txt: line 2: text has no speaker; start the line with \"Name: \""
        );
        let err = parse("[00:01] hello\nDana: hi", "call.txt").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("call.txt: line 1: text has no speaker")
        );
    }

    #[test]
    fn mixed_stamped_and_unstamped_turns_is_an_error() {
        let err = parse("Dana: hi\n[00:02] Sam: hello\nBen: hey", "call.txt").unwrap_err();
        assert_eq!(
            err.to_string(),
            "call.txt: line 1: turn has no time stamp but line 2 has one; stamp every turn or none"
        );
    }

    #[test]
    fn stamps_going_backwards_is_an_error() {
        let err = parse("[01:00] Dana: hi\n[00:30] Sam: hello", "call.txt").unwrap_err();
        assert_eq!(
            err.to_string(),
            "call.txt: line 2: time stamp 0:30 is before the previous turn's 1:00; put the turns in time order or fix the stamp"
        );
    }

    #[test]
    fn turns_without_text_are_skipped_with_a_warning() {
        let transcript = parse("Dana:\nSam: hello", "call.txt").unwrap();
        assert_eq!(transcript.turns.len(), 1);
        assert_eq!(transcript.turns[0].index, 0);
        assert_eq!(
            transcript.warnings,
            ["line 1: skipped turn: it has no text"]
        );
    }

    #[test]
    fn invalid_stamps_are_text() {
        assert_eq!(
            split_stamp("[00:75] Dana: hi"),
            (None, "[00:75] Dana: hi", false)
        );
        assert_eq!(stamp_time("1:02:03,25"), Some(Ms(3_723_250)));
    }

    #[test]
    fn blank_text_is_no_turns() {
        let err = parse("\n  \n", "call.txt").unwrap_err();
        assert_eq!(
            err.to_string(),
            "call.txt: no turns found; is this a transcript?"
        );
    }
}
