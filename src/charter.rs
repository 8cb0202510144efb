//! The pair's charter: who the AE and SE are, their rescue phrase, what they must have
//! qualified before a demo or POC, and the minute by which the call-to-action should land.
//! TOML, unknown keys rejected, errors naming file and line.

use crate::debrief::QualItem;
use crate::model::Role;
use serde::Deserialize;
use std::path::Path;

/// The rescue phrase when neither charter nor transcript names one.
pub const DEFAULT_RESCUE_PHRASE: &str = "Taking a step back conceptually";
/// The call-to-action minute when the charter does not name one.
pub const DEFAULT_CTA_MINUTE: u32 = 55;
/// The horizon a timeline must fall within to count, in months.
pub const DEFAULT_TIMELINE_MONTHS: u32 = 6;

/// A loaded charter.
#[derive(Debug, Clone, PartialEq)]
pub struct Charter {
    pub ae: Vec<String>,
    pub se: Vec<String>,
    pub rescue_phrase: Option<String>,
    pub cta_minute: u32,
    pub timeline_months: u32,
    pub required_before_demo: Vec<QualItem>,
    /// Words to bias speech recognition toward: products, people, the prospect's jargon.
    pub vocabulary: Vec<String>,
    /// A recognition prompt that replaces the one built from names and vocabularies.
    pub prompt: Option<String>,
}

impl Default for Charter {
    fn default() -> Charter {
        Charter {
            ae: Vec::new(),
            se: Vec::new(),
            rescue_phrase: None,
            cta_minute: DEFAULT_CTA_MINUTE,
            timeline_months: DEFAULT_TIMELINE_MONTHS,
            required_before_demo: Vec::new(),
            vocabulary: Vec::new(),
            prompt: None,
        }
    }
}

/// A charter that could not be read, with the place and what to do.
#[derive(Debug, thiserror::Error)]
pub enum CharterError {
    #[error("{path}: cannot read charter: {source}; check the path")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}; `swimlane charter init` writes a commented template")]
    Invalid {
        path: String,
        line: usize,
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CharterFile {
    ae: Option<Names>,
    se: Option<Names>,
    rescue_phrase: Option<String>,
    cta_minute: Option<toml::Spanned<u32>>,
    qualification: Option<QualificationFile>,
    transcription: Option<TranscriptionFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TranscriptionFile {
    vocabulary: Option<Vec<String>>,
    prompt: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QualificationFile {
    required_before_demo: Option<toml::Spanned<Vec<String>>>,
    timeline_months: Option<toml::Spanned<u32>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Names {
    One(String),
    Many(Vec<String>),
}

impl Names {
    fn into_vec(self) -> Vec<String> {
        match self {
            Names::One(n) => vec![n],
            Names::Many(v) => v,
        }
    }
}

impl Charter {
    /// Reads and validates a charter file.
    pub fn load(path: &Path) -> Result<Charter, CharterError> {
        let text = std::fs::read_to_string(path).map_err(|source| CharterError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Charter::parse(&text, &path.display().to_string())
    }

    /// Parses charter text; `name` is used in errors.
    pub fn parse(text: &str, name: &str) -> Result<Charter, CharterError> {
        let invalid = |offset: usize, message: String| CharterError::Invalid {
            path: name.to_string(),
            line: text[..offset.min(text.len())].matches('\n').count() + 1,
            message,
        };
        let file: CharterFile = toml::from_str(text).map_err(|e| {
            invalid(
                e.span().map(|s| s.start).unwrap_or(0),
                e.message().trim().replace('\n', " "),
            )
        })?;
        let mut charter = Charter {
            ae: file.ae.map(Names::into_vec).unwrap_or_default(),
            se: file.se.map(Names::into_vec).unwrap_or_default(),
            rescue_phrase: file.rescue_phrase.filter(|p| !p.trim().is_empty()),
            ..Charter::default()
        };
        if let Some(minute) = file.cta_minute {
            if *minute.get_ref() == 0 || *minute.get_ref() > 600 {
                return Err(invalid(
                    minute.span().start,
                    "cta_minute must be between 1 and 600".into(),
                ));
            }
            charter.cta_minute = minute.into_inner();
        }
        if let Some(q) = file.qualification {
            if let Some(months) = q.timeline_months {
                if *months.get_ref() == 0 || *months.get_ref() > 60 {
                    return Err(invalid(
                        months.span().start,
                        "timeline_months must be between 1 and 60".into(),
                    ));
                }
                charter.timeline_months = months.into_inner();
            }
            if let Some(items) = q.required_before_demo {
                let offset = items.span().start;
                for item in items.into_inner() {
                    let parsed = QualItem::parse(&item).ok_or_else(|| {
                        invalid(offset, format!("unknown qualification item `{item}`: use budget, timeline, sponsor, pain or competitors"))
                    })?;
                    charter.required_before_demo.push(parsed);
                }
            }
        }
        if let Some(t) = file.transcription {
            charter.vocabulary = t.vocabulary.unwrap_or_default();
            charter.prompt = t.prompt.map(|p| p.trim().to_string());
        }
        Ok(charter)
    }

    /// The charter's role for a speaker name (full name, or a unique first name), if it names them.
    pub fn role_of(&self, speaker: &str) -> Option<Role> {
        let names = |list: &[String]| list.iter().any(|n| same_person(n, speaker));
        match (names(&self.ae), names(&self.se)) {
            (true, false) => Some(Role::Ae),
            (false, true) => Some(Role::Se),
            _ => None,
        }
    }

    /// A commented template for `swimlane charter init`.
    pub fn template() -> &'static str {
        TEMPLATE
    }
}

/// Whether two names denote the same person: equal ignoring case, or one is the other's first name.
pub fn same_person(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    if a.eq_ignore_ascii_case(b) {
        return true;
    }
    let first = |s: &str| s.split_whitespace().next().unwrap_or("").to_lowercase();
    let single = |s: &str| s.split_whitespace().count() == 1;
    (single(a) || single(b)) && first(a) == first(b)
}

const TEMPLATE: &str = r#"# swimlane charter: how this AE/SE pair agreed to run their calls.
# Every key is optional; unknown keys are an error so that typos do not pass silently.

# The pair. A name can be a full name as it appears in transcripts ("Dana Ruiz") or a list of
# the spellings that appear ("Dana Ruiz", "Dana R."). These settle roles before anything else
# except --role flags.
ae = "Dana Ruiz"
se = "Sam Patel"

# The phrase the AE uses to take the room back when the SE has gone too deep. Close paraphrases
# count too. A transcript's own rescue_phrase wins over this one.
rescue_phrase = "Taking a step back conceptually"

# The minute by which the call-to-action (a concrete, agreed next step) should land.
cta_minute = 55

[qualification]
# What must be established before a demo or proof of concept. Any of:
# budget, timeline, sponsor, pain, competitors.
required_before_demo = ["budget", "timeline", "sponsor"]

# A timeline counts only when the decision or go-live is under this many months away.
timeline_months = 6

[transcription]
# Words speech recognition should expect: your products, people's names, the prospect's
# jargon. They join the AE's and SE's names and lexicons/vocab/recognition.toml in the prompt
# that primes Whisper.
vocabulary = ["Ledgerline", "chargeback"]
# Or replace that prompt entirely (keep it under about 200 words; "" for no prompt at all):
# prompt = "Ledgerline, chargebacks, SAML single sign-on, SOC 2."
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_parses_to_the_documented_defaults() {
        let c = Charter::parse(Charter::template(), "charter.toml").unwrap();
        assert_eq!(c.ae, vec!["Dana Ruiz"]);
        assert_eq!(c.se, vec!["Sam Patel"]);
        assert_eq!(c.cta_minute, 55);
        assert_eq!(c.timeline_months, 6);
        assert_eq!(
            c.required_before_demo,
            vec![QualItem::Budget, QualItem::Timeline, QualItem::Sponsor]
        );
        assert_eq!(c.vocabulary, vec!["Ledgerline", "chargeback"]);
        assert_eq!(c.prompt, None);
    }

    #[test]
    fn unknown_key_names_file_and_line() {
        let err = Charter::parse("ae = \"Dana\"\n\nrescue = \"x\"\n", "team.toml").unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("team.toml:3: unknown field `rescue`"),
            "{text}"
        );
        assert!(text.contains("charter init"), "{text}");
    }

    #[test]
    fn bad_qualification_item_is_rejected_with_choices() {
        let err = Charter::parse(
            "[qualification]\nrequired_before_demo = [\"money\"]\n",
            "c.toml",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("c.toml:2: unknown qualification item `money`"),
            "{err}"
        );
    }

    #[test]
    fn first_names_match_full_names() {
        let c = Charter::parse("ae = \"Dana\"\nse = [\"Sam Patel\"]\n", "c.toml").unwrap();
        assert_eq!(c.role_of("Dana Ruiz"), Some(Role::Ae));
        assert_eq!(c.role_of("sam patel"), Some(Role::Se));
        assert_eq!(c.role_of("Samantha Patel"), None);
    }
}
