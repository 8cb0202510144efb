//! Who spoke when: RTTM (the format diarization tools exchange), DER (the measure diarization is
//! judged by) and the GE2E speaker encoder that turns a stretch of speech into a voiceprint, with
//! the reader for its legacy PyTorch weights, and the store of enrolled voiceprints. The diarizer
//! itself builds on these.

pub mod cluster;
pub mod der;
pub mod encoder;
pub mod recording;
pub mod rttm;
pub mod torch_legacy;
pub mod voiceprint;
