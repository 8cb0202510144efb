//! The Markdown review: what a manager pastes into a team page or reads in a terminal.

use super::{Table, calls_table, pairs_table, people_table, summary_line, team_rows};
use crate::review::Review;

pub(super) fn render(r: &Review) -> String {
    let mut out = format!("# Coaching review\n\n{}\n", summary_line(r));
    out.push_str("\n## Patterns to look at\n\n");
    if r.alerts.is_empty() {
        out.push_str("None.\n");
    }
    for alert in &r.alerts {
        out.push_str(&format!("- **{}**: {}\n", alert.who, alert.message));
    }
    out.push_str("\n## Team\n\n| Figure | Value | Target |\n|---|--:|---|\n");
    for [figure, value, target] in team_rows(r) {
        out.push_str(&format!("| {figure} | {value} | {target} |\n"));
    }
    out.push_str("\n## Pairs\n\n");
    out.push_str(&table(&pairs_table(r)));
    out.push_str(
        "\n## People\n\nEach person's own events: an SE's pricing talk, an AE's technical depth \
         and demo-monkey commands, rescue phrases and handoffs they made.\n\n",
    );
    out.push_str(&table(&people_table(r)));
    out.push_str("\n## Calls\n\n");
    out.push_str(&table(&calls_table(r)));
    if !r.warnings.is_empty() {
        out.push_str("\n## Warnings\n\n");
        for w in &r.warnings {
            out.push_str(&format!("- {}\n", cell(w)));
        }
    }
    out
}

fn table(t: &Table) -> String {
    let mut out = format!("| {} |\n", t.head.join(" | "));
    out.push_str(&format!("|{}\n", "---|".repeat(t.head.len())));
    for row in &t.rows {
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

/// Text safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
