//! The workspace in a real browser: headless Chromium driven over WebDriver (chromedriver) signs
//! in with a token, uploads the bundled sample recording, waits for its debrief, clicks an event
//! and checks that the player moved to it, and opens the dashboard. Screenshots of each step go
//! to `target/e2e/` (or `$SWIMLANE_SCREENSHOTS`).
//!
//! Needs `chromium` and `chromium-driver` (Debian packages; `.ci/run` installs them) and the
//! installed models. `SWIMLANE_SKIP_MODEL_TESTS=1` or `SWIMLANE_SKIP_BROWSER_TESTS=1` skips it,
//! saying so; without them, a missing browser is a failure.

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use server::{Running, add_user};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tempfile::TempDir;

mod server;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Prints the server's log when the test fails, to show what the server made of it.
struct LogOnFailure(Arc<Mutex<String>>);

impl Drop for LogOnFailure {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("server log:\n{}", self.0.lock().unwrap());
        }
    }
}

fn screenshots() -> PathBuf {
    let dir = std::env::var_os("SWIMLANE_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/e2e"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn shoot(client: &Client, name: &str) {
    let png = client.screenshot().await.unwrap();
    std::fs::write(screenshots().join(name), png).unwrap();
}

/// Waits until `script` returns true in the page, or panics after `limit`.
async fn wait_for(client: &Client, script: &str, limit: Duration, what: &str) {
    let start = Instant::now();
    loop {
        let done = client.execute(script, vec![]).await.unwrap();
        if done == json!(true) {
            return;
        }
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_upload_the_sample_seek_to_an_event_and_open_the_dashboard() {
    for skip in ["SWIMLANE_SKIP_MODEL_TESTS", "SWIMLANE_SKIP_BROWSER_TESTS"] {
        if std::env::var_os(skip).is_some() {
            eprintln!("skipped: {skip} is set");
            return;
        }
    }
    let data = TempDir::new().unwrap();
    let token = add_user(data.path(), "Sam Patel", "se");
    let charter = root().join("samples/charter.toml");
    let server = server::serve(
        data.path(),
        &[OsStr::new("--charter"), charter.as_os_str()],
        root(),
    );
    let base = server.base.clone();
    let _log = LogOnFailure(server.log.clone());
    let port = free_port();
    let driver = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver runs: apt-get install chromium chromium-driver");
    let _driver = Running(driver);
    let capabilities = json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1400", "--autoplay-policy=no-user-gesture-required"]
        }
    });
    let mut builder = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
    builder.capabilities(capabilities.as_object().unwrap().clone());
    let start = Instant::now();
    let client = loop {
        match builder.connect(&format!("http://127.0.0.1:{port}")).await {
            Ok(client) => break client,
            Err(e) if start.elapsed() > Duration::from_secs(20) => panic!("chromedriver: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    };

    // Signing in: the dashboard sends a stranger to the sign-in page.
    client.goto(&format!("{base}/")).await.unwrap();
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/login")
    );
    client
        .find(Locator::Css("input[name=token]"))
        .await
        .unwrap()
        .send_keys(&token)
        .await
        .unwrap();
    shoot(&client, "1-sign-in.png").await;
    client
        .find(Locator::Css("form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The click only starts the navigation: wait for the page it leads to.
    let dashboard = client.current_url().await.unwrap().join("/").unwrap();
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_url(&dashboard)
        .await
        .unwrap();
    let heading = client
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(heading, "Your calls");

    // Uploading the sample recording, its channels named, and following it to the debrief.
    client.goto(&format!("{base}/upload")).await.unwrap();
    let se = client.find(Locator::Css("input[name=se]")).await.unwrap();
    assert_eq!(
        se.prop("value").await.unwrap().as_deref(),
        Some("Sam Patel"),
        "prefilled"
    );
    let sample = root().join("samples/demo-call.flac");
    client
        .find(Locator::Css("#files"))
        .await
        .unwrap()
        .send_keys(sample.to_str().unwrap())
        .await
        .unwrap();
    client
        .find(Locator::Css("input[name=channels]"))
        .await
        .unwrap()
        .send_keys("0=Dana Ruiz, 1=Sam Patel, 2=Priya Shah")
        .await
        .unwrap();
    client
        .find(Locator::Css("input[name=date]"))
        .await
        .unwrap()
        .send_keys("11/28/2026")
        .await
        .unwrap();
    client
        .find(Locator::Css("#upload button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&client, "return !!document.querySelector('#jobs li') && /%|queued/.test(document.querySelector('#jobs li').textContent) || !!document.querySelector('a.ready');", Duration::from_secs(60), "progress").await;
    shoot(&client, "2-upload-progress.png").await;
    wait_for(
        &client,
        "var f = document.querySelector('#jobs li.failed'); if (f) throw new Error(f.textContent); return !!document.querySelector('a.ready');",
        Duration::from_secs(600),
        "the debrief",
    )
    .await;
    client
        .find(Locator::Css("a.ready"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // The debrief: clicking an event's turn seeks the player to that turn.
    wait_for(&client, "return !!document.getElementById('player') && document.getElementById('player').readyState >= 1;", Duration::from_secs(30), "the player").await;
    shoot(&client, "3-debrief.png").await;
    let turn: u64 = client
        .execute(
            "var links = Array.from(document.querySelectorAll('.card a[href^=\"#turn-\"], ul.events a[href^=\"#turn-\"]'));\
             var later = links.filter(function (a) { return STARTS[+a.getAttribute('href').slice(6)] > 5; });\
             return later.length ? +later[0].getAttribute('href').slice(6) : -1;",
            vec![],
        )
        .await
        .unwrap()
        .as_i64()
        .unwrap()
        .try_into()
        .expect("the debrief has an event after the first 5 s");
    let expected = client
        .execute(&format!("return STARTS[{turn}];"), vec![])
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    client
        .find(Locator::Css(&format!(
            ".card a[href=\"#turn-{turn}\"], ul.events a[href=\"#turn-{turn}\"]"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(700)).await;
    let now = client
        .execute(
            "return document.getElementById('player').currentTime;",
            vec![],
        )
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    assert!(
        now >= expected - 0.25 && now <= expected + 3.0,
        "the player is at {now:.2} s; the event's turn {turn} starts at {expected:.2} s"
    );
    shoot(&client, "4-debrief-seeked.png").await;

    // The dashboard lists the call, done, and reviews it.
    client.goto(&format!("{base}/")).await.unwrap();
    let text = client
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("demo-call") && text.contains("done"),
        "{text}"
    );
    assert!(text.contains("Coaching review"), "{text}");
    shoot(&client, "5-dashboard.png").await;
    client.close().await.unwrap();
}
