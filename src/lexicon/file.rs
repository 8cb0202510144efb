//! The on-disk shape of lexicon files, exactly as TOML spells them. Unknown keys are errors, and
//! every value a user can get wrong keeps its span so that errors can point at its line.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// The keys of one rule. A file holds either one rule at the top level (named after the file)
/// or several under `[[rule]]`, each with a `name`; then the top-level keys are a shared header
/// that each rule may override. Which keys are required depends on `kind`; that is checked after
/// parsing so the error can say what the kind needs.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub name: Option<Spanned<String>>,
    #[serde(default)]
    pub rule: Vec<RuleSpec>,
    pub message: Option<Spanned<String>>,
    pub level: Option<Spanned<String>>,
    pub kind: Option<Spanned<String>>,
    pub roles: Option<Spanned<Vec<String>>>,
    pub enabled: Option<bool>,
    pub event: Option<Spanned<String>>,
    pub finding: Option<Spanned<String>>,
    pub signal: Option<Spanned<String>>,
    pub addressed_to: Option<Spanned<Vec<String>>>,
    pub needs_present: Option<Spanned<Vec<String>>>,
    pub suppressed_by: Option<Spanned<Vec<String>>>,
    pub also_phrase: Option<Spanned<String>>,
    pub handoff: Option<HandoffSpec>,
    pub horizon: Option<bool>,
    #[serde(rename = "match")]
    pub matcher: Option<MatcherSpec>,
    pub requires: Option<MatcherSpec>,
    pub exceptions: Option<MatcherSpec>,
    pub proposal: Option<MatcherSpec>,
    pub acceptance: Option<MatcherSpec>,
    pub scope: Option<Spanned<String>>,
    pub min_words: Option<usize>,
    pub min_density: Option<f64>,
    pub seed_min_distinct: Option<usize>,
    pub continue_min_distinct: Option<usize>,
    pub interjection_words: Option<usize>,
    pub within: Option<usize>,
    pub expects: Option<Spanned<String>>,
    pub by: Option<Spanned<String>>,
}

/// `handoff = { from = "SE", to = "AE", topics = "topics" }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandoffSpec {
    pub from: Spanned<String>,
    pub to: Spanned<String>,
    pub topics: Option<Spanned<String>>,
}

/// What to look for: literal terms (aho-corasick), regular expressions, named vocabularies.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatcherSpec {
    #[serde(default)]
    pub terms: Vec<Spanned<String>>,
    #[serde(default)]
    pub patterns: Vec<Spanned<String>>,
    #[serde(default)]
    pub vocab: Vec<Spanned<String>>,
    pub min_distinct: Option<usize>,
    /// Also count technical-looking tokens as distinct terms: "acronyms" (SCIM, LDAPS, DBAs)
    /// and "alphanumerics" (SHA-256, AS4, MurmurHash3), except words in `vocab/acronym_stoplist`.
    #[serde(default)]
    pub shapes: Vec<Spanned<String>>,
    /// Cheap patterns a sentence must match before this matcher's own patterns are tried: a
    /// speed-up for matchers whose every pattern contains one of these (a date, a number).
    #[serde(default)]
    pub prefilter: Vec<Spanned<String>>,
    /// Where a `requires` or `exceptions` matcher is looked for.
    #[serde(rename = "in")]
    pub within_scope: Option<Spanned<String>>,
    /// For `in = "preceding"`: whose turns count.
    pub roles: Option<Spanned<Vec<String>>>,
    /// For `in = "preceding"`: how many turns back.
    pub turns: Option<usize>,
}

/// A vocabulary file under `vocab/`: a flat term list, or terms grouped by label (`[topics]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VocabFile {
    #[serde(default)]
    pub terms: Vec<Spanned<String>>,
    #[serde(default)]
    pub topics: BTreeMap<String, Vec<Spanned<String>>>,
    /// In an organisation's layer: replace the shipped list instead of extending it.
    #[serde(default)]
    pub replace: bool,
}

/// `macros.toml`: named regular-expression fragments, used in patterns as `{name}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MacroFile {
    #[serde(default)]
    pub macros: BTreeMap<String, Spanned<String>>,
}

impl RuleSpec {
    /// Fills the keys this rule leaves unset from the file's shared header.
    pub fn inherit(mut self, header: &RuleSpec) -> RuleSpec {
        macro_rules! inherit {
            ($($field:ident),*) => { $( if self.$field.is_none() { self.$field = header.$field.clone(); } )* };
        }
        inherit!(
            message,
            level,
            kind,
            roles,
            enabled,
            event,
            finding,
            signal,
            addressed_to,
            needs_present,
            suppressed_by,
            also_phrase,
            handoff,
            horizon,
            matcher,
            requires,
            exceptions,
            proposal,
            acceptance,
            scope,
            min_words,
            min_density,
            seed_min_distinct,
            continue_min_distinct,
            interjection_words,
            within,
            expects,
            by
        );
        self
    }
}
