//! The manager's review: many debriefs read together, so that a manager sees per pair and per
//! person the figures the swimlane method tracks across calls (lane violations per call and their
//! trend, rescue phrases, handoffs, next steps secured and by the charter's minute,
//! qualification coverage, talk ratios) and, where deal outcomes are recorded, the SE win and
//! no-go rates against the method's targets. Pure: debriefs and outcomes in, a `Review` out;
//! `report::render_review` turns it into bytes.

mod outcomes;

pub use outcomes::{Outcome, Outcomes, OutcomesError};

use crate::charter::same_person;
use crate::debrief::{Debrief, EventKind, Flags};
use crate::model::{CallType, Role};
use crate::time::Ms;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;

/// The JSON schema name and version of a review.
pub const SCHEMA: &str = "swimlane.review/1";

/// The share of decided deals an SE should win (the method's target: 70 % or more).
pub const WIN_RATE_TARGET: f64 = 0.70;

/// The share of deals an SE should disqualify: low means chasing everything, high means
/// qualifying poorly before engaging (the method's target: 15 to 25 %).
pub const NO_GO_RATE_TARGET: (f64, f64) = (0.15, 0.25);

/// Demo calls an SE runs without any POC before the review raises the "all demos, no POCs"
/// pattern (the method's "15 demos a week but no POCs").
pub const DEMOS_WITHOUT_POC: usize = 5;

/// Recorded outcomes an SE needs before the review raises an alert about their win or no-go
/// rate: one lost deal out of two says little.
pub const MIN_OUTCOMES_FOR_ALERT: usize = 5;

/// Calls a pair or person needs before the review calls a trend: fewer say nothing.
pub const TREND_MIN_CALLS: usize = 4;

/// Which calls to review. Every condition given must hold.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// People who must all have spoken on the call (a full name or a first name).
    pub people: Vec<String>,
    pub call_type: Option<CallType>,
    /// First day to include; calls without a date are left out when set.
    pub since: Option<Date>,
    /// Last day to include; calls without a date are left out when set.
    pub until: Option<Date>,
}

impl Filter {
    fn keeps(&self, call: &CallRow) -> bool {
        let spoke = |name: &str| {
            call.speakers
                .iter()
                .any(|s| same_person(name, &s.name) && s.role.is_vendor())
                || call.prospects.iter().any(|p| same_person(name, p))
        };
        self.people.iter().all(|name| spoke(name))
            && self
                .call_type
                .as_ref()
                .is_none_or(|t| call.call_type.as_ref() == Some(t))
            && self.since.is_none_or(|d| call.date.is_some_and(|c| c >= d))
            && self.until.is_none_or(|d| call.date.is_some_and(|c| c <= d))
    }

    fn is_dated(&self) -> bool {
        self.since.is_some() || self.until.is_some()
    }
}

/// Countable events of one call, for a whole call or for one person on it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub se_pricing: usize,
    pub ae_technical_depth: usize,
    pub demo_monkey_commands: usize,
    pub rescue_phrases: usize,
    pub handoffs: usize,
}

impl Counts {
    /// Lane violations: SE pricing, AE technical depth and demo-monkey commands.
    pub fn violations(&self) -> usize {
        self.se_pricing + self.ae_technical_depth + self.demo_monkey_commands
    }

    fn add(&mut self, other: &Counts) {
        self.se_pricing += other.se_pricing;
        self.ae_technical_depth += other.ae_technical_depth;
        self.demo_monkey_commands += other.demo_monkey_commands;
        self.rescue_phrases += other.rescue_phrases;
        self.handoffs += other.handoffs;
    }

    fn of(debrief: &Debrief, speaker: Option<&str>) -> Counts {
        let count = |kind: EventKind| {
            debrief
                .events_of(kind)
                .filter(|e| speaker.is_none_or(|s| e.speaker == s))
                .count()
        };
        Counts {
            se_pricing: count(EventKind::SePricing),
            ae_technical_depth: count(EventKind::AeTechnicalDepth),
            demo_monkey_commands: count(EventKind::DemoMonkeyCommand),
            rescue_phrases: count(EventKind::RescuePhrase),
            handoffs: count(EventKind::Handoff),
        }
    }
}

/// A vendor-side person on one call, with what they did there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Seat {
    pub name: String,
    pub role: Role,
    /// Share of all talk time on the call, 0..1.
    pub talk_share: f64,
    pub counts: Counts,
}

/// One call as the review counts it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallRow {
    pub id: String,
    pub title: Option<String>,
    pub date: Option<Date>,
    pub call_type: Option<CallType>,
    /// The debrief file it was read from.
    pub file: String,
    /// The AE and SE who spoke, in that order.
    pub speakers: Vec<Seat>,
    pub prospects: Vec<String>,
    pub pair: String,
    pub duration: Ms,
    pub counts: Counts,
    pub next_step: bool,
    pub next_step_before_cta: bool,
    /// Qualification items established, out of `QualItem::ALL`.
    pub qualification: usize,
    pub vendor_talk_percent: f64,
    pub flags: Flags,
    pub outcome: Option<Outcome>,
}

impl CallRow {
    /// The review's view of one debrief, read from `file`.
    pub fn of(debrief: &Debrief, file: &str, outcomes: &Outcomes) -> CallRow {
        let present = || debrief.speakers.iter().filter(|s| s.present);
        let mut speakers: Vec<Seat> = present()
            .filter(|s| s.role.is_vendor())
            .map(|s| Seat {
                name: s.name.clone(),
                role: s.role,
                talk_share: s.talk_share,
                counts: Counts::of(debrief, Some(&s.name)),
            })
            .collect();
        speakers.sort_by_key(|s| s.role);
        let prospects = present()
            .filter(|s| s.role == Role::Prospect)
            .map(|s| s.name.clone())
            .collect();
        let qualification = crate::debrief::QualItem::ALL
            .into_iter()
            .filter(|&item| debrief.qualification.get(item).covered)
            .count();
        CallRow {
            id: debrief.call.id.clone(),
            title: debrief.call.title.clone(),
            date: debrief.call.date,
            call_type: debrief.call.call_type.clone(),
            file: file.to_string(),
            pair: pair_label(&speakers),
            speakers,
            prospects,
            duration: debrief.call.duration,
            counts: Counts::of(debrief, None),
            next_step: debrief.next_step.secured,
            next_step_before_cta: debrief.next_step.before_cta,
            qualification,
            vendor_talk_percent: debrief.metrics.vendor_talk_percent,
            flags: debrief.flags,
            outcome: outcomes.of(&debrief.call.id),
        }
    }

    fn is_poc(&self) -> bool {
        self.call_type == Some(CallType::PocReadout)
    }

    fn is_demo(&self) -> bool {
        self.call_type == Some(CallType::Demo)
    }
}

/// "Dana Ruiz + Sam Patel"; a missing side reads "no AE" or "no SE".
fn pair_label(speakers: &[Seat]) -> String {
    let side = |role: Role, none: &str| {
        let names: Vec<&str> = speakers
            .iter()
            .filter(|s| s.role == role)
            .map(|s| s.name.as_str())
            .collect();
        if names.is_empty() {
            none.to_string()
        } else {
            names.join(" & ")
        }
    };
    format!("{} + {}", side(Role::Ae, "no AE"), side(Role::Se, "no SE"))
}

/// Whether lane violations per call went down, up or stayed put, comparing the earlier half of
/// the calls (in date order) with the later half.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "direction")]
pub enum Trend {
    Improving { earlier: f64, later: f64 },
    Worsening { earlier: f64, later: f64 },
    Steady { earlier: f64, later: f64 },
}

impl Trend {
    /// The trend of a series in date order; `None` with fewer than `TREND_MIN_CALLS` values.
    /// A change under a quarter of a violation per call is steady.
    fn of(series: &[usize]) -> Option<Trend> {
        if series.len() < TREND_MIN_CALLS {
            return None;
        }
        let half = series.len() / 2;
        let mean = |part: &[usize]| part.iter().sum::<usize>() as f64 / part.len() as f64;
        let (earlier, later) = (mean(&series[..half]), mean(&series[series.len() - half..]));
        Some(if later < earlier - 0.25 {
            Trend::Improving { earlier, later }
        } else if later > earlier + 0.25 {
            Trend::Worsening { earlier, later }
        } else {
            Trend::Steady { earlier, later }
        })
    }
}

/// Deal outcomes recorded on a set of calls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct OutcomeCounts {
    pub won: usize,
    pub lost: usize,
    pub no_go: usize,
}

impl OutcomeCounts {
    fn add(&mut self, outcome: Option<Outcome>) {
        match outcome {
            Some(Outcome::Won) => self.won += 1,
            Some(Outcome::Lost) => self.lost += 1,
            Some(Outcome::NoGo) => self.no_go += 1,
            None => {}
        }
    }

    /// Won out of won and lost: deals the SE chose to pursue.
    pub fn win_rate(&self) -> Option<f64> {
        ratio(self.won, self.won + self.lost)
    }

    /// No-go out of all recorded outcomes.
    pub fn no_go_rate(&self) -> Option<f64> {
        ratio(self.no_go, self.won + self.lost + self.no_go)
    }
}

fn ratio(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Figures over a set of calls: a pair's, a person's, or the whole team's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tally {
    pub calls: usize,
    /// Events summed over the calls (a person's own events only, for a person).
    pub counts: Counts,
    /// Lane violations per call, in date order: the series behind `trend`.
    pub violations_by_call: Vec<usize>,
    pub trend: Option<Trend>,
    pub next_steps: usize,
    pub next_steps_before_cta: usize,
    /// Mean share of the five qualification items established, 0..1.
    pub qualification: f64,
    /// Mean vendor share of vendor and prospect talk, as a percentage.
    pub vendor_talk_percent: f64,
    pub demos: usize,
    pub pocs: usize,
    pub outcomes: OutcomeCounts,
    pub win_rate: Option<f64>,
    pub no_go_rate: Option<f64>,
}

impl Tally {
    /// Tallies `calls` (in date order), counting events with `counts_of`.
    fn of<'a>(calls: &[&'a CallRow], counts_of: impl Fn(&'a CallRow) -> Counts) -> Tally {
        let n = calls.len();
        let mut counts = Counts::default();
        let mut outcomes = OutcomeCounts::default();
        let mut violations_by_call = Vec::with_capacity(n);
        for call in calls {
            let own = counts_of(call);
            counts.add(&own);
            violations_by_call.push(own.violations());
            outcomes.add(call.outcome);
        }
        let mean = |value: fn(&CallRow) -> f64| {
            if n == 0 {
                0.0
            } else {
                calls.iter().map(|c| value(c)).sum::<f64>() / n as f64
            }
        };
        Tally {
            calls: n,
            counts,
            trend: Trend::of(&violations_by_call),
            violations_by_call,
            next_steps: calls.iter().filter(|c| c.next_step).count(),
            next_steps_before_cta: calls.iter().filter(|c| c.next_step_before_cta).count(),
            qualification: mean(|c| {
                c.qualification as f64 / crate::debrief::QualItem::ALL.len() as f64
            }),
            vendor_talk_percent: mean(|c| c.vendor_talk_percent),
            demos: calls.iter().filter(|c| c.is_demo()).count(),
            pocs: calls.iter().filter(|c| c.is_poc()).count(),
            win_rate: outcomes.win_rate(),
            no_go_rate: outcomes.no_go_rate(),
            outcomes,
        }
    }

    /// Events of one kind per call.
    pub fn per_call(&self, count: usize) -> f64 {
        if self.calls == 0 {
            0.0
        } else {
            count as f64 / self.calls as f64
        }
    }
}

/// One pair's calls.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairReview {
    pub pair: String,
    pub tally: Tally,
}

/// One vendor-side person's calls, counting the events they were the speaker of.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonReview {
    pub name: String,
    pub role: Role,
    pub tally: Tally,
    /// Mean share of all talk time on their calls, 0..1.
    pub talk_share: f64,
    /// Calendar weeks from their first to their last dated call, when any are dated.
    pub weeks: Option<usize>,
}

/// A pattern across calls that a manager should look at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// Whom it is about: a person or a pair.
    pub who: String,
    /// A stable id: `demos_without_poc`, `win_rate_below_target`, `no_go_rate_outside_target`,
    /// `violations_worsening`.
    pub rule: &'static str,
    pub message: String,
}

/// The targets the review measures against, published with it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Targets {
    pub win_rate_min: f64,
    pub no_go_rate: (f64, f64),
    pub demos_without_poc: usize,
}

/// Everything the review found over a set of debriefs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    pub schema: &'static str,
    /// The calls reviewed, in date order (undated last), then by id.
    pub calls: Vec<CallRow>,
    pub first_date: Option<Date>,
    pub last_date: Option<Date>,
    pub team: Tally,
    pub pairs: Vec<PairReview>,
    pub people: Vec<PersonReview>,
    pub alerts: Vec<Alert>,
    pub targets: Targets,
    /// Things the reader should know that did not stop the review.
    pub warnings: Vec<String>,
}

/// Reviews `calls` (from `CallRow::of`) that pass `filter`. `outcomes_file` names the outcomes
/// file in warnings about outcomes for calls that were not given.
pub fn review(
    mut calls: Vec<CallRow>,
    filter: &Filter,
    outcomes: &Outcomes,
    outcomes_file: &str,
) -> Review {
    let mut warnings = Vec::new();
    for (id, line) in outcomes.calls() {
        if !calls.iter().any(|c| c.id == id) {
            warnings.push(format!(
                "{outcomes_file}:{line}: no debrief of call `{id}` was given; its outcome is not counted"
            ));
        }
    }
    let undated = calls.iter().filter(|c| c.date.is_none()).count();
    if filter.is_dated() && undated > 0 {
        warnings.push(format!(
            "{undated} call(s) without a date left out by --since/--until; give calls a date with `analyze --date`"
        ));
    }
    calls.retain(|c| filter.keeps(c));
    calls.sort_by(|a, b| (a.date.is_none(), a.date, &a.id).cmp(&(b.date.is_none(), b.date, &b.id)));
    let all: Vec<&CallRow> = calls.iter().collect();
    let team = Tally::of(&all, |c| c.counts);

    let mut by_pair: BTreeMap<&str, Vec<&CallRow>> = BTreeMap::new();
    for call in &calls {
        by_pair.entry(&call.pair).or_default().push(call);
    }
    let pairs = by_pair
        .into_iter()
        .map(|(pair, calls)| PairReview {
            pair: pair.to_string(),
            tally: Tally::of(&calls, |c| c.counts),
        })
        .collect();

    let mut by_person: BTreeMap<(Role, &str), Vec<&CallRow>> = BTreeMap::new();
    for call in &calls {
        for seat in &call.speakers {
            by_person
                .entry((seat.role, &seat.name))
                .or_default()
                .push(call);
        }
    }
    let people: Vec<PersonReview> = by_person
        .into_iter()
        .map(|((role, name), calls)| person(name, role, &calls))
        .collect();

    let alerts = alerts(&people);
    let dates = || calls.iter().filter_map(|c| c.date);
    Review {
        schema: SCHEMA,
        first_date: dates().min(),
        last_date: dates().max(),
        team,
        pairs,
        people,
        alerts,
        targets: Targets {
            win_rate_min: WIN_RATE_TARGET,
            no_go_rate: NO_GO_RATE_TARGET,
            demos_without_poc: DEMOS_WITHOUT_POC,
        },
        warnings,
        calls,
    }
}

fn person(name: &str, role: Role, calls: &[&CallRow]) -> PersonReview {
    let seat = |call: &CallRow| {
        call.speakers
            .iter()
            .find(|s| s.name == name && s.role == role)
            .cloned()
            .expect("grouped by this seat")
    };
    let tally = Tally::of(calls, |c| seat(c).counts);
    let talk_share = calls.iter().map(|c| seat(c).talk_share).sum::<f64>() / calls.len() as f64;
    let dates: Vec<Date> = calls.iter().filter_map(|c| c.date).collect();
    let weeks = match (dates.iter().min(), dates.iter().max()) {
        (Some(first), Some(last)) => {
            let days = (*last - *first).get_days().max(0) as usize;
            Some(days / 7 + 1)
        }
        _ => None,
    };
    PersonReview {
        name: name.to_string(),
        role,
        tally,
        talk_share,
        weeks,
    }
}

fn alerts(people: &[PersonReview]) -> Vec<Alert> {
    let mut alerts = Vec::new();
    for p in people {
        let who = format!("{} ({})", p.name, p.role);
        let t = &p.tally;
        if p.role == Role::Se && t.demos >= DEMOS_WITHOUT_POC && t.pocs == 0 {
            let span = p
                .weeks
                .map(|w| format!(" over {w} week(s)"))
                .unwrap_or_default();
            alerts.push(Alert {
                who: who.clone(),
                rule: "demos_without_poc",
                message: format!(
                    "{} demo calls{span} and no POC readout: demos are not turning into evaluations",
                    t.demos
                ),
            });
        }
        let recorded = t.outcomes.won + t.outcomes.lost + t.outcomes.no_go;
        if p.role == Role::Se && recorded >= MIN_OUTCOMES_FOR_ALERT {
            if let Some(rate) = t.win_rate.filter(|r| *r < WIN_RATE_TARGET) {
                alerts.push(Alert {
                    who: who.clone(),
                    rule: "win_rate_below_target",
                    message: format!(
                        "SE win rate {:.0}% ({} won of {} decided), under the {:.0}% target",
                        rate * 100.0,
                        t.outcomes.won,
                        t.outcomes.won + t.outcomes.lost,
                        WIN_RATE_TARGET * 100.0
                    ),
                });
            }
            if let Some(rate) = t.no_go_rate {
                let (low, high) = NO_GO_RATE_TARGET;
                if rate < low || rate > high {
                    alerts.push(Alert {
                        who: who.clone(),
                        rule: "no_go_rate_outside_target",
                        message: format!(
                            "SE no-go rate {:.0}% ({} of {} outcomes), outside the {:.0}% to {:.0}% target: {}",
                            rate * 100.0,
                            t.outcomes.no_go,
                            t.outcomes.won + t.outcomes.lost + t.outcomes.no_go,
                            low * 100.0,
                            high * 100.0,
                            if rate < low {
                                "too few deals disqualified"
                            } else {
                                "many deals reach the SE unqualified; qualify them before the SE engages"
                            }
                        ),
                    });
                }
            }
        }
        if let Some(Trend::Worsening { earlier, later }) = t.trend {
            alerts.push(Alert {
                who,
                rule: "violations_worsening",
                message: format!(
                    "lane violations per call rose from {earlier:.1} to {later:.1} (earlier half of the calls against the later half)"
                ),
            });
        }
    }
    alerts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seat(name: &str, role: Role, counts: Counts) -> Seat {
        Seat {
            name: name.into(),
            role,
            talk_share: 0.3,
            counts,
        }
    }

    fn call(id: &str, date: Option<Date>, call_type: Option<CallType>, pricing: usize) -> CallRow {
        let se_counts = Counts {
            se_pricing: pricing,
            ..Counts::default()
        };
        let speakers = vec![
            seat("Dana Ruiz", Role::Ae, Counts::default()),
            seat("Sam Patel", Role::Se, se_counts),
        ];
        CallRow {
            id: id.into(),
            title: None,
            date,
            call_type,
            file: format!("{id}.json"),
            pair: pair_label(&speakers),
            speakers,
            prospects: vec!["Priya Shah".into()],
            duration: Ms(60_000),
            counts: se_counts,
            next_step: pricing == 0,
            next_step_before_cta: pricing == 0,
            qualification: 3,
            vendor_talk_percent: 50.0,
            flags: Flags::default(),
            outcome: None,
        }
    }

    fn day(d: i8) -> Option<Date> {
        Some(jiff::civil::date(2026, 11, d))
    }

    #[test]
    fn calls_are_ordered_by_date_and_tallied_per_pair_and_person() {
        let calls = vec![
            call("b", day(9), None, 1),
            call("undated", None, None, 0),
            call("a", day(2), None, 2),
        ];
        let r = review(calls, &Filter::default(), &Outcomes::default(), "o.toml");
        let ids: Vec<&str> = r.calls.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "undated"]);
        assert_eq!(r.pairs.len(), 1);
        assert_eq!(r.pairs[0].pair, "Dana Ruiz + Sam Patel");
        assert_eq!(r.pairs[0].tally.violations_by_call, [2, 1, 0]);
        assert_eq!(r.team.next_steps, 1);
        let sam = r.people.iter().find(|p| p.name == "Sam Patel").unwrap();
        assert_eq!(sam.tally.counts.se_pricing, 3);
        assert_eq!(sam.weeks, Some(2));
        let dana = r.people.iter().find(|p| p.name == "Dana Ruiz").unwrap();
        assert_eq!(dana.tally.counts.violations(), 0);
        assert_eq!((r.first_date, r.last_date), (day(2), day(9)));
    }

    #[test]
    fn filters_by_person_type_and_date() {
        let calls = || {
            vec![
                call("a", day(2), Some(CallType::Demo), 0),
                call("b", day(9), Some(CallType::Discovery), 0),
                call("c", None, Some(CallType::Demo), 0),
            ]
        };
        let ids = |filter: Filter| {
            review(calls(), &filter, &Outcomes::default(), "o.toml")
                .calls
                .iter()
                .map(|c| c.id.clone())
                .collect::<Vec<_>>()
        };
        let demo = Filter {
            call_type: Some(CallType::Demo),
            ..Filter::default()
        };
        assert_eq!(ids(demo), ["a", "c"]);
        let since = Filter {
            since: day(3),
            ..Filter::default()
        };
        assert_eq!(ids(since), ["b"]);
        let prospect = Filter {
            people: vec!["priya".into(), "Sam Patel".into()],
            ..Filter::default()
        };
        assert_eq!(ids(prospect), ["a", "b", "c"]);
        let stranger = Filter {
            people: vec!["Lee Chen".into()],
            ..Filter::default()
        };
        assert!(ids(stranger).is_empty());
    }

    #[test]
    fn trend_compares_the_earlier_and_later_halves() {
        assert_eq!(Trend::of(&[3, 2, 1]), None);
        assert!(matches!(
            Trend::of(&[3, 2, 1, 0]),
            Some(Trend::Improving { earlier, later }) if earlier == 2.5 && later == 0.5
        ));
        assert!(matches!(
            Trend::of(&[0, 0, 1, 2, 2]),
            Some(Trend::Worsening { .. })
        ));
        assert!(matches!(
            Trend::of(&[1, 1, 1, 1]),
            Some(Trend::Steady { .. })
        ));
    }

    #[test]
    fn outcomes_give_win_and_no_go_rates_and_alerts() {
        let outcomes = Outcomes::parse(
            "a = \"won\"\nb = \"lost\"\nc = \"lost\"\nd = \"won\"\ne = \"won\"\nzz = \"won\"\n",
            "o.toml",
        )
        .unwrap();
        let calls: Vec<CallRow> = ["a", "b", "c", "d", "e"]
            .iter()
            .map(|id| {
                let mut c = call(id, day(2), None, 0);
                c.outcome = outcomes.of(id);
                c
            })
            .collect();
        let r = review(calls.clone(), &Filter::default(), &outcomes, "o.toml");
        let sam = r.people.iter().find(|p| p.name == "Sam Patel").unwrap();
        assert_eq!(sam.tally.win_rate, Some(0.6));
        assert_eq!(sam.tally.no_go_rate, Some(0.0));
        let rules: Vec<&str> = r.alerts.iter().map(|a| a.rule).collect();
        assert_eq!(
            rules,
            ["win_rate_below_target", "no_go_rate_outside_target"]
        );
        assert_eq!(
            r.warnings,
            ["o.toml:6: no debrief of call `zz` was given; its outcome is not counted"]
        );
        let fewer = review(calls[1..].to_vec(), &Filter::default(), &outcomes, "o.toml");
        assert!(fewer.alerts.is_empty(), "{:?}", fewer.alerts);
    }

    #[test]
    fn many_demos_without_a_poc_raise_the_pattern() {
        let demos = |n: usize, poc: bool| {
            let mut calls: Vec<CallRow> = (0..n)
                .map(|i| call(&format!("d{i}"), day(1 + i as i8), Some(CallType::Demo), 0))
                .collect();
            if poc {
                calls.push(call("p", day(28), Some(CallType::PocReadout), 0));
            }
            review(calls, &Filter::default(), &Outcomes::default(), "o.toml").alerts
        };
        let alerts = demos(DEMOS_WITHOUT_POC, false);
        assert_eq!(alerts.len(), 1);
        assert_eq!(alerts[0].who, "Sam Patel (SE)");
        assert_eq!(
            alerts[0].message,
            "5 demo calls over 1 week(s) and no POC readout: demos are not turning into evaluations"
        );
        assert!(demos(DEMOS_WITHOUT_POC, true).is_empty());
        assert!(demos(DEMOS_WITHOUT_POC - 1, false).is_empty());
    }
}
