//! Reads WebVTT captions, the format Zoom and Microsoft Teams export, following the W3C WebVTT
//! file parsing algorithm so that any file a browser accepts gives the same cues here.
//!
//! [`parse_cues`] is the spec's parser (cue times, ids and raw text; settings, regions and style
//! sheets are read past and dropped). [`parse`] turns those cues into turns: speakers come from
//! `<v Name>` voice tags, else from `Name:` or `[Name]` line prefixes, else from the previous cue.

use super::{CueTurns, Span, TranscriptError, collapse_whitespace, spans_by_prefix};
use crate::model::Transcript;
use crate::time::Ms;
use std::fmt;

/// Which timestamps a cue timing line may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// Exactly the spec: `[hh:]mm:ss.ttt` with minutes and seconds of exactly two digits below
    /// 60 and exactly three fraction digits; the hours field may have any number of digits and is
    /// required when the first field is not two digits or is above 59 (`0:00:00.000` is valid).
    Strict,
    /// The spec, and also Microsoft Teams' short timestamps (`0:0:0.210`, `0:0:12.5`): minutes
    /// and seconds of one or two digits, one to three fraction digits.
    #[default]
    Lenient,
}

/// One cue as the spec's parser produces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cue {
    /// The cue identifier, or empty when the cue has none.
    pub id: String,
    pub start: Ms,
    /// May be before `start`: the spec keeps such cues, and [`parse`] skips them.
    pub end: Ms,
    /// The cue's payload as written: its lines joined with `\n`, tags and entities untouched.
    pub text: String,
    /// The 1-based line of the cue timing line.
    pub line: usize,
}

/// A block of the file that gave no cue, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The 1-based line the problem is on.
    pub line: usize,
    pub reason: SkipReason,
}

/// Why a part of the file gave no cue. Comment (`NOTE`), `STYLE` and `REGION` blocks and blank
/// blocks are expected and never reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// The file does not begin with the `WEBVTT` signature, so nothing in it was read.
    MissingSignature,
    /// A line with `-->` where a cue timing belongs is not a valid cue timing.
    BadTiming,
    /// A block of text with no cue timing line.
    NoTiming,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SkipReason::MissingSignature => "the file does not start with \"WEBVTT\"",
            SkipReason::BadTiming => "cue timing is not \"hh:mm:ss.mmm --> hh:mm:ss.mmm\"",
            SkipReason::NoTiming => "text with no cue timing line",
        })
    }
}

/// Parses WebVTT text with the W3C file parsing algorithm, returning the cues in file order and
/// the blocks that gave none. A leading byte order mark is ignored; NUL becomes U+FFFD; CR, LF
/// and CRLF all end lines.
pub fn parse_cues(text: &str, dialect: Dialect) -> (Vec<Cue>, Vec<Skipped>) {
    let input = text
        .strip_prefix('\u{feff}')
        .unwrap_or(text)
        .replace('\0', "\u{fffd}")
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    let mut parser = Parser {
        input: &input,
        pos: 0,
        line: 1,
        dialect,
        seen_cue: false,
        cues: Vec::new(),
        skipped: Vec::new(),
    };
    parser.run();
    (parser.cues, parser.skipped)
}

/// Reads WebVTT captions into a transcript: one turn per cue, or per voice span when a cue holds
/// several `<v>` speakers (each with the cue's times). Cues with bad timings, end before start,
/// or no text are skipped with a warning; a file with none left is an error.
pub fn parse(text: &str, name: &str) -> Result<Transcript, TranscriptError> {
    let (cues, skipped) = parse_cues(text, Dialect::Lenient);
    let mut turns = CueTurns::default();
    let mut first_bad_timing = None;
    for skip in &skipped {
        match skip.reason {
            SkipReason::MissingSignature => {
                return Err(TranscriptError::invalid(
                    name,
                    Some(skip.line),
                    skip.reason.to_string(),
                    "add a first line \"WEBVTT\", or give the file the extension of its real format",
                ));
            }
            SkipReason::BadTiming => {
                first_bad_timing.get_or_insert(skip.line);
                turns.warn(skip.line, format_args!("skipped cue: {}", skip.reason));
            }
            SkipReason::NoTiming => {
                turns.warn(skip.line, format_args!("skipped {}", skip.reason));
            }
        }
    }
    for cue in cues {
        turns.push_cue(cue.line, cue.start, cue.end, cue_spans(&cue.text));
    }
    if turns.is_empty() {
        return Err(match first_bad_timing {
            Some(line) => TranscriptError::invalid(
                name,
                Some(line),
                SkipReason::BadTiming.to_string(),
                "fix or delete the cue",
            ),
            None => TranscriptError::no_turns(name),
        });
    }
    Ok(turns.into_transcript())
}

/// The spec's parser state: the preprocessed input, a byte position in it, and the 1-based line
/// that position is on.
struct Parser<'a> {
    input: &'a str,
    pos: usize,
    line: usize,
    dialect: Dialect,
    seen_cue: bool,
    cues: Vec<Cue>,
    skipped: Vec<Skipped>,
}

impl<'a> Parser<'a> {
    fn run(&mut self) {
        let bytes = self.input.as_bytes();
        let signed = self.input.starts_with("WEBVTT")
            && bytes
                .get(6)
                .is_none_or(|b| matches!(b, b' ' | b'\t' | b'\n'));
        if !signed {
            self.skipped.push(Skipped {
                line: 1,
                reason: SkipReason::MissingSignature,
            });
            return;
        }
        self.collect_line();
        if self.past_end() {
            return;
        }
        self.advance_line();
        if self.past_end() {
            return;
        }
        if bytes[self.pos] == b'\n' {
            self.advance_line();
        } else {
            self.collect_block(true);
        }
        self.skip_newlines();
        while !self.past_end() {
            self.collect_block(false);
            self.skip_newlines();
        }
    }

    fn past_end(&self) -> bool {
        self.pos >= self.input.len()
    }

    /// Returns the text up to the next LF or the end, leaving the position on that LF.
    fn collect_line(&mut self) -> &'a str {
        let input: &'a str = self.input;
        let rest = &input[self.pos..];
        let len = rest.find('\n').unwrap_or(rest.len());
        self.pos += len;
        &rest[..len]
    }

    /// Steps over the LF at the position.
    fn advance_line(&mut self) {
        self.pos += 1;
        self.line += 1;
    }

    fn skip_newlines(&mut self) {
        while self.input.as_bytes().get(self.pos) == Some(&b'\n') {
            self.advance_line();
        }
    }

    /// The spec's "collect a WebVTT block": adds the cue it holds, if any, or notes why the block
    /// gave none.
    fn collect_block(&mut self, in_header: bool) {
        let block_line = self.line;
        let mut line_count = 0;
        let mut previous = (self.pos, self.line);
        let mut buffer = String::new();
        let mut first_line = None;
        let mut seen_arrow = false;
        let mut cue: Option<Cue> = None;
        let mut bad_timing_line = None;
        loop {
            let line_number = self.line;
            let line = self.collect_line();
            line_count += 1;
            first_line.get_or_insert(line);
            let seen_eof = self.past_end();
            if !seen_eof {
                self.advance_line();
            }
            if line.contains("-->") {
                if !in_header && (line_count == 1 || (line_count == 2 && !seen_arrow)) {
                    seen_arrow = true;
                    previous = (self.pos, self.line);
                    match parse_timings(line, self.dialect) {
                        Some((start, end)) => {
                            cue = Some(Cue {
                                id: std::mem::take(&mut buffer),
                                start,
                                end,
                                text: String::new(),
                                line: line_number,
                            });
                            self.seen_cue = true;
                        }
                        None => {
                            cue = None;
                            bad_timing_line = Some(line_number);
                        }
                    }
                } else {
                    (self.pos, self.line) = previous;
                    break;
                }
            } else if line.is_empty() {
                break;
            } else {
                if !in_header
                    && line_count == 2
                    && !self.seen_cue
                    && (is_keyword_line(&buffer, "STYLE") || is_keyword_line(&buffer, "REGION"))
                {
                    buffer.clear();
                }
                if !buffer.is_empty() {
                    buffer.push('\n');
                }
                buffer.push_str(line);
                previous = (self.pos, self.line);
            }
            if seen_eof {
                break;
            }
        }
        if let Some(mut cue) = cue {
            cue.text = buffer;
            self.cues.push(cue);
        } else if let Some(line) = bad_timing_line {
            self.skipped.push(Skipped {
                line,
                reason: SkipReason::BadTiming,
            });
        } else if !in_header && first_line.is_some_and(is_unreported_block_start) {
            self.skipped.push(Skipped {
                line: block_line,
                reason: SkipReason::NoTiming,
            });
        }
    }
}

/// Whether a block's first line starts text that should have been a cue: not blank, not a
/// comment, style sheet or region.
fn is_unreported_block_start(line: &str) -> bool {
    !(line.trim().is_empty()
        || is_keyword_line(line, "NOTE")
        || is_keyword_line(line, "STYLE")
        || is_keyword_line(line, "REGION"))
}

/// Whether `line` is `keyword` alone or followed by white space (then anything, for `NOTE`).
fn is_keyword_line(line: &str, keyword: &str) -> bool {
    match line.strip_prefix(keyword) {
        Some(rest) if keyword == "NOTE" => rest.is_empty() || rest.starts_with([' ', '\t', '\n']),
        Some(rest) => rest.chars().all(|c| c.is_ascii_whitespace()),
        None => false,
    }
}

/// The spec's white space between timing parts: space, tab, form feed, LF, CR (not vertical tab).
fn skip_spec_whitespace(s: &str) -> &str {
    s.trim_start_matches([' ', '\t', '\x0C', '\n', '\r'])
}

/// The start and end of a cue timing line; settings after the end time are ignored.
fn parse_timings(line: &str, dialect: Dialect) -> Option<(Ms, Ms)> {
    let (start, rest) = parse_timestamp(skip_spec_whitespace(line), dialect)?;
    let rest = skip_spec_whitespace(rest).strip_prefix("-->")?;
    let (end, _settings) = parse_timestamp(skip_spec_whitespace(rest), dialect)?;
    Some((start, end))
}

/// Splits off the leading ASCII digits of `s`.
fn split_digits(s: &str) -> (&str, &str) {
    let len = s.bytes().take_while(u8::is_ascii_digit).count();
    s.split_at(len)
}

/// The spec's "collect a WebVTT timestamp", with the Teams relaxations in [`Dialect::Lenient`].
/// Returns the time and the text after it.
fn parse_timestamp(s: &str, dialect: Dialect) -> Option<(Ms, &str)> {
    let strict = dialect == Dialect::Strict;
    let two_digits = |digits: &str| {
        if strict {
            digits.len() == 2
        } else {
            (1..=2).contains(&digits.len())
        }
    };
    let (first, rest) = split_digits(s);
    let first_value: u64 = first.parse().ok()?;
    let rest = rest.strip_prefix(':')?;
    let (second, rest) = split_digits(rest);
    if !two_digits(second) {
        return None;
    }
    let second_value: u64 = second.parse().ok()?;
    let hours_form = if strict {
        first.len() != 2 || first_value > 59
    } else {
        first.len() > 2 || first_value > 59 || rest.starts_with(':')
    };
    let (hours, minutes, seconds, rest) = if hours_form || rest.starts_with(':') {
        let rest = rest.strip_prefix(':')?;
        let (third, rest) = split_digits(rest);
        if !two_digits(third) {
            return None;
        }
        (first_value, second_value, third.parse().ok()?, rest)
    } else {
        (0, first_value, second_value, rest)
    };
    let rest = rest.strip_prefix('.')?;
    let (fraction, rest) = split_digits(rest);
    let fraction_ok = if strict {
        fraction.len() == 3
    } else {
        (1..=3).contains(&fraction.len())
    };
    if !fraction_ok || minutes > 59 || seconds > 59 {
        return None;
    }
    let millis = fraction.parse::<u64>().ok()? * 10u64.pow(3 - fraction.len() as u32);
    let total = hours
        .checked_mul(3_600_000)?
        .checked_add(minutes * 60_000 + seconds * 1000 + millis)?;
    Some((Ms(total), rest))
}

/// Splits a cue's raw text into speaker spans: each `<v>` voice tag starts a span for its
/// speaker; text outside voice spans is split by `Name:` / `[Name]` line prefixes. All other
/// tags are dropped (with `<rt>` ruby readings, which repeat the base text), and character
/// references decoded.
fn cue_spans(raw: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut voice: Option<String> = None;
    let mut current = String::new();
    let mut in_ruby_text = false;
    let mut rest = raw;
    while !rest.is_empty() {
        if let Some(after_lt) = rest.strip_prefix('<') {
            let tag_end = after_lt.find('>').unwrap_or(after_lt.len());
            let tag = &after_lt[..tag_end];
            rest = after_lt.get(tag_end + 1..).unwrap_or("");
            if let Some(end_tag) = tag.strip_prefix('/') {
                match tag_name(end_tag) {
                    "v" => {
                        close_span(voice.take(), &mut current, &mut spans);
                    }
                    "rt" => in_ruby_text = false,
                    _ => {}
                }
            } else {
                match tag_name(tag) {
                    "v" => {
                        close_span(voice.take(), &mut current, &mut spans);
                        let annotation = tag
                            .find(|c: char| c.is_ascii_whitespace())
                            .map_or("", |at| &tag[at..]);
                        let speaker = collapse_whitespace(&decode_references(annotation));
                        voice = (!speaker.is_empty()).then_some(speaker);
                    }
                    "rt" => in_ruby_text = true,
                    _ => {}
                }
            }
        } else {
            let len = rest.find('<').unwrap_or(rest.len());
            if !in_ruby_text {
                current.push_str(&decode_references(&rest[..len]));
            }
            rest = &rest[len..];
        }
    }
    close_span(voice, &mut current, &mut spans);
    spans
}

/// Ends the text gathered so far: one span for a voice, or spans by line prefix without one.
fn close_span(voice: Option<String>, text: &mut String, spans: &mut Vec<Span>) {
    let text = std::mem::take(text);
    match voice {
        Some(speaker) => spans.push(Span {
            speaker: Some(speaker),
            text,
        }),
        None => spans.extend(spans_by_prefix(&text, true)),
    }
}

/// A tag's name: what comes before its classes (`.loud`) or annotation.
fn tag_name(tag: &str) -> &str {
    let end = tag
        .find(|c: char| c == '.' || c.is_ascii_whitespace())
        .unwrap_or(tag.len());
    &tag[..end]
}

/// The longest character reference looked for, `&` and `;` included (`&#x10FFFF;`).
const MAX_REFERENCE_LEN: usize = 10;

/// Decodes the character references captions use: `&amp;` `&lt;` `&gt;` `&quot;` `&apos;`
/// `&nbsp;`, numeric ones, and the direction marks `&lrm;` `&rlm;`, which are dropped as they
/// carry no words. Anything else is left as written.
fn decode_references(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let semicolon = rest.bytes().take(MAX_REFERENCE_LEN).position(|b| b == b';');
        let decoded = semicolon.and_then(|semi| {
            let replacement = match &rest[1..semi] {
                "amp" => Some("&".to_string()),
                "lt" => Some("<".to_string()),
                "gt" => Some(">".to_string()),
                "quot" => Some("\"".to_string()),
                "apos" => Some("'".to_string()),
                "nbsp" => Some("\u{a0}".to_string()),
                "lrm" | "rlm" => Some(String::new()),
                name => numeric_reference(name).map(String::from),
            };
            replacement.map(|text| (text, semi + 1))
        });
        match decoded {
            Some((replacement, len)) => {
                out.push_str(&replacement);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character of `#65` or `#x41`.
fn numeric_reference(name: &str) -> Option<char> {
    let number = name.strip_prefix('#')?;
    let value = match number.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => number.parse().ok()?,
    };
    char::from_u32(value).filter(|c| *c != '\0')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Timing;

    fn strict(text: &str) -> (Vec<Cue>, Vec<Skipped>) {
        parse_cues(text, Dialect::Strict)
    }

    fn turns_of(text: &str) -> Vec<(String, u64, u64, String)> {
        parse(text, "call.vtt")
            .unwrap()
            .turns
            .into_iter()
            .map(|t| (t.speaker, t.start.0, t.end.0, t.text))
            .collect()
    }

    fn turn(speaker: &str, start: u64, end: u64, text: &str) -> (String, u64, u64, String) {
        (speaker.into(), start, end, text.into())
    }

    #[test]
    fn reads_ids_times_and_raw_text() {
        let (cues, skipped) = strict(
            "WEBVTT - call\n\nintro\n00:00:01.500 --> 00:01:02.250 align:start\n<v Dana>Hi\nthere</v>\n\n01:00:00.000 --> 01:00:01.000\nbye",
        );
        assert!(skipped.is_empty());
        assert_eq!(
            cues,
            vec![
                Cue {
                    id: "intro".into(),
                    start: Ms(1500),
                    end: Ms(62_250),
                    text: "<v Dana>Hi\nthere</v>".into(),
                    line: 4,
                },
                Cue {
                    id: String::new(),
                    start: Ms(3_600_000),
                    end: Ms(3_601_000),
                    text: "bye".into(),
                    line: 8,
                },
            ]
        );
    }

    #[test]
    fn signature_must_be_followed_by_space_tab_or_line_end() {
        for ok in [
            "WEBVTT",
            "WEBVTT\n",
            "WEBVTT \n",
            "WEBVTT\tx\n",
            "\u{feff}WEBVTT\n",
        ] {
            assert!(strict(ok).1.is_empty(), "{ok:?}");
        }
        for bad in [
            "WEBVTTX\n",
            "webvtt\n",
            "WEB",
            "1\n00:00:01,000 --> 00:00:02,000\n",
        ] {
            assert_eq!(
                strict(bad).1,
                vec![Skipped {
                    line: 1,
                    reason: SkipReason::MissingSignature
                }],
                "{bad:?}"
            );
        }
    }

    #[test]
    fn cr_lf_and_crlf_all_end_lines() {
        let (cues, _) = strict(
            "WEBVTT\r\rcr\r00:00.000 --> 00:01.000\rtext0\n\nlf\n00:00.000 --> 00:01.000\ntext1\r\n\r\ncrlf\r\n00:00.000 --> 00:01.000\r\ntext2",
        );
        let got: Vec<_> = cues
            .iter()
            .map(|c| (c.id.as_str(), c.text.as_str(), c.line))
            .collect();
        assert_eq!(
            got,
            [
                ("cr", "text0", 4),
                ("lf", "text1", 8),
                ("crlf", "text2", 12)
            ]
        );
    }

    #[test]
    fn nul_becomes_replacement_character() {
        let (cues, _) = strict("WEBVTT\n\n\0 id\n00:00.000 --> 00:01.000\na\0b");
        assert_eq!(cues[0].id, "\u{fffd} id");
        assert_eq!(cues[0].text, "a\u{fffd}b");
    }

    #[test]
    fn header_ends_at_a_timing_line_or_blank_line() {
        let (cues, skipped) = strict("WEBVTT\nKind: captions\n00:00.000 --> 00:01.000\ntext");
        assert_eq!(cues.len(), 1);
        assert!(skipped.is_empty());
    }

    #[test]
    fn comments_styles_and_regions_are_skipped_silently() {
        let (cues, skipped) = strict(
            "WEBVTT\n\nNOTE recorded with consent\nby Dana\n\nSTYLE\n::cue { color: red }\n\nREGION\nid:r1\n\n00:00.000 --> 00:01.000 region:r1\nhello",
        );
        assert_eq!(cues.len(), 1);
        assert_eq!(cues[0].text, "hello");
        assert!(skipped.is_empty());
    }

    #[test]
    fn bad_timings_and_orphan_text_are_reported_by_line() {
        let (cues, skipped) = strict(
            "WEBVTT\n\n00:00:00.000 --> 00:00:1d.890\nbad\n\nstray words\n\n00:00:02.000 --> 00:00:03.000\ngood",
        );
        assert_eq!(cues.len(), 1);
        assert_eq!(
            skipped,
            vec![
                Skipped {
                    line: 3,
                    reason: SkipReason::BadTiming
                },
                Skipped {
                    line: 6,
                    reason: SkipReason::NoTiming
                },
            ]
        );
    }

    #[test]
    fn a_second_timing_line_ends_the_cue() {
        let (cues, _) =
            strict("WEBVTT\n\n00:00:07.000 --> 00:00:10.890\n00:00:07.000 --> 00:00:10.890\ntext");
        let texts: Vec<_> = cues.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["", "text"]);
    }

    #[test]
    fn strict_timestamps_follow_the_spec_digit_rules() {
        let valid = [
            ("00:00.000", 0),
            ("0:00:00.000", 0),
            ("000:00:00.000", 0),
            ("60:00:00.000", 216_000_000),
            ("01:02:03.004", 3_723_004),
            ("59:59.999", 3_599_999),
        ];
        for (stamp, ms) in valid {
            assert_eq!(
                parse_timestamp(stamp, Dialect::Strict).map(|(t, _)| t),
                Some(Ms(ms)),
                "{stamp}"
            );
        }
        for stamp in [
            "00:60.000",
            "00:00:60.000",
            "00:0:00.000",
            "00:00:00.00",
            "00:00:00.0000",
            "0000:00.000",
            "00:00",
            "x00:00.000",
            "0:0:0.210",
            "00:00,000",
        ] {
            assert_eq!(
                parse_timings(&format!("{stamp} --> 00:01.000"), Dialect::Strict),
                None,
                "{stamp}"
            );
        }
    }

    #[test]
    fn lenient_timestamps_accept_teams_short_forms() {
        for (stamp, ms) in [
            ("0:0:0.210", 210),
            ("0:0:12.5", 12_500),
            ("1:2:3.45", 3_723_450),
            ("0:05.000", 5000),
        ] {
            assert_eq!(
                parse_timestamp(stamp, Dialect::Lenient).map(|(t, _)| t),
                Some(Ms(ms)),
                "{stamp}"
            );
        }
        for stamp in ["0:0:0", "0:0:0.1234", "0:0:60.000", "0:0:012.000"] {
            assert_eq!(parse_timestamp(stamp, Dialect::Lenient), None, "{stamp}");
        }
    }

    #[test]
    fn timing_whitespace_excludes_vertical_tab() {
        assert!(parse_timings("\t00:00.000\x0C-->  00:01.000 line:0", Dialect::Strict).is_some());
        assert!(parse_timings("\x0B00:00.000 --> 00:01.000", Dialect::Strict).is_none());
    }

    #[test]
    fn teams_voice_tags_with_short_timestamps() {
        let text = "WEBVTT\n\n0:0:0.0 --> 0:0:0.570\n<v Yuri Bakulin>There you go.</v>\n\n0:0:0.210 --> 0:0:1.130\n<v Adrian Petrescu>Why hello there, Yuri.</v>\n";
        assert_eq!(
            turns_of(text),
            [
                turn("Yuri Bakulin", 0, 570, "There you go."),
                turn("Adrian Petrescu", 210, 1130, "Why hello there, Yuri."),
            ]
        );
    }

    #[test]
    fn voice_tags_with_classes_and_several_voices_in_one_cue() {
        let text = "WEBVTT\n\n00:01.000 --> 00:04.000\n<v.loud.ae Dana Ruiz>Can everyone see my screen?</v><v Marisol Vega>Yes.\n</v><v   Ben   Adler >Yep</v>";
        let transcript = parse(text, "call.vtt").unwrap();
        assert_eq!(
            super::super::turn_tuples(&transcript),
            [
                super::super::turn(0, "Dana Ruiz", 1000, 4000, "Can everyone see my screen?"),
                super::super::turn(1, "Marisol Vega", 1000, 4000, "Yes."),
                super::super::turn(2, "Ben Adler", 1000, 4000, "Yep"),
            ]
        );
        assert_eq!(transcript.participants.len(), 3);
        assert_eq!(transcript.timing, Timing::Recorded);
    }

    #[test]
    fn unclosed_voice_tag_runs_to_the_next_one() {
        let text = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Dana>Hi <v Sam>Hello";
        assert_eq!(
            turns_of(text),
            [
                turn("Dana", 1000, 2000, "Hi"),
                turn("Sam", 1000, 2000, "Hello")
            ]
        );
    }

    #[test]
    fn zoom_prefixes_and_inherited_speakers() {
        let text = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.000\nDana Ruiz: Thanks for joining,\neveryone.\n\n2\n00:00:03.000 --> 00:00:05.000\nwe have thirty minutes.\n\n3\n00:00:05.000 --> 00:00:07.000\nNote: this call is recorded.\n\n4\n00:00:07.000 --> 00:00:09.000\nMarisol Vega: Works for us.";
        assert_eq!(
            turns_of(text),
            [
                turn("Dana Ruiz", 1000, 3000, "Thanks for joining, everyone."),
                turn("Dana Ruiz", 3000, 5000, "we have thirty minutes."),
                turn("Dana Ruiz", 5000, 7000, "Note: this call is recorded."),
                turn("Marisol Vega", 7000, 9000, "Works for us."),
            ]
        );
    }

    #[test]
    fn a_speaker_change_inside_a_cue_splits_it() {
        let text = "WEBVTT\n\n00:01.000 --> 00:02.000\nSam Patel: Ready?\nBen Adler: Go ahead.";
        assert_eq!(
            turns_of(text),
            [
                turn("Sam Patel", 1000, 2000, "Ready?"),
                turn("Ben Adler", 1000, 2000, "Go ahead.")
            ]
        );
    }

    #[test]
    fn tags_are_stripped_and_references_decoded() {
        let text = "WEBVTT\n\n00:01.000 --> 00:02.000\n<c.yellow>Sam:</c> <i>R&amp;D</i> &lt;3 <b>SSO</b>&nbsp;<u>now</u>&lrm; <00:01.500><lang en>ok</lang> <ruby>漢<rt>kan</rt></ruby> &bogus; &#65;&#x42;";
        assert_eq!(
            turns_of(text),
            [turn("Sam", 1000, 2000, "R&D <3 SSO now ok 漢 &bogus; AB")]
        );
    }

    #[test]
    fn unlabelled_captions_go_to_unknown_speaker_with_a_warning() {
        let transcript = parse("WEBVTT\n\n00:01.000 --> 00:02.000\nhello", "call.vtt").unwrap();
        assert_eq!(transcript.turns[0].speaker, "Unknown speaker");
        assert_eq!(transcript.warnings.len(), 1);
        assert!(transcript.warnings[0].starts_with("line 3: cue has no speaker name"));
    }

    #[test]
    fn bad_cues_become_warnings_when_others_are_fine() {
        let text = "WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nDana: backwards\n\n00:00:0x.000 --> 00:00:09.000\nDana: garbled\n\nSam: orphan\n\n00:00:10.000 --> 00:00:11.000\n\n00:00:12.000 --> 00:00:13.000\nSam: fine";
        let transcript = parse(text, "call.vtt").unwrap();
        assert_eq!(transcript.turns.len(), 1);
        assert_eq!(transcript.turns[0].index, 0);
        assert_eq!(
            transcript.warnings,
            [
                "line 3: skipped cue: end time 00:00:01.000 is before start 00:00:05.000",
                "line 6: skipped cue: cue timing is not \"hh:mm:ss.mmm --> hh:mm:ss.mmm\"",
                "line 9: skipped text with no cue timing line",
                "line 11: skipped cue: it has no text",
            ]
        );
    }

    #[test]
    fn only_bad_timings_is_an_error_naming_the_line() {
        let err = parse(
            "WEBVTT\n\n00:00:01.000 -> 00:00:02.000\nx\n\n00:00:01 --> 00:00:02\ny",
            "call.vtt",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "call.vtt: line 6: cue timing is not \"hh:mm:ss.mmm --> hh:mm:ss.mmm\"; fix or delete the cue"
        );
    }

    #[test]
    fn missing_signature_is_an_error() {
        let err = parse("00:00:01.000 --> 00:00:02.000\nhi", "call.vtt").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("call.vtt: line 1: the file does not start with \"WEBVTT\"; add"),
            "{err}"
        );
    }

    #[test]
    fn no_cues_is_no_turns() {
        let err = parse("WEBVTT\n\nNOTE nothing yet\n", "empty.vtt").unwrap_err();
        assert_eq!(
            err.to_string(),
            "empty.vtt: no turns found; is this a transcript?"
        );
    }
}
