//! The HTML debrief: one self-contained page (inline CSS and SVG, no network assets) with the
//! Markdown report's content plus a who-spoke-when timeline, a talk-share chart and the full
//! transcript, laid out to be shown or printed in a coaching session.

use super::{
    call_facts, call_name, cta_note, event_turns, kind_label, metric_rows, percent, qual_label,
    qualified, raised_flags, reference_text, turn_source, violations,
};
use crate::debrief::{Debrief, Event, EventKind, Level, QualItem, TurnOut};
use crate::model::{Doubt, Role};
use crate::time::Ms;
use std::collections::BTreeMap;

/// Renders the whole debrief as one HTML document.
pub(super) fn render(d: &Debrief) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Debrief: {}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<main>\n{}</main>\n\
         <script>\n{SCRIPT}</script>\n</body>\n</html>\n",
        esc(call_name(d)),
        body(d)
    )
}

/// The page's sections, for `render` and for pages that embed the debrief.
pub(super) fn body(d: &Debrief) -> String {
    if d.turns.is_empty() {
        [header(d), warnings(d), footer(d)].concat()
    } else {
        [
            header(d),
            autopsy(d),
            timeline(d),
            swimlane_violations(d),
            practice(d),
            flags(d),
            qualification(d),
            talk(d),
            metrics(d),
            events(d),
            transcript(d),
            warnings(d),
            footer(d),
        ]
        .concat()
    }
}

/// Escapes text for HTML element content and quoted attribute values.
pub(super) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The CSS class for a role's colour.
fn role_class(role: Role) -> &'static str {
    match role {
        Role::Ae => "ae",
        Role::Se => "se",
        Role::Prospect => "pr",
    }
}

/// A link to a turn in the transcript.
fn turn_link(turn: usize) -> String {
    format!("<a href=\"#turn-{turn}\">turn {turn}</a>")
}

/// A speaker name in a chip coloured by role.
fn chip(name: &str, role: Role) -> String {
    format!(
        "<span class=\"chip {}\">{} · {role}</span>",
        role_class(role),
        esc(name)
    )
}

/// A marker for a speaker told apart by voice who might be someone else; empty otherwise.
fn doubt_mark(doubt: Option<Doubt>) -> String {
    doubt
        .map(|d| {
            format!(
                " <span class=\"doubt\" title=\"Speaker in doubt: {}\">speaker?</span>",
                esc(&d.describe())
            )
        })
        .unwrap_or_default()
}

fn section(class: &str, title: &str, inner: &str) -> String {
    format!("<section class=\"{class}\">\n<h2>{title}</h2>\n{inner}</section>\n")
}

fn list(items: &[String], class: &str, empty: &str) -> String {
    if items.is_empty() {
        return format!("<p class=\"empty\">{empty}</p>\n");
    }
    let items: String = items.iter().map(|i| format!("<li>{i}</li>\n")).collect();
    format!("<ul class=\"{class}\">\n{items}</ul>\n")
}

/// Good, mixed or at risk, from the next step, violations and flags.
fn tone(d: &Debrief) -> &'static str {
    let clean = violations(d).next().is_none() && raised_flags(d).is_empty();
    match (d.next_step.secured, clean) {
        (true, true) => "good",
        (false, false) => "risk",
        _ => "mixed",
    }
}

fn badge(class: &str, text: &str, title: &str) -> String {
    format!(
        "<span class=\"badge {class}\" title=\"{}\">{}</span>",
        esc(title),
        esc(text)
    )
}

fn badges(d: &Debrief) -> String {
    let next = &d.next_step;
    let mut out = vec![match next.start {
        Some(at) if next.before_cta => {
            badge("good", &format!("Next step at {at}"), &cta_note(next))
        }
        Some(at) => badge(
            "mixed",
            &format!("Next step late, at {at}"),
            &cta_note(next),
        ),
        None => badge("bad", "No next step", &cta_note(next)),
    }];
    out.push(match violations(d).count() {
        0 => badge(
            "good",
            "No lane violations",
            "Both of you stayed in your lanes.",
        ),
        1 => badge("bad", "1 lane violation", "See Swimlane violations."),
        n => badge(
            "bad",
            &format!("{n} lane violations"),
            "See Swimlane violations.",
        ),
    });
    let covered = qualified(d);
    let class = match covered {
        5 => "good",
        0 => "bad",
        _ => "mixed",
    };
    out.push(badge(
        class,
        &format!("Qualified {covered}/5"),
        "See Qualification.",
    ));
    let flags = raised_flags(d);
    if flags.is_empty() {
        out.push(badge(
            "good",
            "No flags",
            "No demo monkey, technical ambush or happy ears.",
        ));
    }
    for (name, why) in flags {
        out.push(badge("bad", name, why));
    }
    if !d.warnings.is_empty() {
        out.push(badge(
            "neutral",
            &super::plural(d.warnings.len(), "warning", "warnings"),
            "See Warnings at the end.",
        ));
    }
    out.join("\n")
}

fn header(d: &Debrief) -> String {
    format!(
        "<header class=\"hero\">\n<p class=\"eyebrow\">Swimlane debrief</p>\n<h1>{}</h1>\n\
         <p class=\"facts\">{}</p>\n<p class=\"verdict tone-{}\">{}</p>\n<div class=\"badges\">\n{}\n</div>\n</header>\n",
        esc(call_name(d)),
        esc(&call_facts(d).join(" · ")),
        tone(d),
        esc(&d.verdict),
        badges(d)
    )
}

fn question(n: usize, title: &str, status: (&str, &str), answer: &str) -> String {
    format!(
        "<div class=\"question\">\n<h3><span class=\"qn\">{n}</span>{title}<span class=\"status {}\">{}</span></h3>\n{answer}</div>\n",
        status.0, status.1
    )
}

fn autopsy(d: &Debrief) -> String {
    let missed: Vec<String> = d.autopsy.what_did_we_miss.iter().map(|m| esc(m)).collect();
    let missed_status = if missed.is_empty() {
        ("good", "Nothing")
    } else {
        ("bad", "Gaps")
    };
    let pain = match &d.autopsy.real_pain {
        Some(pain) => (("good", "Yes"), format!("<p>{}</p>\n", esc(pain))),
        None => (
            ("bad", "No"),
            "<p>Not established: no one on the buying side put a pain into words.</p>\n".into(),
        ),
    };
    let next_status = if d.next_step.secured {
        ("good", "Secured")
    } else {
        ("bad", "Missed")
    };
    let inner = [
        question(
            1,
            "What did we miss?",
            missed_status,
            &list(&missed, "missed", "Nothing the rules could see."),
        ),
        question(2, "Did we uncover the real pain?", pain.0, &pain.1),
        question(
            3,
            "Did we secure the agreed-upon next step?",
            next_status,
            &next_step(d),
        ),
    ]
    .concat();
    section("autopsy", "The autopsy", &inner)
}

fn next_step(d: &Debrief) -> String {
    let next = &d.next_step;
    let mut out = format!("<p>{}</p>\n", esc(&d.autopsy.next_step));
    if let (Some(evidence), Some(turn)) = (&next.evidence, next.turn) {
        let said = match turn_source(d, turn) {
            Some((who, at)) => format!("{}, {} at {at}", esc(&who), turn_link(turn)),
            None => turn_link(turn),
        };
        out.push_str(&format!(
            "<blockquote>“{}”<cite>{said}</cite></blockquote>\n",
            esc(evidence)
        ));
    }
    out
}

fn event_head(e: &Event) -> String {
    let turns = match e.span {
        Some((first, last)) if first != last => {
            format!("{} to {}", turn_link(first), turn_link(last))
        }
        _ => turn_link(e.turn),
    };
    format!(
        "<span class=\"time\">{}</span> {turns} {}{}",
        e.start,
        chip(&e.speaker, e.role),
        doubt_mark(e.speaker_doubt)
    )
}

fn swimlane_violations(d: &Debrief) -> String {
    let cards: String = violations(d)
        .map(|e| {
            format!(
                "<article class=\"card\">\n<div class=\"card-head\">{}<strong>{}</strong></div>\n\
                 <blockquote>“{}”</blockquote>\n<p class=\"tip\"><strong>Tip</strong> {}</p>\n\
                 <p class=\"rule\">Rule <code>{}</code></p>\n</article>\n",
                event_head(e),
                kind_label(e.kind),
                esc(&e.evidence),
                esc(&e.message),
                esc(&e.rule)
            )
        })
        .collect();
    let inner = if cards.is_empty() {
        "<p class=\"empty good\">None. Both of you stayed in your lanes.</p>\n".to_string()
    } else {
        cards
    };
    section("violations", "Swimlane violations", &inner)
}

fn practice(d: &Debrief) -> String {
    let rescues: Vec<String> = d
        .events_of(EventKind::RescuePhrase)
        .map(|e| {
            format!(
                "{}<br>“{}”<span class=\"sub\">{}</span>",
                event_head(e),
                esc(&e.evidence),
                esc(&e.message)
            )
        })
        .collect();
    let rescue = format!(
        "<p class=\"sub\">Agreed phrase: “{}”</p>\n{}",
        esc(&d.call.rescue_phrase),
        list(&rescues, "events", "Not used in this call.")
    );
    let handoffs: Vec<String> = d.events_of(EventKind::Handoff).map(handoff_item).collect();
    format!(
        "<div class=\"grid2\">\n{}{}</div>\n",
        section("rescue", "Rescue phrase", &rescue),
        section(
            "handoffs",
            "Handoffs",
            &list(&handoffs, "events", "None in this call.")
        )
    )
}

fn handoff_item(e: &Event) -> String {
    let what = match &e.handoff {
        Some(h) => {
            let deferred = if h.deferred {
                format!(
                    " <span class=\"deferred\">deferred: no {} on the call</span>",
                    h.to
                )
            } else {
                String::new()
            };
            format!(
                "<strong><span class=\"rl {}\">{}</span> → <span class=\"rl {}\">{}</span>: {}</strong>{deferred}",
                role_class(h.from),
                h.from,
                role_class(h.to),
                h.to,
                esc(&h.topic)
            )
        }
        None => "<strong>Handoff</strong>".into(),
    };
    format!("{}<br>{what}<br>“{}”", event_head(e), esc(&e.evidence))
}

fn flags(d: &Debrief) -> String {
    let flags: Vec<String> = raised_flags(d)
        .iter()
        .map(|(name, why)| format!("<strong>{name}</strong>: {why}"))
        .collect();
    section(
        "flags",
        "Flags",
        &list(
            &flags,
            "flags",
            "None raised: no demo monkey, no technical ambush, no happy ears.",
        ),
    )
}

fn qualification(d: &Debrief) -> String {
    let items: String = QualItem::ALL
        .iter()
        .map(|&item| {
            let c = d.qualification.get(item);
            let (class, mark) = if c.covered { ("yes", "✓") } else { ("no", "–") };
            let turns: Vec<String> = c.turns.iter().map(|&t| turn_link(t)).collect();
            let turns = if turns.is_empty() { String::new() } else { format!(" <span class=\"sub\">{}</span>", turns.join(", ")) };
            let evidence = c
                .evidence
                .as_ref()
                .map(|e| format!("<q>{}</q>", esc(e)))
                .unwrap_or_default();
            format!(
                "<li class=\"{class}\"><span class=\"tick {class}\">{mark}</span><span><strong>{}</strong>{turns}{evidence}</span></li>\n",
                qual_label(item)
            )
        })
        .collect();
    let inner = format!(
        "<p class=\"sub\">{} of 5 established.</p>\n<ul class=\"checklist\">\n{items}</ul>\n",
        qualified(d)
    );
    section("qualification", "Qualification", &inner)
}

/// The SVG canvas width; every chart scales time and shares into it.
const WIDTH: f64 = 960.0;
/// Where the plot area starts and ends, leaving room for speaker labels on the left.
const PLOT_LEFT: f64 = 190.0;
const PLOT_RIGHT: f64 = 920.0;

fn plot_width() -> f64 {
    PLOT_RIGHT - PLOT_LEFT
}

/// A speaker name short enough for the label column.
fn short(name: &str) -> String {
    if name.chars().count() > 18 {
        format!("{}…", name.chars().take(17).collect::<String>())
    } else {
        name.to_string()
    }
}

/// One timeline lane per speaker who talks, AE first, then SE, then prospects.
fn lanes(d: &Debrief) -> Vec<(&str, Role)> {
    let mut lanes: Vec<(&str, Role)> = d
        .speakers
        .iter()
        .filter(|s| s.present)
        .map(|s| (s.name.as_str(), s.role))
        .collect();
    for t in &d.turns {
        if !lanes.iter().any(|(name, _)| *name == t.speaker) {
            lanes.push((t.speaker.as_str(), t.role));
        }
    }
    lanes.sort_by_key(|(_, role)| *role);
    lanes
}

/// The time axis: its end (a whole minute), and the minutes between labelled ticks.
fn axis(d: &Debrief) -> (u64, u64) {
    let last = d
        .turns
        .iter()
        .map(|t| t.end)
        .max()
        .unwrap_or_default()
        .max(d.call.duration);
    let minutes = last.0.div_ceil(60_000).max(1);
    let step = [1, 2, 5, 10, 15, 20, 30, 60, 120]
        .into_iter()
        .find(|s| minutes / s <= 12)
        .unwrap_or(minutes);
    (minutes, step)
}

fn x_at(t: Ms, minutes: u64) -> f64 {
    PLOT_LEFT + t.0 as f64 / (minutes * 60_000) as f64 * plot_width()
}

const LANE_TOP: f64 = 40.0;
const LANE_HEIGHT: f64 = 28.0;

fn timeline(d: &Debrief) -> String {
    let lanes = lanes(d);
    let (minutes, step) = axis(d);
    let bottom = LANE_TOP + LANE_HEIGHT * lanes.len() as f64;
    let height = bottom + 34.0;
    let svg = format!(
        "<svg class=\"chart tl\" viewBox=\"0 0 {WIDTH} {height}\" aria-labelledby=\"tl-title\">\n\
         <title id=\"tl-title\">Who spoke when, with events marked above the lanes</title>\n{}{}{}{}</svg>\n",
        lane_rows(&lanes),
        ticks(minutes, step, bottom),
        turn_bars(d, &lanes, minutes),
        markers(d, minutes, bottom)
    );
    let inner = format!("{svg}{}", legend());
    section("timeline", "Who spoke when", &inner)
}

fn lane_rows(lanes: &[(&str, Role)]) -> String {
    lanes
        .iter()
        .enumerate()
        .map(|(i, (name, role))| {
            let y = LANE_TOP + LANE_HEIGHT * i as f64;
            format!(
                "<rect class=\"lane {c}\" x=\"{PLOT_LEFT}\" y=\"{y}\" width=\"{w}\" height=\"{h}\"/>\n\
                 <text class=\"name\" x=\"8\" y=\"{ty}\">{}</text>\
                 <text class=\"role {c}\" x=\"{rx}\" y=\"{ty}\" text-anchor=\"end\">{role}</text>\n",
                esc(&short(name)),
                c = role_class(*role),
                w = plot_width(),
                h = LANE_HEIGHT - 4.0,
                ty = y + 16.0,
                rx = PLOT_LEFT - 10.0,
            )
        })
        .collect()
}

fn ticks(minutes: u64, step: u64, bottom: f64) -> String {
    let mut out = format!(
        "<line class=\"axis\" x1=\"{PLOT_LEFT}\" y1=\"{bottom}\" x2=\"{PLOT_RIGHT}\" y2=\"{bottom}\"/>\n"
    );
    if plot_width() / minutes as f64 >= 4.0 {
        out.push_str(&minute_ticks(minutes, bottom));
    }
    for m in (0..=minutes).step_by(step as usize) {
        let x = x_at(Ms(m * 60_000), minutes);
        out.push_str(&format!(
            "<line class=\"grid\" x1=\"{x:.1}\" y1=\"{LANE_TOP}\" x2=\"{x:.1}\" y2=\"{y2}\"/>\
             <text class=\"tick\" x=\"{x:.1}\" y=\"{ty}\" text-anchor=\"middle\">{}</text>\n",
            Ms(m * 60_000).clock(),
            y2 = bottom + 5.0,
            ty = bottom + 20.0,
        ));
    }
    out
}

/// An unlabelled tick on the axis for every minute.
fn minute_ticks(minutes: u64, bottom: f64) -> String {
    let ticks: String = (0..=minutes)
        .map(|m| {
            let x = x_at(Ms(m * 60_000), minutes);
            format!("M{x:.1} {bottom}v4")
        })
        .collect();
    format!("<path class=\"minor\" d=\"{ticks}\"/>\n")
}

fn turn_bars(d: &Debrief, lanes: &[(&str, Role)], minutes: u64) -> String {
    d.turns
        .iter()
        .filter_map(|t| {
            let lane = lanes.iter().position(|(name, _)| *name == t.speaker)?;
            let x = x_at(t.start, minutes);
            let w = (x_at(t.end, minutes) - x).max(1.5);
            Some(format!(
                "<a href=\"#turn-{i}\"><rect class=\"bar {}\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"16\" rx=\"2\">\
                 <title>Turn {i} · {}–{} · {}</title></rect></a>\n",
                role_class(t.role),
                LANE_TOP + LANE_HEIGHT * lane as f64 + 4.0,
                t.start,
                t.end,
                esc(&t.speaker),
                i = t.i,
            ))
        })
        .collect()
}

/// An event marker's shape: the level is told by shape as well as colour.
fn marker_shape(level: Level, x: f64) -> String {
    let y = 20.0;
    match level {
        Level::Violation => format!(
            "<path d=\"M{:.1} {:.1}L{x:.1} {:.1}L{:.1} {:.1}Z\"/>",
            x - 7.0,
            y + 6.0,
            y - 7.0,
            x + 7.0,
            y + 6.0
        ),
        Level::Warning => format!(
            "<path d=\"M{x:.1} {:.1}L{:.1} {y}L{x:.1} {:.1}L{:.1} {y}Z\"/>",
            y - 7.0,
            x + 7.0,
            y + 7.0,
            x - 7.0
        ),
        Level::Good => format!("<circle cx=\"{x:.1}\" cy=\"{y}\" r=\"5.5\"/>"),
        Level::Info => format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\"/>",
            x - 5.0,
            y - 5.0
        ),
    }
}

fn markers(d: &Debrief, minutes: u64, bottom: f64) -> String {
    d.events
        .iter()
        .map(|e| {
            let x = x_at(e.start, minutes);
            format!(
                "<a class=\"mark {level}\" href=\"#turn-{turn}\"><line x1=\"{x:.1}\" y1=\"28\" x2=\"{x:.1}\" y2=\"{bottom}\"/>{shape}\
                 <title>{} · {} · {} · {} ({}): “{}”</title></a>\n",
                kind_label(e.kind),
                e.start,
                event_turns(e),
                esc(&e.speaker),
                e.role,
                esc(&e.evidence),
                level = e.level.as_str(),
                turn = e.turn,
                shape = marker_shape(e.level, x),
            )
        })
        .collect()
}

fn legend() -> String {
    let roles: String = Role::ALL
        .iter()
        .map(|&r| {
            format!(
                "<li><span class=\"sw {}\"></span>{}</li>",
                role_class(r),
                role_name(r)
            )
        })
        .collect();
    let levels: String = Level::ALL
        .iter()
        .map(|&l| {
            format!(
                "<li><svg class=\"mark {0}\" viewBox=\"-8 12 16 16\" width=\"14\" height=\"14\" aria-hidden=\"true\">{1}</svg>{0}</li>",
                l.as_str(),
                marker_shape(l, 0.0)
            )
        })
        .collect();
    format!("<ul class=\"legend\">{roles}{levels}</ul>\n")
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Ae => "AE (commercial)",
        Role::Se => "SE (technical)",
        Role::Prospect => "Prospect",
    }
}

fn talk(d: &Debrief) -> String {
    let inner = format!(
        "{}{}{}",
        share_chart(d),
        speakers_table(d),
        doubtful_turns(d)
    );
    section("talk", "Talk share", &inner)
}

/// The turns whose speaker, told apart by voice, might be someone else.
fn doubtful_turns(d: &Debrief) -> String {
    let links: Vec<String> = d
        .turns
        .iter()
        .filter_map(|t| {
            Some(format!(
                "{} ({})",
                turn_link(t.i),
                esc(&t.doubt?.describe())
            ))
        })
        .collect();
    if links.is_empty() {
        return String::new();
    }
    format!(
        "<p class=\"doubts\">Speaker in doubt (told apart by voice): {}.</p>\n",
        links.join(", ")
    )
}

fn share_chart(d: &Debrief) -> String {
    let speakers: Vec<_> = d.speakers.iter().filter(|s| s.present).collect();
    let height = 56.0 + 26.0 * speakers.len() as f64;
    let mut out = format!(
        "<svg class=\"chart share\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-labelledby=\"share-title\">\n\
         <title id=\"share-title\">Share of talk time by role and by speaker</title>\n\
         <text class=\"name\" x=\"8\" y=\"25\">By role</text>\n"
    );
    let mut x = PLOT_LEFT;
    for r in d.metrics.roles.iter().filter(|r| r.talk_share > 0.0) {
        let w = r.talk_share * plot_width();
        let label = format!("{} {}", r.role, percent(r.talk_share));
        out.push_str(&format!(
            "<rect class=\"bar {c}\" x=\"{x:.1}\" y=\"8\" width=\"{w:.1}\" height=\"26\"><title>{label} · {}</title></rect>\n",
            r.talk,
            c = role_class(r.role),
        ));
        if w >= 64.0 {
            out.push_str(&format!(
                "<text class=\"in {}\" x=\"{:.1}\" y=\"26\">{label}</text>\n",
                role_class(r.role),
                x + 8.0
            ));
        }
        x += w;
    }
    for (i, s) in speakers.iter().enumerate() {
        let y = 50.0 + 26.0 * i as f64;
        let w = (s.talk_share * plot_width()).max(1.0);
        out.push_str(&format!(
            "<text class=\"name\" x=\"8\" y=\"{ty}\">{}</text><rect class=\"bar {c}\" x=\"{PLOT_LEFT}\" y=\"{y}\" width=\"{w:.1}\" height=\"16\"/>\
             <text class=\"value\" x=\"{vx:.1}\" y=\"{ty}\">{} · {}</text>\n",
            esc(&short(&s.name)),
            percent(s.talk_share),
            s.talk,
            c = role_class(s.role),
            ty = y + 13.0,
            vx = PLOT_LEFT + w + 8.0,
        ));
    }
    out.push_str("</svg>\n");
    out
}

fn speakers_table(d: &Debrief) -> String {
    let rows: String = d
        .speakers
        .iter()
        .map(|s| {
            let title = s.title.as_deref().map(|t| format!("<span class=\"sub\">{}</span>", esc(t))).unwrap_or_default();
            let absent = if s.present { "" } else { "<span class=\"sub\">did not speak</span>" };
            let named = s.identified.map(|how| format!("<span class=\"sub\">named by: {}</span>", esc(&how.describe()))).unwrap_or_default();
            format!(
                "<tr><td><strong class=\"who {}\">{}</strong>{title}{named}{absent}</td><td>{}</td><td>{}</td>\
                 <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                role_class(s.role),
                esc(&s.name),
                s.role,
                s.role_source.describe(),
                s.talk,
                percent(s.talk_share),
                s.turns,
                s.questions,
                s.longest_monologue
            )
        })
        .collect();
    format!(
        "<div class=\"scroll\"><table>\n<thead><tr><th>Speaker</th><th>Role</th><th>Role decided by</th><th class=\"num\">Talk</th>\
         <th class=\"num\">Share</th><th class=\"num\">Turns</th><th class=\"num\">Questions</th><th class=\"num\">Longest monologue</th></tr></thead>\n\
         <tbody>\n{rows}</tbody>\n</table></div>\n"
    )
}

fn metrics(d: &Debrief) -> String {
    let (rows, other) = metric_rows(d);
    let tiles: String = rows
        .iter()
        .map(|row| {
            let refs: String = row
                .references
                .iter()
                .map(|r| format!("<p class=\"ref\"><span>Reference (source)</span> {}</p>\n", esc(&reference_text(r))))
                .collect();
            format!(
                "<div class=\"tile\">\n<p class=\"label\">{}</p>\n<p class=\"value\">{}</p>\n<p class=\"detail\">{}</p>\n{refs}</div>\n",
                esc(row.label),
                esc(&row.value),
                esc(&row.detail)
            )
        })
        .collect();
    let others: Vec<String> = other
        .iter()
        .map(|r| format!("{}: reference {}", esc(&r.metric), esc(&reference_text(r))))
        .collect();
    let others = if others.is_empty() {
        String::new()
    } else {
        format!(
            "<h3>Other reference points</h3>\n{}",
            list(&others, "refs", "")
        )
    };
    section(
        "metrics",
        "Conversation metrics",
        &format!("<div class=\"tiles\">\n{tiles}</div>\n{others}"),
    )
}

fn events(d: &Debrief) -> String {
    let rows: String = d
        .events
        .iter()
        .map(|e| {
            format!(
                "<tr class=\"{}\"><td class=\"num\">{}</td><td><a href=\"#turn-{t}\">{t}</a></td><td><span class=\"level {}\">{}</span></td>\
                 <td>{}{}</td><td>“{}”</td></tr>\n",
                e.level.as_str(),
                e.start,
                e.level.as_str(),
                kind_label(e.kind),
                chip(&e.speaker, e.role),
                doubt_mark(e.speaker_doubt),
                esc(&e.evidence),
                t = e.turn,
            )
        })
        .collect();
    let inner = if rows.is_empty() {
        "<p class=\"empty\">No turn-level events in this call.</p>\n".to_string()
    } else {
        format!(
            "<div class=\"scroll\"><table class=\"events\">\n<thead><tr><th class=\"num\">Time</th><th>Turn</th><th>Event</th><th>Speaker</th><th>Evidence</th></tr></thead>\n\
             <tbody>\n{rows}</tbody>\n</table></div>\n"
        )
    };
    section("event-list", "Events", &inner)
}

/// For each turn an event touches, the most severe level and the event names.
fn turn_events(d: &Debrief) -> BTreeMap<usize, (Level, Vec<&'static str>)> {
    let mut map: BTreeMap<usize, (Level, Vec<&'static str>)> = BTreeMap::new();
    for e in &d.events {
        let (first, last) = e.span.unwrap_or((e.turn, e.turn));
        for turn in first.min(e.turn)..=last.max(e.turn) {
            let entry = map.entry(turn).or_insert((e.level, Vec::new()));
            entry.0 = entry.0.min(e.level);
            if turn == e.turn {
                entry.1.push(kind_label(e.kind));
            }
        }
    }
    map
}

fn transcript(d: &Debrief) -> String {
    let marks = turn_events(d);
    let turns: String = d
        .turns
        .iter()
        .map(|t| transcript_turn(t, marks.get(&t.i)))
        .collect();
    format!(
        "<section class=\"transcript\">\n<details id=\"transcript\">\n<summary>Full transcript <span class=\"sub\">{}</span></summary>\n\
         <ol class=\"turns\">\n{turns}</ol>\n</details>\n</section>\n",
        super::plural(d.turns.len(), "turn", "turns")
    )
}

fn transcript_turn(t: &TurnOut, mark: Option<&(Level, Vec<&'static str>)>) -> String {
    let (class, tags) = match mark {
        Some((level, names)) => (
            format!(" lvl-{}", level.as_str()),
            names
                .iter()
                .map(|n| format!("<span class=\"tag {}\">{n}</span>", level.as_str()))
                .collect::<String>(),
        ),
        None => (String::new(), String::new()),
    };
    format!(
        "<li id=\"turn-{i}\" class=\"turn{class}\"><a class=\"tn\" href=\"#turn-{i}\">{i}</a><span class=\"at\">{}</span>\
         <span class=\"who {}\">{}{}</span><p class=\"text\">{}{tags}</p></li>\n",
        t.start,
        role_class(t.role),
        esc(&t.speaker),
        doubt_mark(t.doubt),
        esc(&t.text),
        i = t.i,
    )
}

fn warnings(d: &Debrief) -> String {
    if d.warnings.is_empty() {
        return String::new();
    }
    let items: Vec<String> = d.warnings.iter().map(|w| esc(w)).collect();
    section("warnings", "Warnings", &list(&items, "warnings", ""))
}

fn footer(d: &Debrief) -> String {
    let source = d
        .call
        .source
        .as_deref()
        .map(|s| format!(" · source {}", esc(s)))
        .unwrap_or_default();
    format!(
        "<footer>swimlane · {} · call {}{source}</footer>\n",
        esc(&d.schema),
        esc(&d.call.id)
    )
}

/// Opens the transcript when a link points into it, and before printing. The page works without
/// it: the transcript can always be opened by hand.
pub(super) const SCRIPT: &str = r##"(function () {
  var t = document.getElementById("transcript");
  if (!t) return;
  function reveal() {
    if (location.hash.indexOf("#turn-") !== 0) return;
    t.open = true;
    var el = document.getElementById(location.hash.slice(1));
    if (el) el.scrollIntoView({ block: "center" });
  }
  window.addEventListener("hashchange", reveal);
  window.addEventListener("beforeprint", function () { t.open = true; });
  reveal();
})();
"##;

/// The page style: system fonts, an Okabe-Ito palette (safe for colour-blind readers) for
/// roles and levels, and print rules that drop backgrounds and keep cards whole.
pub(super) const CSS: &str = r#":root {
  --ink: #1c2330; --muted: #5d6675; --line: #e2e5eb; --bg: #f4f5f7; --card: #fff;
  --ae: #0072b2; --ae-ink: #005a8c; --ae-soft: #e4f0f8;
  --se: #e69f00; --se-ink: #8a5c00; --se-soft: #fdf2dc;
  --pr: #cc79a7; --pr-ink: #8e3f6c; --pr-soft: #f8eaf2;
  --violation: #d55e00; --warning: #c9a400; --good: #009e73; --info: #8a91a0;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1000px; margin: 0 auto; padding: 28px 20px 40px; }
h1 { font-size: 27px; line-height: 1.2; margin: 0 0 6px; letter-spacing: -0.01em; }
h2 { font-size: 18px; margin: 0 0 12px; }
h3 { font-size: 15px; margin: 0 0 8px; }
p { margin: 0 0 8px; }
a { color: var(--ae-ink); }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f0f2f5;
  padding: 1px 5px; border-radius: 4px; }
section, .hero { background: var(--card); border: 1px solid var(--line); border-radius: 12px;
  padding: 20px 22px; margin: 0 0 18px; }
.hero { border-top: 5px solid var(--ae); }
.eyebrow { text-transform: uppercase; letter-spacing: 0.08em; font-size: 12px; font-weight: 700;
  color: var(--muted); margin: 0 0 4px; }
.facts, .sub { color: var(--muted); font-size: 13px; }
.sub { display: block; }
.verdict { font-size: 18px; font-weight: 650; padding: 12px 16px; border-radius: 10px;
  border-left: 6px solid; margin: 14px 0; }
.tone-good { background: #e3f4ee; border-color: var(--good); }
.tone-mixed { background: #fbf4d8; border-color: var(--warning); }
.tone-risk { background: #fbe8de; border-color: var(--violation); }
.badges { display: flex; flex-wrap: wrap; gap: 8px; }
.badge { display: inline-block; padding: 3px 11px; border-radius: 999px; font-size: 13px;
  font-weight: 600; border: 1px solid; }
.badge.good { background: #e3f4ee; border-color: #9fd8c5; color: #00664a; }
.badge.mixed { background: #fbf4d8; border-color: #e6d27a; color: #6e5a00; }
.badge.bad { background: #fbe8de; border-color: #efb391; color: #9a4100; }
.badge.neutral { background: #eef0f3; border-color: #d3d7de; color: var(--muted); }
.autopsy .question { border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px 8px;
  margin: 0 0 12px; }
.question h3 { display: flex; align-items: center; gap: 10px; font-size: 16px; }
.qn { display: inline-flex; width: 26px; height: 26px; border-radius: 50%; background: var(--ink);
  color: #fff; align-items: center; justify-content: center; font-size: 13px; flex: none; }
.status { margin-left: auto; font-size: 12px; font-weight: 700; text-transform: uppercase;
  letter-spacing: 0.05em; padding: 2px 9px; border-radius: 999px; }
.status.good { background: #e3f4ee; color: #00664a; }
.status.bad { background: #fbe8de; color: #9a4100; }
ul { margin: 0 0 8px; padding-left: 20px; }
ul.events, ul.findings, ul.flags, ul.checklist { list-style: none; padding: 0; }
ul.events li, ul.findings li, ul.flags li { padding: 8px 0; border-bottom: 1px solid var(--line); }
ul.events li:last-child, ul.findings li:last-child, ul.flags li:last-child { border-bottom: none; }
blockquote { margin: 8px 0 10px; padding: 8px 14px; border-left: 4px solid #cfd4dc;
  background: #f8f9fb; border-radius: 0 8px 8px 0; font-size: 15px; }
blockquote cite { display: block; font-style: normal; font-size: 13px; color: var(--muted);
  margin-top: 4px; }
q { display: block; color: var(--muted); font-style: italic; font-size: 14px; }
.note { font-size: 13px; color: var(--muted); }
.empty { color: var(--muted); font-style: italic; }
.empty.good { color: #00664a; font-style: normal; font-weight: 600; }
.card { border: 1px solid var(--line); border-left: 5px solid var(--violation); border-radius: 10px;
  padding: 12px 16px 6px; margin: 0 0 12px; }
.card-head { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }
.card-head strong { margin-left: auto; color: #9a4100; }
.tip { background: #eef5fa; border-radius: 8px; padding: 9px 12px; }
.tip strong { text-transform: uppercase; font-size: 12px; letter-spacing: 0.05em;
  color: var(--ae-ink); margin-right: 6px; }
.rule { font-size: 12px; color: var(--muted); }
.time { font-variant-numeric: tabular-nums; font-weight: 700; }
.chip { display: inline-block; white-space: nowrap; padding: 1px 8px; border-radius: 6px; font-size: 12px; font-weight: 650; }
.chip.ae { background: var(--ae-soft); color: var(--ae-ink); }
.chip.se { background: var(--se-soft); color: var(--se-ink); }
.chip.pr { background: var(--pr-soft); color: var(--pr-ink); }
.rl.ae, .who.ae { color: var(--ae-ink); }
.rl.se, .who.se { color: var(--se-ink); }
.rl.pr, .who.pr { color: var(--pr-ink); }
.deferred { font-size: 12px; font-weight: 600; color: #6e5a00; background: #fbf4d8;
  padding: 1px 7px; border-radius: 6px; }
.level, .tag { display: inline-block; white-space: nowrap; font-size: 11px; font-weight: 700; text-transform: uppercase;
  letter-spacing: 0.04em; padding: 1px 7px; border-radius: 6px; background: #eef0f3; color: var(--muted); }
.level.violation, .tag.violation { background: #fbe8de; color: #9a4100; }
.level.warning, .tag.warning { background: #fbf4d8; color: #6e5a00; }
.level.good, .tag.good { background: #e3f4ee; color: #00664a; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; }
.grid2 > section { margin: 0 0 18px; }
.checklist li { display: flex; gap: 12px; align-items: flex-start; padding: 8px 0;
  border-bottom: 1px solid var(--line); }
.checklist li:last-child { border-bottom: none; }
.checklist .sub { display: inline; margin-left: 6px; }
.tick { display: inline-flex; width: 24px; height: 24px; border-radius: 50%; align-items: center;
  justify-content: center; font-weight: 800; flex: none; }
.tick.yes { background: var(--good); color: #fff; }
.tick.no { background: #eef0f3; color: #9aa1ad; border: 1px solid #d3d7de; }
.checklist li.no strong { color: var(--muted); }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 12px; }
.tile { border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.tile .label { font-size: 12px; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted);
  font-weight: 600; margin: 0; }
.tile .value { font-size: 28px; font-weight: 750; margin: 2px 0; font-variant-numeric: tabular-nums; }
.tile .detail { font-size: 13px; color: var(--muted); }
.tile .ref { font-size: 12px; border-top: 1px dashed var(--line); padding-top: 6px; margin: 6px 0 0; }
.tile .ref span { font-weight: 700; color: var(--muted); text-transform: uppercase;
  letter-spacing: 0.04em; margin-right: 4px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin-top: 12px; }
th, td { text-align: left; padding: 7px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 11px; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); font-weight: 700; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.violation td { background: #fdf3ee; }
svg.chart { display: block; width: 100%; height: auto; }
.chart text { font-size: 12px; fill: var(--ink); }
.chart .name { font-weight: 600; }
.chart .role, .chart .tick, .chart .value { fill: var(--muted); font-size: 11px; }
.chart .role { font-weight: 700; }
.chart .lane.ae { fill: var(--ae-soft); } .chart .lane.se { fill: var(--se-soft); }
.chart .lane.pr { fill: var(--pr-soft); }
.chart .bar.ae, .sw.ae { fill: var(--ae); background: var(--ae); }
.chart .bar.se, .sw.se { fill: var(--se); background: var(--se); }
.chart .bar.pr, .sw.pr { fill: var(--pr); background: var(--pr); }
.chart a:hover .bar { opacity: 0.75; }
.chart .in { font-weight: 700; fill: var(--ink); }
.chart .in.ae { fill: #fff; }
.chart .axis, .chart .minor { stroke: #aab1bd; }
.chart .grid { stroke: #d9dde4; stroke-dasharray: 2 3; }
.mark line { stroke-width: 1.2; stroke-dasharray: 3 3; opacity: 0.55; }
.mark path, .mark circle, .mark rect { stroke: #fff; stroke-width: 1; }
.mark.violation { fill: var(--violation); stroke: var(--violation); }
.mark.warning { fill: var(--warning); stroke: var(--warning); }
.mark.good { fill: var(--good); stroke: var(--good); }
.mark.info { fill: var(--info); stroke: var(--info); }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; list-style: none; padding: 0; margin: 10px 0 0;
  font-size: 13px; color: var(--muted); }
.legend li { display: inline-flex; align-items: center; gap: 6px; }
.legend svg { display: inline-block; }
.sw { display: inline-block; width: 14px; height: 14px; border-radius: 3px; }
details summary { cursor: pointer; font-weight: 700; font-size: 18px; }
details summary .sub { display: inline; font-weight: 400; margin-left: 6px; }
ol.turns { list-style: none; margin: 14px 0 0; padding: 0; }
.turn { display: grid; grid-template-columns: 40px 54px 150px 1fr; gap: 10px; padding: 7px 8px;
  border-bottom: 1px solid var(--line); scroll-margin-top: 80px; }
.turn .tn { color: var(--muted); text-decoration: none; text-align: right; font-variant-numeric: tabular-nums; }
.turn .at { color: var(--muted); font-variant-numeric: tabular-nums; }
.turn .who { font-weight: 650; }
.turn .text { margin: 0; }
.turn .tag { margin-left: 8px; }
.doubt { display: inline-block; font-size: 11px; font-weight: 700; padding: 0 6px; border-radius: 6px;
  border: 1px dashed currentColor; color: #6e5a00; cursor: help; }
.turn.lvl-violation { background: #fdf0e9; }
.turn.lvl-warning { background: #fdf8e4; }
.turn.lvl-good { background: #ecf7f3; }
.turn.lvl-info { background: #f2f3f6; }
.turn:target { outline: 2px solid var(--ae); outline-offset: -2px; }
footer { text-align: center; color: var(--muted); font-size: 12px; margin-top: 8px; }
@media (max-width: 760px) {
  .grid2 { grid-template-columns: 1fr; }
  .turn { grid-template-columns: 34px 48px 1fr; }
  .turn .text { grid-column: 1 / -1; }
}
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { background: #fff; font-size: 12px; }
  main { max-width: none; padding: 0; }
  section, .hero { border: none; border-radius: 0; padding: 0 0 10px; margin: 0 0 14px;
    border-bottom: 1px solid var(--line); }
  .hero { border-top: none; }
  .card, .tile, .question, .turn, tr, svg.chart { break-inside: avoid; }
  h2 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
  details summary { list-style: none; }
}
"#;
