//! swimlane: post-call coaching for an Account Executive and Solutions Engineer pair.
//!
//! The library is a pipeline of plain stages over serde types; it knows nothing of the command
//! line and never prints:
//!
//! ```text
//! transcript::read -> roles::resolve -> detect::detect + metrics::measure -> debrief -> report::render
//! ```

pub mod analyze;
pub mod charter;
pub mod debrief;
pub mod detect;
pub mod eval;
pub mod lexicon;
pub mod metrics;
pub mod model;
pub mod report;
pub mod roles;
pub mod text;
pub mod time;
pub mod transcript;
