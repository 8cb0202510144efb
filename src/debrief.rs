//! The debrief: everything one analysis found about one call, in the shape the JSON report
//! publishes (`swimlane.debrief/1`). Renderers read it; nothing here does I/O.

use crate::model::{CallType, Doubt, NameSource, Role, RoleSource, Timing};
use crate::time::Ms;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The JSON schema name and version this crate writes.
pub const SCHEMA: &str = "swimlane.debrief/1";

/// The turn-level event types the coaching method defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    SePricing,
    AeTechnicalDepth,
    Handoff,
    RescuePhrase,
    NextStep,
    DemoMonkeyCommand,
}

impl EventKind {
    pub const ALL: [EventKind; 6] = [
        EventKind::SePricing,
        EventKind::AeTechnicalDepth,
        EventKind::Handoff,
        EventKind::RescuePhrase,
        EventKind::NextStep,
        EventKind::DemoMonkeyCommand,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::SePricing => "se_pricing",
            EventKind::AeTechnicalDepth => "ae_technical_depth",
            EventKind::Handoff => "handoff",
            EventKind::RescuePhrase => "rescue_phrase",
            EventKind::NextStep => "next_step",
            EventKind::DemoMonkeyCommand => "demo_monkey_command",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether this event is a lane violation (as opposed to good practice).
    pub fn is_violation(self) -> bool {
        matches!(
            self,
            EventKind::SePricing | EventKind::AeTechnicalDepth | EventKind::DemoMonkeyCommand
        )
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much a finding matters to the pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Someone left their lane.
    Violation,
    /// Worth a look in the autopsy.
    Warning,
    /// Practice the method wants to see more of.
    Good,
    /// Context, no judgement.
    Info,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Violation, Level::Warning, Level::Good, Level::Info];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Violation => "violation",
            Level::Warning => "warning",
            Level::Good => "good",
            Level::Info => "info",
        }
    }
}

/// Who passed what to whom, on a handoff event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handoff {
    pub from: Role,
    pub to: Role,
    pub topic: String,
    /// The receiving role is not on the call; the topic is parked for them.
    pub deferred: bool,
}

/// One turn-level event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    #[serde(rename = "type")]
    pub kind: EventKind,
    /// Index of the turn the event sits on.
    pub turn: usize,
    /// First and last turn of a multi-turn episode (technical depth, next-step agreement).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<(usize, usize)>,
    pub start: Ms,
    pub speaker: String,
    pub role: Role,
    /// The rule that fired, as `Pack.Rule`.
    pub rule: String,
    pub level: Level,
    /// The words that triggered it, quoted from the turn.
    pub evidence: String,
    /// The coaching tip.
    pub message: String,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub handoff: Option<Handoff>,
    /// Set when the speaker was told apart by voice and might be someone else, so the event
    /// might belong to them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker_doubt: Option<Doubt>,
}

/// How the call ended: with a concrete agreed next step or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextStep {
    pub secured: bool,
    pub turn: Option<usize>,
    pub start: Option<Ms>,
    /// Agreed before the charter's call-to-action minute. False when not secured.
    pub before_cta: bool,
    pub cta_minute: u32,
    pub evidence: Option<String>,
}

/// One qualification item: was it established, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Coverage {
    pub covered: bool,
    pub turns: Vec<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

/// The qualification checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Qualification {
    pub budget: Coverage,
    pub timeline: Coverage,
    pub sponsor: Coverage,
    pub pain: Coverage,
    pub competitors: Coverage,
}

/// A qualification item, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QualItem {
    Budget,
    Timeline,
    Sponsor,
    Pain,
    Competitors,
}

impl QualItem {
    pub const ALL: [QualItem; 5] = [
        QualItem::Budget,
        QualItem::Timeline,
        QualItem::Sponsor,
        QualItem::Pain,
        QualItem::Competitors,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QualItem::Budget => "budget",
            QualItem::Timeline => "timeline",
            QualItem::Sponsor => "sponsor",
            QualItem::Pain => "pain",
            QualItem::Competitors => "competitors",
        }
    }

    pub fn parse(s: &str) -> Option<QualItem> {
        QualItem::ALL.into_iter().find(|q| q.as_str() == s)
    }
}

impl Qualification {
    pub fn get(&self, item: QualItem) -> &Coverage {
        match item {
            QualItem::Budget => &self.budget,
            QualItem::Timeline => &self.timeline,
            QualItem::Sponsor => &self.sponsor,
            QualItem::Pain => &self.pain,
            QualItem::Competitors => &self.competitors,
        }
    }

    pub fn get_mut(&mut self, item: QualItem) -> &mut Coverage {
        match item {
            QualItem::Budget => &mut self.budget,
            QualItem::Timeline => &mut self.timeline,
            QualItem::Sponsor => &mut self.sponsor,
            QualItem::Pain => &mut self.pain,
            QualItem::Competitors => &mut self.competitors,
        }
    }
}

/// Call-level anti-patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Flags {
    pub demo_monkey: bool,
    pub technical_ambush: bool,
    pub happy_ears: bool,
}

/// A call-level finding from a rule (a missing-by-end-of-call check, a charter requirement).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub level: Level,
    pub message: String,
}

/// The longest uninterrupted stretch of one speaker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stretch {
    pub speaker: String,
    pub start: Ms,
    pub duration: Ms,
    pub first_turn: usize,
    pub last_turn: usize,
}

/// Talk figures for one speaker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpeakerSummary {
    pub name: String,
    pub role: Role,
    pub role_source: RoleSource,
    /// How a recording's speaker got their name (voiceprint, channel, introduction...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identified: Option<NameSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub present: bool,
    pub turns: usize,
    pub words: usize,
    pub talk: Ms,
    /// Share of all talk time in the call, 0..1.
    pub talk_share: f64,
    pub questions: usize,
    pub longest_monologue: Ms,
}

/// Talk figures for one role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleSummary {
    pub role: Role,
    pub speakers: usize,
    pub talk: Ms,
    pub talk_share: f64,
    pub questions: usize,
}

/// Conversation metrics for the whole call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub duration: Ms,
    pub roles: Vec<RoleSummary>,
    /// Vendor share of vendor+prospect talk time, as a percentage (43 means 43:57).
    pub vendor_talk_percent: f64,
    pub longest_monologue: Option<Stretch>,
    pub longest_prospect_story: Option<Stretch>,
    /// Questions asked by the vendor side.
    pub vendor_questions: usize,
    /// Speaker switches per minute.
    pub interactivity: f64,
    /// Mean pause before the vendor side speaks after a prospect stops; None without such a switch.
    pub patience: Option<Ms>,
    pub references: Vec<Reference>,
}

/// A published reference point shown beside a metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    pub metric: String,
    pub value: String,
    pub source: String,
}

/// Where the call came from and the settings it was judged by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallInfo {
    pub id: String,
    pub title: Option<String>,
    pub call_type: Option<CallType>,
    /// The day of the call, when known; reviews across calls order and filter by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<jiff::civil::Date>,
    pub source: Option<String>,
    pub duration: Ms,
    pub turns: usize,
    pub rescue_phrase: String,
    pub timing: Timing,
}

/// A turn as the debrief publishes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TurnOut {
    pub i: usize,
    pub speaker: String,
    pub role: Role,
    pub start: Ms,
    pub end: Ms,
    pub text: String,
    /// Set when the speaker was told apart by voice and might be someone else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doubt: Option<Doubt>,
}

/// The three autopsy questions, answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Autopsy {
    pub what_did_we_miss: Vec<String>,
    pub real_pain: Option<String>,
    pub next_step: String,
}

/// Everything the analysis says about one call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Debrief {
    pub schema: String,
    pub verdict: String,
    pub call: CallInfo,
    pub speakers: Vec<SpeakerSummary>,
    pub turns: Vec<TurnOut>,
    pub events: Vec<Event>,
    pub next_step: NextStep,
    pub qualification: Qualification,
    pub flags: Flags,
    pub findings: Vec<Finding>,
    pub autopsy: Autopsy,
    pub metrics: Metrics,
    pub warnings: Vec<String>,
}

impl Debrief {
    pub fn events_of(&self, kind: EventKind) -> impl Iterator<Item = &Event> {
        self.events.iter().filter(move |e| e.kind == kind)
    }
}
