//! The job queue's workers: each takes the oldest queued call from the store, turns its files
//! into a debrief with the same pipeline as `analyze` (recording or transcript in, debrief
//! out), and records progress as it goes. The queue lives in the store, so a restart resumes
//! it; a job that fails is marked failed with its reason, never left hanging.

use super::Workspace;
use super::store::{CallRecord, FileKind, Store};
use crate::app::write_atomically;
use crate::cli::AsrArgs;
use crate::recording::{Stage, Transcriber};
use anyhow::{Context, Result, anyhow, bail};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};
use swimlane::analyze::{Settings, analyze};
use swimlane::audio::{Recording, Track};
use swimlane::charter::Charter;
use swimlane::lexicon::Lexicon;
use swimlane::model::{CallType, Role, Transcript};
use swimlane::roles::RoleFlag;

/// What every job needs: where files are, and the settings `analyze` would take.
pub(crate) struct Pipeline {
    pub workspace: Workspace,
    pub charter: Charter,
    pub lexicon: Lexicon,
    pub asr: AsrArgs,
}

/// Wakes idle workers when a call is queued.
pub(crate) struct Queue {
    queued: Mutex<u64>,
    wake: Condvar,
}

impl Queue {
    pub fn notify(&self) {
        *self.queued.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        self.wake.notify_all();
    }

    /// Waits until `notify` or `timeout`, whichever comes first.
    fn wait(&self, seen: &mut u64, timeout: Duration) {
        let guard = self.queued.lock().unwrap_or_else(|p| p.into_inner());
        let (guard, _) = self
            .wake
            .wait_timeout_while(guard, timeout, |n| *n == *seen)
            .unwrap_or_else(|p| p.into_inner());
        *seen = *guard;
    }
}

/// Starts `workers` threads that run jobs until the process ends.
pub(crate) fn start(store: Arc<Store>, pipeline: Arc<Pipeline>, workers: usize) -> Arc<Queue> {
    let queue = Arc::new(Queue {
        queued: Mutex::new(0),
        wake: Condvar::new(),
    });
    for n in 0..workers {
        let (store, pipeline, queue) = (store.clone(), pipeline.clone(), queue.clone());
        std::thread::Builder::new()
            .name(format!("job-worker-{n}"))
            .spawn(move || work(&store, &pipeline, &queue))
            .expect("a worker thread starts");
    }
    queue
}

fn work(store: &Arc<Store>, pipeline: &Pipeline, queue: &Queue) {
    let mut seen = 0;
    loop {
        match store.claim_next() {
            Ok(Some(call)) => {
                let result = catch_unwind(AssertUnwindSafe(|| run(store, pipeline, &call)))
                    .unwrap_or_else(|_| {
                        Err(anyhow!(
                            "internal error (a bug in swimlane; please report it)"
                        ))
                    });
                let outcome = result.map_err(|e| format!("{e:#}"));
                if let Err(e) = store.finish(&call.id, outcome) {
                    eprintln!(
                        "error: call {}: cannot record the job's end: {e:#}",
                        call.id
                    );
                }
            }
            Ok(None) => queue.wait(&mut seen, Duration::from_secs(5)),
            Err(e) => {
                eprintln!("error: the job queue cannot read the database: {e:#}");
                queue.wait(&mut seen, Duration::from_secs(5));
            }
        }
    }
}

/// Records progress, at most every half second, so that a long transcription does not write
/// to the database for every chunk.
struct Reporter {
    store: Arc<Store>,
    id: String,
    last: Option<Instant>,
}

impl Reporter {
    fn report(&mut self, stage: &str, progress: f64) {
        if self
            .last
            .is_some_and(|t| t.elapsed() < Duration::from_millis(500))
        {
            return;
        }
        self.last = Some(Instant::now());
        // Progress that cannot be recorded only leaves the bar behind; the job goes on.
        let _ = self.store.set_progress(&self.id, stage, progress);
    }
}

/// How the share of a job's progress is laid out over its stages.
const TRANSCRIBING_ENDS_AT: f64 = 0.85;
const DIARIZING_AT: f64 = 0.87;
const ANALYSING_AT: f64 = 0.95;

fn run(store: &Arc<Store>, pipeline: &Pipeline, call: &CallRecord) -> Result<()> {
    let dir = pipeline.workspace.call_dir(&call.id);
    let mut reporter = Reporter {
        store: store.clone(),
        id: call.id.clone(),
        last: None,
    };
    reporter.report("decoding", 0.0);
    // The transcript is kept, so that a correction re-runs the analysis alone.
    let saved = dir.join("transcript.json");
    let mut transcript = if saved.exists() {
        swimlane::transcript::read(&saved)?
    } else {
        let transcript = transcript_of(pipeline, call, store)?;
        let bytes =
            swimlane::transcript::write::render(&transcript, swimlane::transcript::Format::Json);
        write_atomically(&saved, &bytes)
            .context("cannot save the transcript (is the disk full?)")?;
        transcript
    };
    reporter.last = None;
    reporter.report("analysing", ANALYSING_AT);
    transcript.id = Some(call.id.clone());
    if call.title.is_some() {
        transcript.title = call.title.clone();
    }
    if let Some(date) = &call.call_date {
        transcript.date = Some(
            date.parse()
                .with_context(|| format!("the call's date `{date}`"))?,
        );
    }
    let call_type: Option<CallType> = call
        .call_type
        .as_deref()
        .map(|t| t.parse().unwrap_or_else(|never| match never {}));
    // Corrections made on the debrief come first, so they win over the upload's pair.
    let mut roles: Vec<RoleFlag> = Vec::new();
    for (speaker, role) in store.roles(&call.id)? {
        roles.push(RoleFlag {
            name: speaker,
            role: role
                .parse()
                .map_err(|e| anyhow!("a stored role correction: {e}"))?,
        });
    }
    roles.extend(
        [(&call.ae, Role::Ae), (&call.se, Role::Se)]
            .into_iter()
            .filter_map(|(name, role)| {
                name.as_ref().map(|name| RoleFlag {
                    name: name.clone(),
                    role,
                })
            }),
    );
    let settings = Settings {
        lexicon: &pipeline.lexicon,
        charter: &pipeline.charter,
        roles: &roles,
        call_type: call_type.as_ref(),
    };
    let source = call
        .title
        .clone()
        .unwrap_or_else(|| "uploaded call".to_string());
    let debrief = analyze(&transcript, Some(&source), &settings);
    let bytes = swimlane::report::render(&debrief, swimlane::report::ReportFormat::Json);
    write_atomically(&dir.join("debrief.json"), &bytes)
        .context("cannot save the debrief (is the disk full?)")?;
    Ok(())
}

/// The call's transcript: read from an uploaded transcript, or recognised from its
/// recordings with progress reported.
fn transcript_of(pipeline: &Pipeline, call: &CallRecord, store: &Arc<Store>) -> Result<Transcript> {
    let dir = pipeline.workspace.call_dir(&call.id);
    let Some(first) = call.files.first() else {
        bail!("the upload has no files");
    };
    if first.kind == FileKind::Transcript {
        return Ok(swimlane::transcript::read(&dir.join(&first.stored_name))?);
    }
    let recording = match call.files.as_slice() {
        [one] => Recording::File(dir.join(&one.stored_name)),
        several => Recording::Tracks(
            several
                .iter()
                .enumerate()
                .map(|(n, file)| Track {
                    name: file
                        .track_name
                        .clone()
                        .unwrap_or_else(|| format!("Track {}", n + 1)),
                    path: dir.join(&file.stored_name),
                })
                .collect(),
        ),
    };
    let asr = AsrArgs {
        channels: call.channels.clone(),
        ..pipeline.asr.clone()
    };
    let mut transcriber = Transcriber::new(&asr, &pipeline.charter, &pipeline.lexicon, true)?;
    let mut reporter = Reporter {
        store: store.clone(),
        id: call.id.clone(),
        last: None,
    };
    transcriber.observe(Box::new(move |stage| match stage {
        Stage::Transcribing(done) => {
            reporter.report("transcribing", done.unwrap_or(0.0) * TRANSCRIBING_ENDS_AT)
        }
        Stage::Diarizing => {
            reporter.last = None;
            reporter.report("diarizing", DIARIZING_AT);
        }
    }));
    transcriber.transcript(&recording)
}

/// Deletes recordings older than `days` every hour, keeping their debriefs.
pub(crate) fn start_retention(store: Arc<Store>, workspace: Workspace, days: u32) {
    std::thread::Builder::new()
        .name("retention".into())
        .spawn(move || {
            loop {
                if let Err(e) = delete_old_recordings(&store, &workspace, days) {
                    eprintln!("error: retention: {e:#}");
                }
                std::thread::sleep(Duration::from_secs(3600));
            }
        })
        .expect("the retention thread starts");
}

fn delete_old_recordings(store: &Store, workspace: &Workspace, days: u32) -> Result<()> {
    let cutoff = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(24 * i64::from(days)))?
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    for call in store.recordings_older_than(&cutoff)? {
        let dir = workspace.call_dir(&call.id);
        for file in call.files.iter().filter(|f| f.kind == FileKind::Audio) {
            match std::fs::remove_file(dir.join(&file.stored_name)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(e)
                        .with_context(|| format!("call {}: cannot delete its recording", call.id));
                }
                _ => {}
            }
        }
        store.mark_recording_deleted(&call.id)?;
    }
    Ok(())
}
