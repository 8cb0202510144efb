//! Small text tools the detectors share: sentence splitting, word counts, spoken numbers and
//! the fuzzy phrase match used for rescue-phrase paraphrases.

use std::ops::Range;

/// Words that end in a period without ending a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "vs", "etc", "e.g", "i.e", "approx", "inc", "ltd", "co", "no",
    "jr", "sr", "prof", "dept", "est", "u.s", "a.m", "p.m",
];

/// Splits text into sentences, returning byte ranges into `text` with surrounding white space
/// trimmed. A sentence ends at `.`, `!` or `?` (possibly repeated, possibly followed by closing
/// quotes or brackets) followed by white space, except after common abbreviations and initials.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if matches!(b, b'.' | b'!' | b'?') {
            let mut end = i + 1;
            while end < bytes.len()
                && matches!(bytes[end], b'.' | b'!' | b'?' | b'"' | b')' | b'\'')
            {
                end += 1;
            }
            let at_break = end >= bytes.len() || bytes[end].is_ascii_whitespace();
            if at_break && !(b == b'.' && ends_with_abbreviation(&text[start..i])) {
                push_trimmed(text, start..end, &mut out);
                start = end;
            }
            i = end;
        } else {
            i += 1;
        }
    }
    push_trimmed(text, start..text.len(), &mut out);
    out
}

fn push_trimmed(text: &str, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let slice = &text[range.clone()];
    let lead = slice.len() - slice.trim_start().len();
    let trail = slice.len() - slice.trim_end().len();
    if lead + trail < slice.len() {
        out.push(range.start + lead..range.end - trail);
    }
}

fn ends_with_abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("");
    let lower = word.to_ascii_lowercase();
    let single_initial = word.len() == 1 && word.chars().all(|c| c.is_ascii_uppercase());
    single_initial || ABBREVIATIONS.contains(&lower.as_str())
}

/// The text with its first letter in upper case.
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

/// Number of white-space separated words.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// Whether a character can be part of a word (for term boundaries).
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Replaces typographic quotes and dashes with their ASCII forms, so that lexicon patterns need
/// only one spelling of "don't" or "add-on".
pub fn fold_punctuation(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{02BC}' => '\'',
            '\u{201C}' | '\u{201D}' => '"',
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' => '-',
            '\u{00A0}' => ' ',
            other => other,
        })
        .collect()
}

/// Writes `text` in ASCII for matching: typographic punctuation folded, currency signs spelled
/// as codes (`€` becomes ` EUR `), accented letters stripped of their accents (`Tomás`
/// becomes `Tomas`), anything else transliterated or dropped. Matching ASCII keeps the regex
/// engine on its fast path for whole calls.
pub fn fold_ascii(text: &str, out: &mut String) {
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        match c {
            '€' => out.push_str(" EUR "),
            '£' => out.push_str(" GBP "),
            '¥' => out.push_str(" JPY "),
            '₹' => out.push_str(" INR "),
            '\u{2018}' | '\u{2019}' | '\u{02BC}' => out.push('\''),
            '\u{201C}' | '\u{201D}' => out.push('"'),
            '\u{2010}'..='\u{2015}' => out.push('-'),
            other => match deunicode::deunicode_char(other) {
                Some(ascii) if ascii.is_ascii() => out.push_str(ascii),
                _ => out.push(' '),
            },
        }
    }
}

/// Reads a number written in digits or spoken words: "4", "1,500", "forty-five",
/// "a hundred and fifty", "two and a half", "a couple of", "a few", "a dozen".
pub fn parse_number(text: &str) -> Option<f64> {
    let cleaned = text.trim().to_ascii_lowercase().replace(',', "");
    if let Ok(n) = cleaned.parse::<f64>() {
        return Some(n);
    }
    let mut total: f64 = 0.0;
    let mut current: f64 = 0.0;
    let mut seen = false;
    for word in cleaned.split(|c: char| c.is_whitespace() || c == '-') {
        let value = match word {
            "" | "and" | "of" | "a" | "an" => continue,
            "one" => 1.0,
            "couple" => 2.0,
            "few" => 3.0,
            "half" => {
                current += 0.5;
                seen = true;
                continue;
            }
            "dozen" => {
                current = current.max(1.0) * 12.0;
                seen = true;
                continue;
            }
            "hundred" => {
                current = current.max(1.0) * 100.0;
                seen = true;
                continue;
            }
            "thousand" | "million" => {
                let scale = if word == "thousand" { 1e3 } else { 1e6 };
                total += current.max(1.0) * scale;
                current = 0.0;
                seen = true;
                continue;
            }
            w => match small_number(w) {
                Some(v) => v,
                None => w.parse::<f64>().ok()?,
            },
        };
        current += value;
        seen = true;
    }
    seen.then_some(total + current)
}

fn small_number(word: &str) -> Option<f64> {
    const UNITS: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 8] = [
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    if let Some(i) = UNITS.iter().position(|u| *u == word) {
        return Some(i as f64);
    }
    TENS.iter()
        .position(|t| *t == word)
        .map(|i| (i as f64 + 2.0) * 10.0)
}

/// Word stems for fuzzy phrase matching: lower case, letters only, common suffixes removed and
/// a few synonyms merged (so "taking a step back" ~ "let's take a step back").
pub fn stems(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .map(|w| w.trim_matches('\'').to_lowercase())
        .filter(|w| !w.is_empty() && !STOPWORDS.contains(&w.as_str()))
        .map(|w| stem(&w))
        .collect()
}

const STOPWORDS: &[&str] = &[
    "a", "an", "the", "for", "of", "to", "and", "let", "let's", "lets", "us", "we", "i", "me",
    "just", "so", "here", "there", "it", "this", "that", "on", "in", "at", "be", "is", "are",
];

fn stem(word: &str) -> String {
    let word = word.trim_matches('\'');
    let merged = match word {
        "took" | "taken" | "taking" | "takes" => "take",
        "moment" | "minute" | "sec" | "bit" => "second",
        "stepping" | "steps" => "step",
        "zooming" | "zoomed" => "zoom",
        other => other,
    };
    let mut s = merged.to_string();
    for suffix in ["ually", "ally", "ing", "ed", "ly", "al", "es", "s"] {
        if s.len() > suffix.len() + 3 && s.ends_with(suffix) {
            s.truncate(s.len() - suffix.len());
            break;
        }
    }
    s
}

/// Whether `sentence` contains `phrase` or a close paraphrase: at least three quarters of the
/// phrase's content words (by stem, in order) inside a window not much longer than the phrase.
pub fn contains_paraphrase(sentence: &str, phrase: &str) -> bool {
    let want = stems(phrase);
    if want.is_empty() {
        return false;
    }
    let have = stems(sentence);
    let needed = (want.len() * 3).div_ceil(4).max(want.len().min(2));
    let window = want.len() + 3;
    (0..have.len()).any(|start| {
        let mut matched = 0;
        let mut next = 0;
        for token in have.iter().skip(start).take(window) {
            if let Some(offset) = want[next..].iter().position(|w| w == token) {
                matched += 1;
                next += offset + 1;
                if next == want.len() {
                    break;
                }
            }
        }
        matched >= needed
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        sentences(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn splits_on_terminal_punctuation_only_before_space() {
        assert_eq!(
            split("Good question. I'll let Dana speak to it! Okay? Version 1.8 works"),
            vec![
                "Good question.",
                "I'll let Dana speak to it!",
                "Okay?",
                "Version 1.8 works"
            ]
        );
    }

    #[test]
    fn keeps_abbreviations_and_initials_inside_sentences() {
        assert_eq!(
            split("Dr. Lee and J. Smith joined at 10 a.m. today. Then we left."),
            vec![
                "Dr. Lee and J. Smith joined at 10 a.m. today.",
                "Then we left."
            ]
        );
    }

    #[test]
    fn cut_off_turns_keep_their_last_fragment() {
        assert_eq!(split("Greg, maybe I can"), vec!["Greg, maybe I can"]);
        assert!(split("   ").is_empty());
    }

    #[test]
    fn reads_spoken_and_written_numbers() {
        assert_eq!(parse_number("four"), Some(4.0));
        assert_eq!(parse_number("forty-five"), Some(45.0));
        assert_eq!(parse_number("a hundred and fifty"), Some(150.0));
        assert_eq!(
            parse_number("two hundred and fifty thousand"),
            Some(250_000.0)
        );
        assert_eq!(parse_number("1,500"), Some(1500.0));
        assert_eq!(parse_number("a couple of"), Some(2.0));
        assert_eq!(parse_number("two and a half"), Some(2.5));
        assert_eq!(parse_number("several"), None);
    }

    #[test]
    fn paraphrase_match_tolerates_inflection_and_filler() {
        let phrase = "Taking a step back conceptually";
        assert!(contains_paraphrase(
            "Taking a step back conceptually, Marisol, the key point",
            phrase
        ));
        assert!(contains_paraphrase(
            "Let's take a step back, conceptually speaking.",
            phrase
        ));
        assert!(contains_paraphrase(
            "Stepping back conceptually for a second.",
            phrase
        ));
        assert!(!contains_paraphrase(
            "We took the back road to the office.",
            phrase
        ));
        assert!(contains_paraphrase(
            "Let's zoom out for a moment.",
            "Let's zoom out for a second"
        ));
        assert!(!contains_paraphrase(
            "Can you zoom in on that graph?",
            "Let's zoom out for a second"
        ));
    }

    #[test]
    fn folds_to_ascii_for_matching() {
        let mut out = String::new();
        fold_ascii("Tomás quoted €40k \u{2014} Raúl\u{2019}s", &mut out);
        assert_eq!(out, "Tomas quoted  EUR 40k - Raul's");
    }

    #[test]
    fn folds_typographic_punctuation() {
        assert_eq!(
            fold_punctuation("Dana\u{2019}s add\u{2011}on"),
            "Dana's add-on"
        );
    }
}
