//! `swimlane serve` and `swimlane user`: the team's coaching workspace. One process serves the
//! HTTP API (and the pages on it), keeps calls in an embedded SQLite store beside their files,
//! and runs a persistent job queue that turns uploads into debriefs with the same pipeline as
//! `analyze`. Nothing here is needed by the other commands.

mod api;
mod jobs;
mod pages;
mod store;
mod upload;

use crate::app::{Exit, write_atomically};
use crate::cli::{DataArgs, ServeArgs, UserCommand};
use anyhow::{Context, Result, anyhow, bail};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use swimlane::workspace::users::{UserRole, Users};

/// The workspace folder and the files in it.
#[derive(Debug, Clone)]
pub(crate) struct Workspace {
    dir: PathBuf,
}

impl Workspace {
    fn new(args: &DataArgs) -> Workspace {
        Workspace {
            dir: args.dir.clone().unwrap_or_else(swimlane::paths::data_dir),
        }
    }

    fn users_file(&self) -> PathBuf {
        self.dir.join("users.toml")
    }

    fn database(&self) -> PathBuf {
        self.dir.join("swimlane.db")
    }

    /// The folder of one call's files. Ids are made by the server, never taken from a request
    /// unchecked (see `api::call_id`), so this never leaves the workspace.
    fn call_dir(&self, id: &str) -> PathBuf {
        self.dir.join("calls").join(id)
    }

    /// Where uploads are written before they are acknowledged.
    fn incoming_dir(&self) -> PathBuf {
        self.dir.join("incoming")
    }

    /// Creates the workspace's folders, and drops uploads that a stopped server left half
    /// received (none was acknowledged, so nothing of a client's is lost).
    fn create(&self) -> Result<()> {
        remove_dir(&self.incoming_dir()).with_context(|| {
            format!(
                "{}: cannot clear interrupted uploads",
                self.incoming_dir().display()
            )
        })?;
        for dir in [self.dir.join("calls"), self.incoming_dir()] {
            std::fs::create_dir_all(&dir).with_context(|| {
                format!(
                    "{}: cannot create the workspace folder; pass --data DIR",
                    dir.display()
                )
            })?;
        }
        Ok(())
    }

    /// The users file; none yet is an empty list.
    fn load_users(&self) -> Result<Users> {
        let path = self.users_file();
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Users::parse(&text, &path.display().to_string())?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Users::default()),
            Err(e) => Err(anyhow!("{}: cannot read: {e}", path.display())),
        }
    }

    fn save_users(&self, users: &Users) -> Result<()> {
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("{}: cannot create the folder", self.dir.display()))?;
        write_atomically(&self.users_file(), users.to_toml().as_bytes())
    }
}

pub(crate) fn user_command(command: UserCommand) -> Result<Exit> {
    match command {
        UserCommand::Add { name, role, data } => {
            let role: UserRole = role.parse().map_err(|e| anyhow!("--role {role}: {e}"))?;
            let workspace = Workspace::new(&data);
            let mut users = workspace.load_users()?;
            let token = users.add(&name, role)?;
            workspace.save_users(&users)?;
            eprintln!(
                "added {} ({role}) to {}; their token, shown this once:",
                name.trim(),
                workspace.users_file().display()
            );
            println!("{token}");
        }
        UserCommand::List { data } => {
            let workspace = Workspace::new(&data);
            let users = workspace.load_users()?;
            if users.all().is_empty() {
                eprintln!(
                    "no users yet in {}; add one with `swimlane user add NAME --role manager`",
                    workspace.users_file().display()
                );
            }
            for user in users.all() {
                println!("{}\t{}", user.name, user.role);
            }
        }
        UserCommand::Remove { name, data } => {
            let workspace = Workspace::new(&data);
            let mut users = workspace.load_users()?;
            if !users.remove(&name) {
                bail!("no user named {name}; `swimlane user list` shows them");
            }
            workspace.save_users(&users)?;
            eprintln!("removed {name}; their token no longer works");
        }
        UserCommand::Token { name, data } => {
            let workspace = Workspace::new(&data);
            let mut users = workspace.load_users()?;
            let token = users
                .renew(&name)
                .ok_or_else(|| anyhow!("no user named {name}; `swimlane user list` shows them"))?;
            workspace.save_users(&users)?;
            eprintln!("new token for {name}; the old one no longer works:");
            println!("{token}");
        }
    }
    Ok(Exit::Success)
}

pub(crate) fn serve_command(args: ServeArgs) -> Result<Exit> {
    if args.workers == 0 {
        bail!("--workers must be at least 1");
    }
    let workspace = Workspace::new(&args.data);
    workspace.create()?;
    let users = workspace.load_users()?;
    if users.all().is_empty() {
        bail!(
            "{}: no users yet, so nobody could sign in; add one with `swimlane user add NAME --role manager --data {}`",
            workspace.users_file().display(),
            workspace.dir.display()
        );
    }
    let charter = crate::app::load_charter(args.charter.as_deref())?;
    let lexicon = crate::app::load_lexicon(&args.lexicon)?;
    let store = Arc::new(store::Store::open(&workspace.database())?);
    let (requeued, given_up) = store.recover()?;
    if requeued + given_up > 0 {
        eprintln!(
            "resuming: {requeued} interrupted job(s) queued again, {given_up} given up after {} tries",
            store::MAX_ATTEMPTS
        );
    }
    let mut known: Vec<String> = charter.ae.iter().chain(&charter.se).cloned().collect();
    known.extend(
        crate::voice::load_store()?
            .voices
            .into_iter()
            .map(|v| v.name),
    );
    known.sort();
    known.dedup();
    let names = api::Names {
        ae: charter.ae.first().cloned(),
        se: charter.se.first().cloned(),
        known,
    };
    // Workers share the cores: whisper.cpp's threads spin while they wait, so more threads
    // than cores slow every job down.
    let mut asr = args.asr.clone();
    if asr.threads.is_none() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        asr.threads = Some((cores / args.workers).max(1));
    }
    let pipeline = Arc::new(jobs::Pipeline {
        workspace: workspace.clone(),
        charter,
        lexicon,
        asr,
    });
    let queue = jobs::start(store.clone(), pipeline, args.workers);
    if let Some(days) = args.retention_days {
        jobs::start_retention(store.clone(), workspace.clone(), days);
    }
    let app = api::App::new(
        workspace,
        store,
        queue,
        args.max_upload_mb.saturating_mul(1_000_000),
        names,
    );
    api::run(app, args.bind, args.port)?;
    Ok(Exit::Success)
}

/// Now, as RFC 3339 in UTC, the form the store keeps times in (they sort as text).
fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// A new call id: 16 random hex digits.
fn new_id() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `id` has the shape `new_id` makes, so that it is safe in a path.
fn is_call_id(id: &str) -> bool {
    id.len() == 16 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Removes a folder and what is in it, ignoring one that is already gone.
fn remove_dir(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}
