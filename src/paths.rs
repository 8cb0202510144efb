//! Where swimlane keeps per-user state (installed models, cached transcripts) when it is not run
//! from a checkout: the XDG base directories, with their usual fall-backs under `$HOME`.

use std::path::PathBuf;

/// `$XDG_DATA_HOME/swimlane`, else `~/.local/share/swimlane`.
pub fn data_dir() -> PathBuf {
    base("XDG_DATA_HOME", ".local/share").join("swimlane")
}

/// `$SWIMLANE_CACHE`, else `$XDG_CACHE_HOME/swimlane`, else `~/.cache/swimlane`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SWIMLANE_CACHE").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    base("XDG_CACHE_HOME", ".cache").join("swimlane")
}

fn base(variable: &str, under_home: &str) -> PathBuf {
    if let Some(dir) = std::env::var_os(variable).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty());
    home.map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
        .join(under_home)
}
