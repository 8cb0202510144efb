//! Report renderers: turn a finished `Debrief` into the bytes of a Markdown, HTML or JSON
//! report. Renderers never print and never fail; the caller decides where the bytes go.
//!
//! The helpers here hold the wording and figures that the Markdown and HTML reports share, so
//! that both say the same thing about a call.

mod html;
mod json;
mod markdown;
mod review;
#[cfg(test)]
mod testdata;

use crate::debrief::{Debrief, Event, EventKind, Level, NextStep, QualItem, Reference, Stretch};
use crate::text::capitalise;
use crate::time::Ms;
use std::str::FromStr;

pub use review::render_review;

/// The report formats `render` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ReportFormat {
    /// A Markdown debrief for the pair and their managers (the default).
    #[default]
    Markdown,
    /// One self-contained HTML page with a timeline and charts.
    Html,
    /// The debrief as data, schema `swimlane.debrief/1`.
    Json,
}

impl ReportFormat {
    /// The file extension a report in this format is written with, without the dot.
    pub fn extension(&self) -> &'static str {
        match self {
            ReportFormat::Markdown => "md",
            ReportFormat::Html => "html",
            ReportFormat::Json => "json",
        }
    }
}

/// The error for a report format name that is not md, markdown, html or json.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown report format `{0}`: use md, html or json")]
pub struct UnknownFormat(pub String);

impl FromStr for ReportFormat {
    type Err = UnknownFormat;
    fn from_str(s: &str) -> Result<ReportFormat, UnknownFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "md" | "markdown" => Ok(ReportFormat::Markdown),
            "html" => Ok(ReportFormat::Html),
            "json" => Ok(ReportFormat::Json),
            _ => Err(UnknownFormat(s.to_string())),
        }
    }
}

/// An HTML report's pieces, for pages that embed one: the sections that go inside `<main>`,
/// and the style and script they need.
pub struct HtmlParts {
    pub body: String,
    pub css: &'static str,
    pub script: &'static str,
}

/// The HTML debrief's pieces (`render` with `ReportFormat::Html` puts them in one document).
pub fn debrief_html_parts(debrief: &Debrief) -> HtmlParts {
    HtmlParts {
        body: html::body(debrief),
        css: html::CSS,
        script: html::SCRIPT,
    }
}

/// The HTML review's pieces (`render_review` with `ReportFormat::Html` puts them in one
/// document).
pub fn review_html_parts(review: &crate::review::Review) -> HtmlParts {
    HtmlParts {
        body: review::html::body(review),
        css: review::html::CSS,
        script: "",
    }
}

/// Renders a debrief in the given format. The output is deterministic: the same debrief always
/// gives the same bytes.
pub fn render(debrief: &Debrief, format: ReportFormat) -> Vec<u8> {
    match format {
        ReportFormat::Markdown => markdown::render(debrief).into_bytes(),
        ReportFormat::Html => html::render(debrief).into_bytes(),
        ReportFormat::Json => json::render(debrief),
    }
}

/// The call's title, or its id when it has none.
fn call_name(d: &Debrief) -> &str {
    d.call.title.as_deref().unwrap_or(&d.call.id)
}

/// The compact facts under the title: call type, duration, turns, speakers, timing.
fn call_facts(d: &Debrief) -> Vec<String> {
    let mut facts = Vec::new();
    if let Some(kind) = &d.call.call_type {
        facts.push(capitalise(&format!("{kind} call")));
    }
    facts.push(d.call.duration.clock());
    facts.push(plural(d.call.turns, "turn", "turns"));
    let speaking = d.speakers.iter().filter(|s| s.present).count();
    facts.push(plural(speaking, "speaker", "speakers"));
    if d.call.timing == crate::model::Timing::Estimated {
        facts.push("times estimated".into());
    }
    facts
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A short human name for an event type.
fn kind_label(kind: EventKind) -> &'static str {
    match kind {
        EventKind::SePricing => "SE talked pricing",
        EventKind::AeTechnicalDepth => "AE went deep into technical detail",
        EventKind::Handoff => "Handoff",
        EventKind::RescuePhrase => "Rescue phrase",
        EventKind::NextStep => "Next step",
        EventKind::DemoMonkeyCommand => "AE ordered the SE around",
    }
}

/// "turn 7" or "turns 7 to 9" for an event's span.
fn event_turns(e: &Event) -> String {
    let (first, last) = e.span.unwrap_or((e.turn, e.turn));
    turn_range(first, last)
}

/// "turn 7", or "turns 7 to 9" when the range holds more than one turn.
fn turn_range(first: usize, last: usize) -> String {
    if first == last {
        format!("turn {first}")
    } else {
        format!("turns {first} to {last}")
    }
}

/// "turn 34" or "turns 34, 35".
fn turn_list(turns: &[usize]) -> String {
    let list: Vec<String> = turns.iter().map(usize::to_string).collect();
    format!(
        "{} {}",
        if turns.len() == 1 { "turn" } else { "turns" },
        list.join(", ")
    )
}

/// The events that put someone outside their lane, in call order.
fn violations(d: &Debrief) -> impl Iterator<Item = &Event> {
    d.events.iter().filter(|e| e.level == Level::Violation)
}

fn qual_label(item: QualItem) -> &'static str {
    match item {
        QualItem::Budget => "Budget",
        QualItem::Timeline => "Timeline",
        QualItem::Sponsor => "Sponsor",
        QualItem::Pain => "Pain",
        QualItem::Competitors => "Competitors",
    }
}

/// How many qualification items the call established.
fn qualified(d: &Debrief) -> usize {
    QualItem::ALL
        .iter()
        .filter(|i| d.qualification.get(**i).covered)
        .count()
}

/// Whether the next step landed before the charter's call-to-action minute.
fn cta_note(next: &NextStep) -> String {
    match next.start {
        Some(at) if next.before_cta => format!(
            "Landed at {at}, before minute {}, the charter's call-to-action minute.",
            next.cta_minute
        ),
        Some(at) => format!(
            "Landed at {at}, after minute {}, the charter's call-to-action minute.",
            next.cta_minute
        ),
        None => format!(
            "Not secured; the charter asks for one by minute {}.",
            next.cta_minute
        ),
    }
}

/// Who said the turn with this index, with their role, and when.
fn turn_source(d: &Debrief, index: usize) -> Option<(String, Ms)> {
    d.turns
        .iter()
        .find(|t| t.i == index)
        .map(|t| (format!("{} ({})", t.speaker, t.role), t.start))
}

/// "Name (ROLE)" for a speaker the debrief knows, or the bare name.
fn speaker_with_role(d: &Debrief, name: &str) -> String {
    match d.speakers.iter().find(|s| s.name == name) {
        Some(s) => format!("{name} ({})", s.role),
        None => name.to_string(),
    }
}

/// The call-level flags that are raised, each with a short explanation.
fn raised_flags(d: &Debrief) -> Vec<(&'static str, &'static str)> {
    let all = [
        (
            d.flags.demo_monkey,
            "Demo monkey",
            "the AE drove the SE like a pair of hands instead of handing over the story.",
        ),
        (
            d.flags.technical_ambush,
            "Technical ambush",
            "the buyer brought engineers who grilled what was meant to be an intro call.",
        ),
        (
            d.flags.happy_ears,
            "Happy ears",
            "enthusiasm was taken for a deal while nothing was qualified.",
        ),
    ];
    all.into_iter()
        .filter(|(raised, _, _)| *raised)
        .map(|(_, name, why)| (name, why))
        .collect()
}

/// Vendor and prospect shares of talk time as `48:52`, summing to 100.
fn talk_ratio(vendor_percent: f64) -> String {
    let vendor = vendor_percent.clamp(0.0, 100.0).round() as u32;
    format!("{vendor}:{}", 100 - vendor)
}

/// A 0..1 share as a whole percentage.
fn percent(share: f64) -> String {
    format!("{}%", (share * 100.0).round() as i64)
}

/// A length of time in seconds with one decimal, for pauses.
fn seconds(ms: Ms) -> String {
    format!("{:.1} s", ms.as_secs_f64())
}

/// One conversation metric with the published reference points that belong beside it.
struct MetricRow<'a> {
    label: &'static str,
    value: String,
    detail: String,
    references: Vec<&'a Reference>,
}

/// Which metric a reference point belongs to, by words in its name; first match wins.
const REFERENCE_KEYS: [(&str, &[&str]); 6] = [
    ("Talk ratio (vendor:prospect)", &["talk", "listen"]),
    ("Longest monologue", &["monologue"]),
    ("Longest prospect story", &["story"]),
    ("Vendor questions", &["question"]),
    ("Interactivity", &["interactiv", "switch"]),
    ("Patience", &["patience", "pause"]),
];

/// The metric rows in display order, and the reference points no row claimed.
fn metric_rows(d: &Debrief) -> (Vec<MetricRow<'_>>, Vec<&Reference>) {
    let m = &d.metrics;
    let by_role: Vec<String> = m
        .roles
        .iter()
        .filter(|r| r.speakers > 0 || r.talk > Ms(0))
        .map(|r| format!("{} {}", r.role, percent(r.talk_share)))
        .collect();
    let values = [
        (talk_ratio(m.vendor_talk_percent), by_role.join(", ")),
        stretch_value(d, m.longest_monologue.as_ref()),
        stretch_value(d, m.longest_prospect_story.as_ref()),
        (
            m.vendor_questions.to_string(),
            "questions asked by the AE and SE".into(),
        ),
        (
            format!("{:.1}/min", m.interactivity),
            "speaker switches per minute".into(),
        ),
        match m.patience {
            Some(p) => (
                seconds(p),
                "mean pause before the vendor side answers a prospect".into(),
            ),
            None => ("n/a".into(), "no prospect-to-vendor switch".into()),
        },
    ];
    let mut rows: Vec<MetricRow> = REFERENCE_KEYS
        .iter()
        .zip(values)
        .map(|((label, _), (value, detail))| MetricRow {
            label,
            value,
            detail,
            references: Vec::new(),
        })
        .collect();
    let mut other = Vec::new();
    for reference in &m.references {
        match reference_row(reference) {
            Some(row) => rows[row].references.push(reference),
            None => other.push(reference),
        }
    }
    (rows, other)
}

fn reference_row(reference: &Reference) -> Option<usize> {
    let name = reference.metric.to_lowercase();
    REFERENCE_KEYS
        .iter()
        .position(|(_, keys)| keys.iter().any(|k| name.contains(k)))
}

fn stretch_value(d: &Debrief, stretch: Option<&Stretch>) -> (String, String) {
    match stretch {
        Some(s) => (
            s.duration.clock(),
            format!(
                "{} at {}, {}",
                speaker_with_role(d, &s.speaker),
                s.start,
                turn_range(s.first_turn, s.last_turn)
            ),
        ),
        None => ("n/a".into(), "no such stretch in the call".into()),
    }
}

/// "value (source)" for a reference point.
fn reference_text(r: &Reference) -> String {
    format!("{} ({})", r.value, r.source)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::debrief::{Handoff, SCHEMA};
    use crate::model::{Doubt, Role};
    use insta::assert_snapshot;

    fn text(d: &Debrief, format: ReportFormat) -> String {
        String::from_utf8(render(d, format)).expect("renderers write UTF-8")
    }

    #[test]
    fn formats_parse_and_name_their_extension() {
        assert_eq!("md".parse(), Ok(ReportFormat::Markdown));
        assert_eq!(" Markdown ".parse(), Ok(ReportFormat::Markdown));
        assert_eq!("HTML".parse(), Ok(ReportFormat::Html));
        assert_eq!("json".parse(), Ok(ReportFormat::Json));
        assert_eq!(
            "pdf"
                .parse::<ReportFormat>()
                .expect_err("pdf is not a report format")
                .to_string(),
            "unknown report format `pdf`: use md, html or json"
        );
        let extensions: Vec<_> = [
            ReportFormat::Markdown,
            ReportFormat::Html,
            ReportFormat::Json,
        ]
        .iter()
        .map(ReportFormat::extension)
        .collect();
        assert_eq!(extensions, ["md", "html", "json"]);
    }

    #[test]
    fn sample_markdown() {
        assert_snapshot!(text(&testdata::sample(), ReportFormat::Markdown));
    }

    #[test]
    fn sample_html() {
        assert_snapshot!(text(&testdata::sample(), ReportFormat::Html));
    }

    #[test]
    fn sample_json() {
        assert_snapshot!(text(&testdata::sample(), ReportFormat::Json));
    }

    #[test]
    fn minimal_markdown() {
        assert_snapshot!(text(&testdata::minimal(), ReportFormat::Markdown));
    }

    #[test]
    fn minimal_html() {
        assert_snapshot!(text(&testdata::minimal(), ReportFormat::Html));
    }

    #[test]
    fn minimal_json() {
        assert_snapshot!(text(&testdata::minimal(), ReportFormat::Json));
    }

    #[test]
    fn json_round_trips_to_the_same_report() {
        let d = testdata::sample();
        let json = render(&d, ReportFormat::Json);
        let back: Debrief = serde_json::from_slice(&json).expect("the JSON report parses");
        assert_eq!(back.schema, SCHEMA);
        assert_eq!((back.events, back.turns), (d.events, d.turns));
        assert!(json.ends_with(b"}\n"));
    }

    #[test]
    fn html_is_self_contained_and_escapes_user_text() {
        for d in [testdata::sample(), testdata::minimal()] {
            let html = text(&d, ReportFormat::Html);
            assert!(!html.contains("http://") && !html.contains("https://"));
            assert!(html.contains("<svg"));
            assert!(!html.contains("<link") && !html.contains(" src="));
        }
        let html = text(&testdata::sample(), ReportFormat::Html);
        assert!(!html.contains("<script>alert(1)</script>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains(r#"id="turn-8""#) && html.contains(r##"href="#turn-11""##));
    }

    #[test]
    fn markdown_escapes_pipes_in_table_cells_and_leading_hashes() {
        let mut d = testdata::sample();
        d.turns[0].text = "# not a heading".into();
        d.events[0].evidence = "# not a heading".into();
        let md = text(&d, ReportFormat::Markdown);
        assert!(md.contains(r"Director, IT \| Security"));
        assert!(!md.contains("Director, IT | Security"));
        assert!(!md.lines().any(|l| l.starts_with("# not")));
    }

    #[test]
    fn speakers_in_doubt_are_marked_where_their_words_are_shown() {
        let mut d = testdata::minimal();
        d.turns[1].doubt = Some(Doubt::TooShort);
        let md = text(&d, ReportFormat::Markdown);
        assert!(
            md.contains("Speaker in doubt (told apart by voice):"),
            "{md}"
        );
        assert!(
            md.contains(&format!(
                "- turn 1 at {}, {}: too short to tell by voice",
                d.turns[1].start, d.turns[1].speaker
            )),
            "{md}"
        );
        let html = text(&d, ReportFormat::Html);
        assert_eq!(html.matches("speaker?</span>").count(), 1, "{html}");
        assert!(html.contains("Speaker in doubt (told apart by voice): <a"));

        let mut d = testdata::sample();
        let mut event = d.events[0].clone();
        event.speaker_doubt = Some(Doubt::CloseVoices { margin: 0.03 });
        d.events = vec![event];
        d.turns[2].doubt = Some(Doubt::TooShort);
        let md = text(&d, ReportFormat::Markdown);
        assert!(
            md.contains(
                "speaker in doubt: the voice is nearly as like another speaker's (margin 0.03)"
            ),
            "{md}"
        );
        let json = text(&d, ReportFormat::Json);
        assert!(json.contains("\"speaker_doubt\": {"), "{json}");
        assert!(json.contains("\"why\": \"too_short\""), "{json}");
    }

    #[test]
    fn deferred_handoffs_say_so() {
        let mut d = testdata::minimal();
        d.events.push(Event {
            kind: EventKind::Handoff,
            turn: 2,
            span: None,
            start: d.turns[2].start,
            speaker: d.turns[2].speaker.clone(),
            role: Role::Ae,
            rule: "Method.Handoff".into(),
            level: Level::Good,
            evidence: "I'll get our engineer to answer that".into(),
            message: "Parked for the SE.".into(),
            handoff: Some(Handoff {
                from: Role::Ae,
                to: Role::Se,
                topic: "API limits".into(),
                deferred: true,
            }),
            speaker_doubt: None,
        });
        let md = text(&d, ReportFormat::Markdown);
        assert!(md.contains("AE → SE: API limits (deferred: no SE on the call)"));
        let html = text(&d, ReportFormat::Html);
        assert!(html.contains("deferred: no SE on the call"));
    }

    #[test]
    fn long_calls_keep_a_fixed_timeline_width() {
        let d = testdata::long_call(400);
        let html = text(&d, ReportFormat::Html);
        assert!(html.contains(r#"viewBox="0 0 960 "#));
        assert!(html.contains(r#"id="turn-399""#));
        assert!(
            html.contains(">1:40:00<"),
            "axis ticks reach the end of a long call"
        );
        let md = text(&d, ReportFormat::Markdown);
        assert!(md.starts_with("# Debrief: "));
    }

    #[test]
    fn talk_ratio_sums_to_one_hundred() {
        assert_eq!(talk_ratio(47.6), "48:52");
        assert_eq!(talk_ratio(0.0), "0:100");
        assert_eq!(talk_ratio(120.0), "100:0");
    }
}
