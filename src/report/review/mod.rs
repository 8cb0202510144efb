//! Renderers for the manager's review (`review::Review`): Markdown, HTML and JSON. The tables'
//! wording and figures live here, so that the Markdown and HTML reviews say the same thing.

pub(super) mod html;
mod markdown;

use super::{ReportFormat, percent};
use crate::debrief::QualItem;
use crate::model::Role;
use crate::review::{
    CallRow, NO_GO_RATE_TARGET, OutcomeCounts, Review, Tally, Trend, WIN_RATE_TARGET,
};

/// Renders a review in the given format. The same review always gives the same bytes.
pub fn render_review(review: &Review, format: ReportFormat) -> Vec<u8> {
    match format {
        ReportFormat::Markdown => markdown::render(review).into_bytes(),
        ReportFormat::Html => html::render(review).into_bytes(),
        ReportFormat::Json => {
            // Plain structs and vectors with string keys, written into memory: cannot fail.
            let mut out = serde_json::to_vec_pretty(review).expect("a Review always serialises");
            out.push(b'\n');
            out
        }
    }
}

/// A table as header cells and rows of text cells; each renderer lays it out.
struct Table {
    head: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

/// "12 calls · 2026-11-02 to 2026-11-27 · 2 pairs · 4 people".
fn summary_line(r: &Review) -> String {
    let mut parts = vec![count(r.calls.len(), "call", "calls")];
    match (r.first_date, r.last_date) {
        (Some(first), Some(last)) if first == last => parts.push(first.to_string()),
        (Some(first), Some(last)) => parts.push(format!("{first} to {last}")),
        _ => {}
    }
    let undated = r.calls.iter().filter(|c| c.date.is_none()).count();
    if undated > 0 && undated < r.calls.len() {
        parts.push(format!("{undated} undated"));
    }
    parts.push(count(r.pairs.len(), "pair", "pairs"));
    parts.push(count(r.people.len(), "person", "people"));
    parts.join(" · ")
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "0.42" events per call.
fn rate(tally: &Tally, n: usize) -> String {
    format!("{:.2}", tally.per_call(n))
}

/// "9 of 12 (75%)".
fn share_of(part: usize, whole: usize) -> String {
    if whole == 0 {
        "none".to_string()
    } else {
        format!(
            "{part} of {whole} ({})",
            percent(part as f64 / whole as f64)
        )
    }
}

fn trend_text(trend: Option<Trend>) -> String {
    match trend {
        None => "too few calls".to_string(),
        Some(Trend::Improving { earlier, later }) => {
            format!("improving ({earlier:.1} → {later:.1})")
        }
        Some(Trend::Worsening { earlier, later }) => {
            format!("worsening ({earlier:.1} → {later:.1})")
        }
        Some(Trend::Steady { earlier, later }) => format!("steady ({earlier:.1} → {later:.1})"),
    }
}

/// The series of lane violations per call, oldest first: "2 1 0 0".
fn series_text(series: &[usize]) -> String {
    series
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

fn outcomes_text(o: &OutcomeCounts) -> String {
    if o.won + o.lost + o.no_go == 0 {
        "none recorded".to_string()
    } else {
        format!("{} won, {} lost, {} no-go", o.won, o.lost, o.no_go)
    }
}

fn rate_or_dash(rate: Option<f64>) -> String {
    rate.map(percent).unwrap_or_else(|| "–".to_string())
}

/// The team's figures against the method's targets: (figure, value, target).
fn team_rows(r: &Review) -> Vec<[String; 3]> {
    let t = &r.team;
    let c = &t.counts;
    let (low, high) = NO_GO_RATE_TARGET;
    vec![
        [
            "SE pricing violations per call".into(),
            rate(t, c.se_pricing),
            "0".into(),
        ],
        [
            "AE technical-depth violations per call".into(),
            rate(t, c.ae_technical_depth),
            "0".into(),
        ],
        [
            "Demo-monkey commands per call".into(),
            rate(t, c.demo_monkey_commands),
            "0".into(),
        ],
        [
            "Rescue phrases used".into(),
            c.rescue_phrases.to_string(),
            "when the SE loses the room".into(),
        ],
        ["Handoffs".into(), c.handoffs.to_string(), String::new()],
        [
            "Next step secured".into(),
            share_of(t.next_steps, t.calls),
            "every call".into(),
        ],
        [
            "Next step by the charter's minute".into(),
            share_of(t.next_steps_before_cta, t.calls),
            "every call".into(),
        ],
        [
            "Qualification coverage".into(),
            percent(t.qualification),
            "budget, timeline, sponsor, pain, competitors".into(),
        ],
        [
            "Vendor talk share (mean)".into(),
            format!("{:.0}%", t.vendor_talk_percent),
            "the prospect talks more".into(),
        ],
        [
            "Deal outcomes".into(),
            outcomes_text(&t.outcomes),
            String::new(),
        ],
        [
            "SE win rate".into(),
            rate_or_dash(t.win_rate),
            format!("{}+", percent(WIN_RATE_TARGET)),
        ],
        [
            "SE no-go rate".into(),
            rate_or_dash(t.no_go_rate),
            format!("{} to {}", percent(low), percent(high)),
        ],
    ]
}

fn pairs_table(r: &Review) -> Table {
    Table {
        head: vec![
            "Pair",
            "Calls",
            "SE pricing / call",
            "AE depth / call",
            "Demo-monkey / call",
            "Rescues",
            "Handoffs",
            "Next step",
            "Qualification",
            "Vendor talk",
            "Violations by call",
            "Trend",
        ],
        rows: r
            .pairs
            .iter()
            .map(|p| {
                let t = &p.tally;
                vec![
                    p.pair.clone(),
                    t.calls.to_string(),
                    rate(t, t.counts.se_pricing),
                    rate(t, t.counts.ae_technical_depth),
                    rate(t, t.counts.demo_monkey_commands),
                    t.counts.rescue_phrases.to_string(),
                    t.counts.handoffs.to_string(),
                    share_of(t.next_steps, t.calls),
                    percent(t.qualification),
                    format!("{:.0}%", t.vendor_talk_percent),
                    series_text(&t.violations_by_call),
                    trend_text(t.trend),
                ]
            })
            .collect(),
    }
}

fn people_table(r: &Review) -> Table {
    Table {
        head: vec![
            "Person",
            "Role",
            "Calls",
            "Own violations / call",
            "Violations by call",
            "Trend",
            "Rescues",
            "Handoffs made",
            "Talk share",
            "Demos / POCs",
            "Outcomes",
            "Win rate",
            "No-go rate",
        ],
        rows: r
            .people
            .iter()
            .map(|p| {
                let t = &p.tally;
                let (win, no_go) = match p.role {
                    Role::Se => (rate_or_dash(t.win_rate), rate_or_dash(t.no_go_rate)),
                    _ => ("–".to_string(), "–".to_string()),
                };
                vec![
                    p.name.clone(),
                    p.role.to_string(),
                    t.calls.to_string(),
                    rate(t, t.counts.violations()),
                    series_text(&t.violations_by_call),
                    trend_text(t.trend),
                    t.counts.rescue_phrases.to_string(),
                    t.counts.handoffs.to_string(),
                    percent(p.talk_share),
                    format!("{} / {}", t.demos, t.pocs),
                    outcomes_text(&t.outcomes),
                    win,
                    no_go,
                ]
            })
            .collect(),
    }
}

fn calls_table(r: &Review) -> Table {
    Table {
        head: vec![
            "Date",
            "Call",
            "Type",
            "Pair",
            "SE pricing",
            "AE depth",
            "Demo-monkey",
            "Rescues",
            "Handoffs",
            "Next step",
            "Qualification",
            "Outcome",
            "Debrief",
        ],
        rows: r.calls.iter().map(call_row).collect(),
    }
}

fn call_row(c: &CallRow) -> Vec<String> {
    let next_step = match (c.next_step, c.next_step_before_cta) {
        (true, true) => "yes",
        (true, false) => "late",
        (false, _) => "no",
    };
    vec![
        c.date.map(|d| d.to_string()).unwrap_or_else(|| "–".into()),
        c.title.clone().unwrap_or_else(|| c.id.clone()),
        c.call_type
            .as_ref()
            .map(|t| t.to_string())
            .unwrap_or_else(|| "–".into()),
        c.pair.clone(),
        c.counts.se_pricing.to_string(),
        c.counts.ae_technical_depth.to_string(),
        c.counts.demo_monkey_commands.to_string(),
        c.counts.rescue_phrases.to_string(),
        c.counts.handoffs.to_string(),
        next_step.to_string(),
        format!("{}/{}", c.qualification, QualItem::ALL.len()),
        c.outcome
            .map(|o| o.to_string())
            .unwrap_or_else(|| "–".into()),
        c.file.clone(),
    ]
}

#[cfg(test)]
mod tests;
