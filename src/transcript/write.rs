//! Writes a transcript back out in the formats swimlane reads: call JSON (the analysis's own
//! schema, with roles), WebVTT with `<v Name>` voice tags, SRT and time-stamped plain text. Each
//! writer returns bytes; reading any of them back gives the same speakers, times and words.
//! RTTM, the diarization tools' format, carries the speaker turns alone.

use super::Format;
use crate::diarize::rttm::SpeakerTurn;
use crate::model::{Doubt, NameSource, Transcript};
use crate::time::Ms;
use serde::Serialize;

#[derive(Serialize)]
struct CallOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<jiff::civil::Date>,
    participants: Vec<ParticipantOut<'a>>,
    turns: Vec<TurnOut<'a>>,
}

#[derive(Serialize)]
struct ParticipantOut<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    identified: Option<NameSource>,
}

#[derive(Serialize)]
struct TurnOut<'a> {
    i: usize,
    speaker: &'a str,
    start: f64,
    end: f64,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    doubt: Option<Doubt>,
}

/// The transcript's speaker turns as RTTM, under the file id `file` (usually the recording's
/// name without extension). Consecutive turns of one speaker stay separate lines, as
/// RTTM scorers merge them anyway.
pub fn rttm(transcript: &Transcript, file: &str) -> Vec<u8> {
    let turns: Vec<SpeakerTurn> = transcript
        .turns
        .iter()
        .map(|turn| SpeakerTurn {
            file: file.to_string(),
            speaker: turn.speaker.clone(),
            start: turn.start,
            end: turn.end,
        })
        .collect();
    crate::diarize::rttm::write(&turns).into_bytes()
}

/// Renders `transcript` in `format`.
pub fn render(transcript: &Transcript, format: Format) -> Vec<u8> {
    match format {
        Format::Json => json(transcript),
        Format::Vtt => vtt(transcript),
        Format::Srt => srt(transcript),
        Format::Text => text(transcript),
    }
}

fn json(transcript: &Transcript) -> Vec<u8> {
    let call = CallOut {
        id: transcript.id.as_deref(),
        title: transcript.title.as_deref(),
        date: transcript.date,
        participants: transcript
            .participants
            .iter()
            .map(|p| ParticipantOut {
                name: &p.name,
                role: p.role.map(|r| r.as_str()),
                identified: p.identified,
            })
            .collect(),
        turns: transcript
            .turns
            .iter()
            .map(|t| TurnOut {
                i: t.index,
                speaker: &t.speaker,
                start: t.start.as_secs_f64(),
                end: t.end.as_secs_f64(),
                text: &t.text,
                doubt: t.doubt,
            })
            .collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&call).expect("plain data serializes");
    bytes.push(b'\n');
    bytes
}

fn vtt(transcript: &Transcript) -> Vec<u8> {
    let mut out = String::from("WEBVTT\n");
    for (n, turn) in transcript.turns.iter().enumerate() {
        let text = turn.text.replace("-->", "->");
        let speaker = turn.speaker.replace('>', "");
        out.push_str(&format!(
            "\n{}\n{} --> {}\n<v {speaker}>{text}\n",
            n + 1,
            clock(turn.start, '.'),
            clock(turn.end, '.')
        ));
    }
    out.into_bytes()
}

fn srt(transcript: &Transcript) -> Vec<u8> {
    let mut out = String::new();
    for (n, turn) in transcript.turns.iter().enumerate() {
        out.push_str(&format!(
            "{}\n{} --> {}\n{}: {}\n\n",
            n + 1,
            clock(turn.start, ','),
            clock(turn.end, ','),
            turn.speaker,
            turn.text
        ));
    }
    out.into_bytes()
}

fn text(transcript: &Transcript) -> Vec<u8> {
    let mut out = String::new();
    for turn in &transcript.turns {
        out.push_str(&format!(
            "[{}] {}: {}\n",
            clock(turn.start, '.'),
            turn.speaker,
            turn.text
        ));
    }
    out.into_bytes()
}

/// `hh:mm:ss.mmm` with the given decimal separator.
fn clock(time: Ms, separator: char) -> String {
    let ms = time.0;
    format!(
        "{:02}:{:02}:{:02}{separator}{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DeclaredParticipant, Role, Timing, Turn};

    fn sample() -> Transcript {
        let turn = |i: usize, speaker: &str, start: u64, end: u64, text: &str| Turn {
            index: i,
            speaker: speaker.into(),
            start: Ms(start),
            end: Ms(end),
            text: text.into(),
            doubt: None,
        };
        Transcript {
            id: Some("call".into()),
            title: None,
            call_type: None,
            date: Some(jiff::civil::date(2026, 11, 28)),
            rescue_phrase: None,
            participants: vec![
                DeclaredParticipant {
                    name: "Dana Ruiz".into(),
                    role: Some(Role::Ae),
                    title: None,
                    identified: None,
                },
                DeclaredParticipant {
                    name: "Priya Shah".into(),
                    role: None,
                    title: None,
                    identified: None,
                },
            ],
            turns: vec![
                turn(
                    0,
                    "Dana Ruiz",
                    1_200,
                    4_050,
                    "Hi Priya, thanks for the time.",
                ),
                turn(
                    1,
                    "Priya Shah",
                    4_500,
                    3_725_001,
                    "Happy to: what does it cost?",
                ),
            ],
            timing: Timing::Recorded,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn every_format_reads_back_to_the_same_turns() {
        let original = sample();
        for format in [Format::Json, Format::Vtt, Format::Srt, Format::Text] {
            let bytes = render(&original, format);
            let back = super::super::parse(&bytes, Some(format), "out").unwrap();
            let view = |t: &Transcript| {
                t.turns
                    .iter()
                    .map(|t| (t.speaker.clone(), t.start, t.text.clone()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(view(&back), view(&original), "{format:?}");
            if format != Format::Text {
                assert_eq!(back.turns[1].end, Ms(3_725_001), "{format:?}");
            }
        }
    }

    #[test]
    fn json_keeps_declared_roles_and_the_date() {
        let bytes = render(&sample(), Format::Json);
        let back = super::super::parse(&bytes, Some(Format::Json), "out").unwrap();
        assert_eq!(back.participants[0].role, Some(Role::Ae));
        assert_eq!(back.participants[1].role, None);
        assert_eq!(back.date, Some(jiff::civil::date(2026, 11, 28)));
    }

    #[test]
    fn json_keeps_a_speaker_in_doubt() {
        let mut transcript = sample();
        transcript.turns[1].doubt = Some(Doubt::CloseVoices { margin: 0.04 });
        let bytes = render(&transcript, Format::Json);
        let back = super::super::parse(&bytes, Some(Format::Json), "out").unwrap();
        assert_eq!(back.turns[0].doubt, None);
        assert_eq!(back.turns[1].doubt, transcript.turns[1].doubt);
    }

    #[test]
    fn rttm_has_a_line_per_turn_with_joined_names() {
        let text = String::from_utf8(rttm(&sample(), "call 7")).unwrap();
        assert_eq!(
            text,
            "SPEAKER call_7 1 1.200 2.850 <NA> <NA> Dana_Ruiz <NA> <NA>\n\
             SPEAKER call_7 1 4.500 3720.501 <NA> <NA> Priya_Shah <NA> <NA>\n"
        );
    }

    #[test]
    fn clock_formats_hours_and_separator() {
        assert_eq!(clock(Ms(3_725_001), ','), "01:02:05,001");
    }
}
