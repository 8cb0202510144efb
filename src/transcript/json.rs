//! Reads the project's own call JSON: participants with their roles and timed turns, the one
//! format that can declare who is the AE and who the SE. Keys this reader does not know (the
//! labelled corpus adds `events`, `expected`, `audio` and more) are ignored.

use super::decode::normalize_newlines;
use super::{TranscriptError, collapse_whitespace, participants_from_turns};
use crate::model::{
    CallType, DeclaredParticipant, Doubt, NameSource, Role, Timing, Transcript, Turn,
};
use crate::time::Ms;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(expecting = "a call object with \"turns\" and, optionally, \"participants\"")]
struct CallFile {
    id: Option<String>,
    title: Option<String>,
    call_type: Option<String>,
    /// The call's day, `YYYY-MM-DD`.
    date: Option<jiff::civil::Date>,
    rescue_phrase: Option<String>,
    participants: Option<Vec<ParticipantEntry>>,
    turns: Vec<TurnEntry>,
}

#[derive(Deserialize)]
#[serde(expecting = "a participant object with \"name\" and \"role\"")]
struct ParticipantEntry {
    name: String,
    role: Option<String>,
    title: Option<String>,
    /// How swimlane named a recording's speaker (written by `transcribe`).
    identified: Option<NameSource>,
}

#[derive(Deserialize)]
#[serde(expecting = "a turn object with \"speaker\", \"start\", \"end\" and \"text\"")]
struct TurnEntry {
    speaker: String,
    #[serde(deserialize_with = "seconds")]
    start: f64,
    #[serde(deserialize_with = "seconds")]
    end: f64,
    text: String,
    /// Why the speaker found by voice is in doubt (written by `transcribe`).
    doubt: Option<Doubt>,
}

/// A time in seconds, as a JSON number; the error names what was expected in the file's terms.
fn seconds<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    struct Seconds;
    impl serde::de::Visitor<'_> for Seconds {
        type Value = f64;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a number of seconds such as 12.5")
        }
        fn visit_f64<E>(self, value: f64) -> Result<f64, E> {
            Ok(value)
        }
        fn visit_u64<E>(self, value: u64) -> Result<f64, E> {
            Ok(value as f64)
        }
        fn visit_i64<E>(self, value: i64) -> Result<f64, E> {
            Ok(value as f64)
        }
    }
    deserializer.deserialize_f64(Seconds)
}

const SCHEMA_HINT: &str = "the call JSON schema is in the README";

/// Reads call JSON. A turn's index is its position in `turns` (any `i` key is ignored). Without
/// `participants`, every speaker is a participant with no role; with it, a speaker it does not
/// list is added with no role and a warning.
pub fn parse(text: &str, name: &str) -> Result<Transcript, TranscriptError> {
    let text = normalize_newlines(text);
    let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if let Some((line, column)) = first_non_object(body) {
        return Err(TranscriptError::Json {
            name: name.to_string(),
            line,
            column,
            problem: "expected a call object starting with `{`".to_string(),
        });
    }
    let call: CallFile = serde_json::from_str(body).map_err(|err| json_error(&err, name))?;
    let mut warnings = Vec::new();
    let turns = call
        .turns
        .into_iter()
        .enumerate()
        .map(|(index, entry)| read_turn(index, entry, name))
        .collect::<Result<Vec<Turn>, TranscriptError>>()?;
    if turns.is_empty() {
        return Err(TranscriptError::no_turns(name));
    }
    let participants = match call.participants {
        None => participants_from_turns(&turns),
        Some(entries) => {
            let mut participants = declared_participants(entries, name, &mut warnings)?;
            for turn in &turns {
                if !participants.iter().any(|p| p.name == turn.speaker) {
                    warnings.push(format!(
                        "turn {}: speaker {:?} is not in participants; added with no role",
                        turn.index, turn.speaker
                    ));
                    participants.push(DeclaredParticipant {
                        name: turn.speaker.clone(),
                        role: None,
                        title: None,
                        identified: None,
                    });
                }
            }
            participants
        }
    };
    Ok(Transcript {
        id: non_empty(call.id),
        title: non_empty(call.title),
        call_type: non_empty(call.call_type).map(|kind| {
            kind.parse::<CallType>()
                .unwrap_or_else(|never| match never {})
        }),
        date: call.date,
        rescue_phrase: non_empty(call.rescue_phrase),
        participants,
        turns,
        timing: Timing::Recorded,
        warnings,
    })
}

/// The 1-based line and column of the first character when it is not `{` (serde would read a
/// top-level array as a call's fields in order, and complain about the wrong thing).
fn first_non_object(text: &str) -> Option<(usize, usize)> {
    let trimmed = text.trim_start();
    if trimmed.is_empty() || trimmed.starts_with('{') {
        return None;
    }
    let skipped = &text[..text.len() - trimmed.len()];
    let line = skipped.matches('\n').count() + 1;
    let column = skipped.len() - skipped.rfind('\n').map_or(0, |at| at + 1) + 1;
    Some((line, column))
}

/// A serde_json error as a one-line message with its line and column.
fn json_error(err: &serde_json::Error, name: &str) -> TranscriptError {
    let message = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    let problem = message
        .strip_suffix(&suffix)
        .unwrap_or(&message)
        .to_string();
    if err.line() == 0 {
        TranscriptError::invalid(name, None, problem, SCHEMA_HINT)
    } else {
        TranscriptError::Json {
            name: name.to_string(),
            line: err.line(),
            column: err.column(),
            problem,
        }
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value
        .map(|text| text.trim().to_string())
        .filter(|text| !text.is_empty())
}

fn read_turn(index: usize, entry: TurnEntry, name: &str) -> Result<Turn, TranscriptError> {
    let speaker = collapse_whitespace(&entry.speaker);
    if speaker.is_empty() {
        return Err(TranscriptError::invalid(
            name,
            None,
            format!("turn {index}: speaker is empty"),
            "name who speaks",
        ));
    }
    let time = |secs: f64, which: &str| {
        Ms::from_secs_f64(secs).ok_or_else(|| {
            TranscriptError::invalid(
                name,
                None,
                format!("turn {index}: {which} {secs} is not a non-negative number of seconds"),
                "fix the turn's times",
            )
        })
    };
    let (start, end) = (time(entry.start, "start")?, time(entry.end, "end")?);
    if end < start {
        return Err(TranscriptError::invalid(
            name,
            None,
            format!(
                "turn {index}: end {} is before start {}",
                entry.end, entry.start
            ),
            "fix the turn's times",
        ));
    }
    Ok(Turn {
        index,
        speaker,
        start,
        end,
        text: collapse_whitespace(&entry.text),
        doubt: entry.doubt,
    })
}

/// The `participants` list with roles checked; a name listed twice keeps its first entry.
fn declared_participants(
    entries: Vec<ParticipantEntry>,
    name: &str,
    warnings: &mut Vec<String>,
) -> Result<Vec<DeclaredParticipant>, TranscriptError> {
    let mut participants: Vec<DeclaredParticipant> = Vec::new();
    for entry in entries {
        let person = collapse_whitespace(&entry.name);
        if person.is_empty() {
            return Err(TranscriptError::invalid(
                name,
                None,
                "a participant has an empty name",
                "name every participant or remove the entry",
            ));
        }
        let role = match entry.role.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(role) => Some(parse_role(role).ok_or_else(|| {
                TranscriptError::invalid(
                    name,
                    None,
                    format!("participant {person:?}: role {role:?} is not AE, SE or prospect"),
                    "use one of AE, SE or prospect, or leave the role out",
                )
            })?),
        };
        if participants.iter().any(|p| p.name == person) {
            warnings.push(format!(
                "participant {person:?} is listed twice; the first entry is used"
            ));
            continue;
        }
        participants.push(DeclaredParticipant {
            name: person,
            role,
            title: non_empty(entry.title),
            identified: entry.identified,
        });
    }
    Ok(participants)
}

/// `AE`, `SE` or `prospect`, in any case.
fn parse_role(role: &str) -> Option<Role> {
    match role.to_ascii_lowercase().as_str() {
        "ae" => Some(Role::Ae),
        "se" => Some(Role::Se),
        "prospect" => Some(Role::Prospect),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CALL: &str = r#"{
  "id": "acme-demo",
  "title": "Acme x Northwind demo",
  "call_type": "Demo",
  "rescue_phrase": "Let me zoom out",
  "participants": [
    {"name": "Dana Ruiz", "role": "ae"},
    {"name": "Sam Patel", "role": "SE"},
    {"name": "Marisol Vega", "role": "Prospect", "title": "Director of IT"}
  ],
  "turns": [
    {"i": 7, "speaker": "Dana Ruiz", "start": 0.5, "end": 4.9274, "text": "  Thanks for\n having us. "},
    {"speaker": "Marisol Vega", "start": 5, "end": 6, "text": "Of course.", "sentiment": 0.4},
    {"speaker": "Ben Adler", "start": 6, "end": 6, "text": ""}
  ],
  "events": [{"kind": "ambush"}],
  "expected": {"anything": true}
}"#;

    #[test]
    fn reads_a_call_and_ignores_unknown_keys() {
        let call = parse(CALL, "call.json").unwrap();
        assert_eq!(call.id.as_deref(), Some("acme-demo"));
        assert_eq!(call.call_type, Some(CallType::Demo));
        assert_eq!(call.rescue_phrase.as_deref(), Some("Let me zoom out"));
        assert_eq!(call.timing, Timing::Recorded);
        let roles: Vec<_> = call
            .participants
            .iter()
            .map(|p| (p.name.as_str(), p.role))
            .collect();
        assert_eq!(
            roles,
            [
                ("Dana Ruiz", Some(Role::Ae)),
                ("Sam Patel", Some(Role::Se)),
                ("Marisol Vega", Some(Role::Prospect)),
                ("Ben Adler", None),
            ]
        );
        assert_eq!(
            call.participants[2].title.as_deref(),
            Some("Director of IT")
        );
        let first = &call.turns[0];
        assert_eq!(
            (first.index, first.start, first.end),
            (0, Ms(500), Ms(4927))
        );
        assert_eq!(first.text, "Thanks for having us.");
        assert_eq!(call.turns[2].index, 2);
        assert_eq!(
            call.warnings,
            ["turn 2: speaker \"Ben Adler\" is not in participants; added with no role"]
        );
    }

    #[test]
    fn participants_default_to_the_speakers() {
        let call = parse(
            r#"{"turns": [{"speaker": "Sam", "start": 0, "end": 1, "text": "hi"},
                          {"speaker": "Ben", "start": 1, "end": 2, "text": "yo"},
                          {"speaker": "Sam", "start": 2, "end": 3, "text": "so"}]}"#,
            "call.json",
        )
        .unwrap();
        let names: Vec<_> = call
            .participants
            .iter()
            .map(|p| (p.name.as_str(), p.role))
            .collect();
        assert_eq!(names, [("Sam", None), ("Ben", None)]);
        assert!(call.warnings.is_empty());
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let err = parse(
            "{\r\n  \"turns\": [\r    {\"speaker\" \"Sam\"}\n  ]\n}",
            "call.json",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "call.json: line 3 column 16: expected `:`; the call JSON schema is in the README"
        );
    }

    #[test]
    fn shape_errors_name_line_and_column() {
        let err = parse("{\"participants\": []}", "call.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            "call.json: line 1 column 20: missing field `turns`; the call JSON schema is in the README"
        );
        let err = parse("\n  [1, 2]", "call.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            "call.json: line 2 column 3: expected a call object starting with `{`; the call JSON schema is in the README"
        );
        let err = parse(
            "{\"turns\": [{\"speaker\": \"Sam\", \"start\": \"0:01\", \"end\": 2, \"text\": \"\"}]}",
            "call.json",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "call.json: line 1 column 45: invalid type: string \"0:01\", expected a number of seconds such as 12.5; the call JSON schema is in the README"
        );
    }

    #[test]
    fn unknown_roles_name_the_participant_and_the_choices() {
        let err = parse(
            r#"{"participants": [{"name": "Pat Kim", "role": "manager"}],
                "turns": [{"speaker": "Pat Kim", "start": 0, "end": 1, "text": "hi"}]}"#,
            "call.json",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "call.json: participant \"Pat Kim\": role \"manager\" is not AE, SE or prospect; use one of AE, SE or prospect, or leave the role out"
        );
    }

    #[test]
    fn end_before_start_names_the_turn() {
        let err = parse(
            r#"{"turns": [{"speaker": "Sam", "start": 0, "end": 1, "text": "a"},
                          {"speaker": "Sam", "start": 5, "end": 3.2, "text": "b"}]}"#,
            "call.json",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "call.json: turn 1: end 3.2 is before start 5; fix the turn's times"
        );
    }

    #[test]
    fn negative_times_and_empty_speakers_are_errors() {
        let err = parse(
            r#"{"turns": [{"speaker": "Sam", "start": -1, "end": 1, "text": "a"}]}"#,
            "call.json",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("call.json: turn 0: start -1 is not"),
            "{err}"
        );
        let err = parse(
            r#"{"turns": [{"speaker": " ", "start": 0, "end": 1, "text": "a"}]}"#,
            "call.json",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("call.json: turn 0: speaker is empty"),
            "{err}"
        );
    }

    #[test]
    fn duplicate_participants_keep_the_first() {
        let call = parse(
            r#"{"participants": [{"name": "Sam", "role": "SE"}, {"name": "Sam", "role": "AE"}],
                "turns": [{"speaker": "Sam", "start": 0, "end": 1, "text": "a"}]}"#,
            "call.json",
        )
        .unwrap();
        assert_eq!(call.participants.len(), 1);
        assert_eq!(call.participants[0].role, Some(Role::Se));
        assert_eq!(
            call.warnings,
            ["participant \"Sam\" is listed twice; the first entry is used"]
        );
    }

    #[test]
    fn no_turns_is_an_error() {
        let err = parse(r#"{"turns": []}"#, "empty.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            "empty.json: no turns found; is this a transcript?"
        );
    }
}
