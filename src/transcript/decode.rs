//! Turns a transcript file's bytes into text: caption tools write UTF-8 with or without a byte
//! order mark, and Windows tools write UTF-16 or UTF-32, so the readers never see raw bytes.

use std::borrow::Cow;
use std::fmt;

/// Why a file's bytes are not text in an encoding the readers accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// No byte order mark, and the bytes are not UTF-8.
    #[error("not UTF-8 or UTF-16 text (invalid byte at offset {offset})")]
    InvalidUtf8 {
        /// Offset of the first bad byte from the start of the file.
        offset: usize,
    },
    /// A UTF-16 or UTF-32 file whose length is not a whole number of code units.
    #[error("not {encoding} text ({len} bytes is not a whole number of {unit}-byte units)")]
    TruncatedUnits {
        encoding: WideEncoding,
        len: usize,
        unit: usize,
    },
    /// A UTF-16 unpaired surrogate or a UTF-32 value that is no character.
    #[error("not {encoding} text (invalid character at offset {offset})")]
    InvalidUnit {
        encoding: WideEncoding,
        /// Offset of the bad code unit from the start of the file.
        offset: usize,
    },
}

/// The encodings announced by a byte order mark other than UTF-8's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WideEncoding {
    Utf16Le,
    Utf16Be,
    Utf32Le,
    Utf32Be,
}

impl WideEncoding {
    fn unit_len(self) -> usize {
        match self {
            WideEncoding::Utf16Le | WideEncoding::Utf16Be => 2,
            WideEncoding::Utf32Le | WideEncoding::Utf32Be => 4,
        }
    }
}

impl fmt::Display for WideEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WideEncoding::Utf16Le => "UTF-16LE",
            WideEncoding::Utf16Be => "UTF-16BE",
            WideEncoding::Utf32Le => "UTF-32LE",
            WideEncoding::Utf32Be => "UTF-32BE",
        })
    }
}

const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

/// Decodes a transcript file: UTF-32 or UTF-16 (either byte order) when a byte order mark says
/// so, otherwise UTF-8 with its byte order mark, if any, removed. Line ends are left as they are.
pub fn decode(bytes: &[u8]) -> Result<String, DecodeError> {
    // UTF-32LE's mark begins with UTF-16LE's, so it is checked first.
    let wide = [
        (&[0xFF, 0xFE, 0x00, 0x00][..], WideEncoding::Utf32Le),
        (&[0x00, 0x00, 0xFE, 0xFF][..], WideEncoding::Utf32Be),
        (&[0xFF, 0xFE][..], WideEncoding::Utf16Le),
        (&[0xFE, 0xFF][..], WideEncoding::Utf16Be),
    ];
    for (bom, encoding) in wide {
        if let Some(body) = bytes.strip_prefix(bom) {
            return decode_wide(body, bom.len(), encoding);
        }
    }
    let (body, skipped) = match bytes.strip_prefix(UTF8_BOM) {
        Some(body) => (body, UTF8_BOM.len()),
        None => (bytes, 0),
    };
    match std::str::from_utf8(body) {
        Ok(text) => Ok(text.to_string()),
        Err(err) => Err(DecodeError::InvalidUtf8 {
            offset: skipped + err.valid_up_to(),
        }),
    }
}

/// Decodes the body of a UTF-16 or UTF-32 file; `skipped` is the length of its byte order mark,
/// so that offsets in errors count from the start of the file.
fn decode_wide(body: &[u8], skipped: usize, encoding: WideEncoding) -> Result<String, DecodeError> {
    let unit = encoding.unit_len();
    if !body.len().is_multiple_of(unit) {
        return Err(DecodeError::TruncatedUnits {
            encoding,
            len: body.len() + skipped,
            unit,
        });
    }
    let invalid_at = |index: usize| DecodeError::InvalidUnit {
        encoding,
        offset: skipped + index * unit,
    };
    match encoding {
        WideEncoding::Utf16Le | WideEncoding::Utf16Be => {
            let units = body.chunks_exact(2).map(|pair| {
                let pair = [pair[0], pair[1]];
                if encoding == WideEncoding::Utf16Le {
                    u16::from_le_bytes(pair)
                } else {
                    u16::from_be_bytes(pair)
                }
            });
            let mut text = String::with_capacity(body.len() / 2);
            let mut index = 0;
            for decoded in char::decode_utf16(units) {
                match decoded {
                    Ok(c) => {
                        text.push(c);
                        index += c.len_utf16();
                    }
                    Err(_) => return Err(invalid_at(index)),
                }
            }
            Ok(text)
        }
        WideEncoding::Utf32Le | WideEncoding::Utf32Be => body
            .chunks_exact(4)
            .enumerate()
            .map(|(index, quad)| {
                let quad = [quad[0], quad[1], quad[2], quad[3]];
                let value = if encoding == WideEncoding::Utf32Le {
                    u32::from_le_bytes(quad)
                } else {
                    u32::from_be_bytes(quad)
                };
                char::from_u32(value).ok_or_else(|| invalid_at(index))
            })
            .collect(),
    }
}

/// Rewrites CRLF and lone CR line ends as LF, borrowing when there is nothing to change.
pub fn normalize_newlines(text: &str) -> Cow<'_, str> {
    if !text.contains('\r') {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
        let mut bytes = if little_endian {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for unit in text.encode_utf16() {
            if little_endian {
                bytes.extend(unit.to_le_bytes());
            } else {
                bytes.extend(unit.to_be_bytes());
            }
        }
        bytes
    }

    fn utf32(text: &str, little_endian: bool) -> Vec<u8> {
        let mut bytes = if little_endian {
            vec![0xFF, 0xFE, 0x00, 0x00]
        } else {
            vec![0x00, 0x00, 0xFE, 0xFF]
        };
        for c in text.chars() {
            if little_endian {
                bytes.extend((c as u32).to_le_bytes());
            } else {
                bytes.extend((c as u32).to_be_bytes());
            }
        }
        bytes
    }

    const SAMPLE: &str = "Dana Ruiz: Grüß dich 👋\r\nSam Patel: hi";

    #[test]
    fn plain_utf8_passes_through() {
        assert_eq!(decode(SAMPLE.as_bytes()).unwrap(), SAMPLE);
    }

    #[test]
    fn utf8_bom_is_stripped() {
        let mut bytes = UTF8_BOM.to_vec();
        bytes.extend(SAMPLE.as_bytes());
        assert_eq!(decode(&bytes).unwrap(), SAMPLE);
    }

    #[test]
    fn utf16_both_byte_orders_decode() {
        assert_eq!(decode(&utf16(SAMPLE, true)).unwrap(), SAMPLE);
        assert_eq!(decode(&utf16(SAMPLE, false)).unwrap(), SAMPLE);
    }

    #[test]
    fn utf32_both_byte_orders_decode() {
        assert_eq!(decode(&utf32(SAMPLE, true)).unwrap(), SAMPLE);
        assert_eq!(decode(&utf32(SAMPLE, false)).unwrap(), SAMPLE);
    }

    #[test]
    fn odd_length_utf16_is_an_error() {
        let mut bytes = utf16("hi", true);
        bytes.push(b'x');
        assert_eq!(
            decode(&bytes).unwrap_err().to_string(),
            "not UTF-16LE text (7 bytes is not a whole number of 2-byte units)"
        );
    }

    #[test]
    fn unpaired_surrogate_names_its_offset() {
        let mut bytes = utf16("ab", true);
        bytes.extend(0xD800u16.to_le_bytes());
        bytes.extend(u16::from(b'c').to_le_bytes());
        assert_eq!(
            decode(&bytes).unwrap_err(),
            DecodeError::InvalidUnit {
                encoding: WideEncoding::Utf16Le,
                offset: 6
            }
        );
    }

    #[test]
    fn invalid_utf32_value_names_its_offset() {
        let mut bytes = utf32("a", false);
        bytes.extend(0x0011_0000u32.to_be_bytes());
        assert_eq!(
            decode(&bytes).unwrap_err(),
            DecodeError::InvalidUnit {
                encoding: WideEncoding::Utf32Be,
                offset: 8
            }
        );
    }

    #[test]
    fn invalid_utf8_names_the_byte_offset() {
        let mut bytes = b"hello ".to_vec();
        bytes.push(0xFF);
        let err = decode(&bytes).unwrap_err();
        assert_eq!(err, DecodeError::InvalidUtf8 { offset: 6 });
        assert_eq!(
            err.to_string(),
            "not UTF-8 or UTF-16 text (invalid byte at offset 6)"
        );
    }

    #[test]
    fn invalid_utf8_after_a_bom_counts_from_the_file_start() {
        let mut bytes = UTF8_BOM.to_vec();
        bytes.extend([b'a', 0xC3]);
        assert_eq!(
            decode(&bytes).unwrap_err(),
            DecodeError::InvalidUtf8 { offset: 4 }
        );
    }

    #[test]
    fn newlines_normalise_crlf_and_lone_cr() {
        assert_eq!(normalize_newlines("a\r\nb\rc\nd"), "a\nb\nc\nd");
        assert!(matches!(normalize_newlines("a\nb"), Cow::Borrowed(_)));
    }
}
