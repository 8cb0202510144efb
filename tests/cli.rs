//! End-to-end tests of the `swimlane` binary: each test runs the real executable in a fresh
//! temporary folder and checks its exit status, standard output, standard error and the files
//! it writes.
//!
//! Exit statuses asserted here, as `app::Exit` in src/app.rs defines them:
//!
//! | status | `Exit`      | meaning                                                    |
//! |--------|-------------|------------------------------------------------------------|
//! | 0      | `Success`   | everything asked for was done                              |
//! | 1      | `Failure`   | an error stopped the command; nothing was written          |
//! | 3      | `Partial`   | some inputs of a batch failed; the others were written     |
//! | 4      | `BelowGate` | `eval` ran but the figures are below `--min-f1`            |
//!
//! Fixtures live in tests/fixtures/cli/ (transcripts and labelled calls written for these tests)
//! and tests/fixtures/lexicons/ (lexicon folders laid over the shipped rules).

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const SUCCESS: i32 = 0;
const FAILURE: i32 = 1;
const PARTIAL: i32 = 3;
const BELOW_GATE: i32 = 4;

/// The roles of the demo call's vendor pair, as `--role` flags.
const DEMO_ROLES: [&str; 4] = ["--role", "Maya Lindqvist=AE", "--role", "Omar Haddad=SE"];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn demo_vtt() -> PathBuf {
    fixture("cli/demo.vtt")
}

/// The binary, run in `dir`.
fn swimlane(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("swimlane").expect("the swimlane binary is built");
    cmd.current_dir(dir);
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("swimlane runs");
    Run {
        code: out.status.code().expect("swimlane exits with a status"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

fn lines_starting<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.lines().filter(|l| l.starts_with(prefix)).collect()
}

/// Exit 1, nothing on stdout, and stderr is exactly one `error:` line containing each needle.
fn assert_single_error(r: &Run, needles: &[&str]) {
    assert_eq!(r.code, FAILURE, "stderr: {}", r.stderr);
    assert_eq!(r.stdout, "", "nothing is written to stdout on failure");
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line on stderr, got: {:?}", r.stderr);
    assert!(lines[0].starts_with("error: "), "{}", lines[0]);
    for needle in needles {
        assert!(
            lines[0].contains(needle),
            "error line should contain {needle:?}: {}",
            lines[0]
        );
    }
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// `(type, turn)` of every event in a JSON debrief.
fn event_turns(debrief: &Value) -> BTreeSet<(String, u64)> {
    debrief["events"]
        .as_array()
        .expect("events is an array")
        .iter()
        .map(|e| {
            (
                e["type"].as_str().expect("type").to_string(),
                e["turn"].as_u64().expect("turn"),
            )
        })
        .collect()
}

fn set(items: &[(&str, u64)]) -> BTreeSet<(String, u64)> {
    items.iter().map(|(k, t)| (k.to_string(), *t)).collect()
}

/// The events the demo call holds, by type and turn index.
fn demo_events() -> BTreeSet<(String, u64)> {
    set(&[
        ("handoff", 2),
        ("rescue_phrase", 6),
        ("se_pricing", 8),
        ("handoff", 11),
        ("next_step", 15),
    ])
}

fn analyze_demo_json(dir: &Path, extra: &[&str]) -> Value {
    let r = run(swimlane(dir)
        .arg("analyze")
        .arg(demo_vtt())
        .args(DEMO_ROLES)
        .args(["--format", "json"])
        .args(extra));
    assert_eq!(r.code, SUCCESS, "stderr: {}", r.stderr);
    json(&r.stdout)
}

fn names_in(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .expect("folder is readable")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// analyze: one transcript

#[test]
fn analyze_vtt_writes_markdown_with_verdict_and_sections() {
    let dir = TempDir::new().unwrap();
    let verdict = analyze_demo_json(dir.path(), &[])["verdict"]
        .as_str()
        .expect("verdict")
        .to_string();
    let r = run(swimlane(dir.path())
        .arg("analyze")
        .arg(demo_vtt())
        .args(DEMO_ROLES));
    assert_eq!(r.code, SUCCESS, "stderr: {}", r.stderr);
    assert_eq!(r.stderr, "");
    assert!(
        r.stdout.lines().any(|l| l == format!("**{verdict}**")),
        "the verdict line `**{verdict}**` is in the report:\n{}",
        r.stdout
    );
    assert!(verdict.contains("next step secured"), "{verdict}");
    assert!(
        verdict.contains("1 swimlane violation (SE talked pricing)"),
        "{verdict}"
    );
    for section in ["## The autopsy", "## Swimlane violations"] {
        assert!(
            r.stdout.lines().any(|l| l == section),
            "missing section {section}"
        );
    }
    assert!(names_in(dir.path()).is_empty(), "stdout only, no files");
}

#[test]
fn analyze_vtt_json_has_schema_and_events_on_the_right_turns() {
    let dir = TempDir::new().unwrap();
    let d = analyze_demo_json(dir.path(), &[]);
    assert_eq!(d["schema"], "swimlane.debrief/1");
    assert_eq!(d["call"]["turns"], 20);
    assert_eq!(event_turns(&d), demo_events());

    let events = d["events"].as_array().unwrap();
    let find = |kind: &str, turn: u64| {
        events
            .iter()
            .find(|e| e["type"] == kind && e["turn"] == turn)
            .unwrap_or_else(|| panic!("{kind} at {turn}"))
    };
    let to_se = find("handoff", 2);
    assert_eq!((&to_se["from"], &to_se["to"]), (&"AE".into(), &"SE".into()));
    let to_ae = find("handoff", 11);
    assert_eq!((&to_ae["from"], &to_ae["to"]), (&"SE".into(), &"AE".into()));
    assert_eq!(to_ae["deferred"], false);
    assert_eq!(find("se_pricing", 8)["speaker"], "Omar Haddad");
    assert_eq!(find("se_pricing", 8)["role"], "SE");
    assert_eq!(find("rescue_phrase", 6)["role"], "AE");
    let next = find("next_step", 15);
    assert_eq!(next["span"], serde_json::json!([14, 15]));
    assert_eq!(next["speaker"], "Hannah Becker");

    assert_eq!(d["next_step"]["secured"], true);
    assert_eq!(d["next_step"]["turn"], 15);
    assert_eq!(d["next_step"]["before_cta"], true);
    let roles: Vec<(&str, &str)> = d["speakers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap(),
                s["role_source"].as_str().unwrap(),
            )
        })
        .filter(|(_, source)| *source == "flag")
        .collect();
    assert_eq!(
        roles,
        [("Maya Lindqvist", "flag"), ("Omar Haddad", "flag")],
        "--role flags settle the vendor pair"
    );
}

#[test]
fn analyze_vtt_html_to_file_is_self_contained() {
    let dir = TempDir::new().unwrap();
    let r = run(swimlane(dir.path())
        .arg("analyze")
        .arg(demo_vtt())
        .args(DEMO_ROLES)
        .args(["--format", "html", "-o", "out.html"]));
    assert_eq!(r.code, SUCCESS, "stderr: {}", r.stderr);
    assert_eq!(r.stdout, "", "the report goes to the file, not stdout");
    let html = fs::read_to_string(dir.path().join("out.html")).expect("out.html written");
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html"),
        "{}",
        &html[..80]
    );
    assert!(!html.contains("http://"), "no remote references");
    assert!(!html.contains("https://"), "no remote references");
    assert!(html.contains("Omar Haddad"));
    assert_eq!(names_in(dir.path()), set_of(&["out.html"]));
}

fn set_of(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| n.to_string()).collect()
}

#[test]
fn call_json_needs_no_flags_roles_come_from_the_file() {
    let dir = TempDir::new().unwrap();
    let r = run(swimlane(dir.path())
        .arg("analyze")
        .arg(fixture("cli/call.json"))
        .args(["--format", "json"]));
    assert_eq!(r.code, SUCCESS, "stderr: {}", r.stderr);
    assert_eq!(r.stderr, "");
    let d = json(&r.stdout);
    assert_eq!(d["call"]["id"], "harbor-demo");
    assert_eq!(d["call"]["call_type"], "demo");
    for s in d["speakers"].as_array().unwrap() {
        assert_eq!(s["role_source"], "transcript", "{s}");
    }
    let role = |name: &str| {
        d["speakers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .map(|s| s["role"].as_str().unwrap().to_string())
    };
    assert_eq!(role("Priscilla Gale").as_deref(), Some("AE"));
    assert_eq!(role("Devon Achterberg").as_deref(), Some("SE"));
    assert_eq!(role("Marta Szabo").as_deref(), Some("prospect"));
    assert_eq!(
        event_turns(&d),
        set(&[
            ("demo_monkey_command", 2),
            ("demo_monkey_command", 4),
            ("demo_monkey_command", 6),
        ])
    );
    assert_eq!(d["flags"]["demo_monkey"], true);
    assert_eq!(d["next_step"]["secured"], false);
}

#[test]
fn stdin_with_input_format() {
    let dir = TempDir::new().unwrap();
    let bytes = fs::read(demo_vtt()).unwrap();
    let r = run(swimlane(dir.path())
        .args(["analyze", "-", "--input-format", "vtt", "--format", "json"])
        .args(DEMO_ROLES)
        .write_stdin(bytes.clone()));
    assert_eq!(r.code, SUCCESS, "stderr: {}", r.stderr);
    let d = json(&r.stdout);
    assert_eq!(event_turns(&d), demo_events());

    let md = run(swimlane(dir.path())
        .args(["analyze", "-", "--input-format", "vtt"])
        .args(DEMO_ROLES)
        .write_stdin(bytes));
    assert_eq!(md.code, SUCCESS, "stderr: {}", md.stderr);
    assert!(md.stdout.contains("## The autopsy"));
}

// ---------------------------------------------------------------------------------------------
// analyze: batches

#[test]
fn batch_with_one_bad_file_writes_the_others_and_exits_partial() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("calls");
    fs::create_dir(&input).unwrap();
    fs::copy(demo_vtt(), input.join("demo.vtt")).unwrap();
    fs::copy(fixture("cli/call.json"), input.join("harbor.json")).unwrap();
    fs::write(
        input.join("broken.vtt"),
        "WEBVTT\n\n00:00:01 --> later\nSomeone: this cue has no usable timing\n",
    )
    .unwrap();
    // Not a transcript extension: ignored by the folder expansion.
    fs::write(input.join("notes.md"), "# not a call\n").unwrap();

    let r = run(swimlane(dir.path()).args(["analyze", "calls", "-o", "out", "--format", "json"]));
    assert_eq!(r.code, PARTIAL, "stderr: {}", r.stderr);
    let errors = lines_starting(&r.stderr, "error:");
    assert_eq!(errors.len(), 1, "{}", r.stderr);
    assert!(errors[0].contains("broken.vtt"), "{}", errors[0]);
    assert!(errors[0].contains("line 3"), "{}", errors[0]);
    assert!(r.stderr.contains("1 of 3 inputs failed"), "{}", r.stderr);

    let out = dir.path().join("out");
    assert_eq!(names_in(&out), set_of(&["demo.json", "harbor.json"]));
    for name in ["demo.json", "harbor.json"] {
        let d = json(&fs::read_to_string(out.join(name)).unwrap());
        assert_eq!(d["schema"], "swimlane.debrief/1");
    }
}

#[test]
fn several_inputs_without_output_folder_fail() {
    let dir = TempDir::new().unwrap();
    let r = run(swimlane(dir.path())
        .arg("analyze")
        .arg(demo_vtt())
        .arg(fixture("cli/call.json")));
    assert_single_error(&r, &["-o DIR"]);
    assert!(names_in(dir.path()).is_empty());
}

#[test]
fn a_folder_needs_an_output_folder_too() {
    let dir = TempDir::new().unwrap();
    fs::create_dir(dir.path().join("calls")).unwrap();
    fs::copy(demo_vtt(), dir.path().join("calls/demo.vtt")).unwrap();
    let r = run(swimlane(dir.path()).args(["analyze", "calls"]));
    assert_single_error(&r, &["-o DIR"]);
}

// ---------------------------------------------------------------------------------------------
// analyze: bad inputs, each one `error:` line naming the file (and line)

fn analyze_file(dir: &Path, name: &str, contents: &str) -> Run {
    fs::write(dir.join(name), contents).unwrap();
    run(swimlane(dir).args(["analyze", name]))
}

#[test]
fn malformed_json_names_file_and_line() {
    let dir = TempDir::new().unwrap();
    let r = analyze_file(
        dir.path(),
        "bad.json",
        "{\n  \"turns\": [\n    {\"speaker\": \"A\", \"start\": 0, \"end\": 1, \"text\": \"hi\"},\n  ]\n}\n",
    );
    assert_single_error(&r, &["bad.json", "line 4"]);
}

#[test]
fn json_of_the_wrong_shape_is_an_error() {
    let dir = TempDir::new().unwrap();
    let r = analyze_file(dir.path(), "list.json", "[1, 2, 3]\n");
    assert_single_error(&r, &["list.json", "line 1"]);
}

#[test]
fn vtt_without_header_names_file_and_line() {
    let dir = TempDir::new().unwrap();
    let r = analyze_file(
        dir.path(),
        "noheader.vtt",
        "00:00:01.000 --> 00:00:03.000\nMaya Lindqvist: Hello there.\n",
    );
    assert_single_error(&r, &["noheader.vtt", "line 1", "WEBVTT"]);
}

#[test]
fn empty_file_is_an_error() {
    let dir = TempDir::new().unwrap();
    let r = analyze_file(dir.path(), "empty.vtt", "");
    assert_single_error(&r, &["empty.vtt", "no turns"]);
}

#[test]
fn nonexistent_path_is_an_error() {
    let dir = TempDir::new().unwrap();
    let r = run(swimlane(dir.path()).args(["analyze", "nowhere/call.vtt"]));
    assert_single_error(&r, &["nowhere/call.vtt"]);
}

#[test]
fn unknown_role_names_the_allowed_values() {
    let dir = TempDir::new().unwrap();
    let r = run(swimlane(dir.path())
        .arg("analyze")
        .arg(demo_vtt())
        .args(["--role", "Dana=boss"]));
    assert_single_error(&r, &["Dana=boss", "boss", "AE", "SE", "prospect"]);
}

#[test]
fn role_without_equals_is_an_error() {
    let dir = TempDir::new().unwrap();
    let r = run(swimlane(dir.path())
        .arg("analyze")
        .arg(demo_vtt())
        .args(["--role", "Dana"]));
    assert_single_error(&r, &["--role \"Dana\"", "NAME=ROLE"]);
}

#[test]
fn unknown_report_format_is_an_error() {
    let dir = TempDir::new().unwrap();
    let r = run(swimlane(dir.path())
        .arg("analyze")
        .arg(demo_vtt())
        .args(["--format", "pdf"]));
    assert_single_error(&r, &["pdf", "md, html or json"]);
}

#[test]
fn charter_with_unknown_key_names_file_and_line() {
    let dir = TempDir::new().unwrap();
    fs::write(
        dir.path().join("team.toml"),
        "ae = \"Maya Lindqvist\"\nse = \"Omar Haddad\"\n\nrescue = \"Zoom out\"\n",
    )
    .unwrap();
    let r = run(swimlane(dir.path())
        .arg("analyze")
        .arg(demo_vtt())
        .args(["--charter", "team.toml"]));
    assert_single_error(&r, &["team.toml:4:", "rescue"]);

    let check = run(swimlane(dir.path()).args(["charter", "check", "team.toml"]));
    assert_single_error(&check, &["team.toml:4:", "rescue"]);
}

#[test]
fn folder_without_transcripts_is_an_error() {
    let dir = TempDir::new().unwrap();
    fs::create_dir(dir.path().join("calls")).unwrap();
    fs::write(dir.path().join("calls/readme.md"), "nothing here\n").unwrap();
    let r = run(swimlane(dir.path()).args(["analyze", "calls", "-o", "out"]));
    assert_single_error(&r, &["calls", "no recordings"]);
}

// ---------------------------------------------------------------------------------------------
// analyze: warnings and output files

#[test]
fn role_for_someone_who_never_speaks_warns_unless_quiet() {
    let dir = TempDir::new().unwrap();
    let r = run(swimlane(dir.path())
        .arg("analyze")
        .arg(demo_vtt())
        .args(DEMO_ROLES)
        .args(["--role", "Zed Quint=SE"]));
    assert_eq!(r.code, SUCCESS, "stderr: {}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", r.stderr);
    assert!(lines[0].starts_with("warning: "), "{}", lines[0]);
    assert!(lines[0].contains("Zed Quint"), "{}", lines[0]);
    assert!(lines[0].contains("demo.vtt"), "{}", lines[0]);
    assert!(r.stdout.contains("## The autopsy"));

    let quiet = run(swimlane(dir.path())
        .arg("analyze")
        .arg(demo_vtt())
        .args(DEMO_ROLES)
        .args(["--role", "Zed Quint=SE", "--quiet"]));
    assert_eq!(quiet.code, SUCCESS);
    assert_eq!(quiet.stderr, "");
    assert_eq!(quiet.stdout, r.stdout, "--quiet changes only stderr");
}

#[test]
fn failed_analysis_leaves_an_existing_output_file_alone() {
    let dir = TempDir::new().unwrap();
    let before = "# An earlier debrief\n\nKeep me.\n";
    fs::write(dir.path().join("out.md"), before).unwrap();
    fs::write(
        dir.path().join("bad.vtt"),
        "not a caption file\nMaya Lindqvist: hi\n",
    )
    .unwrap();
    let r = run(swimlane(dir.path()).args(["analyze", "bad.vtt", "-o", "out.md"]));
    assert_single_error(&r, &["bad.vtt"]);
    assert_eq!(
        fs::read_to_string(dir.path().join("out.md")).unwrap(),
        before
    );
    assert_eq!(
        names_in(dir.path()),
        set_of(&["bad.vtt", "out.md"]),
        "no temporary files are left behind"
    );
}

#[test]
fn successful_analysis_replaces_the_output_file_without_leftovers() {
    let dir = TempDir::new().unwrap();
    fs::write(dir.path().join("out.md"), "old\n").unwrap();
    let r = run(swimlane(dir.path())
        .arg("analyze")
        .arg(demo_vtt())
        .args(DEMO_ROLES)
        .args(["-o", "out.md"]));
    assert_eq!(r.code, SUCCESS, "stderr: {}", r.stderr);
    let text = fs::read_to_string(dir.path().join("out.md")).unwrap();
    assert!(text.starts_with("# Debrief: "), "{text}");
    assert_eq!(names_in(dir.path()), set_of(&["out.md"]));
}

// ---------------------------------------------------------------------------------------------
// charter

#[test]
fn charter_init_check_and_force() {
    let dir = TempDir::new().unwrap();
    let r = run(swimlane(dir.path()).args(["charter", "init"]));
    assert_eq!(r.code, SUCCESS, "stderr: {}", r.stderr);
    assert!(r.stdout.contains("charter.toml"), "{}", r.stdout);
    let path = dir.path().join("charter.toml");
    let template = fs::read_to_string(&path).expect("charter.toml written");

    let check = run(swimlane(dir.path()).args(["charter", "check", "charter.toml"]));
    assert_eq!(check.code, SUCCESS, "stderr: {}", check.stderr);
    assert_eq!(check.stdout.trim(), "charter.toml: ok");

    // A second init must not overwrite the pair's edits.
    let edited = format!("{template}\n# edited by the pair\n");
    fs::write(&path, &edited).unwrap();
    let again = run(swimlane(dir.path()).args(["charter", "init"]));
    assert_single_error(&again, &["charter.toml", "--force"]);
    assert_eq!(fs::read_to_string(&path).unwrap(), edited);

    let forced = run(swimlane(dir.path()).args(["charter", "init", "--force"]));
    assert_eq!(forced.code, SUCCESS, "stderr: {}", forced.stderr);
    assert_eq!(fs::read_to_string(&path).unwrap(), template);
    assert_eq!(names_in(dir.path()), set_of(&["charter.toml"]));
}

#[test]
fn charter_init_to_a_named_file() {
    let dir = TempDir::new().unwrap();
    let r = run(swimlane(dir.path()).args(["charter", "init", "-o", "pair.toml"]));
    assert_eq!(r.code, SUCCESS, "stderr: {}", r.stderr);
    assert_eq!(names_in(dir.path()), set_of(&["pair.toml"]));
}

#[test]
fn analyzing_with_the_template_charter_changes_nothing_bad() {
    let dir = TempDir::new().unwrap();
    assert_eq!(
        run(swimlane(dir.path()).args(["charter", "init"])).code,
        SUCCESS
    );
    let plain = analyze_demo_json(dir.path(), &[]);
    let r = run(swimlane(dir.path())
        .arg("analyze")
        .arg(demo_vtt())
        .args(DEMO_ROLES)
        .args(["--charter", "charter.toml", "--format", "json"]));
    assert_eq!(r.code, SUCCESS, "stderr: {}", r.stderr);
    assert_eq!(r.stderr, "");
    let with = json(&r.stdout);
    assert_eq!(event_turns(&with), event_turns(&plain));
    assert_eq!(with["next_step"], plain["next_step"]);
    assert_eq!(with["qualification"], plain["qualification"]);
}

// ---------------------------------------------------------------------------------------------
// lexicon

fn ok_counts(stdout: &str) -> (usize, usize) {
    let line = stdout.trim();
    let rest = line
        .strip_prefix("ok: ")
        .unwrap_or_else(|| panic!("{line}"));
    let words: Vec<&str> = rest.split(' ').collect();
    assert_eq!(words.len(), 5, "{line}");
    assert_eq!((words[1], words[2], words[4]), ("rules", "from", "files"));
    (words[0].parse().unwrap(), words[3].parse().unwrap())
}

#[test]
fn lexicon_check_of_the_shipped_rules() {
    let dir = TempDir::new().unwrap();
    let r = run(swimlane(dir.path()).args(["lexicon", "check"]));
    assert_eq!(r.code, SUCCESS, "stderr: {}", r.stderr);
    let (rules, files) = ok_counts(&r.stdout);
    assert!(rules >= 20 && files >= 20, "{}", r.stdout);

    let list = run(swimlane(dir.path()).args(["lexicon", "list"]));
    assert_eq!(list.code, SUCCESS);
    assert_eq!(list.stdout.lines().count(), rules, "one line per rule");
    let figure = list
        .stdout
        .lines()
        .find(|l| l.starts_with("Swimlane.SePricing.Figure "))
        .expect("Swimlane.SePricing.Figure is listed");
    assert!(figure.contains("violation"), "{figure}");
    assert!(figure.contains("SE"), "{figure}");
    assert!(figure.contains("existence"), "{figure}");
    assert!(
        figure.contains("lexicons/Swimlane/SePricing.toml:"),
        "{figure}"
    );
}

#[test]
fn lexicon_check_reports_each_problem_with_its_line() {
    let dir = TempDir::new().unwrap();
    let pack = dir.path().join("org/Acme");
    fs::create_dir_all(&pack).unwrap();
    fs::write(
        pack.join("Typo.toml"),
        "message = \"m\"\nkind = \"existence\"\nsignal = \"probe\"\ncolour = \"red\"\n\n[match]\nterms = [\"a\"]\n",
    )
    .unwrap();
    fs::write(
        pack.join("Regex.toml"),
        "message = \"m\"\nkind = \"existence\"\nsignal = \"probe\"\n\n[match]\npatterns = [\n  '\\bfine\\b',\n  '(unclosed',\n]\n",
    )
    .unwrap();
    fs::write(
        pack.join("Kind.toml"),
        "message = \"m\"\nsignal = \"probe\"\nkind = \"sometimes\"\n\n[match]\nterms = [\"a\"]\n",
    )
    .unwrap();
    fs::write(
        pack.join("Vocab.toml"),
        "message = \"m\"\nsignal = \"probe\"\nkind = \"existence\"\n\n[match]\nvocab = [\"technical\", \"nonsense\"]\n",
    )
    .unwrap();

    let r = run(swimlane(dir.path()).args(["lexicon", "check", "org"]));
    assert_eq!(r.code, FAILURE, "stdout: {}", r.stdout);
    assert_eq!(r.stdout, "");
    let at = |file: &str, line: usize| {
        format!(
            "{}:{line}: ",
            Path::new("org").join("Acme").join(file).display()
        )
    };
    let expected = [
        (at("Typo.toml", 4), "unknown field `colour`"),
        (
            at("Regex.toml", 8),
            "pattern `(unclosed` is not a valid regular expression",
        ),
        (
            at("Kind.toml", 3),
            "unknown kind `sometimes`: use one of existence, conditional, occurrence, sequence, missing, title",
        ),
        (at("Vocab.toml", 6), "unknown vocabulary `nonsense`"),
    ];
    let lines: Vec<&str> = r.stderr.lines().collect();
    for (prefix, message) in &expected {
        let found = lines
            .iter()
            .filter(|l| l.starts_with(prefix.as_str()))
            .collect::<Vec<_>>();
        assert_eq!(found.len(), 1, "one problem at {prefix}: {}", r.stderr);
        assert!(
            found[0][prefix.len()..].starts_with(message),
            "{prefix}: {}",
            found[0]
        );
    }
    assert_eq!(
        lines.len(),
        expected.len() + 1,
        "one line per problem and a summary: {}",
        r.stderr
    );
    assert_eq!(
        lines[lines.len() - 1],
        "error: 4 problem(s) in the lexicons"
    );
}

#[test]
fn analyze_with_a_broken_lexicon_folder_fails_before_writing() {
    let dir = TempDir::new().unwrap();
    fs::create_dir_all(dir.path().join("org/Acme")).unwrap();
    fs::write(
        dir.path().join("org/Acme/Loud.toml"),
        "message = \"m\"\nkind = \"existence\"\nsignal = \"probe\"\nlevel = \"loud\"\n\n[match]\nterms = [\"a\"]\n",
    )
    .unwrap();
    let r = run(swimlane(dir.path()).arg("analyze").arg(demo_vtt()).args([
        "--lexicons",
        "org",
        "-o",
        "out.md",
    ]));
    assert_eq!(r.code, FAILURE);
    assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
    assert!(
        r.stderr.contains("Loud.toml:4: unknown level `loud`"),
        "{}",
        r.stderr
    );
    assert!(!dir.path().join("out.md").exists());
}

#[test]
fn override_folder_disables_the_rescue_phrase_rule() {
    let dir = TempDir::new().unwrap();
    let overlay = fixture("lexicons/override");
    let with_rule = analyze_demo_json(dir.path(), &[]);
    assert!(event_turns(&with_rule).contains(&("rescue_phrase".to_string(), 6)));

    let overlay_arg = overlay.to_str().expect("UTF-8 path");
    let without = analyze_demo_json(dir.path(), &["--lexicons", overlay_arg]);
    let mut expected = demo_events();
    expected.remove(&("rescue_phrase".to_string(), 6));
    assert_eq!(event_turns(&without), expected);

    // The overlay file sits where the shipped RescuePhrase.toml does, so it replaces every rule
    // of that file.
    let shipped = run(swimlane(dir.path()).args(["lexicon", "list"]));
    let rescue_rules = shipped
        .stdout
        .lines()
        .filter(|l| l.starts_with("Swimlane.RescuePhrase"))
        .count();
    assert!(rescue_rules >= 1);
    let list = run(swimlane(dir.path()).args(["lexicon", "list", "--lexicons", overlay_arg]));
    assert_eq!(list.code, SUCCESS);
    assert!(!list.stdout.contains("Swimlane.RescuePhrase"));
    assert!(list.stdout.contains("Swimlane.SePricing.Figure "));

    let base = ok_counts(&run(swimlane(dir.path()).args(["lexicon", "check"])).stdout);
    let layered = run(swimlane(dir.path()).args(["lexicon", "check", overlay_arg]));
    assert_eq!(layered.code, SUCCESS, "stderr: {}", layered.stderr);
    assert_eq!(
        ok_counts(&layered.stdout),
        (base.0 - rescue_rules, base.1 + 1)
    );
}

// ---------------------------------------------------------------------------------------------
// eval

#[test]
fn eval_prints_the_table() {
    let dir = TempDir::new().unwrap();
    let r = run(swimlane(dir.path()).arg("eval").arg(fixture("cli/eval")));
    assert_eq!(r.code, SUCCESS, "stderr: {}", r.stderr);
    let out = &r.stdout;
    assert!(out.starts_with("2 labelled calls\n"), "{out}");
    let header = out
        .lines()
        .find(|l| l.starts_with("event "))
        .expect("table header");
    for column in ["tp", "fp", "fn", "precision", "recall", "f1"] {
        assert!(header.split_whitespace().any(|w| w == column), "{header}");
    }
    for event in [
        "se_pricing",
        "ae_technical_depth",
        "handoff",
        "rescue_phrase",
        "next_step",
        "demo_monkey_command",
    ] {
        assert!(
            out.lines().any(|l| l.starts_with(&format!("{event} "))),
            "row for {event}"
        );
    }
    assert!(out.contains("call-level finding"), "{out}");
    assert!(out.contains("min event F1"), "{out}");
}

#[test]
fn eval_below_the_gate_exits_4() {
    let dir = TempDir::new().unwrap();
    let r = run(swimlane(dir.path())
        .arg("eval")
        .arg(fixture("cli/eval"))
        .args(["--min-f1", "1.01"]));
    assert_eq!(r.code, BELOW_GATE, "stderr: {}", r.stderr);
    assert!(r.stderr.contains("below the gate"), "{}", r.stderr);
    assert!(
        r.stdout.contains("labelled calls"),
        "the table still prints"
    );

    let pass = run(swimlane(dir.path())
        .arg("eval")
        .arg(fixture("cli/eval"))
        .args(["--min-f1", "0.0", "--min-accuracy", "0.0"]));
    assert_eq!(pass.code, SUCCESS, "stderr: {}", pass.stderr);
}

#[test]
fn eval_json_parses() {
    let dir = TempDir::new().unwrap();
    let r = run(swimlane(dir.path())
        .arg("eval")
        .arg(fixture("cli/eval"))
        .args(["--format", "json"]));
    assert_eq!(r.code, SUCCESS, "stderr: {}", r.stderr);
    let report = json(&r.stdout);
    assert_eq!(report["calls"], 2);
    let counts = &report["events"]["se_pricing"];
    assert_eq!(counts["true_positives"], 1, "{report}");
    assert_eq!(counts["false_negatives"], 0, "{report}");
    let handoff = &report["events"]["handoff"];
    assert_eq!(handoff["true_positives"], 1, "{report}");
    assert_eq!(
        report["findings"]["next_step_secured"],
        serde_json::json!([2, 2])
    );
}

#[test]
fn eval_of_a_folder_without_labelled_calls_fails() {
    let dir = TempDir::new().unwrap();
    fs::create_dir(dir.path().join("empty")).unwrap();
    let r = run(swimlane(dir.path()).args(["eval", "empty"]));
    assert_single_error(&r, &["empty", "no labelled call"]);
}

#[test]
fn batch_inputs_with_the_same_stem_are_not_silently_lost() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("calls");
    fs::create_dir(&input).unwrap();
    fs::copy(demo_vtt(), input.join("call.vtt")).unwrap();
    fs::copy(fixture("cli/call.json"), input.join("call.json")).unwrap();
    let r = run(swimlane(dir.path()).args(["analyze", "calls", "-o", "out", "--format", "json"]));
    let written = names_in(&dir.path().join("out")).len();
    let errors = lines_starting(&r.stderr, "error:").len();
    assert_eq!(
        written + errors,
        2,
        "every input is either written or reported (exit {}): {}",
        r.code,
        r.stderr
    );
}

#[test]
fn a_skipped_cue_is_a_warning_naming_file_and_line() {
    let dir = TempDir::new().unwrap();
    fs::write(
        dir.path().join("gappy.vtt"),
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nMaya Lindqvist: Hello there.\n\n00:00:xx --> 00:00:05.000\nHannah Becker: This cue has a broken timing.\n\n00:00:06.000 --> 00:00:08.000\nHannah Becker: Hi Maya.\n",
    )
    .unwrap();
    let r = run(swimlane(dir.path()).args(["analyze", "gappy.vtt", "--format", "json"]));
    assert_eq!(r.code, SUCCESS, "stderr: {}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", r.stderr);
    assert!(
        lines[0].starts_with("warning: gappy.vtt: line 6: "),
        "{}",
        lines[0]
    );
    let d = json(&r.stdout);
    assert_eq!(d["call"]["turns"], 2);
    assert_eq!(d["warnings"].as_array().map(Vec::len), Some(1));
}

#[test]
fn unknown_input_format_is_an_error() {
    let dir = TempDir::new().unwrap();
    let r = run(swimlane(dir.path())
        .args(["analyze", "-", "--input-format", "docx"])
        .write_stdin(fs::read(demo_vtt()).unwrap()));
    assert_single_error(&r, &["--input-format docx", "json, vtt, srt or txt"]);
}

#[test]
fn an_output_file_in_a_missing_folder_is_an_error() {
    let dir = TempDir::new().unwrap();
    let r = run(swimlane(dir.path())
        .arg("analyze")
        .arg(demo_vtt())
        .args(DEMO_ROLES)
        .args(["-o", "missing/out.md"]));
    assert_single_error(&r, &["missing/out.md", "cannot write"]);
    assert!(names_in(dir.path()).is_empty());
}

#[test]
fn eval_diarization_gives_md_evals_answer_on_ami_es2014c() {
    let dir = TempDir::new().unwrap();
    let r = run(swimlane(dir.path())
        .args(["eval", "diarization"])
        .arg(fixture("rttm/ES2014c.ref.rttm"))
        .arg(fixture("rttm/ES2014c.sys.rttm"))
        .arg("--ignore-overlap"));
    assert_eq!(r.code, SUCCESS, "stderr: {}", r.stderr);
    assert!(
        r.stdout.starts_with(
            "DER 7.17 % (missed speech 0.00 %, false alarm 0.00 %, speaker confusion 7.17 %)"
        ),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("collar 0.25 s"), "{}", r.stdout);

    // With overlap scored, the hypothesis (one speaker at a time) misses the overlapped speech.
    let r = run(swimlane(dir.path())
        .args(["eval", "diarization", "--format", "json"])
        .arg(fixture("rttm/ES2014c.ref.rttm"))
        .arg(fixture("rttm/ES2014c.sys.rttm")));
    assert_eq!(r.code, SUCCESS, "stderr: {}", r.stderr);
    let json: Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(json["missed_speech"].as_f64().unwrap() > 1.0, "{json}");
    assert_eq!(json["ignore_overlap"], false);
}

#[test]
fn eval_diarization_names_the_bad_line() {
    let dir = TempDir::new().unwrap();
    let r = run(swimlane(dir.path())
        .args(["eval", "diarization"])
        .arg(fixture("rttm/ES2014c.ref.rttm"))
        .arg(fixture("rttm/bad.rttm")));
    assert_eq!(r.code, FAILURE);
    assert!(
        r.stderr.contains("bad.rttm:2: the start time `ninety`"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// review: many debriefs for a manager

/// Analyses three calls into `dir/debriefs` as JSON debriefs, each on its own day, and drops
/// a transcript (not a debrief) beside them. Returns the debriefs, oldest first.
fn write_debriefs(dir: &Path) -> Vec<Value> {
    let out = dir.join("debriefs");
    fs::create_dir_all(&out).unwrap();
    let calls: [(PathBuf, &str, &[&str]); 3] = [
        (demo_vtt(), "2026-11-09", &DEMO_ROLES),
        (fixture("cli/call.json"), "2026-11-02", &[]),
        (
            Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/demo-call.json"),
            "2026-11-16",
            &[],
        ),
    ];
    let mut debriefs = Vec::new();
    for (input, date, roles) in calls {
        let name = format!("{date}.json");
        let r = run(swimlane(dir)
            .arg("analyze")
            .arg(&input)
            .args(roles)
            .args(["--format", "json", "--date", date, "-o"])
            .arg(out.join(&name)));
        assert_eq!(r.code, SUCCESS, "stderr: {}", r.stderr);
        debriefs.push((date, json(&fs::read_to_string(out.join(name)).unwrap())));
    }
    fs::copy(fixture("cli/call.json"), out.join("transcript.json")).unwrap();
    debriefs.sort_by_key(|(date, _)| *date);
    debriefs.into_iter().map(|(_, d)| d).collect()
}

/// How many events of `kind` a debrief has, by `speaker` when given.
fn events_of(debrief: &Value, kind: &str, speaker: Option<&str>) -> u64 {
    debrief["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == kind && speaker.is_none_or(|s| e["speaker"] == s))
        .count() as u64
}

#[test]
fn review_counts_each_persons_events_over_dated_calls() {
    let dir = TempDir::new().unwrap();
    let debriefs = write_debriefs(dir.path());
    let r = run(swimlane(dir.path()).args(["review", "debriefs", "--format", "json"]));
    assert_eq!(r.code, SUCCESS, "stderr: {}", r.stderr);
    assert_eq!(
        r.stderr.trim(),
        "note: skipped 1 JSON file(s) that are not swimlane debriefs"
    );
    let review = json(&r.stdout);
    assert_eq!(review["schema"], "swimlane.review/1");
    let ids: Vec<&Value> = review["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["id"])
        .collect();
    let expected: Vec<&Value> = debriefs.iter().map(|d| &d["call"]["id"]).collect();
    assert_eq!(ids, expected, "calls in date order");
    assert_eq!(review["first_date"], "2026-11-02");
    assert_eq!(review["last_date"], "2026-11-16");
    for person in review["people"].as_array().unwrap() {
        let name = person["name"].as_str().unwrap();
        let own = |kind: &str| {
            debriefs
                .iter()
                .map(|d| events_of(d, kind, Some(name)))
                .sum::<u64>()
        };
        let counts = &person["tally"]["counts"];
        assert_eq!(counts["se_pricing"], own("se_pricing"), "{name}");
        assert_eq!(
            counts["demo_monkey_commands"],
            own("demo_monkey_command"),
            "{name}"
        );
        assert_eq!(counts["handoffs"], own("handoff"), "{name}");
    }
    let team = &review["team"]["counts"];
    let all = |kind: &str| {
        debriefs
            .iter()
            .map(|d| events_of(d, kind, None))
            .sum::<u64>()
    };
    assert_eq!(team["demo_monkey_commands"], all("demo_monkey_command"));
    assert!(
        all("demo_monkey_command") > 0,
        "the fixtures hold demo-monkey commands"
    );
    assert_eq!(team["rescue_phrases"], all("rescue_phrase"));
}

#[test]
fn review_filters_by_person_type_and_date() {
    let dir = TempDir::new().unwrap();
    write_debriefs(dir.path());
    let ids = |args: &[&str]| {
        let r = run(swimlane(dir.path())
            .args(["review", "debriefs", "-q", "-f", "json"])
            .args(args));
        assert_eq!(r.code, SUCCESS, "stderr: {}", r.stderr);
        json(&r.stdout)["calls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&["--person", "Priscilla Gale"]), ["harbor-demo"]);
    assert_eq!(ids(&["--call-type", "discovery"]), ["demo-call"]);
    assert_eq!(
        ids(&["--since", "2026-11-09", "--until", "2026-11-09"]),
        ["demo"]
    );
    let r = run(swimlane(dir.path()).args(["review", "debriefs", "--person", "Nobody Here"]));
    assert_single_error(&r, &["no call of the 3 debrief(s) read matches"]);
}

#[test]
fn review_outcomes_give_rates_and_name_unknown_calls() {
    let dir = TempDir::new().unwrap();
    write_debriefs(dir.path());
    fs::write(
        dir.path().join("outcomes.toml"),
        "# deals\nharbor-demo = \"won\"\ndemo = \"lost\"\nold-call = \"won\"\n",
    )
    .unwrap();
    let r = run(swimlane(dir.path()).args([
        "review",
        "debriefs",
        "--outcomes",
        "outcomes.toml",
        "-f",
        "json",
    ]));
    assert_eq!(r.code, SUCCESS, "stderr: {}", r.stderr);
    assert!(
        r.stderr.contains(
            "warning: outcomes.toml:4: no debrief of call `old-call` was given; its outcome is not counted"
        ),
        "{}",
        r.stderr
    );
    let review = json(&r.stdout);
    assert_eq!(review["team"]["outcomes"]["won"], 1);
    assert_eq!(review["team"]["outcomes"]["lost"], 1);
    assert_eq!(review["team"]["win_rate"], 0.5);

    fs::write(
        dir.path().join("bad.toml"),
        "demo = \"won\"\nharbor-demo = \"maybe\"\n",
    )
    .unwrap();
    let r = run(swimlane(dir.path()).args(["review", "debriefs", "--outcomes", "bad.toml"]));
    assert_single_error(
        &r,
        &[
            "bad.toml:2:",
            "unknown outcome `maybe`",
            "won, lost or no-go",
        ],
    );
}

#[test]
fn review_writes_markdown_and_html_files() {
    let dir = TempDir::new().unwrap();
    write_debriefs(dir.path());
    for (format, needle) in [
        ("md", "# Coaching review"),
        ("html", "<h1>Coaching review</h1>"),
    ] {
        let out = format!("review.{format}");
        let r = run(swimlane(dir.path())
            .args(["review", "debriefs", "-q", "-f", format, "-o"])
            .arg(&out));
        assert_eq!(r.code, SUCCESS, "stderr: {}", r.stderr);
        assert_eq!(r.stdout, "");
        let text = fs::read_to_string(dir.path().join(&out)).unwrap();
        assert!(text.contains(needle), "{text}");
        assert!(text.contains("Priscilla Gale"), "{text}");
    }
}

#[test]
fn review_refuses_what_is_not_one_debrief_per_call() {
    let dir = TempDir::new().unwrap();
    write_debriefs(dir.path());
    let existing = dir.path().join("review.md");
    fs::write(&existing, "last week's review").unwrap();

    let r = run(swimlane(dir.path())
        .args(["review", "debriefs/transcript.json", "-o"])
        .arg(&existing));
    assert_single_error(&r, &["debriefs/transcript.json: not a swimlane debrief"]);

    fs::copy(
        dir.path().join("debriefs/2026-11-02.json"),
        dir.path().join("debriefs/copy.json"),
    )
    .unwrap();
    let r = run(swimlane(dir.path()).args(["review", "debriefs", "-q", "-o", "review.md"]));
    assert_single_error(
        &r,
        &[
            "call `harbor-demo` is also in",
            "2026-11-02.json",
            "copy.json",
        ],
    );

    fs::create_dir(dir.path().join("empty")).unwrap();
    let r = run(swimlane(dir.path()).args(["review", "empty"]));
    assert_single_error(&r, &["empty: no debriefs in this folder"]);

    fs::write(
        dir.path().join("broken.json"),
        "{\"schema\": \"swimlane.debrief/1\", \"verdict\": 3}",
    )
    .unwrap();
    let r = run(swimlane(dir.path()).args(["review", "broken.json"]));
    assert_single_error(&r, &["broken.json: line 1 column"]);

    assert_eq!(fs::read_to_string(&existing).unwrap(), "last week's review");
}
