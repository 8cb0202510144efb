//! Who spoke when. Today this holds the interchange format (RTTM) and the measure (DER) that
//! diarization is judged by; the diarizer itself builds on them.

pub mod der;
pub mod encoder;
pub mod rttm;
pub mod torch_legacy;
