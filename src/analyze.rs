//! The analysis pipeline for one transcript: settle roles, detect, measure, and assemble the
//! debrief with its verdict and autopsy answers.

use crate::charter::Charter;
use crate::debrief::{
    Autopsy, CallInfo, Debrief, Event, EventKind, Flags, Level, NextStep, QualItem, SCHEMA, TurnOut,
};
use crate::detect::{Detection, detect};
use crate::lexicon::Lexicon;
use crate::metrics;
use crate::model::{Call, CallType, Transcript};
use crate::roles::{RoleFlag, TitleWords, resolve};
use crate::text::capitalise;
use crate::time::Ms;

/// Everything an analysis is judged by besides the transcript itself.
#[derive(Debug, Clone, Copy)]
pub struct Settings<'a> {
    pub lexicon: &'a Lexicon,
    pub charter: &'a Charter,
    pub roles: &'a [RoleFlag],
    /// Overrides the transcript's call type.
    pub call_type: Option<&'a CallType>,
}

/// Analyses one transcript. `source` names the file it came from, for the report and as the
/// call id when the transcript has none.
pub fn analyze(transcript: &Transcript, source: Option<&str>, settings: &Settings) -> Debrief {
    let titles = TitleWords {
        ae: settings
            .lexicon
            .vocab
            .get("ae_titles")
            .cloned()
            .unwrap_or_default(),
        se: settings
            .lexicon
            .vocab
            .get("se_titles")
            .cloned()
            .unwrap_or_default(),
    };
    let mut call = resolve(transcript, settings.charter, settings.roles, &titles);
    if let Some(t) = settings.call_type {
        call.call_type = Some(t.clone());
    }
    if call.id.is_empty() {
        call.id = source
            .map(|s| {
                std::path::Path::new(s)
                    .file_stem()
                    .map(|x| x.to_string_lossy().to_string())
                    .unwrap_or_else(|| s.to_string())
            })
            .unwrap_or_else(|| "call".into());
    }
    let detection = detect(&call, settings.lexicon, settings.charter);
    assemble(&call, source, detection, settings.charter)
}

fn assemble(call: &Call, source: Option<&str>, detection: Detection, charter: &Charter) -> Debrief {
    let cta = Ms(u64::from(charter.cta_minute) * 60_000);
    let next = detection
        .events
        .iter()
        .find(|e| e.kind == EventKind::NextStep);
    let next_step = NextStep {
        secured: next.is_some(),
        turn: next.map(|e| e.turn),
        start: next.map(|e| e.start),
        before_cta: next.is_some_and(|e| e.start <= cta),
        cta_minute: charter.cta_minute,
        evidence: next.map(|e| e.evidence.clone()),
    };
    let metrics = metrics::measure(call);
    let mut warnings = call.warnings.clone();
    if call.timing == crate::model::Timing::Estimated {
        warnings.push("the transcript has no times; times and talk figures are estimated at 150 words a minute".into());
    }
    let turns: Vec<TurnOut> = call
        .turns
        .iter()
        .map(|t| TurnOut {
            i: t.index,
            speaker: t.speaker.clone(),
            role: call.role_of(&t.speaker),
            start: t.start,
            end: t.end,
            text: t.text.clone(),
            doubt: t.doubt,
        })
        .collect();
    let autopsy = autopsy(call, &detection, &next_step);
    let verdict = if call.turns.is_empty() {
        NO_SPEECH_VERDICT.to_string()
    } else {
        verdict(&detection, &next_step)
    };
    Debrief {
        schema: SCHEMA.into(),
        verdict,
        call: CallInfo {
            id: call.id.clone(),
            title: call.title.clone(),
            call_type: call.call_type.clone(),
            date: call.date,
            source: source.map(String::from),
            duration: call.duration(),
            turns: call.turns.len(),
            rescue_phrase: call.rescue_phrase.clone(),
            timing: call.timing,
        },
        speakers: metrics::speakers(call),
        turns,
        events: detection.events,
        next_step,
        qualification: detection.qualification,
        flags: detection.flags,
        findings: detection.findings,
        autopsy,
        metrics,
        warnings,
    }
}

fn label(kind: EventKind) -> &'static str {
    match kind {
        EventKind::SePricing => "SE talked pricing",
        EventKind::AeTechnicalDepth => "AE went deep into technical detail",
        EventKind::Handoff => "handoff",
        EventKind::RescuePhrase => "rescue phrase",
        EventKind::NextStep => "next step",
        EventKind::DemoMonkeyCommand => "AE ordered the SE around",
    }
}

fn at(e: &Event) -> String {
    format!("{} (turn {})", e.start, e.turn)
}

fn flag_notes(flags: &Flags) -> Vec<&'static str> {
    let mut out = Vec::new();
    if flags.demo_monkey {
        out.push("demo monkey: the AE drove the SE like a pair of hands");
    }
    if flags.technical_ambush {
        out.push("technical ambush: the buyer brought engineers who grilled an intro call");
    }
    if flags.happy_ears {
        out.push("happy ears: enthusiasm taken for a deal with nothing qualified");
    }
    out
}

fn autopsy(call: &Call, detection: &Detection, next_step: &NextStep) -> Autopsy {
    let mut missed = Vec::new();
    for e in detection
        .events
        .iter()
        .filter(|e| e.level == Level::Violation)
    {
        missed.push(format!(
            "{} at {}: \"{}\"",
            capitalise(label(e.kind)),
            at(e),
            e.evidence
        ));
    }
    for finding in &detection.findings {
        missed.push(finding.message.clone());
    }
    for note in flag_notes(&detection.flags) {
        missed.push(format!("{}.", capitalise(note)));
    }
    let pain = &detection.qualification.pain;
    let real_pain = pain.turns.first().map(|&t| {
        let turn = &call.turns[t];
        format!(
            "Yes: {} at {} (turn {}): \"{}\"",
            turn.speaker,
            turn.start,
            t,
            pain.evidence.clone().unwrap_or_default()
        )
    });
    let next_answer = match (next_step.turn, next_step.start) {
        (Some(t), Some(start)) => {
            let timing = if next_step.before_cta {
                format!("before minute {}", next_step.cta_minute)
            } else {
                format!("after minute {}, later than the charter asks", next_step.cta_minute)
            };
            format!("Yes, agreed at {start} (turn {t}), {timing}.")
        }
        _ => "No: the call ended without a concrete, agreed next step (a date, a meeting, a named owner).".into(),
    };
    Autopsy {
        what_did_we_miss: missed,
        real_pain,
        next_step: next_answer,
    }
}

/// The verdict of a call with no turns (a silent or unintelligible recording): nothing is
/// judged, rather than every missing item being held against the pair.
pub const NO_SPEECH_VERDICT: &str = "No speech: there is nothing to coach in this call.";

fn verdict(detection: &Detection, next_step: &NextStep) -> String {
    let violations: Vec<&Event> = detection
        .events
        .iter()
        .filter(|e| e.level == Level::Violation)
        .collect();
    let flags = flag_notes(&detection.flags);
    let covered = QualItem::ALL
        .iter()
        .filter(|i| detection.qualification.get(**i).covered)
        .count();
    let headline = match (next_step.secured, violations.is_empty() && flags.is_empty()) {
        (true, true) => "Strong call",
        (false, false) => "Call at risk",
        _ => "Mixed call",
    };
    let mut parts = vec![match next_step.start {
        Some(start) if next_step.before_cta => format!("next step secured at {start}"),
        Some(start) => format!("next step secured late, at {start}"),
        None => "no next step".into(),
    }];
    parts.push(match violations.len() {
        0 => "no swimlane violations".into(),
        1 => format!("1 swimlane violation ({})", label(violations[0].kind)),
        n => format!("{n} swimlane violations"),
    });
    parts.push(format!("qualification {covered}/5"));
    for f in flags {
        parts.push(f.split(':').next().unwrap_or(f).to_string());
    }
    format!("{headline}: {}.", parts.join("; "))
}
