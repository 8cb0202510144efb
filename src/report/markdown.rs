//! The Markdown debrief: the default report, written for an AE/SE pair doing the call autopsy
//! together and for managers skimming many calls. Plain CommonMark with GitHub tables and task
//! lists; user text is escaped so a transcript can never restructure the document.

use super::{
    call_facts, call_name, event_turns, kind_label, metric_rows, percent, qual_label, qualified,
    raised_flags, reference_text, turn_list, turn_source, violations,
};
use crate::debrief::{Debrief, Event, EventKind, QualItem};

/// Renders the whole debrief as Markdown.
pub(super) fn render(d: &Debrief) -> String {
    if d.turns.is_empty() {
        return [header(d), warnings(d)].join("\n");
    }
    let sections = [
        header(d),
        autopsy(d),
        swimlane_violations(d),
        rescue_phrase(d),
        handoffs(d),
        flags(d),
        qualification(d),
        speakers(d),
        metrics(d),
        warnings(d),
    ];
    sections
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Escapes user text for inline use: backslash-escapes the characters that would start
/// emphasis, code, links, HTML or table cells, and any line-start marker (`#`, `-`, `+`, `=`,
/// `1.`) so the text cannot become a heading or list. Line breaks become spaces.
fn esc(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(flat.len());
    for c in flat.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    escape_line_start(out)
}

fn escape_line_start(text: String) -> String {
    if text.starts_with(['#', '-', '+', '=']) {
        return format!("\\{text}");
    }
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    let rest = &text[digits..];
    let marker =
        rest.starts_with(['.', ')']) && rest[1..].chars().next().is_none_or(char::is_whitespace);
    if digits > 0 && marker {
        format!("{}\\{rest}", &text[..digits])
    } else {
        text
    }
}

/// A rule name as inline code (backticks in it become quotes, so the span stays closed).
fn code(text: &str) -> String {
    format!("`{}`", text.replace('`', "'"))
}

fn header(d: &Debrief) -> String {
    format!(
        "# Debrief: {}\n\n**{}**\n\n{}\n",
        esc(call_name(d)),
        esc(&d.verdict),
        esc(&call_facts(d).join(" · "))
    )
}

fn autopsy(d: &Debrief) -> String {
    let missed: Vec<String> = d
        .autopsy
        .what_did_we_miss
        .iter()
        .map(|m| format!("- {}", esc(m)))
        .collect();
    let missed = if missed.is_empty() {
        "Nothing the rules could see.".to_string()
    } else {
        missed.join("\n")
    };
    let pain = match &d.autopsy.real_pain {
        Some(pain) => esc(pain),
        None => "Not established: no one on the buying side put a pain into words.".into(),
    };
    format!(
        "## The autopsy\n\n### What did we miss?\n\n{missed}\n\n\
         ### Did we uncover the real pain?\n\n{pain}\n\n\
         ### Did we secure the agreed-upon next step?\n\n{}\n",
        next_step(d)
    )
}

fn next_step(d: &Debrief) -> String {
    let next = &d.next_step;
    let mut parts = vec![esc(&d.autopsy.next_step)];
    if let (Some(evidence), Some(turn)) = (&next.evidence, next.turn) {
        let said = match turn_source(d, turn) {
            Some((who, at)) => format!("{who}, turn {turn} at {at}"),
            None => format!("turn {turn}"),
        };
        parts.push(format!("> \"{}\" — {}", esc(evidence), esc(&said)));
    }
    parts.join("\n\n")
}

/// "11:06 · turn 11 · Marcus Webb (SE)" for an event, with a note when the speaker, told
/// apart by voice, might be someone else.
fn event_at(e: &Event) -> String {
    let doubt = e
        .speaker_doubt
        .map(|d| format!(" · speaker in doubt: {}", esc(&d.describe())))
        .unwrap_or_default();
    format!(
        "{} · {} · {} ({}){doubt}",
        e.start,
        event_turns(e),
        esc(&e.speaker),
        e.role
    )
}

fn swimlane_violations(d: &Debrief) -> String {
    let cards: Vec<String> = violations(d)
        .map(|e| {
            format!(
                "### {}: {}\n\n> {}\n\n**Tip:** {}\n\nRule {}.\n",
                kind_label(e.kind),
                event_at(e),
                esc(&e.evidence),
                esc(&e.message),
                code(&e.rule)
            )
        })
        .collect();
    if cards.is_empty() {
        "## Swimlane violations\n\nNone. Both of you stayed in your lanes.\n".into()
    } else {
        format!("## Swimlane violations\n\n{}", cards.join("\n"))
    }
}

fn rescue_phrase(d: &Debrief) -> String {
    let uses: Vec<String> = d
        .events_of(EventKind::RescuePhrase)
        .map(|e| {
            format!(
                "- {}: \"{}\" — {}",
                event_at(e),
                esc(&e.evidence),
                esc(&e.message)
            )
        })
        .collect();
    let agreed = format!(
        "The pair's rescue phrase: \"{}\".",
        esc(&d.call.rescue_phrase)
    );
    let body = if uses.is_empty() {
        "Not used in this call.".to_string()
    } else {
        uses.join("\n")
    };
    format!("## Rescue phrase\n\n{agreed}\n\n{body}\n")
}

fn handoffs(d: &Debrief) -> String {
    let lines: Vec<String> = d
        .events_of(EventKind::Handoff)
        .map(|e| {
            let what = match &e.handoff {
                Some(h) if h.deferred => format!(
                    "{} → {}: {} (deferred: no {} on the call)",
                    h.from,
                    h.to,
                    esc(&h.topic),
                    h.to
                ),
                Some(h) => format!("{} → {}: {}", h.from, h.to, esc(&h.topic)),
                None => "Handoff".into(),
            };
            format!("- **{what}**, {}: \"{}\"", event_at(e), esc(&e.evidence))
        })
        .collect();
    let body = if lines.is_empty() {
        "None in this call.".to_string()
    } else {
        lines.join("\n")
    };
    format!("## Handoffs\n\n{body}\n")
}

fn flags(d: &Debrief) -> String {
    let raised: Vec<String> = raised_flags(d)
        .iter()
        .map(|(name, why)| format!("- **{name}**: {why}"))
        .collect();
    let body = if raised.is_empty() {
        "None raised: no demo monkey, no technical ambush, no happy ears.".to_string()
    } else {
        raised.join("\n")
    };
    format!("## Flags\n\n{body}\n")
}

fn qualification(d: &Debrief) -> String {
    let items: Vec<String> = QualItem::ALL
        .iter()
        .map(|&item| {
            let c = d.qualification.get(item);
            let mut line = format!(
                "- [{}] {}",
                if c.covered { 'x' } else { ' ' },
                qual_label(item)
            );
            if !c.turns.is_empty() {
                line.push_str(&format!(" ({})", turn_list(&c.turns)));
            }
            if let Some(evidence) = &c.evidence {
                line.push_str(&format!(": \"{}\"", esc(evidence)));
            }
            line
        })
        .collect();
    format!(
        "## Qualification\n\n{} of 5 established.\n\n{}\n",
        qualified(d),
        items.join("\n")
    )
}

fn speakers(d: &Debrief) -> String {
    let mut rows = vec![
        "| Speaker | Role | Role decided by | Talk | Share | Turns | Questions | Longest monologue |"
            .to_string(),
        "|---|---|---|--:|--:|--:|--:|--:|".to_string(),
    ];
    for s in &d.speakers {
        let mut name = esc(&s.name);
        if let Some(title) = &s.title {
            name.push_str(&format!(", {}", esc(title)));
        }
        if !s.present {
            name.push_str(" (did not speak)");
        }
        if let Some(how) = s.identified {
            name.push_str(&format!(" (named by: {})", esc(&how.describe())));
        }
        rows.push(format!(
            "| {name} | {} | {} | {} | {} | {} | {} | {} |",
            s.role,
            s.role_source.describe(),
            s.talk,
            percent(s.talk_share),
            s.turns,
            s.questions,
            s.longest_monologue
        ));
    }
    let doubts: Vec<String> = d
        .turns
        .iter()
        .filter_map(|t| {
            let doubt = t.doubt?;
            Some(format!(
                "- turn {} at {}, {}: {}",
                t.i,
                t.start,
                esc(&t.speaker),
                esc(&doubt.describe())
            ))
        })
        .collect();
    let doubts = if doubts.is_empty() {
        String::new()
    } else {
        format!(
            "\nSpeaker in doubt (told apart by voice):\n\n{}\n",
            doubts.join("\n")
        )
    };
    format!("## Speakers\n\n{}\n{doubts}", rows.join("\n"))
}

fn metrics(d: &Debrief) -> String {
    let (rows, other) = metric_rows(d);
    let mut lines = vec![
        "| Metric | This call | Detail | Reference (source) |".to_string(),
        "|---|--:|---|---|".to_string(),
    ];
    for row in rows {
        let references: Vec<String> = row
            .references
            .iter()
            .map(|r| esc(&reference_text(r)))
            .collect();
        lines.push(format!(
            "| {} | {} | {} | {} |",
            row.label,
            esc(&row.value),
            esc(&row.detail),
            if references.is_empty() {
                "none published".to_string()
            } else {
                references.join("; ")
            }
        ));
    }
    let mut out = format!("## Conversation metrics\n\n{}\n", lines.join("\n"));
    if !other.is_empty() {
        let others: Vec<String> = other
            .iter()
            .map(|r| {
                format!(
                    "- {}: reference {}",
                    esc(&r.metric),
                    esc(&reference_text(r))
                )
            })
            .collect();
        out.push_str(&format!(
            "\nOther reference points:\n\n{}\n",
            others.join("\n")
        ));
    }
    out
}

fn warnings(d: &Debrief) -> String {
    if d.warnings.is_empty() {
        return String::new();
    }
    let lines: Vec<String> = d.warnings.iter().map(|w| format!("- {}", esc(w))).collect();
    format!("## Warnings\n\n{}\n", lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn escapes_markup_and_line_start_markers() {
        assert_eq!(esc("# big"), r"\# big");
        assert_eq!(esc("- item"), r"\- item");
        assert_eq!(esc("1. first"), r"1\. first");
        assert_eq!(esc("a | b"), r"a \| b");
        assert_eq!(esc("<b>*hi*</b>"), r"\<b\>\*hi\*\</b\>");
        assert_eq!(esc("two\nlines"), "two lines");
        assert_eq!(esc("2024 was fine"), "2024 was fine");
        assert_eq!(esc("1.5/min"), "1.5/min");
        assert_eq!(esc("3)"), r"3\)");
    }
}
