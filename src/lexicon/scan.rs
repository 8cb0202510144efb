//! The compiled automata and the scan of a call. All terms of all rules live in one
//! aho-corasick automaton; the patterns of each matcher are joined into one regular expression.
//! A call is scanned as whole texts (one per speaker role, one sentence per line), and each
//! matcher's expression runs only over the roles whose sentences it can judge, so the cost of a
//! call grows with its length, not with its number of sentences.
//!
//! What was measured on the way here (callgrind and the throughput bench): one regex search per
//! sentence spent most of its time in per-search overhead and lazy-DFA state building; one
//! `RegexSet` over every pattern thrashed its DFA cache; Unicode word boundaries pushed the
//! engine onto its slow path whenever a call held one non-ASCII letter. Hence: ASCII folding,
//! whole-call texts, per-matcher expressions, `shortest_match_at` (no reverse search), and
//! gated secondary matchers that only run where their rule's main matcher matched. What remains
//! is roughly one DFA pass per primary matcher over its roles' text.

use super::MatcherId;
use crate::model::Role;
use crate::text::{fold_ascii, is_word_char};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::bytes::{Regex, RegexBuilder};

/// Per-matcher data the scan needs.
#[derive(Debug, Clone)]
pub struct MatcherData {
    /// How many distinct terms (all patterns together count as one) must match.
    pub min_distinct: usize,
    /// Indices into the pattern list, for capture-group checks.
    pub patterns: Vec<usize>,
    /// The speaker roles whose sentences this matcher is asked about.
    pub roles: Vec<Role>,
    /// When set, the matcher is only asked about sentences where one of these matched, and its
    /// patterns run over those sentences only.
    pub gate: Option<Vec<MatcherId>>,
    /// Technical-looking tokens that count as distinct terms of this matcher.
    pub shapes: Shapes,
}

/// Which token shapes a matcher counts as technical terms.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shapes {
    /// Two or more capitals, optionally with digits or a plural s: SCIM, LDAPS, DBAs, S3.
    pub acronyms: bool,
    /// Letters and digits in one token: SHA-256, AS4, MurmurHash3, G.711.
    pub alphanumerics: bool,
}

impl Shapes {
    fn any(self) -> bool {
        self.acronyms || self.alphanumerics
    }
}

/// Keys for shape tokens live above every term and pattern key.
const SHAPE_KEY_BASE: usize = usize::MAX / 2;

/// The technical-looking tokens of a sentence, as (shape, lower-case token).
fn shape_tokens(sentence: &str) -> impl Iterator<Item = (Shapes, String)> + '_ {
    sentence
        .split(|c: char| {
            c.is_whitespace() || matches!(c, ',' | ';' | ':' | '(' | ')' | '"' | '?' | '!' | '/')
        })
        .map(|t| {
            t.trim_end_matches(['.', '\'', '-'])
                .trim_start_matches(['\'', '-'])
        })
        .filter(|t| t.len() >= 2 && !t.starts_with('_'))
        .filter_map(|token| {
            let core = token.strip_suffix("'s").unwrap_or(token);
            let letters = core.chars().filter(|c| c.is_ascii_alphabetic()).count();
            let digits = core.chars().filter(|c| c.is_ascii_digit()).count();
            let upper = core.chars().filter(|c| c.is_ascii_uppercase()).count();
            let plural = |suffix: &str| {
                core.strip_suffix(suffix)
                    .filter(|b| b.len() >= 2 && b.chars().all(|c| c.is_ascii_uppercase()))
            };
            let body = plural("es").or_else(|| plural("s")).unwrap_or(core);
            let acronym = upper >= 2
                && body
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
            let alphanumeric = letters >= 1 && digits >= 1;
            let shape = Shapes {
                acronyms: acronym,
                alphanumerics: alphanumeric && !acronym,
            };
            shape.any().then(|| (shape, body.to_ascii_lowercase()))
        })
}

/// A stable key for a shape token, so the same token counts once across sentences.
fn shape_key(token: &str) -> usize {
    let hash = token.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    SHAPE_KEY_BASE + (hash % (1 << 40)) as usize
}

/// One match: which matcher, which term (or the matcher's patterns), where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    pub matcher: MatcherId,
    /// A term index, or `usize::MAX - matcher` for a pattern match.
    pub key: usize,
    /// Byte offset of a term in the folded sentence; `usize::MAX` for pattern matches.
    pub start: usize,
}

/// The matches in one sentence, sorted by matcher.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hits(Vec<Hit>);

impl Hits {
    fn of(&self, matcher: MatcherId) -> &[Hit] {
        let from = self.0.partition_point(|h| h.matcher < matcher);
        let to = self.0.partition_point(|h| h.matcher <= matcher);
        &self.0[from..to]
    }

    /// Number of distinct terms of `matcher` that matched (its patterns count as one).
    pub fn distinct(&self, matcher: MatcherId) -> usize {
        let mut keys: Vec<usize> = self.of(matcher).iter().map(|h| h.key).collect();
        keys.sort_unstable();
        keys.dedup();
        keys.len()
    }

    /// The keys of `matcher`'s matches, for counting over several sentences.
    pub fn keys(&self, matcher: MatcherId) -> impl Iterator<Item = usize> + '_ {
        self.of(matcher).iter().map(|h| h.key)
    }

    /// Earliest term position of `matcher`, if a term matched.
    pub fn first_term_at(&self, matcher: MatcherId) -> Option<usize> {
        self.of(matcher)
            .iter()
            .map(|h| h.start)
            .filter(|&s| s != usize::MAX)
            .min()
    }
}

/// The shared automata.
#[derive(Debug)]
pub struct Scanner {
    terms: Option<AhoCorasick>,
    /// For each term: whether it matches as a prefix, and which matchers own it.
    term_info: Vec<(bool, Vec<MatcherId>)>,
    /// Each pattern on its own, for capture groups.
    regexes: Vec<Regex>,
    /// Per matcher: all its patterns as one expression, if it has any.
    combined: Vec<Option<Regex>>,
    matchers: Vec<MatcherData>,
    /// Lower-case tokens that never count as technical shapes (CEO, SLA, ROI...).
    stoplist: std::collections::HashSet<String>,
    /// Gated matchers, each after the matchers that gate it.
    gated_order: Vec<MatcherId>,
}

/// Orders gated matchers so that every gate is scanned before the matchers it opens.
fn gated_order(matchers: &[MatcherData]) -> Vec<MatcherId> {
    fn visit(
        m: MatcherId,
        matchers: &[MatcherData],
        seen: &mut Vec<bool>,
        out: &mut Vec<MatcherId>,
    ) {
        if std::mem::replace(&mut seen[m], true) {
            return;
        }
        if let Some(gate) = &matchers[m].gate {
            for &g in gate {
                visit(g, matchers, seen, out);
            }
            out.push(m);
        }
    }
    let mut seen = vec![false; matchers.len()];
    let mut out = Vec::new();
    for m in 0..matchers.len() {
        visit(m, matchers, &mut seen, &mut out);
    }
    out
}

/// How every lexicon pattern is compiled: case-insensitive, one sentence per line, and over
/// ASCII (the scanner folds text to ASCII first), which keeps the regex engine on its fast path.
pub(super) fn pattern_builder(pattern: &str) -> RegexBuilder {
    let mut builder = RegexBuilder::new(pattern);
    builder
        .case_insensitive(true)
        .multi_line(true)
        .unicode(false);
    builder
}

/// Turns named groups into plain groups, so that several patterns can share one expression.
fn unnamed(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(at) = rest.find("(?") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let name_start = after.strip_prefix("P<").or_else(|| {
            after
                .strip_prefix('<')
                .filter(|a| !a.starts_with(['=', '!']))
        });
        match name_start.and_then(|n| n.find('>').map(|end| (n, end))) {
            Some((n, end)) => {
                out.push_str("(?:");
                rest = &n[end + 1..];
            }
            None => {
                out.push_str("(?");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

impl Scanner {
    pub(super) fn new(
        terms: Vec<((String, bool), Vec<MatcherId>)>,
        patterns: Vec<(String, MatcherId)>,
        matchers: Vec<MatcherData>,
        stoplist: &[String],
    ) -> Result<Scanner, String> {
        let ac = if terms.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .kind(Some(AhoCorasickKind::DFA))
                    .match_kind(MatchKind::Standard)
                    .build(terms.iter().map(|((t, _), _)| t.as_str()))
                    .map_err(|e| e.to_string())?,
            )
        };
        let regexes = patterns
            .iter()
            .map(|(p, _)| pattern_builder(p).build())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        let combined = matchers
            .iter()
            .map(|m| {
                if m.patterns.is_empty() {
                    return Ok(None);
                }
                let alternation: Vec<String> = m
                    .patterns
                    .iter()
                    .map(|&i| format!("(?:{})", unnamed(&patterns[i].0)))
                    .collect();
                pattern_builder(&alternation.join("|"))
                    .dfa_size_limit(8 << 20)
                    .build()
                    .map(Some)
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Scanner {
            terms: ac,
            term_info: terms
                .into_iter()
                .map(|((_, prefix), owners)| (prefix, owners))
                .collect(),
            regexes,
            combined,
            stoplist: stoplist.iter().map(|w| w.to_ascii_lowercase()).collect(),
            gated_order: gated_order(&matchers),
            matchers,
        })
    }

    /// Every match in one piece of text said by someone in `role`.
    pub fn scan(&self, text: &str, role: Role) -> Hits {
        self.scan_sentences(&[(text, role)])
            .pop()
            .unwrap_or_default()
    }

    /// Every match in each of `sentences` (with the role of their speaker), matched in ASCII
    /// (see [`fold_ascii`]). Patterns see one sentence per line: `^` and `$` are its ends and
    /// `.` stays inside it.
    pub fn scan_sentences(&self, sentences: &[(&str, Role)]) -> Vec<Hits> {
        let mut hits: Vec<Vec<Hit>> = vec![Vec::new(); sentences.len()];
        let folded: Vec<String> = sentences
            .iter()
            .map(|(s, _)| {
                let mut out = String::with_capacity(s.len());
                fold_ascii(&s.replace('\n', " "), &mut out);
                out
            })
            .collect();
        for role in Role::ALL {
            let lines: Vec<usize> = (0..sentences.len())
                .filter(|&i| sentences[i].1 == role)
                .collect();
            if lines.is_empty() {
                continue;
            }
            let ungated = |m: MatcherId| {
                self.matchers[m].gate.is_none() && self.matchers[m].roles.contains(&role)
            };
            self.scan_lines(&folded, &lines, true, ungated, &mut hits);
            self.scan_shapes(&folded, &lines, role, &mut hits);
            let mut hit_lines: Vec<Vec<usize>> = vec![Vec::new(); self.matchers.len()];
            for &line in &lines {
                for hit in &hits[line] {
                    if hit_lines[hit.matcher].last() != Some(&line) {
                        hit_lines[hit.matcher].push(line);
                    }
                }
            }
            for &matcher in &self.gated_order {
                let data = &self.matchers[matcher];
                let Some(gate) = &data.gate else { continue };
                if self.combined[matcher].is_none() || !data.roles.contains(&role) {
                    continue;
                }
                let mut candidates: Vec<usize> = gate
                    .iter()
                    .flat_map(|&g| hit_lines[g].iter().copied())
                    .collect();
                candidates.sort_unstable();
                candidates.dedup();
                if candidates.is_empty() {
                    continue;
                }
                self.scan_lines(&folded, &candidates, false, |m| m == matcher, &mut hits);
                hit_lines[matcher] = candidates
                    .into_iter()
                    .filter(|&l| hits[l].iter().any(|h| h.matcher == matcher))
                    .collect();
            }
        }
        hits.into_iter()
            .map(|mut h| {
                h.sort_unstable();
                h.dedup();
                Hits(h)
            })
            .collect()
    }

    /// Scans the sentences `lines` (indices into `folded`) as one text, one per line: the terms
    /// when `terms` is set, and the patterns of every matcher that `wanted` selects.
    fn scan_lines(
        &self,
        folded: &[String],
        lines: &[usize],
        terms: bool,
        wanted: impl Fn(MatcherId) -> bool,
        hits: &mut [Vec<Hit>],
    ) {
        let mut text = String::with_capacity(lines.iter().map(|&i| folded[i].len() + 1).sum());
        let mut starts = Vec::with_capacity(lines.len());
        for &i in lines {
            starts.push(text.len());
            text.push_str(&folded[i]);
            text.push('\n');
        }
        let line_of = |offset: usize| starts.partition_point(|&s| s <= offset) - 1;
        if terms {
            self.scan_terms(&text, &starts, lines, hits);
        }
        for (matcher, regex) in self.combined.iter().enumerate() {
            let Some(regex) = regex else { continue };
            if !wanted(matcher) {
                continue;
            }
            // Only which lines match matters: the end of the shortest match is enough (no reverse
            // search for where it starts), and the search resumes at the next line.
            let mut at = 0;
            while let Some(end) = regex.shortest_match_at(text.as_bytes(), at) {
                let line = line_of(end.saturating_sub(1).max(at));
                hits[lines[line]].push(Hit {
                    matcher,
                    key: usize::MAX - matcher,
                    start: usize::MAX,
                });
                match starts.get(line + 1) {
                    Some(&next) => at = next,
                    None => break,
                }
            }
        }
    }

    fn scan_shapes(&self, folded: &[String], lines: &[usize], role: Role, hits: &mut [Vec<Hit>]) {
        let wanted: Vec<(MatcherId, Shapes)> = self
            .matchers
            .iter()
            .enumerate()
            .filter(|(_, m)| m.shapes.any() && m.roles.contains(&role))
            .map(|(i, m)| (i, m.shapes))
            .collect();
        if wanted.is_empty() {
            return;
        }
        for &line in lines {
            for (shape, token) in shape_tokens(&folded[line]) {
                if self.stoplist.contains(&token) {
                    continue;
                }
                for &(matcher, accepts) in &wanted {
                    if shape.acronyms && accepts.acronyms
                        || shape.alphanumerics && accepts.alphanumerics
                    {
                        hits[line].push(Hit {
                            matcher,
                            key: shape_key(&token),
                            start: usize::MAX,
                        });
                    }
                }
            }
        }
    }

    fn scan_terms(&self, text: &str, starts: &[usize], owners: &[usize], hits: &mut [Vec<Hit>]) {
        let Some(ac) = &self.terms else { return };
        for m in ac.find_overlapping_iter(text) {
            let (prefix, matchers) = &self.term_info[m.pattern().as_usize()];
            if !at_word_start(text, m.start()) || !*prefix && !at_word_end(text, m.end()) {
                continue;
            }
            let line = starts.partition_point(|&s| s <= m.start()) - 1;
            for &matcher in matchers {
                hits[owners[line]].push(Hit {
                    matcher,
                    key: m.pattern().as_usize(),
                    start: m.start() - starts[line],
                });
            }
        }
    }

    /// Whether `matcher` matched in `hits` with at least its `min_distinct`.
    pub fn matched(&self, hits: &Hits, matcher: MatcherId) -> bool {
        hits.distinct(matcher) >= self.min_distinct(matcher)
    }

    /// The `min_distinct` of a matcher.
    pub fn min_distinct(&self, matcher: MatcherId) -> usize {
        self.matchers[matcher].min_distinct.max(1)
    }

    /// The capture groups `n` and `unit` of the matcher's patterns that match `text`, for
    /// horizon checks ("in about four months").
    pub fn durations<'t>(&self, matcher: MatcherId, text: &'t str) -> Vec<(&'t str, &'t str)> {
        let mut out = Vec::new();
        for &index in &self.matchers[matcher].patterns {
            for caps in self.regexes[index].captures_iter(text.as_bytes()) {
                if let (Some(n), Some(unit)) = (caps.name("n"), caps.name("unit")) {
                    out.push((&text[n.range()], &text[unit.range()]));
                }
            }
        }
        out
    }

    /// Whether the matcher has patterns that match `text` without capturing a duration.
    pub fn matches_without_duration(&self, matcher: MatcherId, text: &str) -> bool {
        self.matchers[matcher].patterns.iter().any(|&index| {
            self.regexes[index]
                .captures_iter(text.as_bytes())
                .any(|c| c.name("n").is_none())
        })
    }
}

fn at_word_start(text: &str, start: usize) -> bool {
    text[..start]
        .chars()
        .next_back()
        .is_none_or(|c| !is_word_char(c))
}

fn at_word_end(text: &str, end: usize) -> bool {
    text[end..].chars().next().is_none_or(|c| !is_word_char(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_find_acronyms_and_alphanumerics_only() {
        let found: Vec<(bool, bool, String)> = shape_tokens("We push SCIM 2.0 PATCHes over LDAPS to the DBAs, hashed with SHA-256 or MurmurHash3. The CEO said OK.")
            .map(|(s, t)| (s.acronyms, s.alphanumerics, t))
            .collect();
        let tokens: Vec<&str> = found.iter().map(|(_, _, t)| t.as_str()).collect();
        assert_eq!(
            tokens,
            [
                "scim",
                "patch",
                "ldaps",
                "dba",
                "sha-256",
                "murmurhash3",
                "ceo",
                "ok"
            ]
        );
        assert!(found[5].1 && !found[5].0, "MurmurHash3 is alphanumeric");
    }

    #[test]
    fn named_groups_become_plain_groups() {
        assert_eq!(
            unnamed(r"in (?P<n>\d+) (?<unit>weeks)"),
            r"in (?:\d+) (?:weeks)"
        );
        assert_eq!(unnamed(r"(?i:a)(?:b)"), r"(?i:a)(?:b)");
    }
}
