//! Measuring the detectors against labelled calls (the schema of the development corpus):
//! precision, recall and F1 per event type, and accuracy of each call-level finding.

use crate::debrief::{Debrief, EventKind, QualItem};
use crate::model::Role;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The labels of one call, as the corpus writes them.
#[derive(Debug, Clone, Deserialize)]
pub struct Labels {
    #[serde(default)]
    pub events: Vec<LabelledEvent>,
    pub expected: Expected,
}

/// One labelled event.
#[derive(Debug, Clone, Deserialize)]
pub struct LabelledEvent {
    #[serde(rename = "type")]
    pub kind: String,
    pub turn: usize,
    pub span: Option<(usize, usize)>,
    pub from: Option<Role>,
    pub to: Option<Role>,
}

/// The labelled call-level findings.
#[derive(Debug, Clone, Deserialize)]
pub struct Expected {
    pub next_step_secured: bool,
    #[serde(default)]
    pub next_step_late: bool,
    pub qualification: BTreeMap<String, bool>,
    pub demo_monkey: bool,
    pub technical_ambush: bool,
    pub happy_ears: bool,
}

/// Counts for one event type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }
    pub fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// Empty sets score 1: nothing to find and nothing wrongly found is a perfect result.
fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        1.0
    } else {
        num as f64 / den as f64
    }
}

/// One disagreement, for `--verbose`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Miss {
    pub call: String,
    pub what: String,
}

/// The result of an evaluation run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub calls: usize,
    pub events: BTreeMap<String, Counts>,
    /// Per call-level finding: (correct, total).
    pub findings: BTreeMap<String, (usize, usize)>,
    pub misses: Vec<Miss>,
}

impl Report {
    /// Adds one analysed call and its labels.
    pub fn add(&mut self, call: &str, debrief: &Debrief, labels: &Labels) {
        self.calls += 1;
        for kind in EventKind::ALL {
            let counts = self.events.entry(kind.as_str().to_string()).or_default();
            let wanted: Vec<&LabelledEvent> = labels
                .events
                .iter()
                .filter(|e| e.kind == kind.as_str())
                .collect();
            let mut used = vec![false; debrief.events.len()];
            for label in &wanted {
                let found = debrief.events.iter().enumerate().position(|(i, e)| {
                    !used[i]
                        && e.kind == kind
                        && covers(label, e.turn, kind)
                        && same_direction(label, e)
                });
                match found {
                    Some(i) => {
                        used[i] = true;
                        counts.true_positives += 1;
                    }
                    None => {
                        counts.false_negatives += 1;
                        self.misses.push(Miss {
                            call: call.into(),
                            what: format!("missed {} at turn {}", kind, label.turn),
                        });
                    }
                }
            }
            for (i, e) in debrief.events.iter().enumerate() {
                if e.kind == kind && !used[i] {
                    counts.false_positives += 1;
                    self.misses.push(Miss {
                        call: call.into(),
                        what: format!(
                            "false {} at turn {} ({}): {}",
                            kind, e.turn, e.rule, e.evidence
                        ),
                    });
                }
            }
        }
        let late = debrief.next_step.secured && !debrief.next_step.before_cta;
        let mut check = |name: &str, got: bool, want: bool| {
            let entry = self.findings.entry(name.to_string()).or_default();
            entry.1 += 1;
            if got == want {
                entry.0 += 1;
            } else {
                self.misses.push(Miss {
                    call: call.into(),
                    what: format!("{name}: got {got}, labelled {want}"),
                });
            }
        };
        let e = &labels.expected;
        check(
            "next_step_secured",
            debrief.next_step.secured,
            e.next_step_secured,
        );
        check("next_step_late", late, e.next_step_late);
        for item in QualItem::ALL {
            let want = e.qualification.get(item.as_str()).copied().unwrap_or(false);
            check(item.as_str(), debrief.qualification.get(item).covered, want);
        }
        check("demo_monkey", debrief.flags.demo_monkey, e.demo_monkey);
        check(
            "technical_ambush",
            debrief.flags.technical_ambush,
            e.technical_ambush,
        );
        check("happy_ears", debrief.flags.happy_ears, e.happy_ears);
    }

    /// The lowest F1 over event types that occur in the labels or the predictions.
    pub fn min_f1(&self) -> f64 {
        self.events.values().map(Counts::f1).fold(1.0, f64::min)
    }

    /// Accuracy over all call-level findings.
    pub fn finding_accuracy(&self) -> f64 {
        let (ok, all) = self
            .findings
            .values()
            .fold((0, 0), |(a, b), (c, d)| (a + c, b + d));
        ratio(ok, all)
    }

    /// A plain-text table.
    pub fn render_text(&self, verbose: bool) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{} labelled calls\n", self.calls);
        let _ = writeln!(
            out,
            "{:<22} {:>4} {:>4} {:>4} {:>9} {:>7} {:>6}",
            "event", "tp", "fp", "fn", "precision", "recall", "f1"
        );
        for (name, c) in &self.events {
            let _ = writeln!(
                out,
                "{:<22} {:>4} {:>4} {:>4} {:>9.3} {:>7.3} {:>6.3}",
                name,
                c.true_positives,
                c.false_positives,
                c.false_negatives,
                c.precision(),
                c.recall(),
                c.f1()
            );
        }
        let _ = writeln!(
            out,
            "\n{:<22} {:>8} {:>9}",
            "call-level finding", "correct", "accuracy"
        );
        for (name, (ok, all)) in &self.findings {
            let _ = writeln!(
                out,
                "{:<22} {:>8} {:>9.3}",
                name,
                format!("{ok}/{all}"),
                ratio(*ok, *all)
            );
        }
        let _ = writeln!(
            out,
            "\nmin event F1 {:.3}; call-level accuracy {:.3}",
            self.min_f1(),
            self.finding_accuracy()
        );
        if verbose && !self.misses.is_empty() {
            let _ = writeln!(out, "\ndisagreements:");
            for m in &self.misses {
                let _ = writeln!(out, "  {}: {}", m.call, m.what);
            }
        }
        out
    }
}

fn covers(label: &LabelledEvent, turn: usize, kind: EventKind) -> bool {
    let (from, to) = label.span.unwrap_or((label.turn, label.turn));
    let slack = usize::from(kind == EventKind::NextStep);
    turn + slack >= from.min(label.turn) && turn <= to.max(label.turn) + slack
}

fn same_direction(label: &LabelledEvent, event: &crate::debrief::Event) -> bool {
    match (&event.handoff, label.from, label.to) {
        (Some(h), Some(from), Some(to)) => h.from == from && h.to == to,
        _ => true,
    }
}
