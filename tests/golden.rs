//! Golden debriefs: the whole pipeline (read, resolve roles, detect, measure, render) on the
//! bundled sample call and a CLI fixture, snapshotted in all three formats. A change in any
//! stage shows up here as a reviewable diff.

use std::path::Path;
use swimlane::analyze::{Settings, analyze};
use swimlane::charter::Charter;
use swimlane::lexicon::Lexicon;
use swimlane::model::Role;
use swimlane::report::{ReportFormat, render};
use swimlane::roles::RoleFlag;

fn debrief(relative: &str, charter: &Charter, roles: &[RoleFlag]) -> swimlane::debrief::Debrief {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let transcript = swimlane::transcript::read(&path).expect("fixture reads");
    let lexicon = Lexicon::load(&[]).expect("shipped lexicons load");
    let settings = Settings {
        lexicon: &lexicon,
        charter,
        roles,
        call_type: None,
    };
    analyze(&transcript, Some(relative), &settings)
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("reports are UTF-8")
}

#[test]
fn bundled_sample_call() {
    let charter =
        Charter::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/charter.toml"))
            .expect("sample charter");
    let d = debrief("samples/discovery-call.vtt", &charter, &[]);
    insta::assert_snapshot!("sample_markdown", text(render(&d, ReportFormat::Markdown)));
    insta::assert_snapshot!("sample_json", text(render(&d, ReportFormat::Json)));
    insta::assert_snapshot!("sample_html", text(render(&d, ReportFormat::Html)));
}

#[test]
fn demo_fixture_with_role_flags() {
    let roles = [
        RoleFlag {
            name: "Maya Lindqvist".into(),
            role: Role::Ae,
        },
        RoleFlag {
            name: "Omar Haddad".into(),
            role: Role::Se,
        },
    ];
    let d = debrief("tests/fixtures/cli/demo.vtt", &Charter::default(), &roles);
    insta::assert_snapshot!("demo_markdown", text(render(&d, ReportFormat::Markdown)));
    insta::assert_snapshot!("demo_json", text(render(&d, ReportFormat::Json)));
}
