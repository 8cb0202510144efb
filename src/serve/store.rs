//! The workspace's database: one SQLite file (bundled SQLite, no service to run) holding the
//! calls, their jobs' state, and what people record on them. Recordings and debriefs are files
//! beside it; the database says where. Schema changes are numbered migrations, applied in order
//! at open and recorded in SQLite's `user_version`.

use anyhow::{Context, Result, anyhow};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

/// The schema, one step per version: the first creates it, later ones change it. Never edit a
/// step that has shipped; add one.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE calls (
    id          TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    title       TEXT,
    call_type   TEXT,
    call_date   TEXT,
    ae          TEXT,
    se          TEXT,
    status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    stage       TEXT,
    progress    REAL NOT NULL DEFAULT 0,
    error       TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    recording_deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX calls_by_status ON calls (status, created_at);
CREATE TABLE files (
    call_id     TEXT NOT NULL REFERENCES calls (id),
    position    INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('audio', 'transcript')),
    stored_name TEXT NOT NULL,
    track_name  TEXT,
    bytes       INTEGER NOT NULL,
    PRIMARY KEY (call_id, position)
);
"#,
    r#"
ALTER TABLE calls ADD COLUMN channels TEXT NOT NULL DEFAULT '[]';
"#,
    r#"
CREATE TABLE roles (
    call_id TEXT NOT NULL REFERENCES calls (id),
    speaker TEXT NOT NULL,
    role    TEXT NOT NULL,
    set_by  TEXT NOT NULL,
    set_at  TEXT NOT NULL,
    PRIMARY KEY (call_id, speaker)
);
CREATE TABLE feedback (
    id       INTEGER PRIMARY KEY,
    call_id  TEXT NOT NULL REFERENCES calls (id),
    kind     TEXT NOT NULL,
    rule     TEXT NOT NULL,
    turn     INTEGER NOT NULL,
    evidence TEXT NOT NULL,
    note     TEXT,
    set_by   TEXT NOT NULL,
    set_at   TEXT NOT NULL
);
CREATE TABLE notes (
    id      INTEGER PRIMARY KEY,
    call_id TEXT NOT NULL REFERENCES calls (id),
    set_by  TEXT NOT NULL,
    set_at  TEXT NOT NULL,
    text    TEXT NOT NULL
);
CREATE TABLE outcomes (
    call_id TEXT PRIMARY KEY REFERENCES calls (id),
    outcome TEXT NOT NULL,
    set_by  TEXT NOT NULL,
    set_at  TEXT NOT NULL
);
"#,
];

/// A job's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Queued,
    Running,
    Done,
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Running => "running",
            Status::Done => "done",
            Status::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Result<Status> {
        Ok(match s {
            "queued" => Status::Queued,
            "running" => Status::Running,
            "done" => Status::Done,
            "failed" => Status::Failed,
            other => return Err(anyhow!("unknown job status `{other}` in the database")),
        })
    }
}

/// What an uploaded file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Audio,
    Transcript,
}

/// One uploaded file, stored under a name the server chose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredFile {
    pub kind: FileKind,
    pub stored_name: String,
    /// For one of several recordings of a call: whose track it is.
    pub track_name: Option<String>,
    pub bytes: u64,
}

/// A call and its job, as the store keeps them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallRecord {
    pub id: String,
    pub created_at: String,
    pub uploaded_by: String,
    pub title: Option<String>,
    pub call_type: Option<String>,
    pub call_date: Option<String>,
    pub ae: Option<String>,
    pub se: Option<String>,
    pub status: Status,
    /// What the job is doing: decoding, transcribing, diarizing, analysing.
    pub stage: Option<String>,
    pub progress: f64,
    pub error: Option<String>,
    pub attempts: u32,
    pub recording_deleted: bool,
    /// Who speaks on which channel of a multi-channel recording, as `N=NAME`.
    pub channels: Vec<String>,
    pub files: Vec<StoredFile>,
}

/// A call to add: everything but its job state.
#[derive(Debug, Clone)]
pub struct NewCall {
    pub id: String,
    pub uploaded_by: String,
    pub title: Option<String>,
    pub call_type: Option<String>,
    pub call_date: Option<String>,
    pub ae: Option<String>,
    pub se: Option<String>,
    pub channels: Vec<String>,
    pub files: Vec<StoredFile>,
}

/// Jobs that fail this many times by crashing the server are given up on.
pub const MAX_ATTEMPTS: u32 = 3;

pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (creating if need be) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        let mut conn = Connection::open(path)
            .with_context(|| format!("{}: cannot open the database", path.display()))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        migrate(&mut conn)
            .with_context(|| format!("{}: cannot update the schema", path.display()))?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves a connection that is still usable: SQLite rolls
        // back the open transaction.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds a call, queued, with its files, in one transaction.
    pub fn insert(&self, call: &NewCall, now: &str) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO calls (id, created_at, uploaded_by, title, call_type, call_date, ae, se, channels, status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'queued')",
            params![
                call.id,
                now,
                call.uploaded_by,
                call.title,
                call.call_type,
                call.call_date,
                call.ae,
                call.se,
                serde_json::to_string(&call.channels)?
            ],
        )?;
        for (position, file) in call.files.iter().enumerate() {
            tx.execute(
                "INSERT INTO files (call_id, position, kind, stored_name, track_name, bytes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    call.id,
                    position as i64,
                    match file.kind {
                        FileKind::Audio => "audio",
                        FileKind::Transcript => "transcript",
                    },
                    file.stored_name,
                    file.track_name,
                    file.bytes as i64
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// One call, if there is one with this id.
    pub fn call(&self, id: &str) -> Result<Option<CallRecord>> {
        let conn = self.conn();
        let call = conn
            .query_row(&format!("{SELECT} WHERE id = ?1"), [id], call_from_row)
            .optional()?;
        call.map(|c| with_files(&conn, c)).transpose()
    }

    /// Every call, newest first.
    pub fn calls(&self) -> Result<Vec<CallRecord>> {
        let conn = self.conn();
        let mut statement = conn.prepare(&format!("{SELECT} ORDER BY created_at DESC, id"))?;
        let calls = statement
            .query_map([], call_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        calls.into_iter().map(|c| with_files(&conn, c)).collect()
    }

    /// Takes the oldest queued job and marks it running.
    pub fn claim_next(&self) -> Result<Option<CallRecord>> {
        let id: Option<String> = {
            let conn = self.conn();
            conn.query_row(
                "UPDATE calls SET status = 'running', stage = 'starting', progress = 0,
                        attempts = attempts + 1
                 WHERE id = (SELECT id FROM calls WHERE status = 'queued'
                             ORDER BY created_at, id LIMIT 1)
                 RETURNING id",
                [],
                |row| row.get(0),
            )
            .optional()?
        };
        match id {
            Some(id) => self.call(&id),
            None => Ok(None),
        }
    }

    /// Records how far a running job has got.
    pub fn set_progress(&self, id: &str, stage: &str, progress: f64) -> Result<()> {
        self.conn().execute(
            "UPDATE calls SET stage = ?2, progress = ?3 WHERE id = ?1 AND status = 'running'",
            params![id, stage, progress.clamp(0.0, 1.0)],
        )?;
        Ok(())
    }

    /// Ends a job: done, or failed with its reason.
    pub fn finish(&self, id: &str, outcome: Result<(), String>) -> Result<()> {
        let (status, error, progress) = match outcome {
            Ok(()) => (Status::Done, None, 1.0),
            Err(reason) => (Status::Failed, Some(reason), 0.0),
        };
        self.conn().execute(
            "UPDATE calls SET status = ?2, error = ?3, progress = ?4, stage = NULL WHERE id = ?1",
            params![id, status.as_str(), error, progress],
        )?;
        Ok(())
    }

    /// Puts the jobs that were running when the server stopped back in the queue, or fails
    /// those that have already been tried `MAX_ATTEMPTS` times. Returns (requeued, failed).
    pub fn recover(&self) -> Result<(usize, usize)> {
        let conn = self.conn();
        let failed = conn.execute(
            "UPDATE calls SET status = 'failed', stage = NULL,
                    error = 'the server stopped during this job ' || attempts || ' times; giving up'
             WHERE status = 'running' AND attempts >= ?1",
            [MAX_ATTEMPTS],
        )?;
        let requeued = conn.execute(
            "UPDATE calls SET status = 'queued', stage = NULL, progress = 0 WHERE status = 'running'",
            [],
        )?;
        Ok((requeued, failed))
    }

    /// Calls created before `cutoff` whose recordings are still kept.
    pub fn recordings_older_than(&self, cutoff: &str) -> Result<Vec<CallRecord>> {
        let ids: Vec<String> = {
            let conn = self.conn();
            let mut statement = conn.prepare(
                "SELECT id FROM calls WHERE created_at < ?1 AND recording_deleted = 0
                 AND status IN ('done', 'failed')",
            )?;
            statement
                .query_map([cutoff], |row| row.get(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?
        };
        ids.iter()
            .filter_map(|id| self.call(id).transpose())
            .collect()
    }

    /// Notes that a call's recordings were deleted.
    pub fn mark_recording_deleted(&self, id: &str) -> Result<()> {
        self.conn()
            .execute("UPDATE calls SET recording_deleted = 1 WHERE id = ?1", [id])?;
        Ok(())
    }
}

/// An event someone marked as wrong, kept for tuning the lexicons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Feedback {
    pub call_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub rule: String,
    pub turn: u32,
    pub evidence: String,
    pub note: Option<String>,
    pub by: String,
    pub at: String,
}

/// An autopsy note on a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub by: String,
    pub at: String,
    pub text: String,
}

impl Store {
    /// Corrects a speaker's role on a call and queues the call for re-analysis.
    pub fn set_role(&self, id: &str, speaker: &str, role: &str, by: &str, at: &str) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO roles (call_id, speaker, role, set_by, set_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (call_id, speaker) DO UPDATE SET role = ?3, set_by = ?4, set_at = ?5",
            params![id, speaker, role, by, at],
        )?;
        tx.execute(
            "UPDATE calls SET status = 'queued', stage = NULL, progress = 0, error = NULL, attempts = 0
             WHERE id = ?1",
            [id],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The role corrections of a call: (speaker, role).
    pub fn roles(&self, id: &str) -> Result<Vec<(String, String)>> {
        let conn = self.conn();
        let mut statement =
            conn.prepare("SELECT speaker, role FROM roles WHERE call_id = ?1 ORDER BY speaker")?;
        let rows = statement
            .query_map([id], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn add_feedback(&self, feedback: &Feedback) -> Result<()> {
        self.conn().execute(
            "INSERT INTO feedback (call_id, kind, rule, turn, evidence, note, set_by, set_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                feedback.call_id,
                feedback.kind,
                feedback.rule,
                feedback.turn,
                feedback.evidence,
                feedback.note,
                feedback.by,
                feedback.at
            ],
        )?;
        Ok(())
    }

    /// Every event marked wrong, oldest first.
    pub fn feedback(&self) -> Result<Vec<Feedback>> {
        let conn = self.conn();
        let mut statement = conn.prepare(
            "SELECT call_id, kind, rule, turn, evidence, note, set_by, set_at FROM feedback ORDER BY id",
        )?;
        let rows = statement
            .query_map([], |row| {
                Ok(Feedback {
                    call_id: row.get(0)?,
                    kind: row.get(1)?,
                    rule: row.get(2)?,
                    turn: row.get(3)?,
                    evidence: row.get(4)?,
                    note: row.get(5)?,
                    by: row.get(6)?,
                    at: row.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn add_note(&self, id: &str, note: &Note) -> Result<()> {
        self.conn().execute(
            "INSERT INTO notes (call_id, set_by, set_at, text) VALUES (?1, ?2, ?3, ?4)",
            params![id, note.by, note.at, note.text],
        )?;
        Ok(())
    }

    /// A call's autopsy notes, oldest first.
    pub fn notes(&self, id: &str) -> Result<Vec<Note>> {
        let conn = self.conn();
        let mut statement =
            conn.prepare("SELECT set_by, set_at, text FROM notes WHERE call_id = ?1 ORDER BY id")?;
        let rows = statement
            .query_map([id], |row| {
                Ok(Note {
                    by: row.get(0)?,
                    at: row.get(1)?,
                    text: row.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Records a deal's outcome on a call (replacing an earlier one).
    pub fn set_outcome(&self, id: &str, outcome: &str, by: &str, at: &str) -> Result<()> {
        self.conn().execute(
            "INSERT INTO outcomes (call_id, outcome, set_by, set_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (call_id) DO UPDATE SET outcome = ?2, set_by = ?3, set_at = ?4",
            params![id, outcome, by, at],
        )?;
        Ok(())
    }

    /// The outcome recorded on one call, if any.
    pub fn outcome(&self, id: &str) -> Result<Option<String>> {
        let outcome = self
            .conn()
            .query_row(
                "SELECT outcome FROM outcomes WHERE call_id = ?1",
                params![id],
                |row| row.get(0),
            )
            .optional()?;
        Ok(outcome)
    }

    /// Every recorded outcome: (call id, outcome).
    pub fn outcomes(&self) -> Result<Vec<(String, String)>> {
        let conn = self.conn();
        let mut statement =
            conn.prepare("SELECT call_id, outcome FROM outcomes ORDER BY call_id")?;
        let rows = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

const SELECT: &str = "SELECT id, created_at, uploaded_by, title, call_type, call_date, ae, se,
    status, stage, progress, error, attempts, recording_deleted, channels FROM calls";

fn call_from_row(row: &Row<'_>) -> rusqlite::Result<CallRecord> {
    let status: String = row.get(8)?;
    Ok(CallRecord {
        id: row.get(0)?,
        created_at: row.get(1)?,
        uploaded_by: row.get(2)?,
        title: row.get(3)?,
        call_type: row.get(4)?,
        call_date: row.get(5)?,
        ae: row.get(6)?,
        se: row.get(7)?,
        status: Status::parse(&status).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(8, rusqlite::types::Type::Text, e.into())
        })?,
        stage: row.get(9)?,
        progress: row.get(10)?,
        error: row.get(11)?,
        attempts: row.get(12)?,
        recording_deleted: row.get(13)?,
        channels: serde_json::from_str(&row.get::<_, String>(14)?).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(14, rusqlite::types::Type::Text, e.into())
        })?,
        files: Vec::new(),
    })
}

fn with_files(conn: &Connection, mut call: CallRecord) -> Result<CallRecord> {
    let mut statement = conn.prepare_cached(
        "SELECT kind, stored_name, track_name, bytes FROM files WHERE call_id = ?1 ORDER BY position",
    )?;
    call.files = statement
        .query_map([&call.id], |row| {
            let kind: String = row.get(0)?;
            Ok(StoredFile {
                kind: if kind == "audio" {
                    FileKind::Audio
                } else {
                    FileKind::Transcript
                },
                stored_name: row.get(1)?,
                track_name: row.get(2)?,
                bytes: row.get::<_, i64>(3)? as u64,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(call)
}

/// Applies the migrations the database has not had yet, each in its own transaction.
fn migrate(conn: &mut Connection) -> Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let version = usize::try_from(version).unwrap_or(usize::MAX);
    if version > MIGRATIONS.len() {
        return Err(anyhow!(
            "the database is at schema version {version}, newer than this swimlane knows ({}); use a newer swimlane",
            MIGRATIONS.len()
        ));
    }
    for (step, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", step as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_call(id: &str) -> NewCall {
        NewCall {
            id: id.into(),
            uploaded_by: "Sam Patel".into(),
            title: Some("Demo".into()),
            call_type: None,
            call_date: None,
            ae: Some("Dana Ruiz".into()),
            se: Some("Sam Patel".into()),
            channels: vec!["0=Dana Ruiz".into()],
            files: vec![StoredFile {
                kind: FileKind::Audio,
                stored_name: "input-0.flac".into(),
                track_name: None,
                bytes: 10,
            }],
        }
    }

    #[test]
    fn jobs_are_claimed_oldest_first_and_recover_after_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("swimlane.db");
        let store = Store::open(&path).unwrap();
        store
            .insert(&new_call("b"), "2026-11-29T10:00:01Z")
            .unwrap();
        store
            .insert(&new_call("a"), "2026-11-29T10:00:00Z")
            .unwrap();
        let first = store.claim_next().unwrap().unwrap();
        assert_eq!((first.id.as_str(), first.status), ("a", Status::Running));
        assert_eq!(first.files[0].stored_name, "input-0.flac");
        assert_eq!(first.channels, ["0=Dana Ruiz"]);
        store.set_progress("a", "transcribing", 0.5).unwrap();
        drop(store);

        // The server stopped mid-job: on reopening, the job is queued again.
        let store = Store::open(&path).unwrap();
        assert_eq!(store.recover().unwrap(), (1, 0));
        let again = store.claim_next().unwrap().unwrap();
        assert_eq!((again.id.as_str(), again.attempts), ("a", 2));
        store.finish("a", Ok(())).unwrap();
        let next = store.claim_next().unwrap().unwrap();
        store.finish(&next.id, Err("bad audio".into())).unwrap();
        assert!(store.claim_next().unwrap().is_none());
        let calls = store.calls().unwrap();
        assert_eq!(calls.len(), 2);
        let b = store.call("b").unwrap().unwrap();
        assert_eq!(
            (b.status, b.error.as_deref()),
            (Status::Failed, Some("bad audio"))
        );
        assert!(store.call("zz").unwrap().is_none());
    }

    #[test]
    fn corrections_notes_feedback_and_outcomes_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        store.insert(&new_call("a"), "t").unwrap();
        let claimed = store.claim_next().unwrap().unwrap();
        store.finish(&claimed.id, Ok(())).unwrap();
        store
            .set_role("a", "Speaker 2", "SE", "Sam Patel", "t2")
            .unwrap();
        store
            .set_role("a", "Speaker 2", "AE", "Sam Patel", "t3")
            .unwrap();
        assert_eq!(
            store.roles("a").unwrap(),
            [("Speaker 2".to_string(), "AE".to_string())]
        );
        assert_eq!(
            store.call("a").unwrap().unwrap().status,
            Status::Queued,
            "re-analysed"
        );
        let note = Note {
            by: "Dana Ruiz".into(),
            at: "t".into(),
            text: "We never asked about budget.".into(),
        };
        store.add_note("a", &note).unwrap();
        assert_eq!(store.notes("a").unwrap(), [note]);
        store.set_outcome("a", "won", "Morgan Lee", "t").unwrap();
        store.set_outcome("a", "lost", "Morgan Lee", "t").unwrap();
        assert_eq!(
            store.outcomes().unwrap(),
            [("a".to_string(), "lost".to_string())]
        );
        assert_eq!(store.outcome("a").unwrap().as_deref(), Some("lost"));
        assert_eq!(store.outcome("b").unwrap(), None);
        let feedback = Feedback {
            call_id: "a".into(),
            kind: "se_pricing".into(),
            rule: "Pricing.SePrice".into(),
            turn: 4,
            evidence: "about 40%".into(),
            note: Some("a discount on latency, not price".into()),
            by: "Sam Patel".into(),
            at: "t".into(),
        };
        store.add_feedback(&feedback).unwrap();
        assert_eq!(store.feedback().unwrap(), [feedback]);
    }

    #[test]
    fn a_job_that_keeps_crashing_the_server_is_given_up() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        store.insert(&new_call("a"), "t").unwrap();
        for _ in 0..MAX_ATTEMPTS {
            store.recover().unwrap();
            store.claim_next().unwrap().unwrap();
        }
        assert_eq!(store.recover().unwrap(), (0, 1));
        let a = store.call("a").unwrap().unwrap();
        assert_eq!(a.status, Status::Failed);
        assert!(a.error.unwrap().contains("3 times"));
    }

    #[test]
    fn a_database_from_a_newer_swimlane_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        drop(Store::open(&path).unwrap());
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let err = format!("{:#}", Store::open(&path).err().unwrap());
        assert!(err.contains("schema version 99"), "{err}");
    }
}
