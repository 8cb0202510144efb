//! Reads a CTranslate2 model directory (the format faster-whisper uses): `model.bin` with its
//! named tensors, scalar metadata and aliases, plus `config.json` and `vocabulary.txt`. It exists
//! because Whisper weights reach our machines only in this format, and whisper.cpp needs ggml.

use super::ModelError;
use std::collections::BTreeMap;
use std::path::Path;

/// The element type of a stored variable, as CTranslate2 numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DType {
    F32,
    I8,
    I16,
    I32,
    F16,
    BF16,
}

impl DType {
    fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => Self::F32,
            1 => Self::I8,
            2 => Self::I16,
            3 => Self::I32,
            4 => Self::F16,
            5 => Self::BF16,
            _ => return None,
        })
    }

    fn size(self) -> usize {
        match self {
            Self::I8 => 1,
            Self::I16 | Self::F16 | Self::BF16 => 2,
            Self::F32 | Self::I32 => 4,
        }
    }
}

/// One named variable: a tensor, or a rank-0 scalar such as `encoder/num_heads`.
#[derive(Debug, Clone)]
pub struct Variable {
    pub shape: Vec<usize>,
    pub dtype: DType,
    pub data: Vec<u8>,
}

impl Variable {
    /// The values as f32, whatever the stored float type.
    pub fn to_f32(&self) -> Vec<f32> {
        match self.dtype {
            DType::F32 => self
                .data
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            DType::F16 => self
                .data
                .chunks_exact(2)
                .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
            DType::BF16 => self
                .data
                .chunks_exact(2)
                .map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
            DType::I8 => self.data.iter().map(|&b| b as i8 as f32).collect(),
            DType::I16 => self
                .data
                .chunks_exact(2)
                .map(|b| i16::from_le_bytes([b[0], b[1]]) as f32)
                .collect(),
            DType::I32 => self
                .data
                .chunks_exact(4)
                .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32)
                .collect(),
        }
    }

    /// A scalar's integer value (CTranslate2 stores head counts and flags as int8/int16).
    pub fn scalar(&self) -> Option<i64> {
        if !self.shape.is_empty() {
            return None;
        }
        Some(match self.dtype {
            DType::I8 => self.data[0] as i8 as i64,
            DType::I16 => i16::from_le_bytes([self.data[0], self.data[1]]) as i64,
            DType::I32 => i32::from_le_bytes(self.data[..4].try_into().ok()?) as i64,
            _ => return None,
        })
    }
}

/// A parsed `model.bin`: the spec it was written for and its variables by name.
#[derive(Debug)]
pub struct Ct2Model {
    pub spec: String,
    pub variables: BTreeMap<String, Variable>,
    pub aliases: BTreeMap<String, String>,
}

impl Ct2Model {
    pub fn get(&self, name: &str) -> Option<&Variable> {
        self.variables
            .get(name)
            .or_else(|| self.aliases.get(name).and_then(|t| self.variables.get(t)))
    }
}

/// The three files of a CTranslate2 Whisper directory that the conversion reads.
pub struct Ct2Dir {
    pub model: Ct2Model,
    /// Token strings in id order, in GPT-2's byte-level unicode spelling.
    pub vocabulary: Vec<String>,
}

/// Reads `model.bin` and the vocabulary from `dir`.
pub fn read_dir(dir: &Path) -> Result<Ct2Dir, ModelError> {
    let model_path = dir.join("model.bin");
    let bytes = std::fs::read(&model_path).map_err(|source| ModelError::Io {
        path: model_path.clone(),
        source,
    })?;
    let model = parse(&bytes).map_err(|problem| ModelError::Format {
        path: model_path,
        problem,
    })?;
    let vocabulary = read_vocabulary(dir)?;
    Ok(Ct2Dir { model, vocabulary })
}

/// Token strings from `vocabulary.txt` (one per line, split on "\n" only: tokens may hold
/// other line breaks) or, in newer conversions, `vocabulary.json` (an array of strings).
fn read_vocabulary(dir: &Path) -> Result<Vec<String>, ModelError> {
    let text_path = dir.join("vocabulary.txt");
    let json_path = dir.join("vocabulary.json");
    let path = if text_path.is_file() {
        text_path
    } else {
        json_path
    };
    let text = std::fs::read_to_string(&path).map_err(|source| ModelError::Io {
        path: path.clone(),
        source,
    })?;
    if path.extension().is_some_and(|e| e == "json") {
        return serde_json::from_str(&text).map_err(|e| ModelError::Format {
            path,
            problem: format!("not a JSON array of tokens ({e})"),
        });
    }
    let mut vocabulary: Vec<String> = text.split('\n').map(str::to_owned).collect();
    if vocabulary.last().is_some_and(String::is_empty) {
        vocabulary.pop();
    }
    Ok(vocabulary)
}

/// Parses the bytes of a CTranslate2 `model.bin` (binary versions 3 to 6).
pub fn parse(bytes: &[u8]) -> Result<Ct2Model, String> {
    let mut reader = Reader { bytes, at: 0 };
    let version = reader.u32()?;
    if !(3..=6).contains(&version) {
        return Err(format!(
            "unsupported CTranslate2 binary version {version} (expected 3 to 6)"
        ));
    }
    let spec = reader.string()?;
    let _revision = reader.u32()?;
    let count = reader.u32()?;
    let mut variables = BTreeMap::new();
    for _ in 0..count {
        let name = reader.string()?;
        let rank = reader.u8()? as usize;
        let shape = (0..rank)
            .map(|_| reader.u32().map(|d| d as usize))
            .collect::<Result<Vec<_>, _>>()?;
        let code = reader.u8()?;
        let dtype = DType::from_code(code)
            .ok_or_else(|| format!("variable `{name}` has unknown type code {code}"))?;
        let size = reader.u32()? as usize;
        let elements: usize = shape.iter().product();
        if size != elements * dtype.size() {
            return Err(format!(
                "variable `{name}` holds {size} bytes but its shape {shape:?} needs {}",
                elements * dtype.size()
            ));
        }
        let data = reader.take(size)?.to_vec();
        variables.insert(name, Variable { shape, dtype, data });
    }
    let mut aliases = BTreeMap::new();
    let alias_count = reader.u32()?;
    for _ in 0..alias_count {
        let alias = reader.string()?;
        let target = reader.string()?;
        aliases.insert(alias, target);
    }
    Ok(Ct2Model {
        spec,
        variables,
        aliases,
    })
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let Some(end) = end else {
            return Err(format!(
                "file ends early: needed {n} bytes at offset {}",
                self.at
            ));
        };
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, String> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    /// A u16 length followed by that many bytes, NUL-terminated.
    fn string(&mut self) -> Result<String, String> {
        let len = self.u16()? as usize;
        let raw = self.take(len)?;
        let raw = raw.strip_suffix(&[0]).unwrap_or(raw);
        String::from_utf8(raw.to_vec()).map_err(|_| "a name is not UTF-8".to_string())
    }
}
