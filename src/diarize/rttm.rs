//! RTTM, the NIST "Rich Transcription Time Marked" format that diarization tools exchange and
//! scorers read: one `SPEAKER file channel start duration <NA> <NA> name <NA> <NA>` line per turn.

use crate::time::Ms;
use std::fmt::Write as _;

/// One speaker turn of an RTTM file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpeakerTurn {
    /// The recording the turn belongs to (RTTM's file id).
    pub file: String,
    pub speaker: String,
    pub start: Ms,
    pub end: Ms,
}

/// A line of an RTTM file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct RttmError {
    pub line: usize,
    pub problem: String,
}

/// Reads the `SPEAKER` lines of an RTTM file; other record types (`SPKR-INFO`, `LEXEME`, ...)
/// and `;;` comments are skipped.
pub fn parse(text: &str) -> Result<Vec<SpeakerTurn>, RttmError> {
    let mut turns = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.first() != Some(&"SPEAKER") {
            continue;
        }
        let error = |problem: String| RttmError {
            line: index + 1,
            problem,
        };
        if fields.len() < 8 {
            return Err(error(format!(
                "a SPEAKER line needs at least 8 fields (type, file, channel, start, duration, \
                 orthography, subtype, name), found {}",
                fields.len()
            )));
        }
        let seconds = |field: &str, what: &str| {
            field
                .parse::<f64>()
                .ok()
                .and_then(Ms::from_secs_f64)
                .ok_or_else(|| error(format!("{what} `{field}` is not a non-negative number")))
        };
        let start = seconds(fields[3], "the start time")?;
        let duration = seconds(fields[4], "the duration")?;
        turns.push(SpeakerTurn {
            file: fields[1].to_string(),
            speaker: fields[7].to_string(),
            start,
            end: start + duration,
        });
    }
    Ok(turns)
}

/// Writes turns as RTTM `SPEAKER` lines on channel 1. Spaces in file ids and speaker names
/// become underscores, since RTTM fields are separated by whitespace.
pub fn write(turns: &[SpeakerTurn]) -> String {
    let mut out = String::new();
    for turn in turns {
        let _ = writeln!(
            out,
            "SPEAKER {} 1 {:.3} {:.3} <NA> <NA> {} <NA> <NA>",
            field(&turn.file),
            turn.start.as_secs_f64(),
            turn.end.saturating_sub(turn.start).as_secs_f64(),
            field(&turn.speaker),
        );
    }
    out
}

fn field(text: &str) -> String {
    let joined: Vec<&str> = text.split_whitespace().collect();
    if joined.is_empty() {
        "<NA>".to_string()
    } else {
        joined.join("_")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_speaker_lines_and_skips_other_records() {
        let text = "SPKR-INFO ES2014c 1 <NA> <NA> <NA> unknown ES2014c.A_PM <NA>\n\
                    ;; a comment\n\
                    SPEAKER ES2014c 1 91.100 0.780 <NA> <NA> ES2014c.A_PM <NA>\n\n\
                    SPEAKER ES2014c 1 112.58 0.62 <NA> <NA> spkr_0 <NA>\n";
        let turns = parse(text).unwrap();
        assert_eq!(turns.len(), 2);
        assert_eq!(turns[0].start, Ms(91_100));
        assert_eq!(turns[0].end, Ms(91_880));
        assert_eq!(turns[1].speaker, "spkr_0");
    }

    #[test]
    fn bad_lines_name_their_line_number() {
        let err = parse("SPEAKER f 1 1.0\n").unwrap_err();
        assert_eq!(err.line, 1);
        let err = parse("\nSPEAKER f 1 x 1.0 <NA> <NA> a\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.problem.contains("start time `x`"), "{}", err.problem);
        assert!(parse("SPEAKER f 1 1.0 -2 <NA> <NA> a\n").is_err());
    }

    #[test]
    fn written_turns_read_back_with_names_joined() {
        let turns = vec![SpeakerTurn {
            file: "demo call".into(),
            speaker: "Dana Ruiz".into(),
            start: Ms(1_500),
            end: Ms(4_250),
        }];
        let text = write(&turns);
        assert_eq!(
            text,
            "SPEAKER demo_call 1 1.500 2.750 <NA> <NA> Dana_Ruiz <NA> <NA>\n"
        );
        let back = parse(&text).unwrap();
        assert_eq!(back[0].speaker, "Dana_Ruiz");
        assert_eq!((back[0].start, back[0].end), (Ms(1_500), Ms(4_250)));
    }
}
