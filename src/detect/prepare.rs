//! Readies a call for matching: splits turns into sentences, replaces the names of the people on
//! the call with role tokens (`_ae_`, `_se_`, `_prospect_`) so that one compiled pattern such as
//! "I'll let {ae} speak to" serves every call, works out whom each sentence is addressed to,
//! and scans each sentence once.
//!
//! Speech recognition mishears names ("Asia, show them" for "Aisha, show them"), and the rules
//! that key on whom a sentence speaks to would miss those sentences. So a word or two where a
//! name is called out, that sounds like the first name of the person who speaks next, is taken
//! for that name.

use crate::lexicon::{Addressee, Hits, Lexicon, ROLE_TOKENS};
use crate::model::{Call, Role, Turn};
use crate::text::{fold_punctuation, is_word_char, sentences, word_count};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::Regex;
use rphonetic::DoubleMetaphone;
use std::ops::Range;
use std::sync::LazyLock;

/// One sentence, masked and scanned.
#[derive(Debug, Clone)]
pub struct Sentence {
    /// Byte range in the turn's folded text.
    pub range: Range<usize>,
    /// The sentence with names replaced by role tokens.
    pub masked: String,
    pub hits: Hits,
    /// Who the sentence speaks to: named at its start or end, or carried from an earlier sentence.
    pub addressee: Addressee,
    /// Whether this sentence names its addressee itself (rather than carrying it over).
    pub addressee_named: bool,
}

/// One turn ready for rules.
#[derive(Debug, Clone)]
pub struct PreparedTurn<'a> {
    pub turn: &'a Turn,
    pub role: Role,
    /// The turn text with typographic punctuation folded to ASCII.
    pub text: String,
    pub words: usize,
    pub sentences: Vec<Sentence>,
}

impl PreparedTurn<'_> {
    pub fn sentence_text(&self, sentence: &Sentence) -> &str {
        &self.text[sentence.range.clone()]
    }
}

/// First names that are also common words: not masked at the start of a sentence unless a
/// comma follows ("Will do" is not Will).
const WORD_NAMES: &[&str] = &[
    "Will", "May", "Mark", "Bill", "Grace", "Hope", "Joy", "Art", "Sue", "Pat", "Rob", "Frank",
    "Jack", "June", "Summer", "Page", "Faith", "Chase", "Max", "Sky", "Dawn", "Guy", "Ray",
];

/// Words that may open a sentence before the name it calls out ("So, Sam, can you...").
#[rustfmt::skip]
const OPENERS: &[&str] = &[
    "so", "okay", "ok", "and", "now", "great", "right", "alright", "perfect", "thanks",
    "thank you", "yes", "yeah", "sure", "well", "hey", "hi", "oh",
];

/// A name that opens the sentence, after any [`OPENERS`] ("Sam, can you...", "Okay Sam.").
static VOCATIVE_START: LazyLock<Regex> = LazyLock::new(|| {
    let openers = OPENERS.join("|");
    Regex::new(&format!(
        r"(?i)^(?:(?:{openers})[,.!]?\s+)*_(ae|se|prospect)_(?:\s*[,:?!.]|\s*$)"
    ))
    .expect("static regex")
});

/// A name at the end of the sentence ("..., Sam?") or set off by commas inside it ("On the
/// rollout, Marcus, can you...").
static VOCATIVE_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i),\s*_(ae|se|prospect)_\s*(?:[?.!]*$|,)").expect("static regex")
});

/// Replaces participant names in text with role tokens.
struct NameMask {
    automaton: Option<AhoCorasick>,
    tokens: Vec<&'static str>,
    word_like: Vec<bool>,
}

impl NameMask {
    fn new(call: &Call) -> NameMask {
        let mut forms: Vec<(String, Role)> = Vec::new();
        for p in &call.participants {
            forms.push((p.name.clone(), p.role));
            let first = p.name.split_whitespace().next().unwrap_or("");
            let unique = call
                .participants
                .iter()
                .filter(|q| q.name.split_whitespace().next() == Some(first))
                .all(|q| q.role == p.role);
            if unique && first.len() > 1 && first != p.name {
                forms.push((first.to_string(), p.role));
            }
        }
        forms.sort();
        forms.dedup();
        let token = |role: Role| {
            ROLE_TOKENS
                .iter()
                .find(|(r, _)| *r == role)
                .map(|(_, t)| *t)
                .unwrap_or("_prospect_")
        };
        let automaton = (!forms.is_empty())
            .then(|| {
                AhoCorasickBuilder::new()
                    .kind(Some(AhoCorasickKind::NoncontiguousNFA))
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(forms.iter().map(|(f, _)| f.as_str()))
                    .ok()
            })
            .flatten();
        NameMask {
            automaton,
            tokens: forms.iter().map(|(_, r)| token(*r)).collect(),
            word_like: forms
                .iter()
                .map(|(f, _)| WORD_NAMES.contains(&f.as_str()))
                .collect(),
        }
    }

    /// The role token that a participant's full name is masked with.
    fn token_of(&self, name: &str) -> Option<&'static str> {
        let ac = self.automaton.as_ref()?;
        let found = ac
            .find(name)
            .filter(|m| m.start() == 0 && m.end() == name.len())?;
        Some(self.tokens[found.pattern().as_usize()])
    }

    fn mask(&self, sentence: &str) -> String {
        let Some(ac) = &self.automaton else {
            return sentence.to_string();
        };
        let mut out = String::with_capacity(sentence.len());
        let mut last = 0;
        for m in ac.find_iter(sentence) {
            let before = sentence[..m.start()].chars().next_back();
            let after = sentence[m.end()..].chars().next();
            let bounded = before.is_none_or(|c| !is_word_char(c))
                && after.is_none_or(|c| !is_word_char(c) || c == '\'');
            let sentence_start = sentence[..m.start()].trim().is_empty();
            let ambiguous =
                self.word_like[m.pattern().as_usize()] && sentence_start && after != Some(',');
            if !bounded || ambiguous {
                continue;
            }
            out.push_str(&sentence[last..m.start()]);
            out.push_str(self.tokens[m.pattern().as_usize()]);
            last = m.end();
        }
        out.push_str(&sentence[last..]);
        out
    }
}

fn addressee_in(masked: &str) -> Option<Addressee> {
    if !masked.contains('_') {
        return None;
    }
    let caps = VOCATIVE_START
        .captures(masked)
        .or_else(|| VOCATIVE_END.captures(masked))?;
    let role = match &caps[1].to_ascii_lowercase()[..] {
        "ae" => Role::Ae,
        "se" => Role::Se,
        _ => Role::Prospect,
    };
    Some(Addressee::Role(role))
}

/// Words besides the [`OPENERS`] that open or close a sentence between commas without being
/// anyone's name, however they sound ("Well, I think" when Will speaks next).
#[rustfmt::skip]
const NOT_NAMES: &[&str] = &[
    "absolutely", "sorry", "no", "look", "listen", "honestly", "actually", "anyway", "totally",
    "exactly", "good", "cool", "fine", "please", "again", "though", "too", "also", "then",
    "first", "here", "there", "today",
];

/// Whether a word is one that is set off by commas without being a name.
fn never_a_name(word: &str) -> bool {
    let word = word.to_lowercase();
    OPENERS.contains(&word.as_str()) || NOT_NAMES.contains(&word.as_str())
}

/// The person who speaks after a turn, as the sound of their first name and their role token.
struct Listener {
    sounds: Vec<String>,
    token: &'static str,
}

/// Finds names called out but written as other words.
struct HeardNames {
    encoder: DoubleMetaphone,
}

impl HeardNames {
    fn new() -> Self {
        Self {
            encoder: DoubleMetaphone::default(),
        }
    }

    /// Both Double Metaphone codes of a word, leaving out codes too short to tell names apart.
    /// The encoder reads ASCII letters only, so accents are folded first ("Tomás" is "Tomas").
    fn sounds(&self, word: &str) -> Vec<String> {
        let letters: String = deunicode::deunicode(word)
            .chars()
            .filter(char::is_ascii_alphabetic)
            .collect();
        let codes = self.encoder.double_metaphone(&letters);
        [codes.primary(), codes.alternate()]
            .into_iter()
            .filter(|code| code.len() >= 2)
            .collect()
    }

    /// Who speaks after each turn: the speaker of the next turn by someone else.
    fn listeners(&self, call: &Call, mask: &NameMask) -> Vec<Option<Listener>> {
        (0..call.turns.len())
            .map(|i| {
                let speaker = &call.turns[i].speaker;
                let next = call.turns[i + 1..].iter().find(|t| &t.speaker != speaker)?;
                let first = next.speaker.split_whitespace().next()?;
                let sounds = self.sounds(first);
                let token = mask.token_of(&next.speaker)?;
                (!sounds.is_empty()).then_some(Listener { sounds, token })
            })
            .collect()
    }

    /// `masked` with each called-out word or two that sounds like the listener's first name
    /// replaced by the listener's role token. Called out: a clause of one or two words, the
    /// first capitalised, that opens the sentence before a comma, sits between commas, or
    /// closes it after one.
    fn mask(&self, masked: &str, listener: &Listener) -> String {
        let clauses: Vec<&str> = masked.split(',').collect();
        if clauses.len() < 2 {
            return masked.to_string();
        }
        let last = clauses.len() - 1;
        let mut out = String::with_capacity(masked.len());
        for (i, clause) in clauses.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let core = clause.trim();
            let core = if i == last {
                core.trim_end_matches(['?', '.', '!'])
            } else {
                core
            };
            if self.is_called(core, listener) {
                let at = clause.find(core).unwrap_or(0);
                out.push_str(&clause[..at]);
                out.push_str(listener.token);
                out.push_str(&clause[at + core.len()..]);
            } else {
                out.push_str(clause);
            }
        }
        out
    }

    fn is_called(&self, words: &str, listener: &Listener) -> bool {
        let parts: Vec<&str> = words.split_whitespace().collect();
        let capitalised = words.chars().next().is_some_and(char::is_uppercase);
        let lettered = parts
            .iter()
            .all(|w| w.chars().all(|c| c.is_alphabetic() || c == '\''));
        if !(1..=2).contains(&parts.len()) || !capitalised || !lettered {
            return false;
        }
        if parts.iter().any(|w| never_a_name(w)) {
            return false;
        }
        self.sounds(&parts.concat())
            .iter()
            .any(|code| listener.sounds.contains(code))
    }
}

/// Splits, masks and scans every turn of the call.
pub fn prepare<'a>(call: &'a Call, lexicon: &Lexicon) -> Vec<PreparedTurn<'a>> {
    let mask = NameMask::new(call);
    let heard = HeardNames::new();
    let listeners = heard.listeners(call, &mask);
    let mut turns: Vec<PreparedTurn<'a>> = call
        .turns
        .iter()
        .zip(&listeners)
        .map(|(turn, listener)| {
            let text = fold_punctuation(&turn.text);
            let mut addressee = Addressee::Nobody;
            let sentences = sentences(&text)
                .into_iter()
                .map(|range| {
                    let masked = mask.mask(&text[range.clone()]);
                    let masked = match listener {
                        Some(listener) => heard.mask(&masked, listener),
                        None => masked,
                    };
                    let named = addressee_in(&masked);
                    if let Some(a) = named {
                        addressee = a;
                    }
                    Sentence {
                        hits: Hits::default(),
                        range,
                        masked,
                        addressee,
                        addressee_named: named.is_some(),
                    }
                })
                .collect();
            PreparedTurn {
                turn,
                role: call.role_of(&turn.speaker),
                words: word_count(&text),
                text,
                sentences,
            }
        })
        .collect();
    let all: Vec<(&str, Role)> = turns
        .iter()
        .flat_map(|t| t.sentences.iter().map(|s| (s.masked.as_str(), t.role)))
        .collect();
    let mut scanned = lexicon.scanner.scan_sentences(&all).into_iter();
    for sentence in turns.iter_mut().flat_map(|t| t.sentences.iter_mut()) {
        sentence.hits = scanned.next().unwrap_or_default();
    }
    turns
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Participant, RoleSource, Timing};
    use crate::time::Ms;

    fn call(people: &[(&str, Role)], text: &str) -> Call {
        Call {
            id: "t".into(),
            title: None,
            call_type: None,
            date: None,
            rescue_phrase: "Taking a step back conceptually".into(),
            participants: people
                .iter()
                .map(|(n, r)| Participant {
                    name: n.to_string(),
                    role: *r,
                    role_source: RoleSource::Flag,
                    title: None,
                    present: true,
                    identified: None,
                })
                .collect(),
            turns: vec![Turn {
                index: 0,
                speaker: people[0].0.into(),
                start: Ms(0),
                end: Ms(1000),
                text: text.into(),
                doubt: None,
            }],
            timing: Timing::Recorded,
            warnings: vec![],
        }
    }

    /// The masked sentences of the call's first turn, with their addressees.
    fn first_turn_masked(c: &Call) -> Vec<(String, Addressee)> {
        let lexicon = Lexicon::load(&[]).expect("shipped lexicons load");
        prepare(c, &lexicon)[0]
            .sentences
            .iter()
            .map(|s| (s.masked.clone(), s.addressee))
            .collect()
    }

    fn masked(people: &[(&str, Role)], text: &str) -> Vec<(String, Addressee)> {
        first_turn_masked(&call(people, text))
    }

    #[test]
    fn names_become_role_tokens_and_vocatives_set_the_addressee() {
        let people = [
            ("Dana Ruiz", Role::Ae),
            ("Sam Patel", Role::Se),
            ("Chris Wong", Role::Prospect),
        ];
        let out = masked(
            &people,
            "Sam, over to you. Dana's team will follow up with Chris Wong. Thanks, Chris.",
        );
        assert_eq!(
            out[0],
            ("_se_, over to you.".to_string(), Addressee::Role(Role::Se))
        );
        assert_eq!(
            out[1],
            (
                "_ae_'s team will follow up with _prospect_.".to_string(),
                Addressee::Role(Role::Se)
            )
        );
        assert_eq!(
            out[2],
            (
                "Thanks, _prospect_.".to_string(),
                Addressee::Role(Role::Prospect)
            )
        );
    }

    fn masked_before_reply(
        people: &[(&str, Role)],
        text: &str,
        replier: &str,
    ) -> Vec<(String, Addressee)> {
        let mut c = call(people, text);
        c.turns.push(Turn {
            index: 1,
            speaker: replier.into(),
            start: Ms(1000),
            end: Ms(2000),
            text: "Sure.".into(),
            doubt: None,
        });
        first_turn_masked(&c)
    }

    #[test]
    fn a_misheard_name_of_whoever_speaks_next_is_taken_for_the_name() {
        let people = [
            ("Greg Lindqvist", Role::Ae),
            ("Aisha Rahman", Role::Se),
            ("Tomás Reyes", Role::Prospect),
        ];
        let out = masked_before_reply(
            &people,
            "Absolutely, Asia, show them. A show, do you want to take it? Thanks, Asia.",
            "Aisha Rahman",
        );
        assert_eq!(
            out[0],
            (
                "Absolutely, _se_, show them.".to_string(),
                Addressee::Role(Role::Se)
            )
        );
        assert_eq!(out[1].0, "_se_, do you want to take it?");
        assert_eq!(out[2].0, "Thanks, _se_.");
        // Accents are folded before the names are compared.
        let out = masked_before_reply(&people, "Thomas, any questions?", "Tomás Reyes");
        assert_eq!(out[0].0, "_prospect_, any questions?");
    }

    #[test]
    fn sound_alike_words_stay_when_someone_else_speaks_next_or_they_are_common_words() {
        let people = [
            ("Will Hartmann", Role::Prospect),
            ("Aisha Rahman", Role::Se),
        ];
        let asia = "Absolutely, Asia, show them.";
        assert_eq!(
            masked_before_reply(&people, asia, "Will Hartmann")[0].0,
            asia
        );
        let well = "Well, I think so.";
        assert_eq!(
            masked_before_reply(&people, well, "Will Hartmann")[0].0,
            well
        );
        let uncalled = "We toured Asia last year.";
        assert_eq!(
            masked_before_reply(&people, uncalled, "Aisha Rahman")[0].0,
            uncalled
        );
    }

    #[test]
    fn word_like_first_names_are_not_masked_as_verbs() {
        let people = [
            ("Daniel Okafor", Role::Se),
            ("Will Hartmann", Role::Prospect),
        ];
        let out = masked(&people, "Will do, Will. Will, can you send it?");
        assert_eq!(out[0].0, "Will do, _prospect_.");
        assert_eq!(out[1].0, "_prospect_, can you send it?");
    }
}
