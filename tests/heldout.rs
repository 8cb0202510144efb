//! Detection must keep working on calls written by others, in other words: `swimlane eval` over
//! the held-out labelled calls in `tests/fixtures/heldout` stays above the bars (every
//! event type F1 >= 0.9, call-level accuracy >= 0.9).

use assert_cmd::Command;

#[test]
fn held_out_calls_stay_above_the_bars() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/heldout");
    let output = Command::cargo_bin("swimlane")
        .expect("binary builds")
        .args([
            "eval",
            dir,
            "--min-f1",
            "0.9",
            "--min-accuracy",
            "0.9",
            "-v",
        ])
        .output()
        .expect("eval runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("48 labelled calls"), "{stdout}");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
