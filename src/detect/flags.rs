//! The call-level anti-pattern flags, built from events, qualification and the signals that
//! lexicon rules raise. The words live in the lexicons; the combinations live here.

use crate::debrief::{Event, EventKind, Flags, Qualification};
use crate::model::{Call, CallType};
use std::collections::BTreeMap;

/// How much evidence each flag needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagThresholds {
    /// Demo monkey: the AE ordered the SE around at least this often.
    pub demo_monkey_commands: usize,
    /// Technical ambush: buyer-side technical questions (turns) in an intro call.
    pub ambush_questions: usize,
    /// Happy ears: buyer enthusiasm (turns) with nothing qualified and the AE pushing ahead.
    pub happy_ears_enthusiasm: usize,
}

impl Default for FlagThresholds {
    fn default() -> FlagThresholds {
        FlagThresholds {
            demo_monkey_commands: 2,
            ambush_questions: 3,
            happy_ears_enthusiasm: 2,
        }
    }
}

/// The number of distinct turns on which a signal fired (several rules may raise one signal).
fn count(signals: &BTreeMap<String, Vec<usize>>, name: &str) -> usize {
    signals.get(name).map_or(0, |turns| {
        let mut t = turns.clone();
        t.sort_unstable();
        t.dedup();
        t.len()
    })
}

/// Computes the flags.
///
/// - `demo_monkey`: at least `demo_monkey_commands` `demo_monkey_command` events.
/// - `technical_ambush`: an intro call (by its declared type, or, when no type is declared, by a
///   `first_meeting` signal), with at least `ambush_questions` turns of `prospect_technical_question`,
///   and people the vendor did not plan for (`unexpected_attendees`), repeated `hostility`, or
///   some hostility with twice that many questions.
/// - `happy_ears`: at least `happy_ears_enthusiasm` turns of buyer `enthusiasm`, an `advancing`
///   signal from the vendor side, and no budget, timeline or sponsor established.
pub fn flags(
    call: &Call,
    events: &[Event],
    qualification: &Qualification,
    signals: &BTreeMap<String, Vec<usize>>,
    thresholds: &FlagThresholds,
) -> Flags {
    let commands = events
        .iter()
        .filter(|e| e.kind == EventKind::DemoMonkeyCommand)
        .count();
    let intro = match &call.call_type {
        Some(CallType::Intro) => true,
        None => count(signals, "first_meeting") > 0,
        Some(_) => false,
    };
    let questions = count(signals, "prospect_technical_question");
    let ambush = intro
        && questions >= thresholds.ambush_questions
        && (count(signals, "unexpected_attendees") > 0
            || count(signals, "hostility") >= 2
            || count(signals, "hostility") >= 1 && questions >= 2 * thresholds.ambush_questions);
    let nothing_qualified = !qualification.budget.covered
        && !qualification.timeline.covered
        && !qualification.sponsor.covered;
    let happy_ears = nothing_qualified
        && count(signals, "enthusiasm") >= thresholds.happy_ears_enthusiasm
        && count(signals, "advancing") > 0;
    Flags {
        demo_monkey: commands >= thresholds.demo_monkey_commands,
        technical_ambush: ambush,
        happy_ears,
    }
}
