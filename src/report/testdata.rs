//! Sample debriefs for the report tests: a realistic four-person demo call, a minimal two-person
//! call with nothing to praise, and a long synthetic call. Talk figures are computed from the
//! turns so that every number in a snapshot agrees with the transcript beside it.

use crate::debrief::{
    Autopsy, CallInfo, Coverage, Debrief, Event, EventKind, Finding, Flags, Handoff, Level,
    Metrics, NextStep, Qualification, RoleSummary, SCHEMA, SpeakerSummary, Stretch, TurnOut,
};
use crate::model::{CallType, Role, RoleSource, Timing};
use crate::time::Ms;

/// A person on the call: name, role, how the role was decided, title.
type Person = (&'static str, Role, RoleSource, Option<&'static str>);

/// A turn: speaker, start and end as `m:ss`, text.
type Line = (&'static str, &'static str, &'static str, &'static str);

const SAMPLE_PEOPLE: [Person; 4] = [
    (
        "Priya Nair",
        Role::Ae,
        RoleSource::Charter,
        Some("Account Executive"),
    ),
    (
        "Marcus Webb",
        Role::Se,
        RoleSource::Charter,
        Some("Solutions Engineer"),
    ),
    (
        "Dana Whitfield",
        Role::Prospect,
        RoleSource::Transcript,
        Some("VP Engineering"),
    ),
    (
        "Tom Okafor",
        Role::Prospect,
        RoleSource::Introduction,
        Some("Director, IT | Security"),
    ),
];

const SAMPLE_TURNS: [Line; 28] = [
    (
        "Priya Nair",
        "0:00",
        "0:38",
        "Thanks for making the time, everyone. I'm Priya, I look after Northwind on the commercial side, and Marcus here is our solutions engineer. Dana, what would make this call worth it for you?",
    ),
    (
        "Dana Whitfield",
        "0:39",
        "1:32",
        "Honestly, we need to see whether Relay can replace the nightly batch jobs. Our dispatch team works off data that is twelve hours stale, and last quarter that cost us two big retail accounts.",
    ),
    (
        "Priya Nair",
        "1:33",
        "1:58",
        "Two accounts is a lot. What did that cost, roughly, and who felt it most?",
    ),
    (
        "Dana Whitfield",
        "1:59",
        "3:10",
        "Around 1.8 million in annual revenue. Our COO, Elena, asked me to fix it, and she signs off anything over 100k.",
    ),
    (
        "Priya Nair",
        "3:11",
        "3:30",
        "That helps. Marcus, can you show Dana how the streaming connectors replace the batch window?",
    ),
    (
        "Marcus Webb",
        "3:31",
        "6:45",
        "Sure. This is the pipeline view. Each source on the left streams change events as they happen, so the dispatch tables stay within seconds of the order system instead of waiting for the nightly run.",
    ),
    (
        "Tom Okafor",
        "6:46",
        "7:20",
        "How does it authenticate to our warehouse? We don't allow shared service accounts.",
    ),
    (
        "Marcus Webb",
        "7:21",
        "9:02",
        "Each connector gets its own short-lived credential through your identity provider, scoped to the tables it needs, and rotated every hour.",
    ),
    (
        "Tom Okafor",
        "9:03",
        "9:50",
        "Good. Our SIEM chokes on payloads like <script>alert(1)</script> in user-agent strings. Would your audit log escape those?",
    ),
    (
        "Marcus Webb",
        "9:51",
        "10:40",
        "Yes, the audit log stores the raw value and escapes it on export & display, so you see exactly what was sent.",
    ),
    (
        "Dana Whitfield",
        "10:41",
        "11:05",
        "And what does this cost? Ballpark is fine.",
    ),
    (
        "Marcus Webb",
        "11:06",
        "11:42",
        "List is about 90k a year for your volume, but we could probably knock 20% off if you sign this quarter.",
    ),
    (
        "Priya Nair",
        "11:43",
        "12:30",
        "Let me take that one, Marcus. Pricing depends on the connectors and volume you land on, so I'll put a proper proposal together once we've scoped it. Do you have budget set aside for this project?",
    ),
    (
        "Dana Whitfield",
        "12:31",
        "13:15",
        "We have 120k approved for data infrastructure this fiscal year.",
    ),
    (
        "Priya Nair",
        "13:16",
        "13:40",
        "Great. Marcus, back to you for the failover question Tom raised in the invite.",
    ),
    (
        "Marcus Webb",
        "13:41",
        "16:20",
        "If the warehouse is unreachable, connectors keep reading from the source and hold their position, then replay in order once it's back. Here's the lag chart from a failover drill.",
    ),
    (
        "Tom Okafor",
        "16:21",
        "16:50",
        "What happens if the Kafka cluster goes away for an hour?",
    ),
    (
        "Marcus Webb",
        "16:51",
        "18:35",
        "The connector buffers to local disk up to a limit you set, and alerts before it fills. Nothing is dropped silently.",
    ),
    (
        "Dana Whitfield",
        "18:36",
        "19:30",
        "This is really impressive. The team will love it.",
    ),
    (
        "Priya Nair",
        "19:31",
        "20:05",
        "Glad it lands. Who else would need to see it before Elena signs?",
    ),
    (
        "Dana Whitfield",
        "20:06",
        "20:40",
        "Probably procurement, and Tom's team for the security review.",
    ),
    (
        "Marcus Webb",
        "20:41",
        "22:50",
        "Tom, I can send the SOC 2 report and our latest pen test summary ahead of that, so your team can start before we meet.",
    ),
    (
        "Tom Okafor",
        "22:51",
        "23:20",
        "Please do. We'll need a security review before any pilot.",
    ),
    (
        "Priya Nair",
        "23:21",
        "23:58",
        "Then let's get that on the calendar. Tom, does Tuesday at ten work for the security review with Marcus?",
    ),
    (
        "Tom Okafor",
        "23:59",
        "24:10",
        "Tuesday at ten works. Send the invite.",
    ),
    (
        "Priya Nair",
        "24:11",
        "24:40",
        "I'll send it today with the SOC 2 report attached. Marcus, anything on your side?",
    ),
    (
        "Marcus Webb",
        "24:41",
        "25:05",
        "Only that pilot scoping is a question for Priya once security is happy.",
    ),
    (
        "Dana Whitfield",
        "25:06",
        "25:20",
        "Sounds good. Thanks, both.",
    ),
];

/// A realistic demo call: an SE pricing slip rescued by the AE, two handoffs, a next step before
/// the call-to-action minute, three of five qualification items, and a reader warning.
pub fn sample() -> Debrief {
    let turns = turns(&SAMPLE_PEOPLE, &SAMPLE_TURNS);
    let events = vec![
        handoff(
            &turns[4],
            "Marcus, can you show Dana how the streaming connectors replace the batch window?",
            "Clean handoff: you named the colleague, the topic and the person it is for.",
            (Role::Ae, Role::Se, "streaming connectors"),
        ),
        event(
            &turns[11],
            EventKind::SePricing,
            "Swimlane.SePricing",
            Level::Violation,
            "we could probably knock 20% off if you sign this quarter",
            "Pricing is the AE's lane, even when the buyer asks you directly. Say \"Priya owns the commercials, let me hand that to her\" and stop there: a discount offered by the SE becomes the floor.",
        ),
        event(
            &turns[12],
            EventKind::RescuePhrase,
            "Method.RescuePhrase",
            Level::Good,
            "Let me take that one",
            "The agreed phrase took pricing back without undercutting the SE in front of the buyer.",
        ),
        Event {
            span: Some((23, 24)),
            ..event(
                &turns[24],
                EventKind::NextStep,
                "Method.NextStep",
                Level::Good,
                "Tuesday at ten works. Send the invite.",
                "A concrete next step: a dated security review with a named owner.",
            )
        },
        handoff(
            &turns[26],
            "pilot scoping is a question for Priya",
            "The SE parked the commercial question with the AE instead of answering it.",
            (Role::Se, Role::Ae, "pilot scope and commercials"),
        ),
    ];
    Debrief {
        schema: SCHEMA.into(),
        verdict: "Mixed call: next step secured at 23:59; 1 swimlane violation (SE talked pricing); qualification 3/5.".into(),
        call: call_info("northwind-relay-demo", Some("Northwind Logistics: Relay platform demo"), Some(CallType::Demo), &turns, "let me take that one"),
        speakers: speakers(&SAMPLE_PEOPLE, &turns),
        events,
        next_step: NextStep {
            secured: true,
            turn: Some(24),
            start: Some(turns[24].start),
            before_cta: true,
            cta_minute: 25,
            evidence: Some("Tuesday at ten works. Send the invite.".into()),
        },
        qualification: Qualification {
            budget: covered(&[13], "We have 120k approved for data infrastructure this fiscal year"),
            timeline: Coverage::default(),
            sponsor: covered(&[3], "Our COO, Elena, asked me to fix it, and she signs off anything over 100k"),
            pain: covered(&[1, 3], "Our dispatch team works off data that is twelve hours stale"),
            competitors: Coverage::default(),
        },
        flags: Flags::default(),
        findings: vec![
            finding("Method.TimelineByEnd", Level::Warning, "No timeline was established by the end of the call: ask when Elena needs this live and what happens if it slips."),
            finding("Charter.Competitors", Level::Info, "Competitors never came up; find out who else is in the evaluation before the security review."),
        ],
        autopsy: Autopsy {
            what_did_we_miss: vec![
                "SE talked pricing at 11:06 (turn 11): \"we could probably knock 20% off if you sign this quarter\"".into(),
                "No timeline was established by the end of the call: ask when Elena needs this live and what happens if it slips.".into(),
                "Competitors never came up; find out who else is in the evaluation before the security review.".into(),
            ],
            real_pain: Some("Yes: Dana Whitfield at 0:39 (turn 1): \"Our dispatch team works off data that is twelve hours stale\"".into()),
            next_step: "Yes, agreed at 23:59 (turn 24), before minute 25.".into(),
        },
        metrics: metrics(&SAMPLE_PEOPLE, &turns),
        warnings: vec!["line 212: caption cue without text skipped".into()],
        turns,
    }
}

const MINIMAL_PEOPLE: [Person; 2] = [
    ("Sam Carter", Role::Ae, RoleSource::Flag, None),
    ("Lee Park", Role::Prospect, RoleSource::Default, None),
];

const MINIMAL_TURNS: [Line; 4] = [
    (
        "Sam Carter",
        "0:00",
        "0:12",
        "Hi Lee, thanks for taking the call. What prompted you to look at Relay?",
    ),
    (
        "Lee Park",
        "0:13",
        "0:31",
        "We saw the webinar and loved it. It looks great.",
    ),
    (
        "Sam Carter",
        "0:33",
        "0:49",
        "Great to hear! I'll send over some material.",
    ),
    ("Lee Park", "0:50", "0:55", "Perfect, talk soon."),
];

/// A short call with no events, no qualification and no next step: happy ears.
pub fn minimal() -> Debrief {
    let turns = turns(&MINIMAL_PEOPLE, &MINIMAL_TURNS);
    Debrief {
        schema: SCHEMA.into(),
        verdict: "Call at risk: no next step; no swimlane violations; qualification 0/5; happy ears."
            .into(),
        call: call_info("acme-intro", None, None, &turns, "let me take that one"),
        speakers: speakers(&MINIMAL_PEOPLE, &turns),
        events: Vec::new(),
        next_step: NextStep {
            secured: false,
            turn: None,
            start: None,
            before_cta: false,
            cta_minute: 25,
            evidence: None,
        },
        qualification: Qualification::default(),
        flags: Flags {
            happy_ears: true,
            ..Flags::default()
        },
        findings: Vec::new(),
        autopsy: Autopsy {
            what_did_we_miss: vec!["No concrete next step was agreed.".into()],
            real_pain: None,
            next_step: "No: the call ended without a concrete, agreed next step (a date, a meeting, a named owner).".into(),
        },
        metrics: metrics(&MINIMAL_PEOPLE, &turns),
        warnings: Vec::new(),
        turns,
    }
}

/// A call of `n` fifteen-second turns, three speakers in rotation, one violation every hundred
/// turns: for checks that long calls still render within fixed bounds.
pub fn long_call(n: usize) -> Debrief {
    let people = &SAMPLE_PEOPLE[..3];
    let turns: Vec<TurnOut> = (0..n)
        .map(|i| {
            let (name, role, _, _) = people[i % people.len()];
            let start = Ms(i as u64 * 15_000);
            TurnOut {
                i,
                speaker: name.into(),
                role,
                start,
                end: start + Ms(14_000),
                text: format!("Turn {i}: still on the roadmap?"),
                doubt: None,
            }
        })
        .collect();
    let events = turns
        .iter()
        .filter(|t| t.i % 100 == 50)
        .map(|t| {
            event(
                t,
                EventKind::AeTechnicalDepth,
                "Swimlane.AeDepth",
                Level::Violation,
                "the roadmap",
                "Hand the roadmap to the SE.",
            )
        })
        .collect();
    Debrief {
        events,
        speakers: speakers(people, &turns),
        metrics: metrics(people, &turns),
        call: call_info("long", None, None, &turns, "over to you"),
        turns,
        ..minimal()
    }
}

fn at(clock: &str) -> Ms {
    let (m, s) = clock.split_once(':').expect("test clocks are m:ss");
    let secs: u64 = m.parse::<u64>().expect("minutes") * 60 + s.parse::<u64>().expect("seconds");
    Ms(secs * 1000)
}

fn turns(people: &[Person], lines: &[Line]) -> Vec<TurnOut> {
    lines
        .iter()
        .enumerate()
        .map(|(i, (speaker, start, end, text))| TurnOut {
            i,
            speaker: speaker.to_string(),
            role: role_of(people, speaker),
            start: at(start),
            end: at(end),
            text: text.to_string(),
            doubt: None,
        })
        .collect()
}

fn role_of(people: &[Person], name: &str) -> Role {
    people
        .iter()
        .find(|p| p.0 == name)
        .map_or(Role::Prospect, |p| p.1)
}

fn event(
    turn: &TurnOut,
    kind: EventKind,
    rule: &str,
    level: Level,
    evidence: &str,
    message: &str,
) -> Event {
    Event {
        kind,
        turn: turn.i,
        span: None,
        start: turn.start,
        speaker: turn.speaker.clone(),
        role: turn.role,
        rule: rule.into(),
        level,
        evidence: evidence.into(),
        message: message.into(),
        handoff: None,
        speaker_doubt: turn.doubt,
    }
}

fn handoff(
    turn: &TurnOut,
    evidence: &str,
    message: &str,
    (from, to, topic): (Role, Role, &str),
) -> Event {
    Event {
        handoff: Some(Handoff {
            from,
            to,
            topic: topic.into(),
            deferred: false,
        }),
        ..event(
            turn,
            EventKind::Handoff,
            "Method.Handoff",
            Level::Good,
            evidence,
            message,
        )
    }
}

fn covered(turns: &[usize], evidence: &str) -> Coverage {
    Coverage {
        covered: true,
        turns: turns.to_vec(),
        evidence: Some(evidence.into()),
    }
}

fn finding(rule: &str, level: Level, message: &str) -> Finding {
    Finding {
        rule: rule.into(),
        level,
        message: message.into(),
    }
}

fn call_info(
    id: &str,
    title: Option<&str>,
    call_type: Option<CallType>,
    turns: &[TurnOut],
    rescue_phrase: &str,
) -> CallInfo {
    CallInfo {
        id: id.into(),
        title: title.map(String::from),
        call_type,
        date: None,
        source: Some(format!("calls/{id}.vtt")),
        duration: duration(turns),
        turns: turns.len(),
        rescue_phrase: rescue_phrase.into(),
        timing: Timing::Recorded,
    }
}

fn duration(turns: &[TurnOut]) -> Ms {
    let first = turns.iter().map(|t| t.start).min().unwrap_or_default();
    let last = turns.iter().map(|t| t.end).max().unwrap_or_default();
    last.saturating_sub(first)
}

fn talk<'a>(turns: impl Iterator<Item = &'a TurnOut>) -> Ms {
    Ms(turns.map(|t| t.end.saturating_sub(t.start).0).sum())
}

fn questions(text: &str) -> usize {
    text.matches('?').count()
}

fn share(part: Ms, whole: Ms) -> f64 {
    if whole.0 == 0 {
        0.0
    } else {
        part.0 as f64 / whole.0 as f64
    }
}

/// Runs of consecutive turns by one speaker.
fn stretches(turns: &[TurnOut]) -> Vec<Stretch> {
    let mut out: Vec<Stretch> = Vec::new();
    for t in turns {
        match out.last_mut() {
            Some(s) if s.speaker == t.speaker => {
                s.last_turn = t.i;
                s.duration = t.end.saturating_sub(s.start);
            }
            _ => out.push(Stretch {
                speaker: t.speaker.clone(),
                start: t.start,
                duration: t.end.saturating_sub(t.start),
                first_turn: t.i,
                last_turn: t.i,
            }),
        }
    }
    out
}

fn speakers(people: &[Person], turns: &[TurnOut]) -> Vec<SpeakerSummary> {
    let total = talk(turns.iter());
    let runs = stretches(turns);
    people
        .iter()
        .map(|&(name, role, role_source, title)| {
            let own: Vec<&TurnOut> = turns.iter().filter(|t| t.speaker == name).collect();
            let spoken = talk(own.iter().copied());
            SpeakerSummary {
                name: name.into(),
                role,
                role_source,
                identified: None,
                title: title.map(String::from),
                present: !own.is_empty(),
                turns: own.len(),
                words: own.iter().map(|t| t.text.split_whitespace().count()).sum(),
                talk: spoken,
                talk_share: share(spoken, total),
                questions: own.iter().map(|t| questions(&t.text)).sum(),
                longest_monologue: runs
                    .iter()
                    .filter(|s| s.speaker == name)
                    .map(|s| s.duration)
                    .max()
                    .unwrap_or_default(),
            }
        })
        .collect()
}

fn metrics(people: &[Person], turns: &[TurnOut]) -> Metrics {
    let total = talk(turns.iter());
    let roles: Vec<RoleSummary> = Role::ALL
        .iter()
        .map(|&role| {
            let own = || turns.iter().filter(move |t| t.role == role);
            RoleSummary {
                role,
                speakers: people.iter().filter(|p| p.1 == role).count(),
                talk: talk(own()),
                talk_share: share(talk(own()), total),
                questions: own().map(|t| questions(&t.text)).sum(),
            }
        })
        .collect();
    let vendor = talk(turns.iter().filter(|t| t.role.is_vendor()));
    let runs = stretches(turns);
    let longest = |vendor_side: bool| {
        runs.iter()
            .filter(|s| role_of(people, &s.speaker).is_vendor() == vendor_side)
            .max_by_key(|s| s.duration)
            .cloned()
    };
    let pauses: Vec<u64> = turns
        .windows(2)
        .filter(|w| w[0].role == Role::Prospect && w[1].role.is_vendor())
        .map(|w| w[1].start.saturating_sub(w[0].end).0)
        .collect();
    let minutes = duration(turns).as_secs_f64() / 60.0;
    Metrics {
        duration: duration(turns),
        vendor_talk_percent: share(vendor, total) * 100.0,
        vendor_questions: roles
            .iter()
            .filter(|r| r.role.is_vendor())
            .map(|r| r.questions)
            .sum(),
        roles,
        longest_monologue: longest(true),
        longest_prospect_story: longest(false),
        interactivity: if minutes > 0.0 {
            runs.len().saturating_sub(1) as f64 / minutes
        } else {
            0.0
        },
        patience: (!pauses.is_empty())
            .then(|| Ms(pauses.iter().sum::<u64>() / pauses.len() as u64)),
        references: crate::metrics::references(),
    }
}
