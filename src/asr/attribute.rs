//! Turns recognised words into speaker turns. With one channel per participant (a recorder that
//! keeps a track per person, or a two-sided phone recording), each word belongs to the channel
//! that carries it; a mono mix stays one unnamed speaker until diarization splits it, with a
//! turn per recognised segment so that turn-level findings still point at a sentence.

use super::{Recognition, Word};
use crate::model::{DeclaredParticipant, Timing, Transcript, Turn};
use crate::time::Ms;

/// A pause at which one speaker's words start a new turn.
const TURN_PAUSE: Ms = Ms(2_000);

/// Names given to channels (`--channel 0="Dana Ruiz"`); unnamed channels are "Channel N".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChannelNames(pub Vec<(usize, String)>);

impl ChannelNames {
    fn name(&self, channel: usize) -> String {
        self.0
            .iter()
            .find(|(c, _)| *c == channel)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| format!("Channel {}", channel + 1))
    }
}

/// The speaker a mono recording's words are given.
pub const MONO_SPEAKER: &str = "Speaker 1";

/// Builds the transcript the analysis reads from what recognition found.
pub fn to_transcript(recognition: &Recognition, names: &ChannelNames, id: &str) -> Transcript {
    // Every word with its speaker and segment, segment by segment in time order. With a track
    // per person each segment is one stretch of one person's speech, so segment order is turn
    // order even where word timestamps are loose.
    let mut words: Vec<(usize, String, &Word)> = Vec::new();
    for (index, segment) in recognition.segments.iter().enumerate() {
        for word in &segment.words {
            let speaker = match segment.channel {
                Some(channel) => names.name(channel),
                None => speaker_of(recognition, names, word),
            };
            words.push((index, speaker, word));
        }
    }
    let by_channel = recognition.channels > 1;
    let mut turns: Vec<Turn> = Vec::new();
    let mut last: Option<(usize, Ms)> = None;
    for (segment, speaker, word) in words {
        let continues = turns.last().is_some_and(|t: &Turn| {
            let (last_segment, last_end) = last.expect("set with the first word");
            t.speaker == speaker
                && word.start.saturating_sub(last_end) < TURN_PAUSE
                && (by_channel || segment == last_segment)
        });
        push_word(&mut turns, word, speaker, continues);
        last = Some((segment, word.end));
    }
    let mut participants: Vec<DeclaredParticipant> = Vec::new();
    for turn in &turns {
        if !participants.iter().any(|p| p.name == turn.speaker) {
            participants.push(DeclaredParticipant {
                name: turn.speaker.clone(),
                role: None,
                title: None,
            });
        }
    }
    let mut warnings = Vec::new();
    if turns.is_empty() {
        warnings.push(format!(
            "no speech was recognised in {} of audio",
            recognition.duration.clock()
        ));
    }
    Transcript {
        id: Some(id.to_string()),
        title: None,
        call_type: None,
        rescue_phrase: None,
        participants,
        turns,
        timing: Timing::Recorded,
        warnings,
    }
}

/// Adds a word to the last turn, or starts a turn with it.
fn push_word(turns: &mut Vec<Turn>, word: &Word, speaker: String, continues: bool) {
    match turns.last_mut() {
        Some(turn) if continues => {
            turn.text.push(' ');
            turn.text.push_str(&word.text);
            turn.end = turn.end.max(word.end);
        }
        _ => turns.push(Turn {
            index: turns.len(),
            speaker,
            start: word.start,
            end: word.end,
            text: word.text.clone(),
        }),
    }
}

fn speaker_of(recognition: &Recognition, names: &ChannelNames, word: &Word) -> String {
    match recognition.envelope.loudest(word.start, word.end) {
        Some((channel, _)) => names.name(channel),
        None if recognition.channels > 1 => names.name(0),
        None => names
            .0
            .first()
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| MONO_SPEAKER.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asr::{Envelope, Segment};

    fn word(text: &str, start: u64, end: u64) -> Word {
        Word {
            text: text.into(),
            start: Ms(start),
            end: Ms(end),
            confidence: 0.9,
        }
    }

    fn recognition(words: Vec<Word>, envelope: Envelope, channels: usize) -> Recognition {
        Recognition {
            duration: Ms(10_000),
            speech: Ms(5_000),
            channels,
            segments: vec![Segment {
                start: words[0].start,
                end: words.last().unwrap().end,
                text: String::new(),
                words,
                channel: None,
            }],
            envelope,
            model: "test".into(),
        }
    }

    #[test]
    fn words_follow_the_channel_that_carries_them() {
        // Channel 0 is loud for the first second, channel 1 for the second.
        let loud_then_quiet = |first: bool| -> Vec<f32> {
            (0..100)
                .map(|f| if (f < 50) == first { 0.1 } else { 0.0001 })
                .collect()
        };
        let envelope = Envelope {
            frame_ms: 20,
            channels: vec![loud_then_quiet(true), loud_then_quiet(false)],
        };
        let words = vec![
            word("Hello", 100, 400),
            word("there.", 400, 800),
            word("Hi", 1_100, 1_300),
            word("Dana.", 1_300, 1_700),
        ];
        let names = ChannelNames(vec![(0, "Dana Ruiz".into())]);
        let transcript = to_transcript(&recognition(words, envelope, 2), &names, "call");
        let turns: Vec<(&str, &str)> = transcript
            .turns
            .iter()
            .map(|t| (t.speaker.as_str(), t.text.as_str()))
            .collect();
        assert_eq!(
            turns,
            [("Dana Ruiz", "Hello there."), ("Channel 2", "Hi Dana.")]
        );
        assert_eq!(transcript.participants.len(), 2);
    }

    #[test]
    fn mono_speech_is_one_speaker_with_a_turn_per_segment_and_long_pause() {
        let words = vec![
            word("One.", 0, 500),
            word("Two.", 600, 900),
            word("Three.", 4_000, 4_500),
        ];
        let mut mono = recognition(words, Envelope::default(), 1);
        let transcript = to_transcript(&mono, &ChannelNames::default(), "call");
        assert_eq!(transcript.turns.len(), 2);
        assert_eq!(transcript.turns[0].speaker, MONO_SPEAKER);
        assert_eq!(transcript.turns[1].index, 1);
        let second = mono.segments[0].words.split_off(1);
        mono.segments.push(Segment {
            start: second[0].start,
            end: second[1].end,
            text: String::new(),
            words: second,
            channel: None,
        });
        let transcript = to_transcript(&mono, &ChannelNames::default(), "call");
        let texts: Vec<&str> = transcript.turns.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["One.", "Two.", "Three."]);
    }
}
