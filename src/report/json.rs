//! The JSON report: the debrief as data (schema `swimlane.debrief/1`), for dashboards and for
//! comparing runs.

use crate::debrief::Debrief;

/// Serialises the debrief as pretty-printed JSON with a trailing newline.
pub(super) fn render(d: &Debrief) -> Vec<u8> {
    // A Debrief is plain structs and vectors with string keys, written into memory: serde_json
    // has no way to fail on it (non-finite floats are written as null).
    let mut out = serde_json::to_vec_pretty(d).expect("a Debrief always serialises");
    out.push(b'\n');
    out
}
