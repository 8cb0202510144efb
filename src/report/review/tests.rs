use super::render_review;
use crate::debrief::EventKind;
use crate::report::ReportFormat;
use crate::report::testdata;
use crate::review::{CallRow, Filter, Outcomes, Review, review};
use insta::assert_snapshot;

/// Four calls of the sample pair a week apart (the SE stops talking pricing after the first
/// two), two with outcomes, and one undated minimal call.
fn team() -> Review {
    let outcomes = Outcomes::parse("w1 = \"won\"\nw2 = \"no-go\"\n", "outcomes.toml").unwrap();
    let mut calls: Vec<CallRow> = ["w0", "w1", "w2", "w3"]
        .iter()
        .enumerate()
        .map(|(week, id)| {
            let mut debrief = testdata::sample();
            debrief.call.id = id.to_string();
            debrief.call.date = Some(jiff::civil::date(2026, 11, 2 + 7 * week as i8));
            if week >= 2 {
                debrief.events.retain(|e| e.kind != EventKind::SePricing);
            }
            CallRow::of(&debrief, &format!("debriefs/{id}.json"), &outcomes)
        })
        .collect();
    calls.push(CallRow::of(
        &testdata::minimal(),
        "debriefs/minimal.json",
        &outcomes,
    ));
    review(calls, &Filter::default(), &outcomes, "outcomes.toml")
}

fn text(r: &Review, format: ReportFormat) -> String {
    String::from_utf8(render_review(r, format)).unwrap()
}

#[test]
fn review_markdown() {
    assert_snapshot!(text(&team(), ReportFormat::Markdown));
}

#[test]
fn review_html() {
    assert_snapshot!(text(&team(), ReportFormat::Html));
}

#[test]
fn review_json_reads_back_as_data() {
    let json: serde_json::Value =
        serde_json::from_slice(&render_review(&team(), ReportFormat::Json)).unwrap();
    assert_eq!(json["schema"], "swimlane.review/1");
    assert_eq!(json["calls"].as_array().unwrap().len(), 5);
    assert_eq!(json["calls"][0]["date"], "2026-11-02");
    assert_eq!(json["team"]["outcomes"]["won"], 1);
}

#[test]
fn html_escapes_names_and_draws_one_bar_per_call() {
    let mut debrief = testdata::sample();
    debrief.speakers[0].name = "<b>Dana</b>".into();
    let row = CallRow::of(&debrief, "x.json", &Outcomes::default());
    let html = text(
        &review(vec![row], &Filter::default(), &Outcomes::default(), ""),
        ReportFormat::Html,
    );
    assert!(!html.contains("<b>Dana</b>"));
    assert!(html.contains("&lt;b&gt;Dana&lt;/b&gt;"));
}
