//! Turns recognised words into speaker turns. Each word belongs to the channel that carries it
//! when a channel is one named person (`--channel`), and otherwise to the diarized voice whose
//! speech it overlaps in its lane (the mono mix, or its channel), which re-segments turns at
//! word boundaries. Without diarization a channel is one speaker, and a mono mix one speaker
//! with a turn per recognised segment so that turn-level findings still point at a sentence.

use super::{Recognition, Segment, Word};
use crate::audio::Track;
use crate::diarize::cluster::SpeakerSpan;
use crate::diarize::encoder::Embedding;
use crate::diarize::recording::LaneSpeakers;
use crate::model::{DeclaredParticipant, NameSource, Timing, Transcript, Turn};
use crate::time::Ms;

/// A pause at which one speaker's words start a new turn.
const TURN_PAUSE: Ms = Ms(2_000);

/// Names given to channels (`--channel 0="Dana Ruiz"`, or a track per person); unnamed
/// channels are "Channel N".
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelNames {
    pub names: Vec<(usize, String)>,
    /// How the names were given: [`NameSource::Channel`] or [`NameSource::Track`].
    pub by: NameSource,
}

impl Default for ChannelNames {
    fn default() -> Self {
        Self {
            names: Vec::new(),
            by: NameSource::Channel,
        }
    }
}

impl ChannelNames {
    /// Each track's name, on the channel the track becomes.
    pub fn of_tracks(tracks: &[Track]) -> Self {
        Self {
            names: tracks
                .iter()
                .enumerate()
                .map(|(channel, t)| (channel, t.name.clone()))
                .collect(),
            by: NameSource::Track,
        }
    }

    /// The channels that are named, so each is one person.
    pub fn channels(&self) -> Vec<usize> {
        self.names.iter().map(|(c, _)| *c).collect()
    }

    fn has(&self, channel: usize) -> bool {
        self.names.iter().any(|(c, _)| *c == channel)
    }

    fn name(&self, channel: usize) -> String {
        self.names
            .iter()
            .find(|(c, _)| *c == channel)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| format!("Channel {}", channel + 1))
    }
}

/// The speaker a mono recording's words are given when its voices are not separated.
pub const MONO_SPEAKER: &str = "Speaker 1";

/// A recording's transcript, and the voiceprint of each speaker that diarization found (by
/// participant name), for matching against enrolled voices.
#[derive(Debug, Clone, PartialEq)]
pub struct Attributed {
    pub transcript: Transcript,
    pub voices: Vec<(String, Embedding)>,
}

/// Who said a word, before speakers get their display names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Voice {
    /// A channel named with `--channel`.
    NamedChannel(usize),
    /// Speaker `cluster` of lane `lane`'s diarization.
    Diarized { lane: usize, cluster: usize },
    /// A channel taken whole, nobody having named or diarized it.
    Channel(usize),
    /// The one speaker of an undivided mono recording.
    Undivided,
}

/// Builds the transcript the analysis reads from what recognition found, splitting speakers by
/// `speakers` (each lane's diarization) where given. Diarized voices are "Speaker N" in order
/// of first speech until something names them.
pub fn to_transcript(
    recognition: &Recognition,
    names: &ChannelNames,
    speakers: Option<&LaneSpeakers>,
    id: &str,
) -> Attributed {
    // Every word with its voice and segment, segment by segment in time order. With a track
    // per person each segment is one stretch of one person's speech, so segment order is turn
    // order even where word timestamps are loose.
    let mut words: Vec<(usize, Voice, &Word)> = Vec::new();
    for (index, segment) in recognition.segments.iter().enumerate() {
        for word in &segment.words {
            words.push((
                index,
                voice_of(recognition, names, speakers, segment, word),
                word,
            ));
        }
    }
    for sentence in sentences(&words) {
        settle_sentence(&mut words[sentence]);
    }
    let mut voices: Vec<Voice> = Vec::new();
    for (_, voice, _) in &words {
        if !voices.contains(voice) {
            voices.push(*voice);
        }
    }
    let mut diarized = 0;
    let display: Vec<(String, NameSource)> = voices
        .iter()
        .map(|voice| match *voice {
            Voice::NamedChannel(channel) => (names.name(channel), names.by),
            Voice::Channel(channel) => (names.name(channel), NameSource::UnnamedChannel),
            Voice::Undivided => (MONO_SPEAKER.to_string(), NameSource::Undivided),
            Voice::Diarized { .. } => {
                diarized += 1;
                (format!("Speaker {diarized}"), NameSource::Diarization)
            }
        })
        .collect();
    let name_of = |voice: Voice| {
        let at = voices
            .iter()
            .position(|v| *v == voice)
            .expect("listed above");
        display[at].0.clone()
    };

    let across_segments = recognition.channels > 1 || speakers.is_some();
    let mut turns: Vec<Turn> = Vec::new();
    let mut turn_voices: Vec<Voice> = Vec::new();
    let mut last: Option<(usize, Ms)> = None;
    for (segment, voice, word) in words {
        let speaker = name_of(voice);
        let continues = turns.last().is_some_and(|t: &Turn| {
            let (last_segment, last_end) = last.expect("set with the first word");
            t.speaker == speaker
                && word.start.saturating_sub(last_end) < TURN_PAUSE
                && (across_segments || segment == last_segment)
        });
        push_word(&mut turns, word, speaker, continues);
        if !continues {
            turn_voices.push(voice);
        }
        last = Some((segment, word.end));
    }
    if let Some(speakers) = speakers {
        fit_turns_to_speech(&mut turns, &turn_voices, speakers, recognition.duration);
        mark_doubts(&mut turns, &turn_voices, speakers);
    }
    let participants = display
        .iter()
        .map(|(name, source)| DeclaredParticipant {
            name: name.clone(),
            role: None,
            title: None,
            identified: Some(*source),
        })
        .collect();
    let voiceprints = voices
        .iter()
        .zip(&display)
        .filter_map(|(voice, (name, _))| match *voice {
            Voice::Diarized { lane, cluster } => {
                let lane = speakers?.get(lane)?.as_ref()?;
                Some((name.clone(), lane.voiceprints.get(cluster)?.clone()))
            }
            _ => None,
        })
        .collect();
    let mut warnings = Vec::new();
    if turns.is_empty() {
        warnings.push(format!(
            "no speech was recognised in {} of audio",
            recognition.duration.clock()
        ));
    }
    Attributed {
        transcript: Transcript {
            id: Some(id.to_string()),
            participants,
            turns,
            timing: Timing::Recorded,
            warnings,
            ..Transcript::default()
        },
        voices: voiceprints,
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
            doubt: None,
        }),
    }
}

fn voice_of(
    recognition: &Recognition,
    names: &ChannelNames,
    speakers: Option<&LaneSpeakers>,
    segment: &Segment,
    word: &Word,
) -> Voice {
    let channel = match segment.channel {
        Some(channel) => Some(channel),
        None => recognition
            .envelope
            .loudest(word.start, word.end)
            .map(|(channel, _)| channel),
    };
    if let Some(channel) = channel
        && names.has(channel)
    {
        return Voice::NamedChannel(channel);
    }
    let lane = channel.unwrap_or(0);
    let diarization = speakers
        .and_then(|lanes| lanes.get(lane))
        .and_then(Option::as_ref);
    if let Some(cluster) = diarization.and_then(|d| cluster_at(&d.spans, word.start, word.end)) {
        return Voice::Diarized { lane, cluster };
    }
    match channel {
        Some(channel) => Voice::Channel(channel),
        None if recognition.channels > 1 => Voice::Channel(0),
        None => match names.names.first() {
            Some((channel, _)) => Voice::NamedChannel(*channel),
            None => Voice::Undivided,
        },
    }
}

/// Word times mark when words are heard, not where speech starts and stops; the diarizer's
/// spans do. Each diarized turn takes the extent of its voice's spans that it overlaps, never
/// reaching into its neighbours or past the end of the recording.
fn fit_turns_to_speech(
    turns: &mut [Turn],
    voices: &[Voice],
    speakers: &LaneSpeakers,
    duration: Ms,
) {
    for i in 0..turns.len() {
        let Voice::Diarized { lane, cluster } = voices[i] else {
            continue;
        };
        let Some(Some(diarization)) = speakers.get(lane) else {
            continue;
        };
        let (start, end) = (turns[i].start, turns[i].end);
        let mut own = diarization
            .spans
            .iter()
            .filter(|s| s.speaker == cluster && s.start < end && s.end > start);
        let Some(first) = own.next() else { continue };
        let last = own.next_back().unwrap_or(first);
        let floor = i.checked_sub(1).map_or(Ms(0), |p| turns[p].end);
        // Mel frames are centred, so the last span can end a frame after the recording.
        let ceiling = turns.get(i + 1).map_or(duration, |n| n.start);
        turns[i].start = first.start.max(floor).min(start);
        turns[i].end = last.end.min(ceiling).max(turns[i].start);
    }
}

/// A diarized turn is in doubt when at least half of it lies in speech whose speaker was a
/// close call; it takes the doubt that covers most of it.
fn mark_doubts(turns: &mut [Turn], voices: &[Voice], speakers: &LaneSpeakers) {
    for (turn, voice) in turns.iter_mut().zip(voices) {
        let Voice::Diarized { lane, .. } = *voice else {
            continue;
        };
        let Some(Some(diarization)) = speakers.get(lane) else {
            continue;
        };
        let overlap =
            |start: Ms, end: Ms| end.min(turn.end).0.saturating_sub(start.max(turn.start).0);
        let covered: u64 = diarization
            .doubts
            .iter()
            .map(|d| overlap(d.start, d.end))
            .sum();
        if covered > 0 && covered * 2 >= turn.duration().0 {
            turn.doubt = diarization
                .doubts
                .iter()
                .max_by_key(|d| overlap(d.start, d.end))
                .map(|d| d.doubt);
        }
    }
}

/// Sentences of diarized speech are not split by a run of fewer words than this.
const SPLIT_WORDS: usize = 3;

/// The index ranges of `words` that make sentences: each ends with a word ending in `.`, `?`
/// or `!`, or at the end.
fn sentences(words: &[(usize, Voice, &Word)]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, (_, _, word)) in words.iter().enumerate() {
        if word.text.ends_with(['.', '?', '!']) || i + 1 == words.len() {
            out.push(start..i + 1);
            start = i + 1;
        }
    }
    out
}

/// A change of voice inside a sentence is most often a word timed a little off at the edge of
/// a turn, not a new speaker: a run of fewer than [`SPLIT_WORDS`] words of one diarized voice
/// joins the run next to it (the longer one when it has two), until every run is long enough.
/// Two long runs stay split: a turn change Whisper did not punctuate.
fn settle_sentence(sentence: &mut [(usize, Voice, &Word)]) {
    if !sentence
        .iter()
        .all(|(_, voice, _)| matches!(voice, Voice::Diarized { .. }))
    {
        return;
    }
    loop {
        let mut runs: Vec<(usize, usize)> = Vec::new(); // (start, len)
        for (i, (_, voice, _)) in sentence.iter().enumerate() {
            match runs.last_mut() {
                Some((start, len)) if sentence[*start].1 == *voice => *len += 1,
                _ => runs.push((i, 1)),
            }
        }
        // The shortest run goes first; of equals, the later one, as a sentence's last word is
        // the one most often heard late, over the next speaker's speech.
        let Some(short) = (0..runs.len())
            .filter(|&r| runs.len() > 1 && runs[r].1 < SPLIT_WORDS)
            .min_by_key(|&r| (runs[r].1, std::cmp::Reverse(r)))
        else {
            return;
        };
        let neighbour = match (short.checked_sub(1), runs.get(short + 1)) {
            (Some(before), Some(after)) if after.1 > runs[before].1 => short + 1,
            (Some(before), _) => before,
            (None, _) => short + 1,
        };
        let voice = sentence[runs[neighbour].0].1;
        let (start, len) = runs[short];
        sentence[start..start + len]
            .iter_mut()
            .for_each(|w| w.1 = voice);
    }
}

/// The speaker whose spans overlap `start..end` the most, or else the one whose span is
/// nearest to it.
fn cluster_at(spans: &[SpeakerSpan], start: Ms, end: Ms) -> Option<usize> {
    let overlap = |s: &SpeakerSpan| end.min(s.end).saturating_sub(start.max(s.start));
    let distance = |s: &SpeakerSpan| {
        if s.end <= start {
            start.saturating_sub(s.end)
        } else {
            s.start.saturating_sub(end)
        }
    };
    let best = spans.iter().max_by_key(|s| overlap(s))?;
    if overlap(best) > Ms(0) {
        return Some(best.speaker);
    }
    spans.iter().min_by_key(|s| distance(s)).map(|s| s.speaker)
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
        let names = ChannelNames {
            names: vec![(0, "Dana Ruiz".into())],
            ..ChannelNames::default()
        };
        let transcript =
            to_transcript(&recognition(words, envelope, 2), &names, None, "call").transcript;
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
        let transcript = to_transcript(&mono, &ChannelNames::default(), None, "call").transcript;
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
        let transcript = to_transcript(&mono, &ChannelNames::default(), None, "call").transcript;
        let texts: Vec<&str> = transcript.turns.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["One.", "Two.", "Three."]);
    }

    #[test]
    fn a_sentences_edge_word_joins_its_sentence_but_long_runs_stay_split() {
        let a = Voice::Diarized {
            lane: 0,
            cluster: 0,
        };
        let b = Voice::Diarized {
            lane: 0,
            cluster: 1,
        };
        let texts = [
            "on",
            "the",
            "technical",
            "side.",
            "Hello",
            "there",
            "Priya.",
        ];
        let owned: Vec<Word> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| word(t, i as u64 * 300, i as u64 * 300 + 250))
            .collect();
        // "side." was heard a little late and fell into the next speaker's span.
        let mut words: Vec<(usize, Voice, &Word)> = owned
            .iter()
            .enumerate()
            .map(|(i, w)| (0, if i < 3 { a } else { b }, w))
            .collect();
        for sentence in sentences(&words) {
            settle_sentence(&mut words[sentence]);
        }
        let voices: Vec<Voice> = words.iter().map(|w| w.1).collect();
        assert_eq!(voices, [a, a, a, a, b, b, b]);

        // An unpunctuated turn change: three words each side stay with their speakers.
        let mut words: Vec<(usize, Voice, &Word)> = owned[..6]
            .iter()
            .enumerate()
            .map(|(i, w)| (0, if i < 3 { a } else { b }, w))
            .collect();
        words[3].2 = &owned[4];
        for sentence in sentences(&words) {
            settle_sentence(&mut words[sentence]);
        }
        let voices: Vec<Voice> = words.iter().map(|w| w.1).collect();
        assert_eq!(voices, [a, a, a, b, b, b]);
    }

    fn span(speaker: usize, start: u64, end: u64) -> crate::diarize::cluster::SpeakerSpan {
        crate::diarize::cluster::SpeakerSpan {
            speaker,
            start: Ms(start),
            end: Ms(end),
        }
    }

    #[test]
    fn diarized_words_make_turns_that_span_their_voices_speech() {
        use crate::diarize::cluster::Diarization;
        let lanes = vec![Some(Diarization {
            // The last span ends a frame past the recording (10 s), as centred frames can.
            spans: vec![span(0, 500, 2_400), span(1, 2_900, 10_010)],
            voiceprints: vec![vec![1.0; 4], vec![0.5; 4]],
            doubts: Vec::new(),
        })];
        // Word times as DTW gives them: heard a little after speech starts; "you." falls in
        // the next voice's speech but its sentence keeps it.
        let words = vec![
            word("Thank", 700, 1_200),
            word("you.", 2_950, 3_100),
            word("Hello", 3_200, 3_500),
            word("there", 3_500, 3_800),
            word("friend.", 3_800, 4_100),
        ];
        let mono = recognition(words, Envelope::default(), 1);
        let attributed = to_transcript(&mono, &ChannelNames::default(), Some(&lanes), "call");
        let turns: Vec<(&str, &str, u64, u64)> = attributed
            .transcript
            .turns
            .iter()
            .map(|t| (t.speaker.as_str(), t.text.as_str(), t.start.0, t.end.0))
            .collect();
        assert_eq!(
            turns,
            [
                ("Speaker 1", "Thank you.", 500, 2_400),
                ("Speaker 2", "Hello there friend.", 2_900, 10_000)
            ]
        );
        assert_eq!(attributed.voices.len(), 2);
        assert_eq!(
            attributed.transcript.participants[1].identified,
            Some(NameSource::Diarization)
        );
    }

    #[test]
    fn a_turn_mostly_in_doubtful_speech_is_flagged_with_that_doubt() {
        use crate::diarize::cluster::{Diarization, DoubtSpan};
        use crate::model::Doubt;
        let lanes = vec![Some(Diarization {
            spans: vec![
                span(0, 0, 3_000),
                span(1, 4_000, 4_400),
                span(0, 5_000, 9_000),
            ],
            voiceprints: vec![vec![1.0; 4], vec![0.5; 4]],
            doubts: vec![
                // A sliver of the first turn: not enough to doubt it.
                DoubtSpan {
                    start: Ms(2_500),
                    end: Ms(3_000),
                    doubt: Doubt::CloseVoices { margin: 0.02 },
                },
                DoubtSpan {
                    start: Ms(4_000),
                    end: Ms(4_400),
                    doubt: Doubt::TooShort,
                },
            ],
        })];
        let words = vec![
            word("We", 100, 400),
            word("stream", 400, 900),
            word("events.", 900, 2_800),
            word("Yes.", 4_050, 4_350),
            word("And", 5_100, 5_400),
            word("more.", 5_400, 8_800),
        ];
        let mono = recognition(words, Envelope::default(), 1);
        let transcript =
            to_transcript(&mono, &ChannelNames::default(), Some(&lanes), "call").transcript;
        let doubts: Vec<(&str, Option<Doubt>)> = transcript
            .turns
            .iter()
            .map(|t| (t.text.as_str(), t.doubt))
            .collect();
        assert_eq!(
            doubts,
            [
                ("We stream events.", None),
                ("Yes.", Some(Doubt::TooShort)),
                ("And more.", None)
            ]
        );
    }
}
