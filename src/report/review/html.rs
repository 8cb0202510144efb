//! The HTML review: one self-contained page (inline CSS and SVG, no network assets) for a
//! manager, with the Markdown review's tables, a chart of lane violations call by call, and each
//! pair's and person's series drawn beside their figures.

use super::{Table, calls_table, pairs_table, people_table, summary_line, team_rows};
use crate::report::html::esc;
use crate::review::{CallRow, Review};

pub(super) fn render(r: &Review) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Coaching review</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<main>\n{}</main>\n\
         </body>\n</html>\n",
        body(r)
    )
}

/// The page's sections, for `render` and for pages that embed the review.
pub(in crate::report) fn body(r: &Review) -> String {
    let alerts = if r.alerts.is_empty() {
        "<p class=\"empty\">None.</p>\n".to_string()
    } else {
        let items: String = r
            .alerts
            .iter()
            .map(|a| {
                format!(
                    "<li><strong>{}</strong>: {}</li>\n",
                    esc(&a.who),
                    esc(&a.message)
                )
            })
            .collect();
        format!("<ul class=\"alerts\">\n{items}</ul>\n")
    };
    let team: String = team_rows(r)
        .iter()
        .map(|[figure, value, target]| {
            format!(
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"note\">{}</td></tr>\n",
                esc(figure),
                esc(value),
                esc(target)
            )
        })
        .collect();
    let pair_series: Vec<&[usize]> = r
        .pairs
        .iter()
        .map(|p| &p.tally.violations_by_call[..])
        .collect();
    let people_series: Vec<&[usize]> = r
        .people
        .iter()
        .map(|p| &p.tally.violations_by_call[..])
        .collect();
    let warnings = if r.warnings.is_empty() {
        String::new()
    } else {
        let items: String = r
            .warnings
            .iter()
            .map(|w| format!("<li>{}</li>\n", esc(w)))
            .collect();
        section("Warnings", &format!("<ul>\n{items}</ul>\n"))
    };
    [
        format!(
            "<header class=\"hero\"><p class=\"eyebrow\">swimlane</p><h1>Coaching review</h1>\
             <p class=\"facts\">{}</p></header>\n",
            esc(&summary_line(r))
        ),
        section("Patterns to look at", &alerts),
        section(
            "Team",
            &format!(
                "<table>\n<thead><tr><th>Figure</th><th>Value</th><th>Target</th></tr></thead>\n\
                 <tbody>\n{team}</tbody>\n</table>\n"
            ),
        ),
        section("Lane violations, call by call", &violations_chart(&r.calls)),
        section(
            "Pairs",
            &table(&pairs_table(r), Some(("Violations by call", &pair_series))),
        ),
        section(
            "People",
            &format!(
                "<p class=\"note\">Each person's own events: an SE's pricing talk, an AE's \
                 technical depth and demo-monkey commands, rescue phrases and handoffs they \
                 made.</p>\n{}",
                table(
                    &people_table(r),
                    Some(("Violations by call", &people_series))
                )
            ),
        ),
        section("Calls", &table(&calls_table(r), None)),
        warnings,
    ]
    .concat()
}

fn section(title: &str, inner: &str) -> String {
    format!("<section>\n<h2>{}</h2>\n{inner}</section>\n", esc(title))
}

/// A table; the column named in `series` also gets each row's series drawn as bars.
fn table(t: &Table, series: Option<(&str, &[&[usize]])>) -> String {
    let head: String = t
        .head
        .iter()
        .map(|h| format!("<th>{}</th>", esc(h)))
        .collect();
    let column = series.and_then(|(name, _)| t.head.iter().position(|h| *h == name));
    let rows: String = t
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let cells: String = row
                .iter()
                .enumerate()
                .map(|(j, text)| match (column, series) {
                    (Some(c), Some((_, all))) if c == j => {
                        format!(
                            "<td>{}<span class=\"sr\">{}</span></td>",
                            sparkbars(all[i]),
                            esc(text)
                        )
                    }
                    _ => format!("<td>{}</td>", esc(text)),
                })
                .collect();
            format!("<tr>{cells}</tr>\n")
        })
        .collect();
    format!(
        "<div class=\"scroll\"><table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}</tbody>\n</table></div>\n"
    )
}

/// Small bars, one per call in date order, as tall as that call's lane violations.
fn sparkbars(series: &[usize]) -> String {
    let top = series.iter().copied().max().unwrap_or(0).max(1) as f64;
    let (step, height) = (7.0, 22.0);
    let bars: String = series
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let h = if n == 0 { 2.0 } else { (n as f64 / top * height).max(3.0) };
            let class = if n == 0 { "zero" } else { "bad" };
            format!(
                "<rect class=\"{class}\" x=\"{:.1}\" y=\"{:.1}\" width=\"5\" height=\"{h:.1}\"><title>{n}</title></rect>",
                i as f64 * step,
                height - h
            )
        })
        .collect();
    format!(
        "<svg class=\"spark\" width=\"{:.0}\" height=\"{height:.0}\" role=\"img\" aria-label=\"violations by call\">{bars}</svg>",
        (series.len() as f64 * step).max(step)
    )
}

/// Stacked bars per call (SE pricing, AE depth, demo-monkey commands), oldest first, with a
/// dot under each call that secured a next step, and the first and last call's date (or id).
fn violations_chart(calls: &[CallRow]) -> String {
    if calls.is_empty() {
        return "<p class=\"empty\">No calls.</p>\n".to_string();
    }
    let top = calls
        .iter()
        .map(|c| c.counts.violations())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let (left, plot_h) = (28.0, 120.0);
    let step = (880.0 / calls.len() as f64).clamp(18.0, 48.0);
    let width = left + step * calls.len() as f64 + 10.0;
    let y = |v: f64| 10.0 + plot_h - v / top * plot_h;
    let mut svg = String::new();
    for tick in [0.0, top] {
        svg.push_str(&format!(
            "<line class=\"grid\" x1=\"{left}\" x2=\"{width:.0}\" y1=\"{0:.1}\" y2=\"{0:.1}\"/>\
             <text class=\"axis\" x=\"{1}\" y=\"{2:.1}\" text-anchor=\"end\">{tick}</text>",
            y(tick),
            left - 6.0,
            y(tick) + 4.0
        ));
    }
    for (i, call) in calls.iter().enumerate() {
        let x = left + 4.0 + step * i as f64;
        let mut base = 0.0;
        for (class, n) in [
            ("pricing", call.counts.se_pricing),
            ("depth", call.counts.ae_technical_depth),
            ("monkey", call.counts.demo_monkey_commands),
        ] {
            if n > 0 {
                let (y0, y1) = (y(base), y(base + n as f64));
                svg.push_str(&format!(
                    "<rect class=\"{class}\" x=\"{x:.1}\" y=\"{y1:.1}\" width=\"14\" height=\"{:.1}\"/>",
                    y0 - y1
                ));
                base += n as f64;
            }
        }
        let label = call
            .date
            .map(|d| d.to_string())
            .unwrap_or_else(|| call.id.clone());
        let next = if call.next_step { "secured" } else { "missing" };
        svg.push_str(&format!(
            "<circle class=\"next {next}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\"><title>{}: next step {next}</title></circle>",
            x + 7.0,
            plot_h + 24.0,
            esc(&label)
        ));
        let last = i + 1 == calls.len();
        if i == 0 || last {
            svg.push_str(&format!(
                "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{}\">{}</text>",
                if last { x + 14.0 } else { x },
                plot_h + 46.0,
                if last && i > 0 { "end" } else { "start" },
                esc(&label)
            ));
        }
    }
    format!(
        "<svg class=\"chart\" viewBox=\"0 0 {width:.0} {:.0}\" width=\"{width:.0}\" role=\"img\" \
         aria-label=\"lane violations per call\">{svg}</svg>\n\
         <p class=\"legend\"><span class=\"key pricing\"></span>SE pricing \
         <span class=\"key depth\"></span>AE technical depth \
         <span class=\"key monkey\"></span>demo-monkey commands \
         <span class=\"key dot\"></span>next step secured (hollow: none)</p>\n",
        plot_h + 54.0
    )
}

pub(in crate::report) const CSS: &str = r#":root { --ink: #1c2330; --muted: #5d6675; --line: #e2e5eb; --bg: #f4f5f7; --card: #fff;
  --pricing: #e69f00; --depth: #0072b2; --monkey: #cc79a7; --good: #009e73; --bad: #d55e00; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 28px 20px 40px; }
h1 { font-size: 27px; line-height: 1.2; margin: 0 0 6px; }
h2 { font-size: 18px; margin: 0 0 12px; }
section, .hero { background: var(--card); border: 1px solid var(--line); border-radius: 12px;
  padding: 20px 22px; margin: 0 0 18px; }
.hero { border-top: 5px solid var(--depth); }
.eyebrow { text-transform: uppercase; letter-spacing: 0.08em; font-size: 12px; font-weight: 700;
  color: var(--muted); margin: 0 0 4px; }
.facts, .note, .legend { color: var(--muted); font-size: 13px; }
.empty { color: var(--muted); font-style: italic; }
ul.alerts { list-style: none; padding: 0; margin: 0; }
ul.alerts li { padding: 8px 12px; margin: 0 0 8px; border-left: 5px solid var(--bad);
  background: #fbe8de; border-radius: 0 8px 8px 0; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); }
td.num { text-align: right; font-variant-numeric: tabular-nums; font-weight: 650; }
.spark { display: block; margin-bottom: 2px; }
.spark .bad { fill: var(--bad); }
.spark .zero { fill: #c9ced6; }
.sr { font-size: 11px; color: var(--muted); }
.chart { max-width: 100%; height: auto; }
.chart .grid { stroke: var(--line); }
.chart .axis { font-size: 11px; fill: var(--muted); }
.chart .pricing, .key.pricing { fill: var(--pricing); background: var(--pricing); }
.chart .depth, .key.depth { fill: var(--depth); background: var(--depth); }
.chart .monkey, .key.monkey { fill: var(--monkey); background: var(--monkey); }
.chart .next { stroke: var(--good); stroke-width: 2; }
.chart .next.secured { fill: var(--good); }
.chart .next.missing { fill: #fff; }
.key { display: inline-block; width: 11px; height: 11px; border-radius: 3px; margin: 0 4px 0 10px;
  vertical-align: -1px; }
.key.dot { background: var(--good); border-radius: 50%; }
"#;
