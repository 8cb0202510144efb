//! Who is the AE, who is the SE, who is buying, and why we think so. Sources in order of
//! precedence: `--role` flags, the charter, the transcript's declared roles, introductions made
//! in the call ("I'm Sam, the solutions engineer"), then prospect by default. Introductions also
//! name vendor colleagues who are absent, so that a handoff to them can be recognised.

use crate::charter::{Charter, DEFAULT_RESCUE_PHRASE, same_person};
use crate::model::{Call, NameSource, Participant, Role, RoleSource, Transcript};
use regex::Regex;
use std::sync::LazyLock;

/// A `--role NAME=ROLE` flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleFlag {
    pub name: String,
    pub role: Role,
}

/// Title words that mark each vendor role, from the lexicons' `ae_titles` and `se_titles`.
#[derive(Debug, Clone, Default)]
pub struct TitleWords {
    pub ae: Vec<String>,
    pub se: Vec<String>,
}

impl TitleWords {
    fn role_of(&self, title: &str) -> Option<Role> {
        let t = words_of(title);
        let has = |list: &[String]| list.iter().any(|w| t.contains(&words_of(w)));
        if has(&self.se) {
            Some(Role::Se)
        } else if has(&self.ae) {
            Some(Role::Ae)
        } else {
            None
        }
    }
}

/// Lower-case words separated by single spaces and padded, so `contains` matches whole words.
fn words_of(text: &str) -> String {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    format!(" {} ", words.join(" "))
}

const NAME: &str = r"(?P<name>\p{Lu}[\p{L}'\-]+(?:\s\p{Lu}[\p{L}'\-]+)?)";
const TITLE: &str = r"(?P<title>[^,.;!?]{3,60})";

/// "I'm Sam, the solutions engineer" / "This is Dana, your account executive".
static SELF_INTRO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?-u:\b)(?:I'm|I am|[Tt]his is|[Mm]y name is|[Ii]t's)\s+{NAME}(?:\s+here)?,?\s+(?:and\s+)?(?:I'm\s+|I am\s+|I'll be\s+|I lead\s+)?(?:the|your|our|a|an|one of (?:the|our))\s+{TITLE}"
    ))
    .expect("static regex")
});

/// "Lena, our solutions engineer" / "I've got Sam Patel with me. He's our solutions engineer".
static COLLEAGUE_INTRO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:(?:I've got|I have|I'm joined by|[Jj]oining me (?:today )?is|[Ww]ith me (?:today )?is|I brought)\s+{NAME}(?:\s+with (?:me|us))?[,.]?\s+(?:(?:[Hh]e|[Ss]he|[Tt]hey)(?:'s| is| are)\s+|who(?:'s| is| leads)\s+|from\s+)?|(?-u:\b){NAME2},\s+(?:who(?:'s| is)\s+)?)(?:our|my|one of our)\s+{TITLE}",
        NAME2 = NAME.replace("?P<name>", "?P<name2>"),
    ))
    .expect("static regex")
});

/// "Megan couldn't join today", "that one's for Deepa, she owns pricing": a vendor colleague
/// who is not on the call.
static ABSENT: LazyLock<Regex> = LazyLock::new(|| {
    let name = |i: usize| NAME.replace("?P<name>", &format!("?P<name{i}>"));
    Regex::new(&format!(
        r"(?-u:\b){n1}\s+(?:couldn't|could not|can't|cannot|wasn't able to|isn't able to)\s+(?:join|make it|be here|attend)|(?-u:\b){n2}\s+(?:sends (?:her|his|their) apologies|is (?:out|away|travell?ing|off|on leave|on vacation|at a customer|not on))|(?-u:\b)(?:one|question)(?:'s| is)? for {n3}|(?-u:\b){n4}(?:'s| is) (?:the right person|your person|the person)|(?-u:\b){n5},? (?:she|he|they) (?:owns|handles|looks after|runs|covers)|(?-u:\b)(?:park|sav|keep|hold|leav)\w* (?:(?:it|that|this)(?: one)? )?for {n6}|(?-u:\b){n7}'s (?:department|area|world|call|domain|bit|beat|remit|wheelhouse|territory|thing|lane|patch)",
        n1 = name(1),
        n2 = name(2),
        n3 = name(3),
        n4 = name(4),
        n5 = name(5),
        n6 = name(6),
        n7 = name(7),
    ))
    .expect("static regex")
});

/// Settles every speaker's role and returns the call ready for detection.
pub fn resolve(
    transcript: &Transcript,
    charter: &Charter,
    flags: &[RoleFlag],
    titles: &TitleWords,
) -> Call {
    let named = name_by_introduction(transcript, charter);
    let transcript = &named;
    let mut warnings = transcript.warnings.clone();
    let speakers = speakers_in_order(transcript);
    for flag in flags {
        if !speakers.iter().any(|s| same_person(&flag.name, s)) {
            warnings.push(format!(
                "--role \"{}={}\" names nobody who speaks; speakers are: {}",
                flag.name,
                flag.role,
                speakers.join(", ")
            ));
        }
        if let Some(charter_role) = charter.role_of(&flag.name)
            && charter_role != flag.role
        {
            warnings.push(format!(
                "--role \"{}={}\" overrides the charter, which makes {} the {charter_role}",
                flag.name, flag.role, flag.name
            ));
        }
    }
    let intros = introductions(transcript, titles);
    let mut participants: Vec<Participant> = speakers
        .iter()
        .map(|name| {
            let declared = transcript.participants.iter().find(|p| &p.name == name);
            let intro = intros.iter().find(|i| same_person(&i.name, name));
            let identified = declared.and_then(|d| d.identified);
            let by_voice = matches!(identified, Some(NameSource::Voiceprint { .. }));
            let (role, role_source) =
                if let Some(f) = flags.iter().find(|f| same_person(&f.name, name)) {
                    (f.role, RoleSource::Flag)
                } else if let Some(r) = charter.role_of(name) {
                    (r, RoleSource::Charter)
                } else if let Some(r) = declared.and_then(|d| d.role) {
                    let source = if by_voice {
                        RoleSource::Voiceprint
                    } else {
                        RoleSource::Transcript
                    };
                    (r, source)
                } else if let Some(r) = intro.and_then(|i| i.role) {
                    (r, RoleSource::Introduction)
                } else {
                    (Role::Prospect, RoleSource::Default)
                };
            Participant {
                name: name.clone(),
                role,
                role_source,
                title: declared
                    .and_then(|d| d.title.clone())
                    .or_else(|| intro.filter(|i| i.role.is_none()).map(|i| i.title.clone())),
                present: true,
                identified,
            }
        })
        .collect();
    add_absent_colleagues(transcript, charter, &intros, &mut participants);
    Call {
        id: transcript.id.clone().unwrap_or_default(),
        title: transcript.title.clone(),
        call_type: transcript.call_type.clone(),
        date: transcript.date,
        rescue_phrase: transcript
            .rescue_phrase
            .clone()
            .or_else(|| charter.rescue_phrase.clone())
            .unwrap_or_else(|| DEFAULT_RESCUE_PHRASE.to_string()),
        participants,
        turns: transcript.turns.clone(),
        timing: transcript.timing,
        warnings,
    }
}

/// A recording's unnamed speakers ("Speaker 2") who introduce themselves ("I'm Sam Patel, the
/// solutions engineer") take that name, or the charter's fuller spelling of it, unless someone
/// else in the call already has it.
fn name_by_introduction(transcript: &Transcript, charter: &Charter) -> Transcript {
    let mut named = transcript.clone();
    let placeholders: Vec<String> = transcript
        .participants
        .iter()
        .filter(|p| p.identified.is_some_and(NameSource::is_placeholder))
        .map(|p| p.name.clone())
        .collect();
    for placeholder in placeholders {
        let said = transcript
            .turns
            .iter()
            .filter(|t| t.speaker == placeholder)
            .find_map(|t| {
                let text = crate::text::fold_punctuation(&t.text);
                SELF_INTRO
                    .captures(&text)
                    .map(|caps| caps["name"].to_string())
            });
        let Some(said) = said else { continue };
        let name = charter
            .ae
            .iter()
            .chain(&charter.se)
            .find(|full| same_person(full, &said))
            .cloned()
            .unwrap_or(said);
        if named
            .participants
            .iter()
            .any(|p| same_person(&p.name, &name))
        {
            continue;
        }
        named.rename(&placeholder, &name);
        if let Some(p) = named.participants.iter_mut().find(|p| p.name == name) {
            p.identified = Some(NameSource::Introduction);
        }
    }
    named
}

fn speakers_in_order(transcript: &Transcript) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for turn in &transcript.turns {
        if !out.contains(&turn.speaker) {
            out.push(turn.speaker.clone());
        }
    }
    out
}

/// Someone introduced in the call, with the role their title implies (None for buyer titles).
#[derive(Debug, Clone)]
struct Introduction {
    name: String,
    title: String,
    role: Option<Role>,
}

fn introductions(transcript: &Transcript, titles: &TitleWords) -> Vec<Introduction> {
    let mut out = Vec::new();
    for turn in &transcript.turns {
        let text = crate::text::fold_punctuation(&turn.text);
        // Cheap substring checks first: most turns introduce nobody.
        let self_cue = ["I'm ", "I am ", "his is ", "y name is ", "t's "]
            .iter()
            .any(|c| text.contains(c));
        let colleague_cue = ["our ", "my "].iter().any(|c| text.contains(c));
        if !self_cue && !colleague_cue {
            continue;
        }
        for caps in SELF_INTRO.captures_iter(&text).filter(|_| self_cue) {
            if !same_person(&caps["name"], &turn.speaker) {
                continue;
            }
            let title = caps["title"].trim().to_string();
            out.push(Introduction {
                name: turn.speaker.clone(),
                role: titles.role_of(&title),
                title,
            });
        }
        for caps in COLLEAGUE_INTRO
            .captures_iter(&text)
            .filter(|_| colleague_cue)
        {
            let Some(name) = caps.name("name").or_else(|| caps.name("name2")) else {
                continue;
            };
            let title = caps["title"].trim().to_string();
            out.push(Introduction {
                name: name.as_str().to_string(),
                role: titles.role_of(&title),
                title,
            });
        }
    }
    out
}

/// Vendor colleagues who are named but never speak: introduced with a vendor title, named in the
/// charter, or said by a vendor speaker to be unable to join (then they take the vendor role
/// nobody on the call holds).
fn add_absent_colleagues(
    transcript: &Transcript,
    charter: &Charter,
    intros: &[Introduction],
    participants: &mut Vec<Participant>,
) {
    let mut absent: Vec<(String, Role, RoleSource)> = Vec::new();
    for intro in intros {
        if let Some(role) = intro.role {
            absent.push((intro.name.clone(), role, RoleSource::Introduction));
        }
    }
    for (names, role) in [(&charter.ae, Role::Ae), (&charter.se, Role::Se)] {
        for name in names {
            absent.push((name.clone(), role, RoleSource::Charter));
        }
    }
    for declared in &transcript.participants {
        if let Some(role) = declared.role.filter(|r| r.is_vendor()) {
            absent.push((declared.name.clone(), role, RoleSource::Transcript));
        }
    }
    let missing_vendor_role = {
        let present = |r: Role| participants.iter().any(|p| p.role == r);
        match (present(Role::Ae), present(Role::Se)) {
            (true, false) => Some(Role::Se),
            (false, true) => Some(Role::Ae),
            _ => None,
        }
    };
    if let Some(role) = missing_vendor_role {
        for turn in &transcript.turns {
            let speaker_is_vendor = participants
                .iter()
                .any(|p| p.name == turn.speaker && p.role.is_vendor());
            if !speaker_is_vendor {
                continue;
            }
            for caps in ABSENT.captures_iter(&turn.text) {
                if let Some(name) = (1..=7).find_map(|i| caps.name(&format!("name{i}"))) {
                    absent.push((name.as_str().to_string(), role, RoleSource::Introduction));
                }
            }
        }
    }
    for (name, role, source) in absent {
        if participants.iter().any(|p| same_person(&p.name, &name)) {
            continue;
        }
        participants.push(Participant {
            name,
            role,
            role_source: source,
            title: None,
            present: false,
            identified: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DeclaredParticipant, Turn};
    use crate::time::Ms;

    fn titles() -> TitleWords {
        TitleWords {
            ae: vec!["account executive".into()],
            se: vec!["solutions engineer".into()],
        }
    }

    fn transcript(lines: &[(&str, &str)]) -> Transcript {
        Transcript {
            turns: lines
                .iter()
                .enumerate()
                .map(|(i, (speaker, text))| Turn {
                    index: i,
                    speaker: speaker.to_string(),
                    start: Ms(i as u64 * 1000),
                    end: Ms(i as u64 * 1000 + 900),
                    text: text.to_string(),
                    doubt: None,
                })
                .collect(),
            ..Transcript::default()
        }
    }

    fn role(call: &Call, name: &str) -> (Role, RoleSource) {
        let p = call.participant(name).unwrap();
        (p.role, p.role_source)
    }

    #[test]
    fn self_introductions_settle_roles_and_others_default_to_prospect() {
        let t = transcript(&[
            (
                "Sam Patel",
                "Hi all, I'm Sam, the solutions engineer on the account.",
            ),
            ("Dana Ruiz", "And this is Dana, your account executive."),
            ("Chris Wong", "Great to meet you both."),
        ]);
        let call = resolve(&t, &Charter::default(), &[], &titles());
        assert_eq!(
            role(&call, "Sam Patel"),
            (Role::Se, RoleSource::Introduction)
        );
        assert_eq!(
            role(&call, "Dana Ruiz"),
            (Role::Ae, RoleSource::Introduction)
        );
        assert_eq!(
            role(&call, "Chris Wong"),
            (Role::Prospect, RoleSource::Default)
        );
    }

    #[test]
    fn unnamed_voices_take_the_names_they_introduce_and_enrolled_roles_count() {
        let mut t = transcript(&[
            (
                "Speaker 1",
                "Hi all, I'm Sam, the solutions engineer on the account.",
            ),
            ("Speaker 2", "Great to meet you."),
            ("Dana Ruiz", "Thanks, Sam."),
        ]);
        let unnamed = |name: &str, role: Option<Role>, by: NameSource| DeclaredParticipant {
            name: name.into(),
            role,
            title: None,
            identified: Some(by),
        };
        t.participants = vec![
            unnamed("Speaker 1", None, NameSource::Diarization),
            unnamed("Speaker 2", None, NameSource::Diarization),
            unnamed(
                "Dana Ruiz",
                Some(Role::Ae),
                NameSource::Voiceprint { similarity: 0.9 },
            ),
        ];
        let charter = Charter {
            se: vec!["Sam Patel".into()],
            ..Charter::default()
        };
        let call = resolve(&t, &charter, &[], &titles());
        // The charter's fuller spelling of the name said, and the charter's role.
        assert_eq!(role(&call, "Sam Patel"), (Role::Se, RoleSource::Charter));
        assert_eq!(
            call.participant("Sam Patel").unwrap().identified,
            Some(NameSource::Introduction)
        );
        assert_eq!(call.turns[0].speaker, "Sam Patel");
        assert_eq!(
            role(&call, "Speaker 2"),
            (Role::Prospect, RoleSource::Default)
        );
        assert_eq!(role(&call, "Dana Ruiz"), (Role::Ae, RoleSource::Voiceprint));
    }

    #[test]
    fn flags_beat_charter_beat_transcript() {
        let mut t = transcript(&[("Dana Ruiz", "Hello."), ("Sam Patel", "Hi.")]);
        t.participants = vec![
            DeclaredParticipant {
                name: "Dana Ruiz".into(),
                role: Some(Role::Prospect),
                title: None,
                identified: None,
            },
            DeclaredParticipant {
                name: "Sam Patel".into(),
                role: Some(Role::Prospect),
                title: None,
                identified: None,
            },
        ];
        let charter = Charter {
            ae: vec!["Dana".into()],
            se: vec!["Sam Patel".into()],
            ..Charter::default()
        };
        let flags = [RoleFlag {
            name: "Sam Patel".into(),
            role: Role::Ae,
        }];
        let call = resolve(&t, &charter, &flags, &titles());
        assert_eq!(role(&call, "Dana Ruiz"), (Role::Ae, RoleSource::Charter));
        assert_eq!(role(&call, "Sam Patel"), (Role::Ae, RoleSource::Flag));
        assert_eq!(
            call.warnings,
            ["--role \"Sam Patel=AE\" overrides the charter, which makes Sam Patel the SE"]
        );
    }

    #[test]
    fn a_flag_for_a_silent_name_is_a_warning() {
        let t = transcript(&[("Dana Ruiz", "Hello.")]);
        let flags = [RoleFlag {
            name: "Sam Patel".into(),
            role: Role::Se,
        }];
        let call = resolve(&t, &Charter::default(), &flags, &titles());
        assert_eq!(call.warnings.len(), 1);
        assert!(call.warnings[0].contains("names nobody who speaks; speakers are: Dana Ruiz"));
    }

    #[test]
    fn introduced_colleague_who_never_speaks_is_an_absent_vendor() {
        let t = transcript(&[(
            "Kevin Osei",
            "Today it's just me. Lena, our solutions engineer, is at a customer site.",
        )]);
        let flags = [RoleFlag {
            name: "Kevin Osei".into(),
            role: Role::Ae,
        }];
        let call = resolve(&t, &Charter::default(), &flags, &titles());
        let lena = call.participant("Lena").unwrap();
        assert_eq!((lena.role, lena.present), (Role::Se, false));
    }

    #[test]
    fn colleague_who_could_not_join_takes_the_missing_vendor_role() {
        let t = transcript(&[("Tom Herr", "Megan couldn't join today, so it's just me.")]);
        let flags = [RoleFlag {
            name: "Tom Herr".into(),
            role: Role::Se,
        }];
        let call = resolve(&t, &Charter::default(), &flags, &titles());
        assert_eq!(call.participant("Megan").map(|p| p.role), Some(Role::Ae));
    }

    #[test]
    fn colleague_introduced_across_sentences() {
        let t = transcript(&[
            (
                "Dana Ruiz",
                "So, I've got Sam Patel with me. He's our solutions engineer, and he can go deep.",
            ),
            ("Sam Patel", "Hi both."),
        ]);
        let call = resolve(&t, &Charter::default(), &[], &titles());
        assert_eq!(
            role(&call, "Sam Patel"),
            (Role::Se, RoleSource::Introduction)
        );
    }
}
