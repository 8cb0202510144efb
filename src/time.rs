//! Call time as integer milliseconds, so that every stage agrees on one unit and rounding
//! happens only where seconds or clock strings enter or leave the program.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A point or a length of time in a call, in whole milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ms(pub u64);

impl Ms {
    /// Converts seconds (as transcripts write them) to milliseconds, rounding to the nearest.
    /// Returns `None` for negative, infinite or NaN input.
    pub fn from_secs_f64(secs: f64) -> Option<Ms> {
        if secs.is_finite() && secs >= 0.0 {
            Some(Ms((secs * 1000.0).round() as u64))
        } else {
            None
        }
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    pub fn saturating_sub(self, other: Ms) -> Ms {
        Ms(self.0.saturating_sub(other.0))
    }

    /// `h:mm:ss` when the call passes an hour, `m:ss` otherwise.
    pub fn clock(self) -> String {
        let total = self.0 / 1000;
        let (h, m, s) = (total / 3600, (total / 60) % 60, total % 60);
        if h > 0 {
            format!("{h}:{m:02}:{s:02}")
        } else {
            format!("{m}:{s:02}")
        }
    }
}

impl std::ops::Add for Ms {
    type Output = Ms;
    fn add(self, rhs: Ms) -> Ms {
        Ms(self.0 + rhs.0)
    }
}

impl fmt::Display for Ms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.clock())
    }
}

/// Serialized as seconds with millisecond precision, matching the call JSON format.
impl Serialize for Ms {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.as_secs_f64())
    }
}

impl<'de> Deserialize<'de> for Ms {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let secs = f64::deserialize(d)?;
        Ms::from_secs_f64(secs).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "time {secs} is not a non-negative number of seconds"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_seconds_to_nearest_millisecond() {
        assert_eq!(Ms::from_secs_f64(4.9274), Some(Ms(4927)));
        assert_eq!(Ms::from_secs_f64(4.9275), Some(Ms(4928)));
        assert_eq!(Ms::from_secs_f64(-0.5), None);
        assert_eq!(Ms::from_secs_f64(f64::NAN), None);
    }

    #[test]
    fn clock_shows_hours_only_past_the_hour() {
        assert_eq!(Ms(59_999).clock(), "0:59");
        assert_eq!(Ms(3_350_000).clock(), "55:50");
        assert_eq!(Ms(3_600_000).clock(), "1:00:00");
    }
}
