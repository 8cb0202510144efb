//! Tests of the lexicon rule kinds and the loader, with small organisation lexicon folders
//! written into a temporary folder at test time and laid over the shipped lexicons
//! (`Lexicon::load(&[dir])`), run over tiny transcripts built in code.
//!
//! Custom rules mostly raise custom signals (`signal = "probe_..."`), which no shipped rule
//! raises, so each test sees only what its own rule does. Each test checks both sides: the rule
//! fires where it should and stays quiet where it should not.

mod common;

use common::{AE, BUYER, BUYER2, SE, timed, transcript};
use std::fs;
use std::path::Path;
use swimlane::analyze::{Settings, analyze};
use swimlane::charter::Charter;
use swimlane::debrief::{Debrief, EventKind, QualItem};
use swimlane::detect::{Detection, detect};
use swimlane::lexicon::{Lexicon, LexiconError, RuleKind};
use swimlane::model::{DeclaredParticipant, Role, Transcript};
use swimlane::roles::{TitleWords, resolve};
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------------
// helpers

/// An organisation lexicon folder in a temporary directory.
struct Org {
    dir: TempDir,
}

impl Org {
    fn new() -> Org {
        Org {
            dir: TempDir::new().expect("temp dir"),
        }
    }

    /// Writes `text` to `relative` (e.g. `Org/Probe.toml`), creating folders.
    fn file(&self, relative: &str, text: &str) -> &Org {
        let path = self.dir.path().join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
        self
    }

    fn path(&self, relative: &str) -> String {
        self.dir.path().join(relative).display().to_string()
    }

    fn load(&self) -> Lexicon {
        Lexicon::load(&[self.dir.path()]).unwrap_or_else(|e| panic!("lexicon loads:\n{e}"))
    }

    fn errors(&self) -> Vec<LexiconError> {
        match Lexicon::load(&[self.dir.path()]) {
            Ok(_) => panic!("the lexicon should not load"),
            Err(e) => e.0,
        }
    }
}

fn shipped() -> Lexicon {
    Lexicon::load(&[]).expect("shipped lexicons load")
}

fn run_with(lexicon: &Lexicon, t: &Transcript, charter: &Charter) -> Detection {
    let titles = TitleWords {
        ae: lexicon.vocab.get("ae_titles").cloned().unwrap_or_default(),
        se: lexicon.vocab.get("se_titles").cloned().unwrap_or_default(),
    };
    let call = resolve(t, charter, &[], &titles);
    detect(&call, lexicon, charter)
}

fn run(lexicon: &Lexicon, turns: &[(&str, &str)]) -> Detection {
    run_with(lexicon, &transcript(turns), &Charter::default())
}

fn debrief(lexicon: &Lexicon, turns: &[(&str, &str)]) -> Debrief {
    let charter = Charter::default();
    let settings = Settings {
        lexicon,
        charter: &charter,
        roles: &[],
        call_type: None,
    };
    analyze(&transcript(turns), Some("test"), &settings)
}

/// The turns on which a signal fired, in order, each once.
fn signal(d: &Detection, name: &str) -> Vec<usize> {
    let mut turns = d.signals.get(name).cloned().unwrap_or_default();
    turns.sort_unstable();
    turns.dedup();
    turns
}

/// An event as `(kind, turn, span)`.
type Seen = (EventKind, usize, Option<(usize, usize)>);

/// The events raised by rules whose id starts with `prefix`.
fn events_from(d: &Detection, prefix: &str) -> Vec<Seen> {
    d.events
        .iter()
        .filter(|e| e.rule.starts_with(prefix))
        .map(|e| (e.kind, e.turn, e.span))
        .collect()
}

fn finding_rules(d: &Detection) -> Vec<&str> {
    d.findings.iter().map(|f| f.rule.as_str()).collect()
}

// ---------------------------------------------------------------------------------------------
// existence

#[test]
fn existence_terms_match_whole_words_and_star_matches_a_prefix() {
    let org = Org::new();
    org.file(
        "Org/Words.toml",
        r#"message = "Words."
kind = "existence"
signal = "probe_words"

[match]
terms = ["widget*", "gizmo", "add-on"]
"#,
    );
    let lexicon = org.load();
    let d = run(
        &lexicon,
        &[
            (BUYER, "We ordered several widgets last spring."),
            (BUYER, "The gizmo arrived on time."),
            (BUYER, "Those gizmos arrived broken."),
            (BUYER, "The rewidgeting project stalled."),
            (BUYER, "It was a doohickey, not a gadget."),
            (BUYER, "The add on was cheap."),
            (BUYER, "Our addon was cheap too."),
            (BUYER, "OUR GIZMO IS LOUD."),
            (BUYER, "That gizmo_v2 label is internal."),
        ],
    );
    // 0: `widget*` matches "widgets"; 1: exact term; 5 and 6: a hyphenated term also matches
    // spaced and joined; 7: case does not matter. 2: no suffix on an exact term; 3: a prefix term
    // must start a word; 8: `_` is a word character, so gizmo_v2 is another word.
    assert_eq!(signal(&d, "probe_words"), [0, 1, 5, 6, 7]);
}

#[test]
fn existence_listens_only_to_its_roles_and_needs_who_it_names_present() {
    let org = Org::new();
    org.file(
        "Org/SeOnly.toml",
        r#"message = "SE said it."
kind = "existence"
signal = "probe_se_only"
roles = ["SE"]

[match]
terms = ["gizmo"]
"#,
    )
    .file(
        "Org/WithSe.toml",
        r#"message = "Said with the SE on the call."
kind = "existence"
signal = "probe_with_se"
roles = ["AE"]
needs_present = ["SE"]

[match]
terms = ["gizmo"]
"#,
    );
    let lexicon = org.load();
    let d = run(
        &lexicon,
        &[
            (AE, "The gizmo is ready."),
            (SE, "The gizmo is ready."),
            (BUYER, "The gizmo is ready."),
        ],
    );
    assert_eq!(signal(&d, "probe_se_only"), [1]);
    assert_eq!(signal(&d, "probe_with_se"), [0]);

    let alone = run(&lexicon, &[(AE, "The gizmo is ready."), (BUYER, "Good.")]);
    assert_eq!(signal(&alone, "probe_with_se"), Vec::<usize>::new());
}

// ---------------------------------------------------------------------------------------------
// conditional

#[test]
fn conditional_requires_in_sentence_turn_context_and_preceding() {
    let org = Org::new();
    let rule = |name: &str, requires: &str| {
        format!(
            "message = \"m\"\nkind = \"conditional\"\nsignal = \"probe_{name}\"\n\n[match]\nterms = [\"alpha\"]\n\n[requires]\nterms = [\"beta\"]\n{requires}"
        )
    };
    org.file("Cond/Sentence.toml", &rule("sentence", ""))
        .file("Cond/Turn.toml", &rule("turn", "in = \"turn\"\n"))
        .file("Cond/Context.toml", &rule("context", "in = \"context\"\n"))
        .file(
            "Cond/Preceding.toml",
            &rule(
                "preceding",
                "in = \"preceding\"\nroles = [\"SE\"]\nturns = 2\n",
            ),
        );
    let lexicon = org.load();
    let d = run(
        &lexicon,
        &[
            (BUYER, "We said alpha and beta together."), // 0
            (BUYER, "Alpha here. Beta over there."),     // 1
            (SE, "Beta, from the engineer."),            // 2
            (BUYER, "Alpha on its own."),                // 3
            (AE, "Some filler from the seller."),        // 4
            (BUYER, "Alpha again."),                     // 5
            (BUYER2, "And beta from another buyer."),    // 6
            (BUYER, "Alpha once more."),                 // 7
            (BUYER, "Beta with nothing else at all."),   // 8
        ],
    );
    assert_eq!(signal(&d, "probe_sentence"), [0]);
    assert_eq!(signal(&d, "probe_turn"), [0, 1]);
    // Context: this turn or the one before.
    assert_eq!(signal(&d, "probe_context"), [0, 1, 3, 7]);
    // Preceding: one of the two turns before, spoken by the SE (turn 2 for turn 3; turn 5 is
    // three turns after it; turn 7 follows a buyer's beta).
    assert_eq!(signal(&d, "probe_preceding"), [3]);
}

// ---------------------------------------------------------------------------------------------
// occurrence

#[test]
fn occurrence_per_turn_needs_distinct_terms_words_and_density() {
    let org = Org::new();
    org.file(
        "Occ/Colours.toml",
        r#"message = "Many colours."
kind = "occurrence"
signal = "probe_dense"
scope = "turn"
min_words = 10
min_density = 20.0

[match]
terms = ["red", "green", "blue", "yellow"]
min_distinct = 3
"#,
    );
    let lexicon = org.load();
    let d = run(
        &lexicon,
        &[
            // 12 words, 4 distinct colours: density 33 per 100 words.
            (
                BUYER,
                "Red, green, blue and yellow are the four colours we ship today.",
            ),
            // Dense, but 3 words.
            (BUYER, "Red green blue."),
            // Long enough and dense, but only two distinct terms however often they repeat.
            (
                BUYER,
                "Red and green, then red and green, then red and green again for us.",
            ),
            // Three distinct in 24 words: density 12.5.
            (
                BUYER,
                "We ship red green and blue boxes to most of our customers in the region every single week of the year without much fuss.",
            ),
            // Three distinct across two sentences, 11 words.
            (BUYER, "Red is for stock. Green and blue are for returns."),
        ],
    );
    assert_eq!(signal(&d, "probe_dense"), [0, 4]);
}

#[test]
fn occurrence_episode_spans_consecutive_turns_until_the_other_vendor_takes_over() {
    let org = Org::new();
    org.file(
        "Occ/Deep.toml",
        r#"message = "Deep colour talk."
level = "violation"
event = "ae_technical_depth"
roles = ["AE"]
kind = "occurrence"
scope = "episode"
seed_min_distinct = 3
continue_min_distinct = 2
interjection_words = 6
min_words = 20
min_density = 10.0

[match]
terms = ["crimson", "teal", "ochre", "mauve"]
min_distinct = 4
"#,
    );
    let lexicon = org.load();
    let d = run(
        &lexicon,
        &[
            (BUYER, "How do the status lights work?"), // 0
            (
                AE,
                "Crimson, teal and ochre, that is how the panel lights up when a job runs.",
            ), // 1: seed
            (BUYER, "And mauve?"),                     // 2: buyer question inside
            (
                AE,
                "Mauve and teal mean the queue is draining normally and nothing is stuck.",
            ), // 3
            (SE, "Right."),                            // 4: a short vendor interjection
            (AE, "Crimson again means retry, teal means done."), // 5
            (
                SE,
                "Let me add some detail on what happens inside the scheduler at that point.",
            ), // 6: the SE takes over
            (AE, "Crimson teal ochre mauve."),         // 7: too short to be an episode
        ],
    );
    assert_eq!(
        events_from(&d, "Occ."),
        [(EventKind::AeTechnicalDepth, 1, Some((1, 5)))]
    );

    // The SE takes over right after the seed: the AE's own turn lacks the fourth term.
    let cut = run(
        &lexicon,
        &[
            (
                AE,
                "Crimson, teal and ochre, that is how the panel lights up when a job runs.",
            ),
            (
                SE,
                "Let me take that one, since there is more to how the scheduler reacts.",
            ),
            (AE, "Mauve and teal mean the queue is draining normally."),
        ],
    );
    assert_eq!(events_from(&cut, "Occ."), []);

    // One long turn on its own is an episode without a span.
    let single = run(
        &lexicon,
        &[(
            AE,
            "Crimson, teal, ochre and mauve are the four states, and each one tells the operator exactly what the job is doing right now.",
        )],
    );
    assert_eq!(
        events_from(&single, "Occ."),
        [(EventKind::AeTechnicalDepth, 0, None)]
    );
}

// ---------------------------------------------------------------------------------------------
// sequence

#[test]
fn sequence_needs_an_acceptance_from_the_other_side_within_reach() {
    let org = Org::new();
    org.file(
        "Org/Meet.toml",
        r#"message = "Agreed to meet."
level = "good"
event = "next_step"
kind = "sequence"
within = 2

[proposal]
patterns = ['''\bmeet\s+at\s+the\s+lighthouse\b''']

[acceptance]
terms = ["agreed"]

[exceptions]
terms = ["someday"]
"#,
    );
    let lexicon = org.load();
    let proposal = "Shall we meet at the lighthouse?";
    let meet = |turns: &[(&str, &str)]| events_from(&run(&lexicon, turns), "Org.Meet");

    // The buyer's acceptance carries the event; the span runs from proposal to acceptance.
    assert_eq!(
        meet(&[(AE, proposal), (BUYER, "Agreed, see you there.")]),
        [(EventKind::NextStep, 1, Some((0, 1)))]
    );
    // Within two turns of the proposal.
    assert_eq!(
        meet(&[(AE, proposal), (SE, "Works for us."), (BUYER, "Agreed.")]),
        [(EventKind::NextStep, 2, Some((0, 2)))]
    );
    // Three turns later is too late.
    assert_eq!(
        meet(&[
            (AE, proposal),
            (SE, "It has a great view."),
            (AE, "Anyone?"),
            (BUYER, "Agreed."),
        ]),
        []
    );
    // The proposer's own side cannot accept.
    assert_eq!(meet(&[(AE, proposal), (SE, "Agreed.")]), []);
    // The buyer proposes and the vendor accepts: the event sits on the buyer's proposal.
    assert_eq!(
        meet(&[(BUYER, proposal), (AE, "Agreed.")]),
        [(EventKind::NextStep, 0, Some((0, 1)))]
    );
    // No acceptance.
    assert_eq!(
        meet(&[(AE, proposal), (BUYER, "Let me think about it.")]),
        []
    );
    // An exception in the proposal sentence.
    assert_eq!(
        meet(&[
            (AE, "Someday we should meet at the lighthouse."),
            (BUYER, "Agreed."),
        ]),
        []
    );
}

// ---------------------------------------------------------------------------------------------
// missing

#[test]
fn missing_reports_when_the_expected_finding_never_came() {
    let org = Org::new();
    org.file(
        "Org/Rival.toml",
        r#"message = "A rival came up."
finding = "competitors"
roles = ["prospect"]
kind = "existence"

[match]
terms = ["zorblax"]
"#,
    )
    .file(
        "Org/NeedRival.toml",
        r#"message = "Ask who else they are looking at."
level = "warning"
kind = "missing"
expects = "competitors"
"#,
    );
    let lexicon = org.load();
    let absent = run(
        &lexicon,
        &[
            (AE, "What brings you here?"),
            (BUYER, "Our reports are slow."),
        ],
    );
    assert!(finding_rules(&absent).contains(&"Org.NeedRival"));
    let finding = absent
        .findings
        .iter()
        .find(|f| f.rule == "Org.NeedRival")
        .unwrap();
    assert_eq!(finding.message, "Ask who else they are looking at.");

    let present = run(
        &lexicon,
        &[
            (AE, "What brings you here?"),
            (BUYER, "Zorblax keeps coming up in our meetings."),
        ],
    );
    assert!(present.qualification.get(QualItem::Competitors).covered);
    assert!(!finding_rules(&present).contains(&"Org.NeedRival"));
}

#[test]
fn missing_by_cta_counts_only_events_before_the_charter_minute() {
    let org = Org::new();
    org.file(
        "Org/EarlyHandoff.toml",
        r#"message = "Hand over by minute {cta_minute}."
level = "warning"
kind = "missing"
expects = "handoff"
by = "cta"
"#,
    );
    let lexicon = org.load();
    let charter = Charter {
        cta_minute: 1,
        ..Charter::default()
    };
    let handoff = "Omar is going to show you how the routing works.";
    let early = run_with(
        &lexicon,
        &timed(&[
            (0, BUYER, "Can we see the routing?"),
            (30, AE, handoff),
            (45, SE, "Sure."),
        ]),
        &charter,
    );
    assert!(
        early
            .events
            .iter()
            .any(|e| e.kind == EventKind::Handoff && e.turn == 1)
    );
    assert!(!finding_rules(&early).contains(&"Org.EarlyHandoff"));

    let late = run_with(
        &lexicon,
        &timed(&[
            (0, BUYER, "Can we see the routing?"),
            (90, AE, handoff),
            (105, SE, "Sure."),
        ]),
        &charter,
    );
    assert!(late.events.iter().any(|e| e.kind == EventKind::Handoff));
    let finding = late
        .findings
        .iter()
        .find(|f| f.rule == "Org.EarlyHandoff")
        .expect("the handoff came after minute 1");
    assert_eq!(finding.message, "Hand over by minute 1.");
}

// ---------------------------------------------------------------------------------------------
// title

#[test]
fn title_matches_participants_who_speak() {
    let org = Org::new();
    org.file(
        "Org/Head.toml",
        r#"message = "A head of something is here."
signal = "probe_head"
roles = ["prospect"]
kind = "title"

[match]
patterns = ['''\bhead\s+of\b''']
"#,
    );
    let lexicon = org.load();
    let mut t = transcript(&[
        (AE, "Welcome, everyone."),
        (BUYER2, "Thanks for having us."),
        (SE, "Glad to be here."),
        (BUYER, "Hello from me too."),
    ]);
    let titles = [
        (BUYER, "Head of Data Platforms"),
        (BUYER2, "Senior Analyst"),
        (SE, "Head of Solutions"),
    ];
    for p in &mut t.participants {
        p.title = titles
            .iter()
            .find(|(n, _)| *n == p.name)
            .map(|(_, title)| title.to_string());
    }
    // Declared with a matching title, but never speaks.
    t.participants.push(DeclaredParticipant {
        name: "Rita Vance".into(),
        role: Some(Role::Prospect),
        title: Some("Head of Risk".into()),
        identified: None,
    });
    let d = run_with(&lexicon, &t, &Charter::default());
    // Hannah's first turn; not the SE (the rule listens to prospects), not the silent Rita.
    assert_eq!(signal(&d, "probe_head"), [3]);
}

// ---------------------------------------------------------------------------------------------
// exceptions, addressed_to, suppressed_by

#[test]
fn exceptions_cancel_a_match_in_their_scope() {
    let org = Org::new();
    org.file(
        "Org/Refund.toml",
        r#"message = "Wants a refund."
signal = "probe_refund"
kind = "existence"

[match]
terms = ["refund"]

[exceptions]
patterns = ['''\bnot\b''']
"#,
    )
    .file(
        "Org/RefundTurn.toml",
        r#"message = "Wants a refund, and means it."
signal = "probe_refund_turn"
kind = "existence"

[match]
terms = ["refund"]

[exceptions]
in = "turn"
terms = ["kidding"]
"#,
    );
    let lexicon = org.load();
    let d = run(
        &lexicon,
        &[
            (BUYER, "We want a refund."),                       // 0
            (BUYER, "We do not want a refund."),                // 1
            (BUYER, "We want a refund. Just kidding, though."), // 2
            (BUYER, "I am not happy. We want a refund."),       // 3
        ],
    );
    // Sentence exceptions only look at the matching sentence.
    assert_eq!(signal(&d, "probe_refund"), [0, 2, 3]);
    // Turn exceptions look at the whole turn.
    assert_eq!(signal(&d, "probe_refund_turn"), [0, 1, 3]);
}

#[test]
fn addressed_to_hears_only_sentences_spoken_to_that_role() {
    let org = Org::new();
    let rule = |name: &str, to: &str| {
        format!(
            "message = \"m\"\nkind = \"existence\"\nsignal = \"probe_{name}\"\nroles = [\"AE\"]\naddressed_to = [{to}]\n\n[match]\nterms = [\"check the logs\"]\n"
        )
    };
    org.file("Org/ToSe.toml", &rule("to_se", "\"SE\""))
        .file("Org/ToRoom.toml", &rule("to_room", "\"nobody\""));
    let lexicon = org.load();
    let d = run(
        &lexicon,
        &[
            (AE, "Omar, check the logs."),                   // 0: to the SE by name
            (AE, "Check the logs, Omar."),                   // 1: name at the end
            (AE, "Check the logs."),                         // 2: to the room
            (AE, "Hannah, check the logs."),                 // 3: to a buyer
            (AE, "Omar, quick one. Check the logs please."), // 4: carried over
            (SE, "Sure."),
            (BUYER, "Okay."),
        ],
    );
    assert_eq!(signal(&d, "probe_to_se"), [0, 1, 4]);
    // `nobody` hears every sentence that does not name its addressee itself, including one
    // that carries the SE over from an earlier sentence (turn 4), but not one naming a buyer.
    assert_eq!(signal(&d, "probe_to_room"), [2, 4]);
}

#[test]
fn suppressed_by_drops_an_event_when_the_other_event_is_on_the_same_turn() {
    let org = Org::new();
    org.file(
        "Org/Flarp.toml",
        r#"message = "Flarp."
level = "violation"
event = "demo_monkey_command"
kind = "existence"
suppressed_by = ["se_pricing"]

[match]
terms = ["flarp"]
"#,
    )
    .file(
        "Org/Blorf.toml",
        r#"message = "Blorf."
level = "violation"
event = "se_pricing"
kind = "existence"

[match]
terms = ["blorf"]
"#,
    );
    let lexicon = org.load();
    let d = run(
        &lexicon,
        &[
            (BUYER, "Flarp."),
            (BUYER, "Flarp and blorf."),
            (BUYER, "Blorf."),
            (BUYER, "Flarp."),
        ],
    );
    assert_eq!(
        events_from(&d, "Org."),
        [
            (EventKind::DemoMonkeyCommand, 0, None),
            (EventKind::SePricing, 1, None),
            (EventKind::SePricing, 2, None),
            (EventKind::DemoMonkeyCommand, 3, None),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// macros

#[test]
fn macros_expand_shipped_fragments_role_tokens_and_org_macros() {
    let org = Org::new();
    org.file("macros.toml", "[macros]\nfruit = '''apples?|pears?'''\n")
        .file(
            "Org/Bought.toml",
            "message = \"m\"\nkind = \"existence\"\nsignal = \"probe_num\"\n\n[match]\npatterns = ['''\\bbought\\s+{num}\\s+widgets\\b''']\n",
        )
        .file(
            "Org/AskAe.toml",
            "message = \"m\"\nkind = \"existence\"\nsignal = \"probe_ask_ae\"\n\n[match]\npatterns = ['''\\bask\\s+{ae}\\b''']\n",
        )
        .file(
            "Org/Fruit.toml",
            "message = \"m\"\nkind = \"existence\"\nsignal = \"probe_fruit\"\n\n[match]\npatterns = ['''\\bfresh\\s+{fruit}\\b''']\n",
        );
    let lexicon = org.load();
    let d = run(
        &lexicon,
        &[
            (BUYER, "We bought 1,200 widgets."),             // 0
            (BUYER, "We bought forty-two widgets."),         // 1
            (BUYER, "We bought a dozen widgets."),           // 2
            (BUYER, "We bought many widgets."),              // 3
            (BUYER, "You should ask Maya."),                 // 4: the AE's first name
            (BUYER, "You should ask Maya Lindqvist."),       // 5: the AE's full name
            (BUYER, "You should ask Luis."),                 // 6: a buyer
            (BUYER2, "You should ask Omar."),                // 7: the SE
            (SE, "You should ask Maya about that."),         // 8
            (BUYER, "We sell fresh pears and fresh bread."), // 9
            (BUYER, "Only fresh bread today."),              // 10
            (AE, "Hello."),
        ],
    );
    assert_eq!(signal(&d, "probe_num"), [0, 1, 2]);
    assert_eq!(signal(&d, "probe_ask_ae"), [4, 5, 8]);
    assert_eq!(signal(&d, "probe_fruit"), [9]);
}

// ---------------------------------------------------------------------------------------------
// layering

#[test]
fn an_org_rule_with_a_shipped_id_replaces_it() {
    let before = run(
        &shipped(),
        &[(AE, "Here it is."), (BUYER, "Wow, that is amazing.")],
    );
    assert_eq!(signal(&before, "enthusiasm"), [1]);

    let org = Org::new();
    org.file(
        "Signals/Enthusiasm.toml",
        r#"message = "Buyer says the house phrase."
level = "info"
signal = "enthusiasm"
roles = ["prospect"]
kind = "existence"

[match]
terms = ["chuffed to bits"]
"#,
    );
    let lexicon = org.load();
    let rule = lexicon.rule("Signals.Enthusiasm").expect("still defined");
    assert_eq!(
        rule.origin,
        format!("{}:1", org.path("Signals/Enthusiasm.toml"))
    );
    assert_eq!(
        lexicon.rules.len(),
        shipped().rules.len(),
        "replaced, not added"
    );
    let after = run(
        &lexicon,
        &[
            (AE, "Here it is."),
            (BUYER, "Wow, that is amazing."),
            (BUYER, "Honestly, we are chuffed to bits."),
        ],
    );
    assert_eq!(signal(&after, "enthusiasm"), [2]);
}

#[test]
fn an_org_rule_can_disable_a_shipped_one() {
    let org = Org::new();
    org.file("Signals/Enthusiasm.toml", "enabled = false\n");
    let lexicon = org.load();
    assert!(lexicon.rule("Signals.Enthusiasm").is_none());
    assert_eq!(lexicon.rules.len() + 1, shipped().rules.len());
    let d = run(&lexicon, &[(AE, "Here."), (BUYER, "Wow, amazing.")]);
    assert_eq!(signal(&d, "enthusiasm"), Vec::<usize>::new());
}

#[test]
fn a_new_pack_adds_rules_and_keeps_the_shipped_ones() {
    let base = shipped();
    let org = Org::new();
    org.file(
        "Acme/House.toml",
        r#"message = "House style."
signal = "probe_house"
kind = "existence"

[[rule]]
name = "Greeting"
[rule.match]
terms = ["howdy"]

[[rule]]
name = "Farewell"
[rule.match]
terms = ["cheerio"]
"#,
    );
    let lexicon = org.load();
    assert_eq!(lexicon.rules.len(), base.rules.len() + 2);
    for rule in &base.rules {
        assert!(lexicon.rule(&rule.id).is_some(), "{} kept", rule.id);
    }
    let greeting = lexicon.rule("Acme.House.Greeting").expect("added");
    assert_eq!(greeting.kind, RuleKind::Existence);
    assert_eq!(greeting.message, "House style.", "inherits the header");
    assert_eq!(
        greeting.origin,
        format!("{}:6", org.path("Acme/House.toml"))
    );
    let d = run(
        &lexicon,
        &[(BUYER, "Howdy, all."), (BUYER, "Cheerio then.")],
    );
    assert_eq!(signal(&d, "probe_house"), [0, 1]);
}

#[test]
fn an_org_vocab_extends_the_shipped_list_and_shipped_rules_use_it() {
    let turns = [
        (BUYER, "And what about the zorbucks?"),
        (SE, "Good one, I'll let Maya take that."),
        (AE, "Sure."),
    ];
    let handoffs = |d: &Debrief| {
        d.events_of(EventKind::Handoff)
            .map(|e| (e.turn, e.handoff.as_ref().map(|h| (h.from, h.to))))
            .collect::<Vec<_>>()
    };
    assert_eq!(handoffs(&debrief(&shipped(), &turns)), []);

    let org = Org::new();
    org.file("vocab/commercial.toml", "terms = [\"zorbucks\"]\n");
    let lexicon = org.load();
    let commercial = &lexicon.vocab["commercial"];
    assert!(commercial.iter().any(|t| t == "zorbucks"));
    assert!(
        commercial.iter().any(|t| t == "pricing"),
        "shipped terms kept"
    );
    assert_eq!(
        handoffs(&debrief(&lexicon, &turns)),
        [(1, Some((Role::Se, Role::Ae)))]
    );
}

#[test]
fn an_org_vocab_with_replace_drops_the_shipped_terms() {
    let org = Org::new();
    org.file(
        "vocab/commercial.toml",
        "replace = true\nterms = [\"zorbucks\"]\n",
    );
    let lexicon = org.load();
    assert_eq!(lexicon.vocab["commercial"], ["zorbucks"]);
    let d = debrief(
        &lexicon,
        &[
            (BUYER, "What does the licence cost?"),
            (SE, "Good one, I'll let Maya take that."),
            (AE, "Sure."),
        ],
    );
    assert_eq!(d.events_of(EventKind::Handoff).count(), 0);
}

// ---------------------------------------------------------------------------------------------
// loader errors: `file:line: message`

/// Loads a folder holding one file and returns its errors as `(line, message)`, checking that
/// each names the file.
fn errors_of(relative: &str, text: &str) -> Vec<(usize, String)> {
    let org = Org::new();
    org.file(relative, text);
    let file = org.path(relative);
    org.errors()
        .into_iter()
        .map(|e| {
            assert_eq!(e.file, file, "{e}");
            assert_eq!(
                e.to_string(),
                format!("{}:{}: {}", e.file, e.line, e.message),
                "displayed as file:line: message"
            );
            (e.line, e.message)
        })
        .collect()
}

fn assert_one_error(relative: &str, text: &str, line: usize, starts: &str) -> String {
    let errors = errors_of(relative, text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, line, "line of: {}", errors[0].1);
    assert!(
        errors[0].1.starts_with(starts),
        "message should start {starts:?}: {}",
        errors[0].1
    );
    errors[0].1.clone()
}

#[test]
fn loader_error_unknown_key() {
    assert_one_error(
        "Org/Typo.toml",
        "# A rule with a typo.\nmessage = \"m\"\nkind = \"existence\"\nsignal = \"probe\"\nlevl = \"good\"\n\n[match]\nterms = [\"a\"]\n",
        5,
        "unknown field `levl`",
    );
    // Inside a matcher table.
    assert_one_error(
        "Org/Typo.toml",
        "message = \"m\"\nkind = \"existence\"\nsignal = \"probe\"\n\n[match]\nterms = [\"a\"]\nflavour = \"x\"\n",
        7,
        "unknown field `flavour`",
    );
    // Inside the third [[rule]].
    assert_one_error(
        "Org/Many.toml",
        "message = \"m\"\nkind = \"existence\"\nsignal = \"probe\"\n\n[[rule]]\nname = \"One\"\n[rule.match]\nterms = [\"a\"]\n\n[[rule]]\nname = \"Two\"\n[rule.match]\nterms = [\"b\"]\n\n[[rule]]\nname = \"Three\"\nwobble = 3\n[rule.match]\nterms = [\"c\"]\n",
        17,
        "unknown field `wobble`",
    );
    // In a vocabulary file.
    assert_one_error(
        "vocab/extra.toml",
        "terms = [\"a\"]\nbogus = 1\n",
        2,
        "unknown field `bogus`",
    );
}

#[test]
fn loader_error_bad_level_lists_the_allowed_values() {
    let message = assert_one_error(
        "Org/Loud.toml",
        "message = \"m\"\nkind = \"existence\"\nsignal = \"probe\"\n\nlevel = \"loud\"\n\n[match]\nterms = [\"a\"]\n",
        5,
        "unknown level `loud`",
    );
    for level in ["violation", "warning", "good", "info"] {
        assert!(message.contains(level), "{message}");
    }
}

#[test]
fn loader_error_unknown_macro_lists_the_known_ones() {
    let message = assert_one_error(
        "Org/Macro.toml",
        "message = \"m\"\nkind = \"existence\"\nsignal = \"probe\"\n\n[match]\npatterns = [\n  '''\\bfine\\b''',\n  '''{nosuch} widgets''',\n]\n",
        8,
        "unknown macro `{nosuch}`",
    );
    for known in ["num", "money", "when", "ae", "se", "prospect", "vendor"] {
        assert!(
            message.split([' ', ',']).any(|w| w == known),
            "{known} listed: {message}"
        );
    }
}

#[test]
fn loader_error_bad_regex_points_at_its_line_in_the_array() {
    assert_one_error(
        "Org/Regex.toml",
        "message = \"m\"\nkind = \"existence\"\nsignal = \"probe\"\n\n[match]\npatterns = [\n  '''\\bfine\\b''',\n  '''also fine''',\n  '''(unclosed''',\n]\n",
        9,
        "pattern `(unclosed` is not a valid regular expression",
    );
}

#[test]
fn loader_error_missing_message() {
    // A one-rule file: the rule is the file, from line 1.
    assert_one_error(
        "Org/Quiet.toml",
        "kind = \"existence\"\nsignal = \"probe\"\n\n[match]\nterms = [\"a\"]\n",
        1,
        "rule Org.Quiet needs a `message`",
    );
    // A [[rule]] without one: the line of its name.
    assert_one_error(
        "Org/Pair.toml",
        "kind = \"existence\"\nsignal = \"probe\"\n\n[[rule]]\nname = \"Loud\"\nmessage = \"m\"\n[rule.match]\nterms = [\"a\"]\n\n[[rule]]\nname = \"Mute\"\n[rule.match]\nterms = [\"b\"]\n",
        11,
        "rule Org.Pair.Mute needs a `message`",
    );
}

#[test]
fn loader_error_handoff_without_event_handoff() {
    // The error points at the `handoff` key, or at `event` when there is no `handoff`.
    assert_one_error(
        "Org/Pass.toml",
        "message = \"m\"\nkind = \"existence\"\n\n[[rule]]\nname = \"Fine\"\nevent = \"handoff\"\nhandoff = { from = \"AE\", to = \"SE\" }\n[rule.match]\nterms = [\"a\"]\n\n[[rule]]\nname = \"Wrong\"\nevent = \"se_pricing\"\nhandoff = { from = \"SE\", to = \"AE\" }\n[rule.match]\nterms = [\"b\"]\n",
        14,
        "rule Org.Pass.Wrong: `handoff = { from, to }` goes with `event = \"handoff\"`",
    );
    // And the other way round: a handoff event with no from/to.
    assert_one_error(
        "Org/Pass.toml",
        "message = \"m\"\nkind = \"existence\"\n\n[[rule]]\nname = \"Bare\"\nevent = \"handoff\"\n[rule.match]\nterms = [\"a\"]\n",
        6,
        "rule Org.Pass.Bare: `handoff = { from, to }` goes with `event = \"handoff\"`",
    );
}

#[test]
fn loader_error_handoff_mismatch_points_at_the_handoff_key_in_a_one_rule_file() {
    assert_one_error(
        "Org/Pass.toml",
        "# Passing a question on.\nmessage = \"m\"\nkind = \"existence\"\nevent = \"se_pricing\"\nhandoff = { from = \"SE\", to = \"AE\" }\n\n[match]\nterms = [\"a\"]\n",
        5,
        "rule Org.Pass: `handoff = { from, to }` goes with `event = \"handoff\"`",
    );
}

#[test]
fn loader_reports_all_problems_of_a_rule_without_message() {
    let errors = errors_of(
        "Org/Both.toml",
        "kind = \"existence\"\nsignal = \"probe\"\nlevel = \"loud\"\n\n[match]\nterms = [\"a\"]\n",
    );
    let lines: Vec<usize> = errors.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, [1, 3], "{errors:?}");
}

#[test]
fn loader_errors_for_other_mistakes_point_at_their_lines() {
    let header = "message = \"m\"\n";
    let cases: &[(&str, String, usize, &str)] = &[
        (
            "Org/Kind.toml",
            format!("{header}signal = \"s\"\nkind = \"sometimes\"\n\n[match]\nterms = [\"a\"]\n"),
            3,
            "unknown kind `sometimes`: use one of existence, conditional, occurrence, sequence, missing, title",
        ),
        (
            "Org/NoKind.toml",
            format!("{header}signal = \"s\"\n\n[match]\nterms = [\"a\"]\n"),
            1,
            "rule Org.NoKind needs a `kind`",
        ),
        (
            "Org/Role.toml",
            format!(
                "{header}signal = \"s\"\nkind = \"existence\"\nroles = [\"AE\", \"CEO\"]\n\n[match]\nterms = [\"a\"]\n"
            ),
            4,
            "unknown role `CEO`",
        ),
        (
            "Org/Event.toml",
            format!(
                "{header}kind = \"existence\"\nevent = \"upsell\"\n\n[match]\nterms = [\"a\"]\n"
            ),
            3,
            "unknown event `upsell`",
        ),
        (
            "Org/Finding.toml",
            format!(
                "{header}kind = \"existence\"\nfinding = \"money\"\n\n[match]\nterms = [\"a\"]\n"
            ),
            3,
            "unknown finding `money`: use budget, timeline, sponsor, pain, competitors",
        ),
        (
            "Org/Target.toml",
            format!(
                "{header}kind = \"existence\"\nsignal = \"s\"\nevent = \"se_pricing\"\n\n[match]\nterms = [\"a\"]\n"
            ),
            1,
            "rule Org.Target needs exactly one of `event`, `finding` or `signal`",
        ),
        (
            "Org/NoRequires.toml",
            format!("{header}kind = \"conditional\"\nsignal = \"s\"\n\n[match]\nterms = [\"a\"]\n"),
            1,
            "rule Org.NoRequires: kind `conditional` needs a [requires] table",
        ),
        (
            "Org/NoAcceptance.toml",
            format!("{header}kind = \"sequence\"\nsignal = \"s\"\n\n[proposal]\nterms = [\"a\"]\n"),
            1,
            "rule Org.NoAcceptance: kind `sequence` needs a [acceptance] table",
        ),
        (
            "Org/Scope.toml",
            format!(
                "{header}kind = \"conditional\"\nsignal = \"s\"\n\n[match]\nterms = [\"a\"]\n\n[requires]\nin = \"paragraph\"\nterms = [\"b\"]\n"
            ),
            9,
            "unknown `in` value `paragraph`: use sentence, turn, context or preceding",
        ),
        (
            "Org/Episode.toml",
            format!(
                "{header}kind = \"occurrence\"\nsignal = \"s\"\nscope = \"chapter\"\n\n[match]\nterms = [\"a\"]\n"
            ),
            4,
            "unknown scope `chapter`: use turn or episode",
        ),
        (
            "Org/Expects.toml",
            format!("{header}kind = \"missing\"\nexpects = \"miracle\"\n"),
            3,
            "unknown `expects` value `miracle`",
        ),
        (
            "Org/By.toml",
            format!("{header}kind = \"missing\"\nexpects = \"budget\"\nby = \"lunch\"\n"),
            4,
            "unknown `by` value `lunch`: use end or cta",
        ),
        (
            "Org/MissingTarget.toml",
            format!("{header}kind = \"missing\"\nexpects = \"budget\"\nfinding = \"budget\"\n"),
            1,
            "rule Org.MissingTarget: a `missing` rule reports a finding of its own",
        ),
        (
            "Org/Suppress.toml",
            format!(
                "{header}kind = \"existence\"\nsignal = \"s\"\n\nsuppressed_by = [\"se_pricing\", \"bad_event\"]\n\n[match]\nterms = [\"a\"]\n"
            ),
            5,
            "unknown event `bad_event` in suppressed_by",
        ),
        (
            "Org/Phrase.toml",
            format!(
                "{header}kind = \"existence\"\nsignal = \"s\"\nalso_phrase = \"magic\"\n\n[match]\nterms = [\"a\"]\n"
            ),
            4,
            "unknown also_phrase `magic`",
        ),
        (
            "Org/Topics.toml",
            format!(
                "{header}kind = \"existence\"\nevent = \"handoff\"\nhandoff = {{ from = \"SE\", to = \"AE\", topics = \"nosuch\" }}\n\n[match]\nterms = [\"a\"]\n"
            ),
            1,
            "rule Org.Topics: no vocabulary vocab/nosuch.toml with a [topics] table",
        ),
        (
            "Org/Vocab.toml",
            format!(
                "{header}kind = \"existence\"\nsignal = \"s\"\n\n[match]\nvocab = [\n  \"technical\",\n  \"nonsense\",\n]\n"
            ),
            8,
            "unknown vocabulary `nonsense`: known are",
        ),
        (
            "Org/Empty.toml",
            format!(
                "{header}kind = \"existence\"\nsignal = \"s\"\n\n[match]\nterms = [\"a\", \" \"]\n"
            ),
            6,
            "empty term",
        ),
        (
            "Org/Syntax.toml",
            format!("{header}kind = \"existence\"\nsignal = \"s\n"),
            3,
            "",
        ),
        (
            "macros.toml",
            "[macros]\nfine = \"x\"\nbroken = 3\n".to_string(),
            3,
            "invalid type: integer `3`, expected a string",
        ),
        (
            "Stray.toml",
            format!("{header}kind = \"existence\"\n"),
            1,
            "not a rule, vocabulary or macros file",
        ),
        (
            "my-pack/Rule.toml",
            format!("{header}kind = \"existence\"\nsignal = \"s\"\n\n[match]\nterms = [\"a\"]\n"),
            1,
            "pack folder `my-pack` must be a name like `Swimlane`",
        ),
    ];
    for (relative, text, line, starts) in cases {
        let errors = errors_of(relative, text);
        assert_eq!(errors.len(), 1, "{relative}: {errors:?}");
        assert_eq!(errors[0].0, *line, "{relative}: {}", errors[0].1);
        assert!(
            errors[0].1.starts_with(starts),
            "{relative}: message should start {starts:?}: {}",
            errors[0].1
        );
    }
}

#[test]
fn loader_reports_every_problem_of_every_file_at_once() {
    let org = Org::new();
    org.file(
        "Org/One.toml",
        "message = \"m\"\nkind = \"existence\"\nsignal = \"s\"\nlevel = \"loud\"\n\n[match]\npatterns = ['''{nosuch}''']\n",
    )
    .file(
        "Org/Two.toml",
        "message = \"m\"\nkind = \"existence\"\nsignal = \"s\"\nroles = [\"boss\"]\n\n[match]\nterms = [\"a\"]\n",
    )
    .file("vocab/x.toml", "terms = [\"a\"]\nnope = true\n");
    let mut found: Vec<(String, usize)> = org
        .errors()
        .into_iter()
        .map(|e| {
            let name = Path::new(&e.file)
                .strip_prefix(org.dir.path())
                .unwrap_or_else(|_| panic!("{} is under the org folder", e.file))
                .display()
                .to_string();
            (name, e.line)
        })
        .collect();
    found.sort();
    let expected: Vec<(String, usize)> = [
        ("Org/One.toml", 4),
        ("Org/One.toml", 7),
        ("Org/Two.toml", 4),
        ("vocab/x.toml", 2),
    ]
    .iter()
    .map(|(f, l)| (Path::new(f).display().to_string(), *l))
    .collect();
    assert_eq!(found, expected);
}

#[test]
fn a_lexicons_argument_that_is_not_a_folder_is_an_error() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("rules.toml");
    fs::write(&file, "message = \"m\"\n").unwrap();
    let err = Lexicon::load(&[file.as_path()]).unwrap_err();
    assert_eq!(err.0.len(), 1);
    assert_eq!(err.0[0].file, file.display().to_string());
    assert!(err.0[0].message.contains("not a folder"), "{}", err.0[0]);
}

#[test]
fn a_second_rule_raising_a_signal_does_not_double_count_turns() {
    let org = Org::new();
    org.file(
        "Acme/Grill.toml",
        r#"message = "The buyer grills us on our stack."
level = "info"
signal = "prospect_technical_question"
roles = ["prospect"]
kind = "existence"

[match]
terms = ["kubernetes"]
"#,
    );
    let lexicon = org.load();
    let mut t = transcript(&[
        (
            AE,
            "Nice to meet you all, thanks for taking the intro call.",
        ),
        (
            BUYER,
            "Does it run on Kubernetes, and how do you handle TLS?",
        ),
        (
            BUYER2,
            "With respect, what about Kubernetes namespaces and RBAC?",
        ),
        (SE, "Good questions, let me take them in turn."),
    ]);
    t.call_type = Some(swimlane::model::CallType::Intro);
    let d = run_with(&lexicon, &t, &Charter::default());
    // Both rules hear the same two questions: two turns, under the ambush threshold of four.
    assert_eq!(signal(&d, "prospect_technical_question"), [1, 2]);
    assert!(!signal(&d, "hostility").is_empty());
    assert!(
        !d.flags.technical_ambush,
        "two technical questions are not an ambush: {:?}",
        d.signals
    );
}
