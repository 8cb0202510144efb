//! Turns lexicon sources into a [`Lexicon`]: parses and validates every file (collecting all
//! errors with their lines), layers organisation folders over the shipped one, expands pattern
//! macros, and builds the shared automata.

use super::file::{MacroFile, MatcherSpec, RuleSpec, VocabFile};
use super::scan::{MatcherData, Scanner, Shapes};
use super::{
    Addressee, Condition, Deadline, Expectation, HandoffRule, Lexicon, LexiconError, LexiconErrors,
    MatcherId, Rule, RuleKind, Scope, SourceFile, Span, Target,
};
use crate::debrief::{EventKind, Level, QualItem};
use crate::model::Role;
use std::collections::{BTreeMap, HashMap};
use toml::Spanned;

/// The tokens that speaker names are replaced with before matching; patterns write them as
/// `{ae}`, `{se}`, `{prospect}` (and `{vendor}` for either of the first two).
pub const ROLE_TOKENS: [(Role, &str); 3] = [
    (Role::Ae, "_ae_"),
    (Role::Se, "_se_"),
    (Role::Prospect, "_prospect_"),
];

const KINDS: &str = "existence, conditional, occurrence, sequence, missing, title";

/// Compiles layers of lexicon sources (the first is the shipped one) into one lexicon.
pub fn compile(layers: &[Vec<SourceFile>]) -> Result<Lexicon, LexiconErrors> {
    let mut builder = Builder::default();
    let mut specs: BTreeMap<String, (RuleSpec, usize, usize)> = BTreeMap::new();
    let files: Vec<&SourceFile> = layers.iter().flatten().collect();
    for (file_index, file) in files.iter().enumerate() {
        builder.read_file(file, file_index, &mut specs);
    }
    let mut rules = Vec::new();
    for (id, (spec, file_index, line)) in &specs {
        if spec.enabled == Some(false) {
            continue;
        }
        if let Some(rule) = builder.rule(id, spec, files[*file_index], *line) {
            rules.push(rule);
        }
    }
    builder.check_references(&rules);
    builder.assign_roles(&rules);
    let topics = builder.topic_matchers();
    let vocab = std::mem::take(&mut builder.vocab);
    if !builder.errors.is_empty() {
        return Err(LexiconErrors(builder.errors));
    }
    let stoplist = vocab.get("acronym_stoplist").cloned().unwrap_or_default();
    let scanner = Scanner::new(builder.terms, builder.patterns, builder.matchers, &stoplist)
        .map_err(|e| {
            LexiconErrors(vec![LexiconError {
                file: "lexicons".into(),
                line: 0,
                message: format!("the combined patterns do not compile: {e}"),
            }])
        })?;
    Ok(Lexicon {
        rules,
        scanner,
        topics,
        vocab,
        files_read: files.len(),
    })
}

/// A term as compiled: lower-case text, and whether it ends in `*` (matches as a prefix).
type TermKey = (String, bool);

#[derive(Default)]
struct Builder {
    macros: BTreeMap<String, String>,
    vocab: BTreeMap<String, Vec<String>>,
    topic_vocab: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    term_index: HashMap<TermKey, usize>,
    terms: Vec<(TermKey, Vec<MatcherId>)>,
    patterns: Vec<(String, MatcherId)>,
    matchers: Vec<MatcherData>,
    /// (matcher, its prefilter matcher): the first runs only where the second matched.
    prefilters: Vec<(MatcherId, MatcherId)>,
    errors: Vec<LexiconError>,
}

/// Byte offset to 1-based line number.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

impl Builder {
    fn error(&mut self, file: &SourceFile, offset: usize, message: impl Into<String>) {
        self.errors.push(LexiconError {
            file: file.display.clone(),
            line: line_of(&file.text, offset),
            message: message.into(),
        });
    }

    fn parse<T: serde::de::DeserializeOwned>(&mut self, file: &SourceFile) -> Option<T> {
        match toml::from_str::<T>(&file.text) {
            Ok(v) => Some(v),
            Err(e) => {
                let offset = e.span().map(|s| s.start).unwrap_or(0);
                let message = e.message().trim().replace('\n', " ");
                self.error(file, offset, message);
                None
            }
        }
    }

    fn read_file(
        &mut self,
        file: &SourceFile,
        file_index: usize,
        specs: &mut BTreeMap<String, (RuleSpec, usize, usize)>,
    ) {
        let parts: Vec<&str> = file.relative.split('/').collect();
        match parts.as_slice() {
            ["macros.toml"] => {
                if let Some(m) = self.parse::<MacroFile>(file) {
                    for (name, value) in m.macros {
                        self.macros.insert(name, value.into_inner());
                    }
                }
            }
            ["vocab", name] => self.read_vocab(file, name.trim_end_matches(".toml")),
            [pack, rule] => self.read_rules(file, file_index, pack, rule.trim_end_matches(".toml"), specs),
            _ => self.error(
                file,
                0,
                "not a rule, vocabulary or macros file: rules go in <Pack>/<Rule>.toml, vocabularies in vocab/<name>.toml",
            ),
        }
    }

    fn read_vocab(&mut self, file: &SourceFile, name: &str) {
        let Some(v) = self.parse::<VocabFile>(file) else {
            return;
        };
        let terms: Vec<String> = v.terms.into_iter().map(Spanned::into_inner).collect();
        if v.replace {
            self.vocab.insert(name.to_string(), terms);
        } else {
            self.vocab
                .entry(name.to_string())
                .or_default()
                .extend(terms);
        }
        let table = self.topic_vocab.entry(name.to_string()).or_default();
        if v.replace {
            table.clear();
        }
        for (label, terms) in v.topics {
            table
                .entry(label)
                .or_default()
                .extend(terms.into_iter().map(Spanned::into_inner));
        }
    }

    fn read_rules(
        &mut self,
        file: &SourceFile,
        file_index: usize,
        pack: &str,
        rule: &str,
        specs: &mut BTreeMap<String, (RuleSpec, usize, usize)>,
    ) {
        if !is_identifier(pack) {
            self.error(
                file,
                0,
                format!("pack folder `{pack}` must be a name like `Swimlane`"),
            );
            return;
        }
        let Some(mut header) = self.parse::<RuleSpec>(file) else {
            return;
        };
        // A file at the same place as one in an earlier layer replaces all of that file's rules.
        let base = format!("{pack}.{rule}");
        specs.retain(|id, _| id != &base && !id.starts_with(&format!("{base}.")));
        let named = std::mem::take(&mut header.rule);
        if named.is_empty() {
            if !is_identifier(rule) {
                self.error(
                    file,
                    0,
                    format!("rule file name `{rule}` must be a name like `SePricing`"),
                );
                return;
            }
            specs.insert(format!("{pack}.{rule}"), (header, file_index, 1));
            return;
        }
        for spec in named {
            let Some(name) = spec.name.clone() else {
                self.error(file, 0, "each [[rule]] needs a `name`");
                continue;
            };
            let line = line_of(&file.text, name.span().start);
            if !is_identifier(name.get_ref()) {
                self.error(
                    file,
                    name.span().start,
                    format!(
                        "rule name `{}` must be a name like `SePricing`",
                        name.get_ref()
                    ),
                );
                continue;
            }
            specs.insert(
                format!("{pack}.{rule}.{}", name.get_ref()),
                (spec.inherit(&header), file_index, line),
            );
        }
    }

    fn rule(&mut self, id: &str, spec: &RuleSpec, file: &SourceFile, line: usize) -> Option<Rule> {
        let errors_before = self.errors.len();
        let origin = format!("{}:{line}", file.display);
        let at = |s: &Option<Spanned<String>>| s.as_ref().map(|v| v.span().start).unwrap_or(0);
        let message = match spec.message.as_ref() {
            Some(m) => m.get_ref().trim().to_string(),
            None => {
                self.error_at_line(
                    file,
                    line,
                    format!("rule {id} needs a `message` (the coaching tip shown to the user)"),
                );
                String::new()
            }
        };
        let level = match spec.level.as_ref() {
            None => Level::Info,
            Some(l) => match Level::ALL.into_iter().find(|v| v.as_str() == l.get_ref()) {
                Some(v) => v,
                None => {
                    self.error(
                        file,
                        l.span().start,
                        format!(
                            "unknown level `{}`: use violation, warning, good or info",
                            l.get_ref()
                        ),
                    );
                    Level::Info
                }
            },
        };
        let roles = self.roles(file, spec.roles.as_ref());
        let needs_present = self.roles(file, spec.needs_present.as_ref());
        let kind_name = spec
            .kind
            .as_ref()
            .map(|k| k.get_ref().as_str())
            .unwrap_or("");
        let matcher = spec.matcher.as_ref().map(|m| self.matcher(file, m));
        let exceptions = spec
            .exceptions
            .as_ref()
            .map(|m| self.condition(file, m, Scope::Sentence));
        if matches!(kind_name, "existence" | "title" | "conditional") {
            let has_match = matcher.is_some() || spec.also_phrase.is_some();
            self.require(
                file,
                line,
                id,
                kind_name,
                "[match] (or also_phrase)",
                has_match,
            );
        }
        let kind = match kind_name {
            "existence" | "title" => {
                if kind_name == "title" {
                    RuleKind::Title
                } else {
                    RuleKind::Existence
                }
            }
            "conditional" => {
                self.require(
                    file,
                    line,
                    id,
                    kind_name,
                    "[requires]",
                    spec.requires.is_some(),
                );
                let requires = spec
                    .requires
                    .as_ref()
                    .map(|m| self.condition(file, m, Scope::Sentence))
                    .unwrap_or(Condition {
                        matcher: 0,
                        scope: Scope::Sentence,
                    });
                RuleKind::Conditional { requires }
            }
            "occurrence" => {
                self.require(file, line, id, kind_name, "[match]", matcher.is_some());
                let span = match spec.scope.as_ref().map(|s| s.get_ref().as_str()) {
                    None | Some("turn") => Span::Turn,
                    Some("episode") => Span::Episode {
                        seed_min_distinct: spec.seed_min_distinct.unwrap_or(1),
                        continue_min_distinct: spec.continue_min_distinct.unwrap_or(1),
                        interjection_words: spec.interjection_words.unwrap_or(6),
                    },
                    Some(other) => {
                        self.error(
                            file,
                            at(&spec.scope),
                            format!("unknown scope `{other}`: use turn or episode"),
                        );
                        Span::Turn
                    }
                };
                RuleKind::Occurrence {
                    span,
                    min_words: spec.min_words.unwrap_or(0),
                    min_density: spec.min_density.unwrap_or(0.0),
                }
            }
            "sequence" => {
                self.require(
                    file,
                    line,
                    id,
                    kind_name,
                    "[proposal]",
                    spec.proposal.is_some(),
                );
                self.require(
                    file,
                    line,
                    id,
                    kind_name,
                    "[acceptance]",
                    spec.acceptance.is_some(),
                );
                let proposal = spec
                    .proposal
                    .as_ref()
                    .map(|m| self.matcher(file, m))
                    .unwrap_or(0);
                let acceptance = spec
                    .acceptance
                    .as_ref()
                    .map(|m| self.matcher(file, m))
                    .unwrap_or(0);
                RuleKind::Sequence {
                    proposal,
                    acceptance,
                    within: spec.within.unwrap_or(2),
                }
            }
            "missing" => {
                let expects = match spec.expects.as_ref() {
                    Some(e) => {
                        match (EventKind::parse(e.get_ref()), QualItem::parse(e.get_ref())) {
                            (Some(k), _) => Expectation::Event(k),
                            (None, Some(q)) => Expectation::Finding(q),
                            _ => {
                                self.error(file, e.span().start, format!("unknown `expects` value `{}`: use an event type ({}) or a qualification item ({})", e.get_ref(), event_names(), qual_names()));
                                Expectation::Event(EventKind::NextStep)
                            }
                        }
                    }
                    None => {
                        self.error_at_line(
                            file,
                            line,
                            format!("rule {id}: kind `missing` needs `expects`"),
                        );
                        Expectation::Event(EventKind::NextStep)
                    }
                };
                let by = match spec.by.as_ref().map(|b| b.get_ref().as_str()) {
                    None | Some("end") => Deadline::EndOfCall,
                    Some("cta") => Deadline::Cta,
                    Some(other) => {
                        self.error(
                            file,
                            at(&spec.by),
                            format!("unknown `by` value `{other}`: use end or cta"),
                        );
                        Deadline::EndOfCall
                    }
                };
                RuleKind::Missing { expects, by }
            }
            "" => {
                self.error_at_line(
                    file,
                    line,
                    format!("rule {id} needs a `kind`: one of {KINDS}"),
                );
                RuleKind::Existence
            }
            other => {
                self.error(
                    file,
                    at(&spec.kind),
                    format!("unknown kind `{other}`: use one of {KINDS}"),
                );
                RuleKind::Existence
            }
        };
        let target = self.target(id, spec, file, line, &kind);
        let handoff = spec.handoff.as_ref().map(|h| HandoffRule {
            from: self.role(file, h.from.get_ref(), h.from.span().start),
            to: self.role(file, h.to.get_ref(), h.to.span().start),
            topics: h.topics.as_ref().map(|t| t.get_ref().clone()),
        });
        if handoff.is_some() != (target == Target::Event(EventKind::Handoff)) {
            let message = format!(
                "rule {id}: `handoff = {{ from, to }}` goes with `event = \"handoff\"`, and only there"
            );
            match (spec.handoff.as_ref(), spec.event.as_ref()) {
                (Some(h), _) => self.error(file, h.from.span().start, message),
                (None, Some(e)) => self.error(file, e.span().start, message),
                (None, None) => self.error_at_line(file, line, message),
            }
        }
        let addressed_to = spec
            .addressed_to
            .as_ref()
            .map(|list| {
                list.get_ref()
                    .iter()
                    .map(|a| match a.as_str() {
                        "nobody" => Addressee::Nobody,
                        other => Addressee::Role(self.role(file, other, list.span().start)),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let suppressed_by = spec
            .suppressed_by
            .as_ref()
            .map(|list| {
                list.get_ref()
                    .iter()
                    .filter_map(|e| {
                        let kind = EventKind::parse(e);
                        if kind.is_none() {
                            self.error(
                                file,
                                list.span().start,
                                format!(
                                    "unknown event `{e}` in suppressed_by: use {}",
                                    event_names()
                                ),
                            );
                        }
                        kind
                    })
                    .collect()
            })
            .unwrap_or_default();
        let also_rescue_phrase = match spec.also_phrase.as_ref() {
            None => false,
            Some(p) if p.get_ref() == "rescue_phrase" => true,
            Some(p) => {
                self.error(
                    file,
                    p.span().start,
                    format!(
                        "unknown also_phrase `{}`: the only phrase is rescue_phrase",
                        p.get_ref()
                    ),
                );
                false
            }
        };
        if self.errors.len() > errors_before {
            return None;
        }
        Some(Rule {
            id: id.to_string(),
            message,
            level,
            roles,
            target,
            kind,
            matcher,
            exceptions,
            addressed_to,
            needs_present,
            suppressed_by,
            also_rescue_phrase,
            handoff,
            horizon: spec.horizon.unwrap_or(false),
            origin,
        })
    }

    fn error_at_line(&mut self, file: &SourceFile, line: usize, message: String) {
        self.errors.push(LexiconError {
            file: file.display.clone(),
            line,
            message,
        });
    }

    fn require(
        &mut self,
        file: &SourceFile,
        line: usize,
        id: &str,
        kind: &str,
        what: &str,
        present: bool,
    ) {
        if !present {
            self.error_at_line(
                file,
                line,
                format!("rule {id}: kind `{kind}` needs a {what} table"),
            );
        }
    }

    fn target(
        &mut self,
        id: &str,
        spec: &RuleSpec,
        file: &SourceFile,
        line: usize,
        kind: &RuleKind,
    ) -> Target {
        let given = [&spec.event, &spec.finding, &spec.signal]
            .iter()
            .filter(|t| t.is_some())
            .count();
        if matches!(kind, RuleKind::Missing { .. }) {
            if given > 0 {
                self.error_at_line(file, line, format!("rule {id}: a `missing` rule reports a finding of its own; drop event/finding/signal"));
            }
            return Target::CallFinding;
        }
        if given != 1 {
            self.error_at_line(
                file,
                line,
                format!("rule {id} needs exactly one of `event`, `finding` or `signal`"),
            );
            return Target::CallFinding;
        }
        if let Some(e) = &spec.event {
            return match EventKind::parse(e.get_ref()) {
                Some(k) => Target::Event(k),
                None => {
                    self.error(
                        file,
                        e.span().start,
                        format!("unknown event `{}`: use {}", e.get_ref(), event_names()),
                    );
                    Target::CallFinding
                }
            };
        }
        if let Some(f) = &spec.finding {
            return match QualItem::parse(f.get_ref()) {
                Some(q) => Target::Finding(q),
                None => {
                    self.error(
                        file,
                        f.span().start,
                        format!("unknown finding `{}`: use {}", f.get_ref(), qual_names()),
                    );
                    Target::CallFinding
                }
            };
        }
        let signal = spec
            .signal
            .as_ref()
            .map(|s| s.get_ref().clone())
            .unwrap_or_default();
        if !is_identifier(&signal.replace('_', "")) {
            self.error_at_line(
                file,
                line,
                format!("rule {id}: signal `{signal}` must be a name like `enthusiasm`"),
            );
        }
        Target::Signal(signal)
    }

    fn roles(&mut self, file: &SourceFile, roles: Option<&Spanned<Vec<String>>>) -> Vec<Role> {
        roles
            .map(|list| {
                list.get_ref()
                    .iter()
                    .map(|r| self.role(file, r, list.span().start))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn role(&mut self, file: &SourceFile, name: &str, offset: usize) -> Role {
        name.parse().unwrap_or_else(|e: crate::model::UnknownRole| {
            self.error(file, offset, e.to_string());
            Role::Prospect
        })
    }

    fn condition(&mut self, file: &SourceFile, spec: &MatcherSpec, default: Scope) -> Condition {
        let matcher = self.matcher(file, spec);
        let scope = match spec.within_scope.as_ref().map(|s| s.get_ref().as_str()) {
            None => default,
            Some("sentence") => Scope::Sentence,
            Some("turn") => Scope::Turn,
            Some("context") => Scope::Context,
            Some("preceding") => Scope::Preceding {
                roles: self.roles(file, spec.roles.as_ref()),
                turns: spec.turns.unwrap_or(1),
            },
            Some(other) => {
                let offset = spec
                    .within_scope
                    .as_ref()
                    .map(|s| s.span().start)
                    .unwrap_or(0);
                self.error(
                    file,
                    offset,
                    format!(
                        "unknown `in` value `{other}`: use sentence, turn, context or preceding"
                    ),
                );
                Scope::Sentence
            }
        };
        Condition { matcher, scope }
    }

    fn matcher(&mut self, file: &SourceFile, spec: &MatcherSpec) -> MatcherId {
        let prefilter = (!spec.prefilter.is_empty()).then(|| {
            let prefilter_spec = MatcherSpec {
                patterns: spec.prefilter.clone(),
                ..MatcherSpec::default()
            };
            self.matcher(file, &prefilter_spec)
        });
        let id = self.matchers.len();
        if let Some(p) = prefilter {
            self.prefilters.push((id, p));
        }
        let mut shapes = Shapes::default();
        for shape in &spec.shapes {
            match shape.get_ref().as_str() {
                "acronyms" => shapes.acronyms = true,
                "alphanumerics" => shapes.alphanumerics = true,
                other => self.error(
                    file,
                    shape.span().start,
                    format!("unknown shape `{other}`: use acronyms or alphanumerics"),
                ),
            }
        }
        self.matchers.push(MatcherData {
            min_distinct: spec.min_distinct.unwrap_or(1),
            patterns: Vec::new(),
            roles: Vec::new(),
            gate: None,
            shapes,
        });
        let mut terms: Vec<(String, usize)> = spec
            .terms
            .iter()
            .map(|t| (t.get_ref().clone(), t.span().start))
            .collect();
        for v in &spec.vocab {
            match self.vocab.get(v.get_ref()) {
                Some(list) => terms.extend(list.iter().map(|t| (t.clone(), v.span().start))),
                None => {
                    let known = self.vocab.keys().cloned().collect::<Vec<_>>().join(", ");
                    self.error(
                        file,
                        v.span().start,
                        format!("unknown vocabulary `{}`: known are {known}", v.get_ref()),
                    );
                }
            }
        }
        for (term, offset) in terms {
            self.add_term(file, &term, offset, id);
        }
        for pattern in &spec.patterns {
            self.add_pattern(file, pattern, id);
        }
        id
    }

    fn add_term(&mut self, file: &SourceFile, term: &str, offset: usize, matcher: MatcherId) {
        let lower = term.trim().to_lowercase();
        let (body, prefix) = match lower.strip_suffix('*') {
            Some(b) => (b.trim_end().to_string(), true),
            None => (lower.clone(), false),
        };
        let body = body.split_whitespace().collect::<Vec<_>>().join(" ");
        if body.is_empty() {
            self.error(file, offset, "empty term");
            return;
        }
        let mut variants = vec![body.clone()];
        if body.contains('-') {
            variants.push(body.replace('-', " "));
            variants.push(body.replace('-', ""));
        }
        for variant in variants {
            let key = (variant, prefix);
            let index = match self.term_index.get(&key) {
                Some(&i) => i,
                None => {
                    self.terms.push((key.clone(), Vec::new()));
                    self.term_index.insert(key, self.terms.len() - 1);
                    self.terms.len() - 1
                }
            };
            if !self.terms[index].1.contains(&matcher) {
                self.terms[index].1.push(matcher);
            }
        }
    }

    fn add_pattern(&mut self, file: &SourceFile, pattern: &Spanned<String>, matcher: MatcherId) {
        let offset = pattern.span().start;
        match self.expand(pattern.get_ref()) {
            Ok(expanded) => match super::scan::pattern_builder(&expanded).build() {
                Ok(_) => {
                    self.matchers[matcher].patterns.push(self.patterns.len());
                    self.patterns.push((expanded, matcher));
                }
                Err(e) => {
                    let detail = e
                        .to_string()
                        .lines()
                        .last()
                        .unwrap_or("")
                        .trim()
                        .to_string();
                    self.error(
                        file,
                        offset,
                        format!(
                            "pattern `{}` is not a valid regular expression: {detail}",
                            pattern.get_ref()
                        ),
                    );
                }
            },
            Err(unknown) => {
                let mut known: Vec<String> = self.macros.keys().cloned().collect();
                known.extend(["ae", "se", "prospect", "vendor"].map(String::from));
                known.sort();
                self.error(
                    file,
                    offset,
                    format!(
                        "unknown macro `{{{unknown}}}` in pattern; known macros: {}",
                        known.join(", ")
                    ),
                );
            }
        }
    }

    /// Replaces `{name}` macros (nested up to a few levels); returns the unknown name on failure.
    fn expand(&self, pattern: &str) -> Result<String, String> {
        let mut current = pattern.to_string();
        for _ in 0..6 {
            let mut out = String::with_capacity(current.len());
            let mut rest = current.as_str();
            let mut changed = false;
            while let Some(open) = rest.find('{') {
                out.push_str(&rest[..open]);
                let after = &rest[open + 1..];
                let close = after.find('}');
                let name = close.map(|c| &after[..c]).unwrap_or("");
                let is_macro = !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
                    && name.chars().next().is_some_and(|c| c.is_ascii_lowercase());
                if !is_macro || open > 0 && rest.as_bytes()[open - 1] == b'\\' {
                    out.push('{');
                    rest = after;
                    continue;
                }
                let replacement = match name {
                    "ae" => "_ae_".to_string(),
                    "se" => "_se_".to_string(),
                    "prospect" => "_prospect_".to_string(),
                    "vendor" => "_(?:ae|se)_".to_string(),
                    other => match self.macros.get(other) {
                        Some(m) => format!("(?:{m})"),
                        None => return Err(other.to_string()),
                    },
                };
                out.push_str(&replacement);
                changed = true;
                rest = &after[name.len() + 1..];
            }
            out.push_str(rest);
            current = out;
            if !changed {
                break;
            }
        }
        Ok(current)
    }

    /// Every rule that names a vocabulary of topics must find it.
    fn check_references(&mut self, rules: &[Rule]) {
        for rule in rules {
            if let Some(topics) = rule.handoff.as_ref().and_then(|h| h.topics.as_ref())
                && self.topic_vocab.get(topics).is_none_or(|t| t.is_empty())
            {
                let (file, line) = rule.origin.rsplit_once(':').unwrap_or((&rule.origin, "0"));
                self.errors.push(LexiconError {
                    file: file.to_string(),
                    line: line.parse().unwrap_or(0),
                    message: format!(
                        "rule {}: no vocabulary vocab/{topics}.toml with a [topics] table",
                        rule.id
                    ),
                });
            }
        }
    }

    /// Records, for each matcher, the speaker roles whose sentences it will be asked about, and
    /// whether it is only ever asked about sentences where another matcher matched (a
    /// sentence-level `requires` or `exceptions`), so the scan can skip everything else.
    fn assign_roles(&mut self, rules: &[Rule]) {
        let all = Role::ALL.to_vec();
        let mut gates: Vec<Option<Vec<MatcherId>>> = vec![Some(Vec::new()); self.matchers.len()];
        for rule in rules {
            let own = if rule.roles.is_empty() {
                all.clone()
            } else {
                rule.roles.clone()
            };
            let (primaries, primary_roles): (Vec<MatcherId>, Vec<Role>) = match &rule.kind {
                RuleKind::Sequence {
                    proposal,
                    acceptance,
                    ..
                } => (vec![*proposal, *acceptance], all.clone()),
                _ => (rule.matcher.into_iter().collect(), own.clone()),
            };
            let mut wants: Vec<(MatcherId, Vec<Role>, Option<Vec<MatcherId>>)> = primaries
                .iter()
                .map(|&m| (m, primary_roles.clone(), None))
                .collect();
            let secondary = |c: &Condition| match &c.scope {
                Scope::Sentence => (c.matcher, primary_roles.clone(), Some(primaries.clone())),
                Scope::Turn => (c.matcher, own.clone(), None),
                Scope::Context => (c.matcher, all.clone(), None),
                Scope::Preceding { roles, .. } if roles.is_empty() => {
                    (c.matcher, all.clone(), None)
                }
                Scope::Preceding { roles, .. } => (c.matcher, roles.clone(), None),
            };
            if let Some(c) = &rule.exceptions {
                wants.push(secondary(c));
            }
            if let RuleKind::Conditional { requires } = &rule.kind {
                wants.push(secondary(requires));
            }
            for (matcher, roles, gate) in wants {
                let entry = &mut self.matchers[matcher].roles;
                for role in roles {
                    if !entry.contains(&role) {
                        entry.push(role);
                    }
                }
                gates[matcher] = match (gates[matcher].take(), gate) {
                    (Some(mut have), Some(more)) => {
                        have.extend(more);
                        Some(have)
                    }
                    _ => None,
                };
            }
        }
        for (data, gate) in self.matchers.iter_mut().zip(gates) {
            data.gate = gate.filter(|g| !g.is_empty());
        }
        for &(matcher, prefilter) in &self.prefilters {
            self.matchers[prefilter].roles = self.matchers[matcher].roles.clone();
            self.matchers[prefilter].gate = self.matchers[matcher].gate.take();
            self.matchers[matcher].gate = Some(vec![prefilter]);
        }
    }

    /// One matcher per topic label, so a handoff can say what it passed.
    fn topic_matchers(&mut self) -> BTreeMap<String, Vec<(String, MatcherId)>> {
        let vocab = std::mem::take(&mut self.topic_vocab);
        let mut out = BTreeMap::new();
        for (name, labels) in vocab {
            let mut list = Vec::new();
            for (label, terms) in labels {
                let id = self.matchers.len();
                self.matchers.push(MatcherData {
                    min_distinct: 1,
                    patterns: Vec::new(),
                    roles: Role::ALL.to_vec(),
                    gate: None,
                    shapes: Shapes::default(),
                });
                let pseudo = SourceFile {
                    relative: format!("vocab/{name}.toml"),
                    display: format!("vocab/{name}.toml"),
                    text: String::new(),
                };
                for term in terms {
                    self.add_term(&pseudo, &term, 0, id);
                }
                list.push((label, id));
            }
            if !list.is_empty() {
                out.insert(name, list);
            }
        }
        out
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric())
}

fn event_names() -> String {
    EventKind::ALL.map(|k| k.as_str()).join(", ")
}

fn qual_names() -> String {
    QualItem::ALL.map(|q| q.as_str()).join(", ")
}
