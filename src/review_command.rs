//! `swimlane review`: find the debriefs, read them, review them and write the review.

use crate::app::{Exit, emit};
use crate::cli::ReviewArgs;
use anyhow::{Context, Result, anyhow, bail};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use swimlane::debrief::{Debrief, SCHEMA};
use swimlane::report::{ReportFormat, render_review};
use swimlane::review::{CallRow, Filter, Outcomes, review};

pub(crate) fn review_command(args: ReviewArgs) -> Result<Exit> {
    let format: ReportFormat = args
        .format
        .parse()
        .map_err(|e| anyhow!("--format {}: {e}", args.format))?;
    if let (Some(since), Some(until)) = (args.since, args.until)
        && since > until
    {
        bail!("--since {since} is after --until {until}; swap them");
    }
    let outcomes = match &args.outcomes {
        Some(path) => Outcomes::load(path)?,
        None => Outcomes::default(),
    };
    let (files, skipped) = debrief_files(&args.inputs)?;
    let mut calls = Vec::with_capacity(files.len());
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for file in &files {
        let debrief = read_debrief(file)?;
        if let Some(earlier) = seen.insert(debrief.call.id.clone(), file.clone()) {
            bail!(
                "{}: call `{}` is also in {}; review one debrief per call (remove or move the other)",
                file.display(),
                debrief.call.id,
                earlier.display()
            );
        }
        calls.push(CallRow::of(
            &debrief,
            &file.display().to_string(),
            &outcomes,
        ));
    }
    let filter = Filter {
        people: args.people.clone(),
        call_type: args
            .call_type
            .as_deref()
            .map(|t| t.parse().unwrap_or_else(|never| match never {})),
        since: args.since,
        until: args.until,
    };
    let outcomes_name = args
        .outcomes
        .as_deref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let read = calls.len();
    let review = review(calls, &filter, &outcomes, &outcomes_name);
    if review.calls.is_empty() {
        bail!(
            "no call of the {read} debrief(s) read matches --person, --call-type, --since or --until; loosen the filter"
        );
    }
    if !args.quiet {
        if skipped > 0 {
            eprintln!("note: skipped {skipped} JSON file(s) that are not swimlane debriefs");
        }
        for w in &review.warnings {
            eprintln!("warning: {w}");
        }
    }
    emit(
        &render_review(&review, format),
        None,
        "",
        args.output.as_deref(),
    )?;
    Ok(Exit::Success)
}

/// The debrief files the inputs name, and how many JSON files in folders were not debriefs.
/// A file named directly must be a debrief; a folder must hold at least one.
fn debrief_files(inputs: &[PathBuf]) -> Result<(Vec<PathBuf>, usize)> {
    let mut files = Vec::new();
    let mut skipped = 0;
    for input in inputs {
        if !input.is_dir() {
            files.push(input.clone());
            continue;
        }
        let mut found = Vec::new();
        for entry in walkdir::WalkDir::new(input).sort_by_file_name() {
            let entry =
                entry.with_context(|| format!("{}: cannot read folder", input.display()))?;
            let path = entry.path();
            let is_json = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"));
            if entry.file_type().is_file() && is_json {
                if is_debrief(path)? {
                    found.push(path.to_path_buf());
                } else {
                    skipped += 1;
                }
            }
        }
        if found.is_empty() {
            bail!(
                "{}: no debriefs in this folder; write them with `swimlane analyze CALLS -f json -o {}`",
                input.display(),
                input.display()
            );
        }
        files.extend(found);
    }
    Ok((files, skipped))
}

#[derive(Deserialize)]
struct SchemaProbe {
    schema: Option<serde_json::Value>,
}

/// Whether a JSON file says it is a debrief. Files that are not JSON objects are not.
fn is_debrief(path: &Path) -> Result<bool> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read; check its permissions", path.display()))?;
    Ok(serde_json::from_str::<SchemaProbe>(&text)
        .ok()
        .and_then(|p| p.schema)
        .and_then(|s| s.as_str().map(|s| s.starts_with("swimlane.debrief/")))
        .unwrap_or(false))
}

fn read_debrief(path: &Path) -> Result<Debrief> {
    let name = path.display();
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{name}: cannot read; check the path"))?;
    let schema = serde_json::from_str::<SchemaProbe>(&text)
        .ok()
        .and_then(|p| p.schema)
        .and_then(|s| s.as_str().map(String::from));
    match schema.as_deref() {
        Some(SCHEMA) => {}
        Some(other) if other.starts_with("swimlane.debrief/") => bail!(
            "{name}: a `{other}` debrief, which this swimlane does not read ({SCHEMA}); re-run `swimlane analyze` on the call with this version"
        ),
        _ => bail!(
            "{name}: not a swimlane debrief (no \"schema\": \"{SCHEMA}\"); write debriefs with `swimlane analyze CALL -f json`"
        ),
    }
    serde_json::from_str(&text).map_err(|e| {
        anyhow!(
            "{name}: line {} column {}: {}; re-run `swimlane analyze` to write it again",
            e.line(),
            e.column(),
            e.to_string().split(" at line ").next().unwrap_or_default()
        )
    })
}
