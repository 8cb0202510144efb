//! Lexicons: the coaching rules as data. Rule files under `lexicons/` (shipped inside the binary)
//! and an organisation's own folders are read, validated with errors that point into the file,
//! and compiled once per run into one aho-corasick automaton and one regex set that every turn
//! of every call is scanned with.
//!
//! Layout of a lexicon folder:
//!
//! ```text
//! macros.toml            named regex fragments, used in patterns as {name}
//! vocab/<name>.toml      shared term lists (terms = [...]) or labelled groups ([topics])
//! <Pack>/<Rule>.toml     one rule (or several under [[rule]]), id `Pack.Rule`
//! ```

mod compile;
mod file;
mod scan;
mod source;

pub use compile::{ROLE_TOKENS, compile};
pub use scan::{Hits, Scanner};
pub use source::{SourceFile, embedded_sources, folder_sources};

use crate::debrief::{EventKind, Level, QualItem};
use crate::model::Role;
use std::fmt;
use std::path::Path;

/// Index of a compiled matcher (a `[match]`, `[requires]`, ... table).
pub type MatcherId = usize;

/// One problem in a lexicon file, located at a line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct LexiconError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// Every problem found while loading lexicons; loading reports them all at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexiconErrors(pub Vec<LexiconError>);

impl fmt::Display for LexiconErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LexiconErrors {}

/// What a rule produces when it fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A turn-level event of the method.
    Event(EventKind),
    /// Evidence for a qualification item.
    Finding(QualItem),
    /// A named call-level signal that flags are computed from (enthusiasm, hostility...).
    Signal(String),
    /// A call-level finding with the rule's message (missing-by-end-of-call checks).
    CallFinding,
}

/// Where a second pattern is looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The same sentence.
    Sentence,
    /// Any sentence of the same turn.
    Turn,
    /// The same turn or the turn before it.
    Context,
    /// One of the `turns` turns before this one, spoken by one of `roles` (any role if empty).
    Preceding { roles: Vec<Role>, turns: usize },
}

/// A matcher together with where it must (or must not) match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub matcher: MatcherId,
    pub scope: Scope,
}

/// Who a sentence is addressed to, for rules that only hear sentences aimed at someone. A
/// sentence that names nobody itself carries the addressee of the sentence before it in the
/// turn; rules that accept `Nobody` also hear such sentences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Addressee {
    Role(Role),
    /// No one is named: the sentence is to the room.
    Nobody,
}

/// How an occurrence rule groups turns before counting.
#[derive(Debug, Clone, PartialEq)]
pub enum Span {
    /// Each turn on its own.
    Turn,
    /// Consecutive turns of the rule's roles, with other speakers' questions and short
    /// interjections inside, counted as one episode.
    Episode {
        seed_min_distinct: usize,
        continue_min_distinct: usize,
        interjection_words: usize,
    },
}

/// The deadline of a missing check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    EndOfCall,
    /// The charter's call-to-action minute.
    Cta,
}

/// What a missing check expects to have happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expectation {
    Event(EventKind),
    Finding(QualItem),
}

/// The rule kinds.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleKind {
    /// The match appears in a sentence.
    Existence,
    /// The match appears, and a second matcher appears where `requires` says.
    Conditional { requires: Condition },
    /// Enough distinct matches over a turn or an episode: counts and density.
    Occurrence {
        span: Span,
        min_words: usize,
        /// Matched terms per 100 words.
        min_density: f64,
    },
    /// A proposal followed within `within` turns by an acceptance from the other side.
    Sequence {
        proposal: MatcherId,
        acceptance: MatcherId,
        within: usize,
    },
    /// Something the call should contain by a deadline.
    Missing { expects: Expectation, by: Deadline },
    /// The match appears in the title of a participant who speaks.
    Title,
}

/// The extra keys of a handoff rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoffRule {
    pub from: Role,
    pub to: Role,
    /// A `[topics]` vocabulary used to name what was handed off.
    pub topics: Option<String>,
}

/// One compiled rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// `Pack.Rule`.
    pub id: String,
    pub message: String,
    pub level: Level,
    /// Speakers the rule listens to; empty means everyone.
    pub roles: Vec<Role>,
    pub target: Target,
    pub kind: RuleKind,
    pub matcher: Option<MatcherId>,
    pub exceptions: Option<Condition>,
    pub addressed_to: Vec<Addressee>,
    pub needs_present: Vec<Role>,
    pub suppressed_by: Vec<EventKind>,
    /// The call's rescue phrase (or a close paraphrase) also counts as a match.
    pub also_rescue_phrase: bool,
    pub handoff: Option<HandoffRule>,
    /// Durations captured as `(?P<n>..)` `(?P<unit>..)` must fall under the charter's horizon.
    pub horizon: bool,
    /// `file:line` where the rule is defined.
    pub origin: String,
}

impl Rule {
    pub fn listens_to(&self, role: Role) -> bool {
        self.roles.is_empty() || self.roles.contains(&role)
    }
}

/// All rules and their compiled automata.
#[derive(Debug)]
pub struct Lexicon {
    pub rules: Vec<Rule>,
    pub scanner: Scanner,
    /// Topic labels per `[topics]` vocabulary, each with the matcher that finds it.
    pub topics: std::collections::BTreeMap<String, Vec<(String, MatcherId)>>,
    /// Flat vocabularies by name, for stages that need the words themselves (role titles).
    pub vocab: std::collections::BTreeMap<String, Vec<String>>,
    /// How many files were read, per layer, for `lexicon check`.
    pub files_read: usize,
}

impl Lexicon {
    /// The shipped lexicons, with each folder in `layers` laid over them in order.
    pub fn load(layers: &[&Path]) -> Result<Lexicon, LexiconErrors> {
        let mut sources = vec![embedded_sources()];
        for dir in layers {
            sources.push(folder_sources(dir).map_err(|e| LexiconErrors(vec![e]))?);
        }
        compile(&sources)
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_file_loads_and_every_event_and_item_has_a_rule() {
        let lexicon = Lexicon::load(&[]).unwrap_or_else(|e| panic!("shipped lexicons: {e}"));
        assert_eq!(lexicon.files_read, embedded_sources().len());
        for kind in EventKind::ALL {
            assert!(
                lexicon
                    .rules
                    .iter()
                    .any(|r| r.target == Target::Event(kind)),
                "no rule produces {kind}"
            );
        }
        for item in QualItem::ALL {
            assert!(
                lexicon
                    .rules
                    .iter()
                    .any(|r| r.target == Target::Finding(item)),
                "no rule establishes {}",
                item.as_str()
            );
        }
        let mut ids: Vec<&str> = lexicon.rules.iter().map(|r| r.id.as_str()).collect();
        let before = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), before, "rule ids are unique");
    }
}
