//! Where lexicon files come from: the shipped folder, embedded into the binary so that an
//! installed `swimlane` needs nothing beside it, and folders an organisation adds with
//! `--lexicons DIR`.

use super::LexiconError;
use include_dir::{Dir, include_dir};
use std::path::Path;

static SHIPPED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/lexicons");

/// One lexicon file's text and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Path relative to its lexicon folder, with `/` separators (`Swimlane/SePricing.toml`).
    pub relative: String,
    /// Path to show in errors.
    pub display: String,
    pub text: String,
}

/// The shipped lexicons, as compiled into the binary.
pub fn embedded_sources() -> Vec<SourceFile> {
    let mut out = Vec::new();
    collect_embedded(&SHIPPED, &mut out);
    out.sort_by(|a, b| a.relative.cmp(&b.relative));
    out
}

fn collect_embedded(dir: &Dir<'_>, out: &mut Vec<SourceFile>) {
    for file in dir.files() {
        let relative = file.path().to_string_lossy().replace('\\', "/");
        if !relative.ends_with(".toml") {
            continue;
        }
        out.push(SourceFile {
            display: format!("lexicons/{relative}"),
            text: file.contents_utf8().unwrap_or_default().to_string(),
            relative,
        });
    }
    for sub in dir.dirs() {
        collect_embedded(sub, out);
    }
}

/// Every `.toml` file under `root`, two levels deep at most (`vocab/x.toml`, `Pack/Rule.toml`).
pub fn folder_sources(root: &Path) -> Result<Vec<SourceFile>, LexiconError> {
    let fail = |path: &Path, what: String| LexiconError {
        file: path.display().to_string(),
        line: 0,
        message: what,
    };
    if !root.is_dir() {
        return Err(fail(
            root,
            "not a folder; --lexicons takes a folder laid out like the shipped lexicons/".into(),
        ));
    }
    let mut out = Vec::new();
    let mut pending = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = pending.pop() {
        let entries =
            std::fs::read_dir(&dir).map_err(|e| fail(&dir, format!("cannot read folder: {e}")))?;
        for entry in entries {
            let entry = entry.map_err(|e| fail(&dir, format!("cannot read folder: {e}")))?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            let relative = format!("{prefix}{name}");
            if path.is_dir() {
                if prefix.is_empty() {
                    pending.push((path, format!("{relative}/")));
                }
            } else if name.ends_with(".toml") {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| fail(&path, format!("cannot read lexicon file: {e}")))?;
                out.push(SourceFile {
                    relative,
                    display: path.display().to_string(),
                    text,
                });
            }
        }
    }
    out.sort_by(|a, b| a.relative.cmp(&b.relative));
    Ok(out)
}
