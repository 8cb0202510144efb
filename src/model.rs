//! The plain data that flows between pipeline stages: a transcript as read from a file, and a
//! call once every speaker has a role. Stages take and return these; none of them print.

use crate::time::Ms;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Which side of the table a speaker sits on, and which lane they own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    /// Account Executive: the commercial process.
    #[serde(rename = "AE")]
    Ae,
    /// Solutions Engineer: the technical process.
    #[serde(rename = "SE")]
    Se,
    /// Anyone on the buying side.
    #[serde(rename = "prospect")]
    Prospect,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Ae, Role::Se, Role::Prospect];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Ae => "AE",
            Role::Se => "SE",
            Role::Prospect => "prospect",
        }
    }

    /// AE and SE sit on the vendor side.
    pub fn is_vendor(self) -> bool {
        matches!(self, Role::Ae | Role::Se)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for a role name that is not AE, SE or prospect.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}`: use AE, SE or prospect")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Role, UnknownRole> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ae" | "account executive" => Ok(Role::Ae),
            "se" | "solutions engineer" | "sales engineer" => Ok(Role::Se),
            "prospect" | "customer" | "buyer" => Ok(Role::Prospect),
            _ => Err(UnknownRole(s.to_string())),
        }
    }
}

/// How a speaker's role was decided, in order of precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleSource {
    /// A `--role NAME=ROLE` flag.
    Flag,
    /// The pair's charter names this person.
    Charter,
    /// The transcript file declares the role.
    Transcript,
    /// Someone introduced this speaker's role in the call ("I'm Sam, the solutions engineer").
    Introduction,
    /// The speaker's voice matches an enrolled voiceprint, which carries the role.
    Voiceprint,
    /// Nothing said otherwise, so a prospect.
    Default,
}

impl RoleSource {
    pub fn describe(self) -> &'static str {
        match self {
            RoleSource::Flag => "--role flag",
            RoleSource::Charter => "charter",
            RoleSource::Transcript => "transcript",
            RoleSource::Introduction => "self-introduction in the call",
            RoleSource::Voiceprint => "enrolled voiceprint",
            RoleSource::Default => "default",
        }
    }
}

/// The kind of meeting, which changes what some checks expect (an ambush needs an intro call).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CallType {
    Intro,
    Discovery,
    Demo,
    TechnicalDeepDive,
    PocReadout,
    Negotiation,
    /// A type the tool has no special handling for, kept as written.
    Other(String),
}

impl CallType {
    pub fn as_str(&self) -> &str {
        match self {
            CallType::Intro => "intro",
            CallType::Discovery => "discovery",
            CallType::Demo => "demo",
            CallType::TechnicalDeepDive => "technical-deep-dive",
            CallType::PocReadout => "poc-readout",
            CallType::Negotiation => "negotiation",
            CallType::Other(s) => s,
        }
    }
}

impl FromStr for CallType {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<CallType, Self::Err> {
        let key = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        Ok(match key.as_str() {
            "intro" | "introduction" | "introductory" => CallType::Intro,
            "discovery" => CallType::Discovery,
            "demo" | "demonstration" => CallType::Demo,
            "technical-deep-dive" | "deep-dive" | "technical" => CallType::TechnicalDeepDive,
            "poc-readout" | "readout" | "poc" => CallType::PocReadout,
            "negotiation" => CallType::Negotiation,
            _ => CallType::Other(s.trim().to_string()),
        })
    }
}

impl fmt::Display for CallType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CallType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CallType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(s.parse().unwrap_or_else(|never| match never {}))
    }
}

/// Whether turn times come from the source or were estimated from word counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Timing {
    #[default]
    Recorded,
    /// The source had no times (plain text without stamps); times assume 150 words a minute.
    Estimated,
}

/// One speaker turn or caption cue, kept in input order: `index` is its position in the file and
/// is what events cite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    pub index: usize,
    pub speaker: String,
    pub start: Ms,
    pub end: Ms,
    pub text: String,
    /// Set when the turn's speaker was found by voice and might be someone else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doubt: Option<Doubt>,
}

/// Why the speaker of a turn told apart by voice is in doubt.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "why")]
pub enum Doubt {
    /// The speech's voiceprint is nearly as like another speaker's as this one's: `margin` is
    /// the difference of the two cosine similarities.
    CloseVoices { margin: f32 },
    /// Too little speech to voiceprint; the speaker was taken from the speech next to it.
    TooShort,
}

impl Doubt {
    pub fn describe(self) -> String {
        match self {
            Doubt::CloseVoices { margin } => {
                format!("the voice is nearly as like another speaker's (margin {margin:.2})")
            }
            Doubt::TooShort => "too short to tell by voice".into(),
        }
    }
}

impl Turn {
    pub fn duration(&self) -> Ms {
        self.end.saturating_sub(self.start)
    }
}

impl Transcript {
    /// Gives speaker `from` the name `to` in the participant list and every turn.
    pub fn rename(&mut self, from: &str, to: &str) {
        for p in self.participants.iter_mut().filter(|p| p.name == from) {
            p.name = to.to_string();
        }
        for turn in self.turns.iter_mut().filter(|t| t.speaker == from) {
            turn.speaker = to.to_string();
        }
    }
}

/// A participant as the transcript declares them; the role may be unknown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeclaredParticipant {
    pub name: String,
    pub role: Option<Role>,
    pub title: Option<String>,
    /// How a recording's speaker got this name; `None` when a transcript file names them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identified: Option<NameSource>,
}

/// How a speaker found in a recording was named.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "by")]
pub enum NameSource {
    /// `--channel N=NAME`: the channel is this person's.
    Channel,
    /// `--track NAME=FILE`: the person's own recording.
    Track,
    /// The speaker's voice matches an enrolled voiceprint, with this cosine similarity.
    Voiceprint { similarity: f32 },
    /// The speaker said their name ("I'm Sam Patel, the solutions engineer").
    Introduction,
    /// Voiceprint clustering found a distinct voice nobody named: "Speaker N".
    Diarization,
    /// A channel nobody named, taken as one speaker: "Channel N".
    UnnamedChannel,
    /// One unnamed speaker for the whole recording.
    Undivided,
}

impl NameSource {
    pub fn describe(self) -> String {
        match self {
            NameSource::Channel => "--channel flag".into(),
            NameSource::Track => "own track (--track)".into(),
            NameSource::Voiceprint { similarity } => format!("voiceprint {similarity:.2}"),
            NameSource::Introduction => "said their name".into(),
            NameSource::Diarization => "unnamed voice".into(),
            NameSource::UnnamedChannel => "unnamed channel".into(),
            NameSource::Undivided => "speakers not separated".into(),
        }
    }

    /// Whether the name is a placeholder that a better source may replace.
    pub fn is_placeholder(self) -> bool {
        matches!(
            self,
            NameSource::Diarization | NameSource::UnnamedChannel | NameSource::Undivided
        )
    }
}

/// A call transcript as read from a file, before roles are settled.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Transcript {
    pub id: Option<String>,
    pub title: Option<String>,
    pub call_type: Option<CallType>,
    /// The day the call took place, when the transcript or the command line says.
    pub date: Option<jiff::civil::Date>,
    pub rescue_phrase: Option<String>,
    pub participants: Vec<DeclaredParticipant>,
    pub turns: Vec<Turn>,
    pub timing: Timing,
    /// Problems that did not stop reading, each naming where it was ("line 14: ...").
    pub warnings: Vec<String>,
}

/// A speaker with a settled role, and why it was settled that way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Participant {
    pub name: String,
    pub role: Role,
    pub role_source: RoleSource,
    pub title: Option<String>,
    /// How a recording's speaker got this name, when it was not a transcript's.
    pub identified: Option<NameSource>,
    /// False for people who are named as vendor colleagues but never speak.
    pub present: bool,
}

/// A call ready for detection: every speaker has a role.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub id: String,
    pub title: Option<String>,
    pub call_type: Option<CallType>,
    pub date: Option<jiff::civil::Date>,
    pub rescue_phrase: String,
    pub participants: Vec<Participant>,
    pub turns: Vec<Turn>,
    pub timing: Timing,
    pub warnings: Vec<String>,
}

impl Call {
    pub fn participant(&self, name: &str) -> Option<&Participant> {
        self.participants.iter().find(|p| p.name == name)
    }

    /// The role of the speaker of a turn (prospect for a name the call does not know).
    pub fn role_of(&self, speaker: &str) -> Role {
        self.participant(speaker)
            .map(|p| p.role)
            .unwrap_or(Role::Prospect)
    }

    /// Whether someone with this role speaks in the call.
    pub fn has_present(&self, role: Role) -> bool {
        self.participants
            .iter()
            .any(|p| p.present && p.role == role)
    }

    pub fn duration(&self) -> Ms {
        let first = self.turns.iter().map(|t| t.start).min().unwrap_or_default();
        let last = self.turns.iter().map(|t| t.end).max().unwrap_or_default();
        last.saturating_sub(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_case_insensitively_and_reject_others() {
        assert_eq!("ae".parse::<Role>(), Ok(Role::Ae));
        assert_eq!(" SE ".parse::<Role>(), Ok(Role::Se));
        assert_eq!("Prospect".parse::<Role>(), Ok(Role::Prospect));
        assert_eq!(
            "manager".parse::<Role>().unwrap_err().to_string(),
            "unknown role `manager`: use AE, SE or prospect"
        );
    }

    #[test]
    fn call_types_keep_unknown_values() {
        assert_eq!(
            "POC readout".parse::<CallType>().unwrap(),
            CallType::PocReadout
        );
        assert_eq!(
            "kickoff".parse::<CallType>().unwrap(),
            CallType::Other("kickoff".into())
        );
    }
}
