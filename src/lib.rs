//! swimlane: post-call coaching for an Account Executive and Solutions Engineer pair.
//!
//! The library is a pipeline of plain stages over serde types; it knows nothing of the command
//! line and never prints:
//!
//! ```text
//! audio::AudioStream -> asr::recognise -> asr::attribute  (recordings only)
//! transcript::read -> roles::resolve -> detect::detect + metrics::measure -> debrief -> report::render
//! ```

pub mod analyze;
pub mod asr;
pub mod audio;
pub mod charter;
pub mod debrief;
pub mod detect;
pub mod diarize;
pub mod eval;
pub mod lexicon;
pub mod metrics;
pub mod model;
pub mod paths;
pub mod report;
pub mod review;
pub mod roles;
pub mod text;
pub mod time;
pub mod transcript;
pub mod workspace;
