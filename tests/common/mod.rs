//! Helpers shared by the integration tests: a cast of four people with fixed roles and small
//! transcripts built in code.

use swimlane::model::{DeclaredParticipant, Role, Transcript, Turn};
use swimlane::time::Ms;

pub const AE: &str = "Maya Lindqvist";
pub const SE: &str = "Omar Haddad";
pub const BUYER: &str = "Hannah Becker";
pub const BUYER2: &str = "Luis Ortega";

/// The role each test speaker has in the transcript's participant list.
pub fn role_of(name: &str) -> Role {
    match name {
        AE => Role::Ae,
        SE => Role::Se,
        _ => Role::Prospect,
    }
}

/// A transcript of `(start seconds, speaker, text)` turns, every speaker declared with a role.
pub fn timed(turns: &[(u64, &str, &str)]) -> Transcript {
    let mut participants: Vec<DeclaredParticipant> = Vec::new();
    for (_, speaker, _) in turns {
        if !participants.iter().any(|p| p.name == *speaker) {
            participants.push(DeclaredParticipant {
                name: speaker.to_string(),
                role: Some(role_of(speaker)),
                title: None,
                identified: None,
            });
        }
    }
    Transcript {
        participants,
        turns: turns
            .iter()
            .enumerate()
            .map(|(index, (start, speaker, text))| Turn {
                index,
                speaker: speaker.to_string(),
                start: Ms(start * 1000),
                end: Ms(start * 1000 + 9000),
                text: text.to_string(),
                doubt: None,
            })
            .collect(),
        ..Transcript::default()
    }
}

/// A transcript with one turn every ten seconds.
pub fn transcript(turns: &[(&str, &str)]) -> Transcript {
    let timed_turns: Vec<(u64, &str, &str)> = turns
        .iter()
        .enumerate()
        .map(|(i, (speaker, text))| (i as u64 * 10, *speaker, *text))
        .collect();
    timed(&timed_turns)
}
