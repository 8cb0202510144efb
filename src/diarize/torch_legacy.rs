//! Reads the float tensors of a PyTorch checkpoint saved in the legacy (pre-1.6, not zip)
//! format, which is how resemblyzer ships its speaker encoder. Candle and the other Rust readers
//! take only the zip format, so this reads the few pickle opcodes such files use.
//!
//! The layout: four pickles in a row (a magic number, the protocol version, system information,
//! then the saved object, whose tensors name their storages by persistent id), a fifth pickle
//! listing the storage keys, then each storage's raw little-endian data, prefixed by its element
//! count as an i64, in the order of that list.

use std::collections::{BTreeMap, HashMap};

/// The first pickle of every legacy file: protocol 2, the 10-byte integer
/// 0x1950a86a20f9469cfc6c, STOP.
const MAGIC: [u8; 15] = [
    0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, b'.',
];

/// A float tensor: its shape and its values in row-major order.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    pub shape: Vec<usize>,
    pub values: Vec<f32>,
}

/// Why a checkpoint could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a legacy PyTorch checkpoint this reader understands: {0}")]
pub struct FormatError(pub String);

fn error(problem: impl Into<String>) -> FormatError {
    FormatError(problem.into())
}

/// The float tensors of the state dict stored under `key` in the saved object (for example
/// `model_state`), by name.
pub fn read_state_dict(bytes: &[u8], key: &str) -> Result<BTreeMap<String, Tensor>, FormatError> {
    if !bytes.starts_with(&MAGIC) {
        return Err(error(
            "it does not start with the legacy magic number (newer PyTorch files are zip archives)",
        ));
    }
    let mut reader = Reader {
        bytes,
        at: MAGIC.len(),
    };
    for _ in 0..2 {
        reader.unpickle()?; // protocol version, system information
    }
    let saved = reader.unpickle()?;
    let Value::List(keys) = reader.unpickle()? else {
        return Err(error("the storage key list is missing"));
    };
    let mut storages: HashMap<String, Storage> = HashMap::new();
    collect_storages(&saved, &mut storages);
    let mut data: HashMap<String, Vec<f32>> = HashMap::new();
    for key in keys {
        let Value::Str(key) = key else {
            return Err(error("a storage key is not a string"));
        };
        let storage = storages
            .get(&key)
            .ok_or_else(|| error(format!("storage {key} is not referenced")))?;
        let count = reader.i64()?;
        let count = usize::try_from(count).map_err(|_| error("negative storage size"))?;
        let raw = reader.take(count * storage.element_size)?;
        if storage.is_float {
            let values = raw
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            data.insert(key, values);
        }
    }
    let state = match &saved {
        Value::Dict(items) => items.iter().find_map(|(k, v)| match k {
            Value::Str(k) if k == key => Some(v),
            _ => None,
        }),
        _ => None,
    }
    .ok_or_else(|| error(format!("the checkpoint has no `{key}`")))?;
    let Value::Dict(entries) = state else {
        return Err(error(format!("`{key}` is not a dictionary")));
    };
    let mut tensors = BTreeMap::new();
    for (name, value) in entries {
        let (Value::Str(name), Value::Tensor(meta)) = (name, value) else {
            continue;
        };
        let Some(values) = data.get(&meta.storage) else {
            continue; // not a float tensor
        };
        let len: usize = meta.shape.iter().product();
        let contiguous: Vec<usize> = (0..meta.shape.len())
            .map(|i| meta.shape[i + 1..].iter().product())
            .collect();
        if meta.stride != contiguous {
            return Err(error(format!("tensor {name} is not contiguous")));
        }
        let slice = values
            .get(meta.offset..meta.offset + len)
            .ok_or_else(|| error(format!("tensor {name} runs past its storage")))?;
        tensors.insert(
            name.clone(),
            Tensor {
                shape: meta.shape.clone(),
                values: slice.to_vec(),
            },
        );
    }
    Ok(tensors)
}

/// What the pickles hold, as far as this reader needs to know.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Tuple(Vec<Value>),
    List(Vec<Value>),
    Dict(Vec<(Value, Value)>),
    Global(String),
    PersistentId(Box<Value>),
    Tensor(TensorMeta),
    /// Any other object built by a call; its contents are not needed.
    Object,
    Mark,
}

#[derive(Debug, Clone, PartialEq)]
struct TensorMeta {
    storage: String,
    /// The storage's class, such as `torch FloatStorage`.
    storage_class: String,
    offset: usize,
    shape: Vec<usize>,
    stride: Vec<usize>,
}

struct Storage {
    element_size: usize,
    is_float: bool,
}

/// Finds every storage a tensor refers to, with its element type.
fn collect_storages(value: &Value, out: &mut HashMap<String, Storage>) {
    match value {
        Value::Tuple(items) | Value::List(items) => {
            items.iter().for_each(|v| collect_storages(v, out));
        }
        Value::Dict(items) => items.iter().for_each(|(k, v)| {
            collect_storages(k, out);
            collect_storages(v, out);
        }),
        Value::Tensor(meta) => {
            let (element_size, is_float) = match meta.storage_class.rsplit(' ').next() {
                Some("FloatStorage") => (4, true),
                Some("DoubleStorage" | "LongStorage") => (8, false),
                Some("IntStorage") => (4, false),
                Some("HalfStorage" | "ShortStorage" | "BFloat16Storage") => (2, false),
                _ => (1, false),
            };
            out.insert(
                meta.storage.clone(),
                Storage {
                    element_size,
                    is_float,
                },
            );
        }
        _ => {}
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], FormatError> {
        let slice = self
            .bytes
            .get(self.at..self.at + n)
            .ok_or_else(|| error("the file ends early"))?;
        self.at += n;
        Ok(slice)
    }

    fn byte(&mut self) -> Result<u8, FormatError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, FormatError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, FormatError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn i64(&mut self) -> Result<i64, FormatError> {
        let b = self.take(8)?;
        Ok(i64::from_le_bytes(b.try_into().expect("8 bytes")))
    }

    fn line(&mut self) -> Result<String, FormatError> {
        let rest = &self.bytes[self.at..];
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| error("a GLOBAL name is not terminated"))?;
        let text = String::from_utf8_lossy(&rest[..end]).into_owned();
        self.at += end + 1;
        Ok(text)
    }

    /// Runs one pickle to its STOP and returns the object it built.
    fn unpickle(&mut self) -> Result<Value, FormatError> {
        let mut stack: Vec<Value> = Vec::new();
        let mut memo: HashMap<u32, Value> = HashMap::new();
        loop {
            let opcode = self.byte()?;
            match opcode {
                0x80 => {
                    self.byte()?; // PROTO
                }
                b'.' => return stack.pop().ok_or_else(|| error("empty pickle")),
                b'N' => stack.push(Value::None),
                0x88 => stack.push(Value::Bool(true)),
                0x89 => stack.push(Value::Bool(false)),
                b'K' => {
                    let v = self.byte()?;
                    stack.push(Value::Int(v.into()));
                }
                b'M' => {
                    let v = self.u16()?;
                    stack.push(Value::Int(v.into()));
                }
                b'J' => {
                    let v = self.u32()? as i32;
                    stack.push(Value::Int(v.into()));
                }
                0x8a => {
                    let n = self.byte()? as usize;
                    let raw = self.take(n)?;
                    if n > 8 {
                        stack.push(Value::Object); // only the magic number is this long
                        continue;
                    }
                    let mut buf = if raw.last().is_some_and(|b| b & 0x80 != 0) {
                        [0xff; 8]
                    } else {
                        [0; 8]
                    };
                    buf[..n].copy_from_slice(raw);
                    stack.push(Value::Int(i64::from_le_bytes(buf)));
                }
                b'G' => {
                    let b = self.take(8)?;
                    stack.push(Value::Float(f64::from_be_bytes(
                        b.try_into().expect("8 bytes"),
                    )));
                }
                b'X' => {
                    let n = self.u32()? as usize;
                    let text = String::from_utf8_lossy(self.take(n)?).into_owned();
                    stack.push(Value::Str(text));
                }
                0x8c => {
                    let n = self.byte()? as usize;
                    let text = String::from_utf8_lossy(self.take(n)?).into_owned();
                    stack.push(Value::Str(text));
                }
                b'}' => stack.push(Value::Dict(Vec::new())),
                b']' => stack.push(Value::List(Vec::new())),
                b')' => stack.push(Value::Tuple(Vec::new())),
                b'(' => stack.push(Value::Mark),
                b't' => {
                    let items = pop_to_mark(&mut stack)?;
                    stack.push(Value::Tuple(items));
                }
                0x85..=0x87 => {
                    let n = (opcode - 0x84) as usize;
                    if stack.len() < n {
                        return Err(error("stack underflow"));
                    }
                    let items = stack.split_off(stack.len() - n);
                    stack.push(Value::Tuple(items));
                }
                b'q' => {
                    let id = self.byte()?.into();
                    memo.insert(id, top(&stack)?.clone());
                }
                b'r' => {
                    let id = self.u32()?;
                    memo.insert(id, top(&stack)?.clone());
                }
                b'h' | b'j' => {
                    let id = if opcode == b'h' {
                        self.byte()?.into()
                    } else {
                        self.u32()?
                    };
                    let value = memo
                        .get(&id)
                        .ok_or_else(|| error("a memo reference is undefined"))?;
                    stack.push(value.clone());
                }
                b's' => {
                    let value = pop(&mut stack)?;
                    let key = pop(&mut stack)?;
                    dict_of(&mut stack)?.push((key, value));
                }
                b'u' => {
                    let items = pop_to_mark(&mut stack)?;
                    let dict = dict_of(&mut stack)?;
                    let mut items = items.into_iter();
                    while let (Some(k), Some(v)) = (items.next(), items.next()) {
                        dict.push((k, v));
                    }
                }
                b'a' => {
                    let value = pop(&mut stack)?;
                    list_of(&mut stack)?.push(value);
                }
                b'e' => {
                    let items = pop_to_mark(&mut stack)?;
                    list_of(&mut stack)?.extend(items);
                }
                b'c' => {
                    let module = self.line()?;
                    let name = self.line()?;
                    stack.push(Value::Global(format!("{module} {name}")));
                }
                b'Q' => {
                    let id = pop(&mut stack)?;
                    stack.push(Value::PersistentId(Box::new(id)));
                }
                b'R' => {
                    let args = pop(&mut stack)?;
                    let callable = pop(&mut stack)?;
                    stack.push(call(callable, args)?);
                }
                b'b' => {
                    pop(&mut stack)?; // BUILD: the state of an object whose contents are unused
                }
                other => {
                    return Err(error(format!(
                        "pickle opcode 0x{other:02x} at byte {} is not supported",
                        self.at - 1
                    )));
                }
            }
        }
    }
}

fn pop(stack: &mut Vec<Value>) -> Result<Value, FormatError> {
    stack.pop().ok_or_else(|| error("stack underflow"))
}

fn top(stack: &[Value]) -> Result<&Value, FormatError> {
    stack.last().ok_or_else(|| error("stack underflow"))
}

fn pop_to_mark(stack: &mut Vec<Value>) -> Result<Vec<Value>, FormatError> {
    let mark = stack
        .iter()
        .rposition(|v| *v == Value::Mark)
        .ok_or_else(|| error("no MARK on the stack"))?;
    let items = stack.split_off(mark + 1);
    stack.pop();
    Ok(items)
}

fn dict_of(stack: &mut [Value]) -> Result<&mut Vec<(Value, Value)>, FormatError> {
    match stack.last_mut() {
        Some(Value::Dict(items)) => Ok(items),
        _ => Err(error("SETITEM on something that is not a dictionary")),
    }
}

fn list_of(stack: &mut [Value]) -> Result<&mut Vec<Value>, FormatError> {
    match stack.last_mut() {
        Some(Value::List(items)) => Ok(items),
        _ => Err(error("APPEND on something that is not a list")),
    }
}

/// REDUCE: builds ordered dictionaries and tensors; anything else becomes an opaque object.
fn call(callable: Value, args: Value) -> Result<Value, FormatError> {
    let Value::Global(name) = callable else {
        return Ok(Value::Object);
    };
    match name.as_str() {
        "collections OrderedDict" => Ok(Value::Dict(Vec::new())),
        "torch._utils _rebuild_tensor_v2" => {
            let Value::Tuple(args) = args else {
                return Err(error("tensor arguments are not a tuple"));
            };
            let [
                Value::PersistentId(id),
                Value::Int(offset),
                Value::Tuple(shape),
                Value::Tuple(stride),
                ..,
            ] = &args[..]
            else {
                return Err(error("unexpected tensor arguments"));
            };
            let Value::Tuple(fields) = id.as_ref() else {
                return Err(error("a tensor's storage id is not a tuple"));
            };
            let [_, Value::Global(storage_class), Value::Str(storage), ..] = &fields[..] else {
                return Err(error("a tensor's storage id has no class and key"));
            };
            let dims = |values: &[Value]| -> Result<Vec<usize>, FormatError> {
                values
                    .iter()
                    .map(|v| match v {
                        Value::Int(n) if *n >= 0 => Ok(*n as usize),
                        _ => Err(error("a tensor dimension is not a size")),
                    })
                    .collect()
            };
            Ok(Value::Tensor(TensorMeta {
                storage: storage.clone(),
                storage_class: storage_class.clone(),
                offset: usize::try_from(*offset).map_err(|_| error("negative offset"))?,
                shape: dims(shape)?,
                stride: dims(stride)?,
            }))
        }
        _ => Ok(Value::Object),
    }
}
