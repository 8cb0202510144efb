//! How each rule kind fires: existence and conditional rules per sentence, occurrence rules over
//! a turn or an episode of turns, sequence rules over a proposal and its acceptance, title rules
//! over participants' titles.

use super::{Firing, PreparedTurn};
use crate::charter::Charter;
use crate::debrief::{Event, EventKind, Handoff};
use crate::lexicon::{Addressee, Condition, Lexicon, MatcherId, Rule, RuleKind, Scope, Span};
use crate::model::{Call, Role};
use crate::text::{contains_paraphrase, parse_number};
use std::collections::BTreeSet;

/// Longest evidence quote, in characters.
const EVIDENCE_CHARS: usize = 280;

pub(crate) struct Context<'a> {
    pub call: &'a Call,
    pub lexicon: &'a Lexicon,
    pub charter: &'a Charter,
    pub turns: &'a [PreparedTurn<'a>],
}

impl Context<'_> {
    /// Every firing of rule `index` in the call.
    pub fn run(&self, index: usize) -> Vec<Firing> {
        let rule = &self.lexicon.rules[index];
        if rule
            .needs_present
            .iter()
            .any(|r| !self.call.has_present(*r))
        {
            return Vec::new();
        }
        match &rule.kind {
            RuleKind::Existence | RuleKind::Conditional { .. } => self.per_sentence(index, rule),
            RuleKind::Occurrence {
                span: Span::Turn, ..
            } => self.per_turn_density(index, rule),
            RuleKind::Occurrence {
                span: Span::Episode { .. },
                ..
            } => self.episodes(index, rule),
            RuleKind::Sequence {
                proposal,
                acceptance,
                within,
            } => self.sequence(index, rule, *proposal, *acceptance, *within),
            RuleKind::Title => self.titles(index, rule),
            RuleKind::Missing { .. } => Vec::new(),
        }
    }

    fn per_sentence(&self, index: usize, rule: &Rule) -> Vec<Firing> {
        let mut out = Vec::new();
        for (t, turn) in self.turns.iter().enumerate() {
            if !rule.listens_to(turn.role) {
                continue;
            }
            let fired: Vec<usize> = (0..turn.sentences.len())
                .filter(|&s| self.sentence_fires(rule, t, s))
                .collect();
            let Some(&first) = fired.first() else {
                continue;
            };
            let evidence = quote(
                fired
                    .iter()
                    .map(|&s| turn.sentence_text(&turn.sentences[s])),
            );
            let topic = rule
                .handoff
                .as_ref()
                .and_then(|h| h.topics.as_deref())
                .map(|topics| self.topic(topics, t, first));
            out.push(Firing {
                rule: index,
                turn: t,
                span: None,
                evidence,
                topic,
            });
        }
        out
    }

    fn sentence_fires(&self, rule: &Rule, t: usize, s: usize) -> bool {
        let sentence = &self.turns[t].sentences[s];
        let to_anyone_named = rule.addressed_to.contains(&sentence.addressee);
        let to_nobody_here =
            !sentence.addressee_named && rule.addressed_to.contains(&Addressee::Nobody);
        if !rule.addressed_to.is_empty() && !to_anyone_named && !to_nobody_here {
            return false;
        }
        let matched = rule
            .matcher
            .is_some_and(|m| self.lexicon.scanner.matched(&sentence.hits, m))
            || rule.also_rescue_phrase
                && contains_paraphrase(&sentence.masked, &self.call.rescue_phrase);
        if !matched || rule.horizon && !self.within_horizon(rule, &sentence.masked, &sentence.hits)
        {
            return false;
        }
        if rule
            .exceptions
            .as_ref()
            .is_some_and(|c| self.holds(c, t, s))
        {
            return false;
        }
        match &rule.kind {
            RuleKind::Conditional { requires } => self.holds(requires, t, s),
            _ => true,
        }
    }

    /// Whether a durations the sentence states ("in about four months") are under the charter's
    /// horizon; sentences that matched without stating a duration pass.
    fn within_horizon(&self, rule: &Rule, text: &str, hits: &crate::lexicon::Hits) -> bool {
        let Some(m) = rule.matcher else { return true };
        let scanner = &self.lexicon.scanner;
        let durations = scanner.durations(m, text);
        if durations.is_empty()
            || hits.first_term_at(m).is_some()
            || scanner.matches_without_duration(m, text)
        {
            return true;
        }
        let limit_months = f64::from(self.charter.timeline_months);
        durations.iter().any(|(n, unit)| {
            let Some(value) = parse_number(n) else {
                return false;
            };
            let months = match unit.to_ascii_lowercase().trim_end_matches('s') {
                "day" => value / 30.0,
                "week" => value / 4.345,
                "month" => value,
                "quarter" => value * 3.0,
                "year" => value * 12.0,
                _ => return false,
            };
            months < limit_months
        })
    }

    fn holds(&self, condition: &Condition, t: usize, s: usize) -> bool {
        let m = condition.matcher;
        match &condition.scope {
            Scope::Sentence => self
                .lexicon
                .scanner
                .matched(&self.turns[t].sentences[s].hits, m),
            Scope::Turn => self.turn_matched(t, m),
            Scope::Context => self.turn_matched(t, m) || t > 0 && self.turn_matched(t - 1, m),
            Scope::Preceding { roles, turns } => (1..=*turns)
                .filter_map(|back| t.checked_sub(back))
                .filter(|&p| roles.is_empty() || roles.contains(&self.turns[p].role))
                .any(|p| self.turn_matched(p, m)),
        }
    }

    fn turn_distinct(&self, t: usize, m: MatcherId) -> usize {
        let keys: BTreeSet<usize> = self.turns[t]
            .sentences
            .iter()
            .flat_map(|s| s.hits.keys(m))
            .collect();
        keys.len()
    }

    fn turn_occurrences(&self, t: usize, m: MatcherId) -> usize {
        self.turns[t]
            .sentences
            .iter()
            .map(|s| s.hits.distinct(m))
            .sum()
    }

    fn turn_matched(&self, t: usize, m: MatcherId) -> bool {
        let need = self.lexicon.scanner.min_distinct(m);
        self.turn_distinct(t, m) >= need
    }

    fn per_turn_density(&self, index: usize, rule: &Rule) -> Vec<Firing> {
        let RuleKind::Occurrence {
            min_words,
            min_density,
            ..
        } = rule.kind
        else {
            return Vec::new();
        };
        let Some(m) = rule.matcher else {
            return Vec::new();
        };
        (0..self.turns.len())
            .filter(|&t| rule.listens_to(self.turns[t].role))
            .filter(|&t| self.dense(&[t], m, min_words, min_density))
            .map(|t| Firing {
                rule: index,
                turn: t,
                span: None,
                evidence: self.dense_evidence(&[t], m),
                topic: None,
            })
            .collect()
    }

    /// Whether the rule's turns among `turns` reach the counts together.
    fn dense(&self, turns: &[usize], m: MatcherId, min_words: usize, min_density: f64) -> bool {
        let distinct: BTreeSet<usize> = turns
            .iter()
            .flat_map(|&t| self.turns[t].sentences.iter().flat_map(|s| s.hits.keys(m)))
            .collect();
        let words: usize = turns.iter().map(|&t| self.turns[t].words).sum();
        let occurrences: usize = turns.iter().map(|&t| self.turn_occurrences(t, m)).sum();
        let density = if words == 0 {
            0.0
        } else {
            occurrences as f64 * 100.0 / words as f64
        };
        distinct.len() >= self.lexicon.scanner.min_distinct(m)
            && words >= min_words
            && density >= min_density
    }

    /// Quotes the sentences with the most matches.
    fn dense_evidence(&self, turns: &[usize], m: MatcherId) -> String {
        let mut best: Vec<(usize, usize, usize)> = turns
            .iter()
            .flat_map(|&t| {
                self.turns[t]
                    .sentences
                    .iter()
                    .enumerate()
                    .map(move |(s, sentence)| (sentence.hits.distinct(m), t, s))
            })
            .filter(|(n, _, _)| *n > 0)
            .collect();
        best.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        best.truncate(2);
        best.sort_by_key(|&(_, t, s)| (t, s));
        quote(
            best.iter()
                .map(|&(_, t, s)| self.turns[t].sentence_text(&self.turns[t].sentences[s])),
        )
    }

    /// Episodes: a seed turn by one of the rule's roles, extended over the following turns while
    /// the rule's roles keep matching, with other speakers' turns (questions inside the episode)
    /// allowed as long as the other vendor role does not take over.
    fn episodes(&self, index: usize, rule: &Rule) -> Vec<Firing> {
        let RuleKind::Occurrence {
            span:
                Span::Episode {
                    seed_min_distinct,
                    continue_min_distinct,
                    interjection_words,
                },
            min_words,
            min_density,
        } = rule.kind
        else {
            return Vec::new();
        };
        let Some(m) = rule.matcher else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut t = 0;
        while t < self.turns.len() {
            let seeds = rule.listens_to(self.turns[t].role)
                && self.turn_distinct(t, m) >= seed_min_distinct;
            if !seeds {
                t += 1;
                continue;
            }
            let mut own = vec![t];
            let mut next = t + 1;
            while next < self.turns.len() {
                let turn = &self.turns[next];
                if rule.listens_to(turn.role) {
                    if self.turn_distinct(next, m) < continue_min_distinct {
                        break;
                    }
                    own.push(next);
                } else if turn.role.is_vendor() && turn.words >= interjection_words {
                    break;
                }
                next += 1;
            }
            let last = *own.last().unwrap_or(&t);
            if self.dense(&own, m, min_words, min_density) {
                out.push(Firing {
                    rule: index,
                    turn: t,
                    span: (last > t).then_some((t, last)),
                    evidence: self.dense_evidence(&own, m),
                    topic: None,
                });
            }
            t = last + 1;
        }
        out
    }

    /// A proposal with a concrete time, accepted by the other side within `within` turns. The
    /// firing sits on the buyer's side of the pair: the acceptance, or the buyer's own proposal.
    fn sequence(
        &self,
        index: usize,
        rule: &Rule,
        proposal: MatcherId,
        acceptance: MatcherId,
        within: usize,
    ) -> Vec<Firing> {
        let scanner = &self.lexicon.scanner;
        for (p, turn) in self.turns.iter().enumerate() {
            let proposes = turn.sentences.iter().enumerate().find(|(s, sentence)| {
                scanner.matched(&sentence.hits, proposal)
                    && !rule
                        .exceptions
                        .as_ref()
                        .is_some_and(|c| self.holds(c, p, *s))
            });
            let Some((ps, _)) = proposes else { continue };
            let buyer_proposed = turn.role == Role::Prospect;
            for q in p + 1..(p + 1 + within).min(self.turns.len()) {
                let reply = &self.turns[q];
                if (reply.role == Role::Prospect) == buyer_proposed {
                    continue;
                }
                let accepted = reply
                    .sentences
                    .iter()
                    .position(|s| scanner.matched(&s.hits, acceptance));
                if let Some(qs) = accepted {
                    let buyer_turn = if buyer_proposed { p } else { q };
                    let evidence = quote([
                        turn.sentence_text(&turn.sentences[ps]),
                        reply.sentence_text(&reply.sentences[qs]),
                    ]);
                    return vec![Firing {
                        rule: index,
                        turn: buyer_turn,
                        span: Some((p, q)),
                        evidence,
                        topic: None,
                    }];
                }
            }
        }
        Vec::new()
    }

    /// Participants who speak and whose title matches (a VP in the room).
    fn titles(&self, index: usize, rule: &Rule) -> Vec<Firing> {
        let Some(m) = rule.matcher else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for p in &self.call.participants {
            let Some(title) = p.title.as_deref() else {
                continue;
            };
            if !p.present || !rule.listens_to(p.role) {
                continue;
            }
            let hits = self.lexicon.scanner.scan(title, p.role);
            if !self.lexicon.scanner.matched(&hits, m) {
                continue;
            }
            if let Some(t) = self.turns.iter().position(|t| t.turn.speaker == p.name) {
                out.push(Firing {
                    rule: index,
                    turn: t,
                    span: None,
                    evidence: format!("{} ({title}) takes part in the call", p.name),
                    topic: None,
                });
            }
        }
        out
    }

    /// The topic of a handoff: the earliest topic term in the handing-off sentence, else in the
    /// rest of the turn, else in the turn before (the question being handed off).
    fn topic(&self, topics: &str, t: usize, s: usize) -> String {
        let Some(labels) = self.lexicon.topics.get(topics) else {
            return "unspecified".into();
        };
        let earliest = |hits: &crate::lexicon::Hits| {
            labels
                .iter()
                .filter_map(|(label, m)| hits.first_term_at(*m).map(|at| (at, label)))
                .min()
                .map(|(_, label)| label.clone())
        };
        let turn = &self.turns[t];
        earliest(&turn.sentences[s].hits)
            .or_else(|| turn.sentences.iter().find_map(|x| earliest(&x.hits)))
            .or_else(|| {
                t.checked_sub(1).and_then(|p| {
                    self.turns[p]
                        .sentences
                        .iter()
                        .find_map(|x| earliest(&x.hits))
                })
            })
            .unwrap_or_else(|| "unspecified".into())
    }

    /// Builds the event for a firing.
    pub fn event(&self, kind: EventKind, firing: &Firing) -> Event {
        let rule = &self.lexicon.rules[firing.rule];
        let turn = &self.turns[firing.turn];
        let handoff = rule.handoff.as_ref().map(|h| Handoff {
            from: h.from,
            to: h.to,
            topic: firing.topic.clone().unwrap_or_else(|| "unspecified".into()),
            deferred: !self.call.has_present(h.to),
        });
        Event {
            kind,
            turn: firing.turn,
            span: firing.span,
            start: turn.turn.start,
            speaker: turn.turn.speaker.clone(),
            role: turn.role,
            rule: rule.id.clone(),
            level: rule.level,
            evidence: firing.evidence.clone(),
            message: personalise(&rule.message, self.call),
            handoff,
            speaker_doubt: turn.turn.doubt,
        }
    }
}

/// Puts the pair's first names into a coaching message: `{ae}` and `{se}` become the call's AE
/// and SE (or "the AE", "the SE" when the call does not name one).
pub(crate) fn personalise(message: &str, call: &Call) -> String {
    let first_name = |role: Role, fallback: &str| {
        call.participants
            .iter()
            .filter(|p| p.role == role)
            .max_by_key(|p| p.present)
            .and_then(|p| p.name.split_whitespace().next())
            .unwrap_or(fallback)
            .to_string()
    };
    message
        .replace("{ae}", &first_name(Role::Ae, "the AE"))
        .replace("{se}", &first_name(Role::Se, "the SE"))
}

/// Joins sentences into one quote, cut at a word boundary when long.
fn quote<'s>(sentences: impl IntoIterator<Item = &'s str>) -> String {
    let joined = sentences.into_iter().collect::<Vec<_>>().join(" … ");
    if joined.chars().count() <= EVIDENCE_CHARS {
        return joined;
    }
    let cut: String = joined.chars().take(EVIDENCE_CHARS).collect();
    let at = cut.rfind(' ').unwrap_or(cut.len());
    format!("{}…", cut[..at].trim_end_matches([',', ';', ':']))
}
