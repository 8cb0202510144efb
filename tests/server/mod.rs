//! Running `swimlane serve` for the HTTP, browser and load tests: users added through the real
//! `user add` command, and the real binary on a port the system picks, with everything it writes
//! to stderr kept for failure messages.

// Each test binary that includes this module uses a different part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

pub fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("swimlane")
}

/// Adds a user to the workspace in `data` and returns their token.
pub fn add_user(data: &Path, name: &str, role: &str) -> String {
    let out = Command::new(binary())
        .args(["user", "add", name, "--role", role, "--data"])
        .arg(data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A child process, killed when dropped.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A started server: the process, its base address and its stderr so far.
pub struct Started {
    pub process: Running,
    pub base: String,
    pub log: Arc<Mutex<String>>,
}

/// Starts `swimlane serve --port 0 --data DATA` plus `extra`, from `folder`, and waits until it
/// says where it listens.
pub fn serve(data: &Path, extra: &[&std::ffi::OsStr], folder: &Path) -> Started {
    let mut child = Command::new(binary())
        .args(["serve", "--port", "0", "--data"])
        .arg(data)
        .args(extra)
        .current_dir(folder)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let process = Running(child);
    // What the server says before it listens (resumed jobs) goes to the log too.
    let log = Arc::new(Mutex::new(String::new()));
    let base = loop {
        let line = lines
            .next()
            .expect("the server says where it listens")
            .unwrap();
        log.lock().unwrap().push_str(&format!("{line}\n"));
        if let Some(rest) = line.split("listening on ").nth(1) {
            break rest
                .split_whitespace()
                .next()
                .unwrap()
                .trim_end_matches('/')
                .to_string();
        }
    };
    let sink = log.clone();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            sink.lock().unwrap().push_str(&(line + "\n"));
        }
    });
    Started { process, base, log }
}
