//! Conversation metrics: who talked how much, the longest monologues, questions, interactivity
//! and patience, with published reference points shown beside them (labelled as such: they are
//! other people's averages, not targets this tool measured).

use crate::debrief::{Metrics, Reference, RoleSummary, SpeakerSummary, Stretch};
use crate::model::{Call, Role};
use crate::text::{sentences, word_count};
use crate::time::Ms;

/// Reference points from published conversation-intelligence studies.
pub(crate) fn references() -> Vec<Reference> {
    vec![
        Reference {
            metric: "talk-to-listen ratio".into(),
            value: "43:57".into(),
            source: "Gong Labs analysis of B2B sales calls (top performers)".into(),
        },
        Reference {
            metric: "questions per discovery call".into(),
            value: "11 to 14".into(),
            source: "Gong Labs analysis of discovery calls".into(),
        },
    ]
}

fn questions_in(text: &str) -> usize {
    sentences(text)
        .into_iter()
        .filter(|r| text[r.clone()].ends_with('?'))
        .count()
}

/// Runs of consecutive turns by one speaker, as (speaker, first turn, last turn) indices.
fn stretches(call: &Call) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (i, turn) in call.turns.iter().enumerate() {
        match out.last_mut() {
            Some((_, last)) if call.turns[*last].speaker == turn.speaker => *last = i,
            _ => out.push((i, i)),
        }
    }
    out
}

fn stretch(call: &Call, (first, last): (usize, usize)) -> Stretch {
    let start = call.turns[first].start;
    Stretch {
        speaker: call.turns[first].speaker.clone(),
        start,
        duration: call.turns[last].end.saturating_sub(start),
        first_turn: call.turns[first].index,
        last_turn: call.turns[last].index,
    }
}

fn longest_where(
    call: &Call,
    runs: &[(usize, usize)],
    keep: impl Fn(Role) -> bool,
) -> Option<Stretch> {
    runs.iter()
        .filter(|(first, _)| keep(call.role_of(&call.turns[*first].speaker)))
        .map(|run| stretch(call, *run))
        .max_by_key(|s| (s.duration, std::cmp::Reverse(s.start)))
}

/// Per-speaker talk figures, in order of first appearance, absent colleagues last.
pub fn speakers(call: &Call) -> Vec<SpeakerSummary> {
    let total: u64 = call.turns.iter().map(|t| t.duration().0).sum();
    let runs = stretches(call);
    call.participants
        .iter()
        .map(|p| {
            let own: Vec<_> = call.turns.iter().filter(|t| t.speaker == p.name).collect();
            let talk = Ms(own.iter().map(|t| t.duration().0).sum());
            let longest = runs
                .iter()
                .filter(|(f, _)| call.turns[*f].speaker == p.name)
                .map(|run| stretch(call, *run).duration)
                .max()
                .unwrap_or_default();
            SpeakerSummary {
                name: p.name.clone(),
                role: p.role,
                role_source: p.role_source,
                identified: p.identified,
                title: p.title.clone(),
                present: p.present,
                turns: own.len(),
                words: own.iter().map(|t| word_count(&t.text)).sum(),
                talk,
                talk_share: share(talk.0, total),
                questions: own.iter().map(|t| questions_in(&t.text)).sum(),
                longest_monologue: longest,
            }
        })
        .collect()
}

fn share(part: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        part as f64 / total as f64
    }
}

/// Computes the call's metrics.
pub fn measure(call: &Call) -> Metrics {
    let total: u64 = call.turns.iter().map(|t| t.duration().0).sum();
    let roles = Role::ALL
        .iter()
        .map(|&role| {
            let turns: Vec<_> = call
                .turns
                .iter()
                .filter(|t| call.role_of(&t.speaker) == role)
                .collect();
            let talk: u64 = turns.iter().map(|t| t.duration().0).sum();
            RoleSummary {
                role,
                speakers: call
                    .participants
                    .iter()
                    .filter(|p| p.present && p.role == role)
                    .count(),
                talk: Ms(talk),
                talk_share: share(talk, total),
                questions: turns.iter().map(|t| questions_in(&t.text)).sum(),
            }
        })
        .collect::<Vec<_>>();
    let vendor_talk: u64 = roles
        .iter()
        .filter(|r| r.role.is_vendor())
        .map(|r| r.talk.0)
        .sum();
    let runs = stretches(call);
    let switches = runs.len().saturating_sub(1);
    let minutes = call.duration().as_secs_f64() / 60.0;
    let pauses: Vec<u64> = call
        .turns
        .windows(2)
        .filter(|w| {
            call.role_of(&w[0].speaker) == Role::Prospect && call.role_of(&w[1].speaker).is_vendor()
        })
        .map(|w| w[1].start.saturating_sub(w[0].end).0)
        .collect();
    Metrics {
        duration: call.duration(),
        vendor_talk_percent: share(vendor_talk, total) * 100.0,
        vendor_questions: roles
            .iter()
            .filter(|r| r.role.is_vendor())
            .map(|r| r.questions)
            .sum(),
        roles,
        longest_monologue: longest_where(call, &runs, Role::is_vendor),
        longest_prospect_story: longest_where(call, &runs, |r| r == Role::Prospect),
        interactivity: if minutes > 0.0 {
            switches as f64 / minutes
        } else {
            0.0
        },
        patience: (!pauses.is_empty())
            .then(|| Ms(pauses.iter().sum::<u64>() / pauses.len() as u64)),
        references: references(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Participant, RoleSource, Timing, Turn};

    fn call() -> Call {
        let people = [
            ("Ann", Role::Ae),
            ("Sid", Role::Se),
            ("Pat", Role::Prospect),
        ];
        let turns = [
            ("Ann", 0, 10_000, "Hi Pat. What is going on?"),
            (
                "Pat",
                10_500,
                40_000,
                "Our deploys break weekly. It costs us hours.",
            ),
            ("Sid", 41_500, 50_000, "How do you deploy today?"),
            ("Sid", 50_000, 70_000, "We can help with that."),
            ("Pat", 70_200, 80_000, "Okay."),
            ("Ann", 82_200, 90_000, "Shall we meet Tuesday at ten?"),
        ];
        Call {
            id: "m".into(),
            title: None,
            call_type: None,
            date: None,
            rescue_phrase: String::new(),
            participants: people
                .iter()
                .map(|(n, r)| Participant {
                    name: n.to_string(),
                    role: *r,
                    role_source: RoleSource::Flag,
                    title: None,
                    present: true,
                    identified: None,
                })
                .collect(),
            turns: turns
                .iter()
                .enumerate()
                .map(|(i, (s, a, b, t))| Turn {
                    index: i,
                    speaker: s.to_string(),
                    start: Ms(*a),
                    end: Ms(*b),
                    text: t.to_string(),
                    doubt: None,
                })
                .collect(),
            timing: Timing::Recorded,
            warnings: vec![],
        }
    }

    #[test]
    fn talk_shares_questions_and_monologues() {
        let c = call();
        let m = measure(&c);
        let total = 10_000 + 29_500 + 8_500 + 20_000 + 9_800 + 7_800;
        let vendor = 10_000 + 8_500 + 20_000 + 7_800;
        assert!((m.vendor_talk_percent - vendor as f64 * 100.0 / total as f64).abs() < 1e-9);
        assert_eq!(m.vendor_questions, 3);
        let mono = m.longest_monologue.unwrap();
        assert_eq!(
            (
                mono.speaker.as_str(),
                mono.first_turn,
                mono.last_turn,
                mono.duration
            ),
            ("Sid", 2, 3, Ms(28_500))
        );
        assert_eq!(m.longest_prospect_story.unwrap().duration, Ms(29_500));
        assert_eq!(m.patience, Some(Ms((1_500 + 2_200) / 2)));
        assert!((m.interactivity - 4.0 / 1.5).abs() < 1e-9);
    }

    #[test]
    fn consecutive_turns_of_one_speaker_are_one_stretch() {
        let s = speakers(&call());
        let sid = s.iter().find(|x| x.name == "Sid").unwrap();
        assert_eq!(
            (sid.turns, sid.longest_monologue, sid.questions),
            (2, Ms(28_500), 1)
        );
    }
}
