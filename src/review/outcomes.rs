//! Deal outcomes a manager records against calls, read from a small TOML file, so that a review
//! can show the SE's win and no-go rates. Debriefs say what happened on a call; only a person
//! knows how the deal ended.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// How a deal ended, as recorded on one of its calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Won,
    Lost,
    /// The SE disqualified the deal: a deliberate no-go, not a loss.
    NoGo,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Won => "won",
            Outcome::Lost => "lost",
            Outcome::NoGo => "no-go",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Outcome {
    type Err = String;
    fn from_str(s: &str) -> Result<Outcome, String> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['_', ' '], "-")
            .as_str()
        {
            "won" | "win" => Ok(Outcome::Won),
            "lost" | "loss" => Ok(Outcome::Lost),
            "no-go" | "nogo" | "disqualified" => Ok(Outcome::NoGo),
            _ => Err(format!(
                "unknown outcome `{s}`: use won, lost or no-go (disqualified by the SE)"
            )),
        }
    }
}

/// The outcomes file's problems, each naming the file and the line.
#[derive(Debug, thiserror::Error)]
pub enum OutcomesError {
    #[error("{path}: cannot read the outcomes file: {source}; check the path")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}; write one line per call: \"CALL-ID\" = \"won\"")]
    Invalid {
        path: String,
        line: usize,
        message: String,
    },
}

/// Outcomes by call id, with the line each was written on (for warnings about unknown calls).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcomes {
    by_call: BTreeMap<String, (Outcome, usize)>,
}

impl Outcomes {
    /// Reads and validates an outcomes file.
    pub fn load(path: &Path) -> Result<Outcomes, OutcomesError> {
        let text = std::fs::read_to_string(path).map_err(|source| OutcomesError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Outcomes::parse(&text, &path.display().to_string())
    }

    /// Parses outcomes text: a TOML table of `"call-id" = "won" | "lost" | "no-go"`. `name` is used
    /// in errors.
    pub fn parse(text: &str, name: &str) -> Result<Outcomes, OutcomesError> {
        let line_at = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let invalid = |offset: usize, message: String| OutcomesError::Invalid {
            path: name.to_string(),
            line: line_at(offset),
            message,
        };
        let table: BTreeMap<String, toml::Spanned<String>> = toml::from_str(text).map_err(|e| {
            invalid(
                e.span().map(|s| s.start).unwrap_or(0),
                e.message().trim().replace('\n', " "),
            )
        })?;
        let mut by_call = BTreeMap::new();
        for (call, value) in table {
            let offset = value.span().start;
            let outcome = value
                .get_ref()
                .parse::<Outcome>()
                .map_err(|message| invalid(offset, format!("call `{call}`: {message}")))?;
            by_call.insert(call, (outcome, line_at(offset)));
        }
        Ok(Outcomes { by_call })
    }

    /// Records an outcome that came from elsewhere than a file (the workspace's store).
    pub fn record(&mut self, call: &str, outcome: Outcome) {
        self.by_call.insert(call.to_string(), (outcome, 0));
    }

    /// The outcome recorded on a call.
    pub fn of(&self, call: &str) -> Option<Outcome> {
        self.by_call.get(call).map(|(outcome, _)| *outcome)
    }

    /// Every call id with an outcome, and the line it is on.
    pub fn calls(&self) -> impl Iterator<Item = (&str, usize)> {
        self.by_call
            .iter()
            .map(|(call, (_, line))| (call.as_str(), *line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_outcomes_and_their_aliases() {
        let outcomes = Outcomes::parse(
            "# deals\n\"call-01\" = \"won\"\ncall-02 = \"Lost\"\ncall-03 = \"disqualified\"\n",
            "o.toml",
        )
        .unwrap();
        assert_eq!(outcomes.of("call-01"), Some(Outcome::Won));
        assert_eq!(outcomes.of("call-02"), Some(Outcome::Lost));
        assert_eq!(outcomes.of("call-03"), Some(Outcome::NoGo));
        assert_eq!(outcomes.of("call-04"), None);
        assert_eq!(
            outcomes.calls().collect::<Vec<_>>(),
            [("call-01", 2), ("call-02", 3), ("call-03", 4)]
        );
    }

    #[test]
    fn an_unknown_outcome_names_file_line_and_call() {
        let err = Outcomes::parse("call-01 = \"won\"\ncall-02 = \"pending\"\n", "o.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("o.toml:2: call `call-02`: unknown outcome `pending`"),
            "{err}"
        );
    }

    #[test]
    fn a_value_that_is_not_text_is_refused_with_its_line() {
        let err = Outcomes::parse("call-01 = \"won\"\n\ncall-02 = 3\n", "o.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("o.toml:3: "), "{err}");
    }
}
