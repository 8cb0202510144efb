//! The load check of `swimlane serve`, on loopback only: 20 uploads at once, then 200 debrief
//! reads at once. It fails on any error, any lost upload, or a server whose peak memory grows
//! past a generous bound; it prints its figures (see them with
//! `cargo test --test load -- --nocapture`). Timings are printed, never asserted: these machines
//! are shared.

use reqwest::StatusCode;
use reqwest::blocking::{Client, multipart};
use serde_json::Value;
use server::add_user;
use std::path::Path;
use std::time::{Duration, Instant};
use tempfile::TempDir;

mod server;

const UPLOADS: usize = 20;
const READS: usize = 200;
/// Peak resident memory the server may reach: far above what it needs, far below what holding
/// every upload in memory at once would take with larger files.
const PEAK_RSS_LIMIT_MB: f64 = 400.0;

/// A call of `cues` caption cues between an AE, an SE and a buyer, about 330 bytes a cue.
fn long_call(cues: usize) -> String {
    let mut vtt = String::from("WEBVTT\n\n");
    let lines = [
        (
            "Dana Ruiz",
            "Thanks for joining. What does your payout process look like when a transfer fails?",
        ),
        (
            "Priya Shah",
            "We reprocess about three hundred failed payouts by hand every week, which costs us two people.",
        ),
        (
            "Sam Patel",
            "We stream each authorization event into a feature service and score it before the money moves.",
        ),
    ];
    for i in 0..cues {
        let (who, text) = lines[i % lines.len()];
        let (start, end) = (i * 5, i * 5 + 4);
        vtt.push_str(&format!(
            "{:02}:{:02}:{:02}.000 --> {:02}:{:02}:{:02}.000\n<v {who}>{text} (part {i})\n\n",
            start / 3600,
            start / 60 % 60,
            start % 60,
            end / 3600,
            end / 60 % 60,
            end % 60
        ));
    }
    vtt
}

/// Peak and current resident memory of a process, in MB, from /proc.
fn memory_mb(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[test]
fn twenty_uploads_and_two_hundred_reads_at_once_lose_nothing() {
    let data = TempDir::new().unwrap();
    let token = add_user(data.path(), "Morgan Lee", "manager");
    let server = server::serve(data.path(), &[], Path::new(env!("CARGO_MANIFEST_DIR")));
    let pid = server.process.0.id();
    let base = server.base.clone();
    let client = Client::builder()
        .timeout(Duration::from_secs(300))
        .build()
        .unwrap();
    let call = long_call(3_000);
    let (idle_peak, _) = memory_mb(pid);

    let started = Instant::now();
    let ids: Vec<String> = std::thread::scope(|scope| {
        let uploads: Vec<_> = (0..UPLOADS)
            .map(|n| {
                let (client, base, token, call) = (&client, &base, &token, &call);
                scope.spawn(move || {
                    let form = multipart::Form::new()
                        .part(
                            "file",
                            multipart::Part::bytes(call.clone().into_bytes()).file_name("call.vtt"),
                        )
                        .text("title", format!("Load {n}"));
                    let response = client
                        .post(format!("{base}/api/calls"))
                        .bearer_auth(token)
                        .multipart(form)
                        .send()
                        .unwrap();
                    assert_eq!(response.status(), StatusCode::CREATED);
                    response.json::<Value>().unwrap()["id"]
                        .as_str()
                        .unwrap()
                        .to_string()
                })
            })
            .collect();
        uploads.into_iter().map(|u| u.join().unwrap()).collect()
    });
    let acknowledged = started.elapsed();

    // Every upload is listed, and every job ends done.
    loop {
        let list: Value = client
            .get(format!("{base}/api/calls"))
            .bearer_auth(&token)
            .send()
            .unwrap()
            .json()
            .unwrap();
        let calls = list["calls"].as_array().unwrap();
        assert_eq!(calls.len(), UPLOADS, "no upload is lost");
        assert!(calls.iter().all(|c| c["status"] != "failed"), "{list}");
        if calls.iter().all(|c| c["status"] == "done") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "jobs did not finish"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let processed = started.elapsed();

    let read_start = Instant::now();
    let mut latencies: Vec<Duration> = std::thread::scope(|scope| {
        let reads: Vec<_> = (0..READS)
            .map(|n| {
                let (client, base, token, ids) = (&client, &base, &token, &ids);
                scope.spawn(move || {
                    let t = Instant::now();
                    let response = client
                        .get(format!("{base}/api/calls/{}/debrief", ids[n % ids.len()]))
                        .bearer_auth(token)
                        .send()
                        .unwrap();
                    assert_eq!(response.status(), StatusCode::OK);
                    let debrief: Value = response.json().unwrap();
                    assert_eq!(debrief["call"]["turns"], 3_000);
                    t.elapsed()
                })
            })
            .collect();
        reads.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let read_wall = read_start.elapsed();
    latencies.sort();
    let (peak, now) = memory_mb(pid);
    let upload_mb = call.len() as f64 * UPLOADS as f64 / 1e6;
    eprintln!(
        "load check: {UPLOADS} uploads of {:.2} MB at once acknowledged in {:.2} s, analysed by {:.2} s; \
         {READS} debrief reads at once in {:.2} s (median {:.0} ms, 95th percentile {:.0} ms); \
         server memory: {idle_peak:.0} MB at start, peak {peak:.0} MB, {now:.0} MB after ({upload_mb:.1} MB uploaded)",
        call.len() as f64 / 1e6,
        acknowledged.as_secs_f64(),
        processed.as_secs_f64(),
        read_wall.as_secs_f64(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.95),
    );
    assert!(peak < PEAK_RSS_LIMIT_MB, "server peak memory {peak:.0} MB");
}
