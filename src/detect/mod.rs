//! Detection: runs every lexicon rule over a prepared call and gathers turn-level events,
//! qualification evidence, call-level signals and the flags built from them. Pure: no I/O.

mod flags;
mod prepare;
mod rules;

pub use flags::{FlagThresholds, flags};
pub use prepare::{PreparedTurn, Sentence, prepare};

use crate::charter::Charter;
use crate::debrief::{Event, EventKind, Finding, Flags, QualItem, Qualification};
use crate::lexicon::{Deadline, Expectation, Lexicon, RuleKind, Target};
use crate::time::Ms;
use std::collections::BTreeMap;

/// What detection found in one call.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    pub events: Vec<Event>,
    pub qualification: Qualification,
    /// Turns on which each named signal fired.
    pub signals: BTreeMap<String, Vec<usize>>,
    pub flags: Flags,
    pub findings: Vec<Finding>,
}

/// A rule firing before it becomes an event or a finding.
#[derive(Debug, Clone)]
pub(crate) struct Firing {
    pub rule: usize,
    pub turn: usize,
    pub span: Option<(usize, usize)>,
    pub evidence: String,
    /// For handoffs: the topic found.
    pub topic: Option<String>,
}

/// Runs all rules over the call.
pub fn detect(call: &crate::model::Call, lexicon: &Lexicon, charter: &Charter) -> Detection {
    let turns = prepare(call, lexicon);
    let context = rules::Context {
        call,
        lexicon,
        charter,
        turns: &turns,
    };
    let mut events = Vec::new();
    let mut qualification = Qualification::default();
    let mut signals: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (index, rule) in lexicon.rules.iter().enumerate() {
        if matches!(rule.kind, RuleKind::Missing { .. }) {
            continue;
        }
        for firing in context.run(index) {
            match &rule.target {
                Target::Event(kind) => events.push(context.event(*kind, &firing)),
                Target::Finding(item) => {
                    let coverage = qualification.get_mut(*item);
                    coverage.covered = true;
                    if !coverage.turns.contains(&firing.turn) {
                        coverage.turns.push(firing.turn);
                    }
                    coverage.evidence.get_or_insert(firing.evidence);
                }
                Target::Signal(name) => signals.entry(name.clone()).or_default().push(firing.turn),
                Target::CallFinding => {}
            }
        }
    }
    for item in QualItem::ALL {
        qualification.get_mut(item).turns.sort_unstable();
    }
    let events = settle_events(events, lexicon);
    let flags = flags(
        call,
        &events,
        &qualification,
        &signals,
        &FlagThresholds::default(),
    );
    let findings = missing_findings(call, lexicon, charter, &events, &qualification);
    Detection {
        events,
        qualification,
        signals,
        flags,
        findings,
    }
}

/// Orders events, keeps one per type and turn (with the evidence of every rule that found it),
/// one next step per call, and drops events that a rule says are cancelled by another event on
/// the same turn (a "handoff" that already leaked the price is not a handoff).
fn settle_events(mut events: Vec<Event>, lexicon: &Lexicon) -> Vec<Event> {
    events.sort_by_key(|e| (e.turn, e.kind));
    events.dedup_by(|later, earlier| {
        let same = later.turn == earlier.turn && later.kind == earlier.kind;
        if same && !earlier.evidence.contains(&later.evidence) {
            earlier.evidence = format!("{} … {}", earlier.evidence, later.evidence);
        }
        same
    });
    let present: Vec<(usize, EventKind)> = events.iter().map(|e| (e.turn, e.kind)).collect();
    events.retain(|e| {
        lexicon.rule(&e.rule).is_none_or(|r| {
            !r.suppressed_by
                .iter()
                .any(|k| present.contains(&(e.turn, *k)))
        })
    });
    let mut seen_next_step = false;
    events.retain(|e| {
        if e.kind != EventKind::NextStep {
            return true;
        }
        !std::mem::replace(&mut seen_next_step, true)
    });
    events
}

/// The findings of `missing` rules, and of the charter's qualification-before-demo requirement.
fn missing_findings(
    call: &crate::model::Call,
    lexicon: &Lexicon,
    charter: &Charter,
    events: &[Event],
    qualification: &Qualification,
) -> Vec<Finding> {
    let cta = Ms(u64::from(charter.cta_minute) * 60_000);
    let mut out = Vec::new();
    for rule in &lexicon.rules {
        let RuleKind::Missing { expects, by } = rule.kind else {
            continue;
        };
        let deadline = match by {
            Deadline::EndOfCall => Ms(u64::MAX),
            Deadline::Cta => cta,
        };
        let met = match expects {
            Expectation::Event(kind) => {
                events.iter().any(|e| e.kind == kind && e.start <= deadline)
            }
            Expectation::Finding(item) => qualification.get(item).covered,
        };
        if !met {
            out.push(Finding {
                rule: rule.id.clone(),
                level: rule.level,
                message: rules::personalise(&rule.message, call)
                    .replace("{cta_minute}", &charter.cta_minute.to_string()),
            });
        }
    }
    // The next step first, then qualification in checklist order, whatever the rule ids.
    out.sort_by_key(|f| match lexicon.rule(&f.rule).map(|r| &r.kind) {
        Some(RuleKind::Missing {
            expects: Expectation::Event(k),
            ..
        }) => (0, *k as usize),
        Some(RuleKind::Missing {
            expects: Expectation::Finding(q),
            ..
        }) => (1, *q as usize),
        _ => (2, 0),
    });
    let demo_like = matches!(
        call.call_type,
        Some(crate::model::CallType::Demo) | Some(crate::model::CallType::PocReadout)
    );
    let missing: Vec<&str> = charter
        .required_before_demo
        .iter()
        .filter(|item| !qualification.get(**item).covered)
        .map(|item| item.as_str())
        .collect();
    if demo_like && !missing.is_empty() {
        out.push(Finding {
            rule: "Charter.RequiredBeforeDemo".into(),
            level: crate::debrief::Level::Violation,
            message: format!(
                "The charter asks for {} before a demo or POC, and this call did not establish {}. Qualify before you show.",
                charter.required_before_demo.iter().map(|i| i.as_str()).collect::<Vec<_>>().join(", "),
                missing.join(", ")
            ),
        });
    }
    out
}
