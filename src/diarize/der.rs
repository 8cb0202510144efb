//! Diarization error rate, scored the way NIST's `md-eval` scores it: over the reference's
//! speaking time, the share that is missed speech, false alarm, or given to the wrong speaker
//! under the best one-to-one mapping of hypothesis speakers onto reference speakers. A collar
//! around every reference boundary is not scored (people disagree by a fraction of a second on
//! where a turn starts), and overlapped speech can be left out.

use super::rttm::SpeakerTurn;
use crate::time::Ms;
use pathfinding::prelude::{Matrix, kuhn_munkres};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// How scoring treats boundaries and overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DerSettings {
    /// Time on each side of every reference turn boundary that is not scored.
    pub collar: Ms,
    /// Leave out time where the reference has more than one speaker.
    pub ignore_overlap: bool,
}

impl Default for DerSettings {
    fn default() -> Self {
        Self {
            collar: Ms(250),
            ignore_overlap: false,
        }
    }
}

/// The error components, in milliseconds of speaker time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DerScore {
    /// Reference speaker time scored (the denominator).
    pub scored: Ms,
    pub missed: Ms,
    pub false_alarm: Ms,
    pub confusion: Ms,
}

impl DerScore {
    fn percent(&self, part: Ms) -> f64 {
        if self.scored.0 == 0 {
            0.0
        } else {
            100.0 * part.0 as f64 / self.scored.0 as f64
        }
    }

    pub fn der(&self) -> f64 {
        self.percent(self.missed + self.false_alarm + self.confusion)
    }

    pub fn missed_percent(&self) -> f64 {
        self.percent(self.missed)
    }

    pub fn false_alarm_percent(&self) -> f64 {
        self.percent(self.false_alarm)
    }

    pub fn confusion_percent(&self) -> f64 {
        self.percent(self.confusion)
    }

    fn add(&mut self, other: DerScore) {
        self.scored = self.scored + other.scored;
        self.missed = self.missed + other.missed;
        self.false_alarm = self.false_alarm + other.false_alarm;
        self.confusion = self.confusion + other.confusion;
    }
}

/// Scores a hypothesis against a reference. Files (RTTM file ids) are scored separately, each
/// with its own speaker mapping, and summed; a file only the hypothesis has is all false alarm.
pub fn score(
    reference: &[SpeakerTurn],
    hypothesis: &[SpeakerTurn],
    settings: DerSettings,
) -> DerScore {
    let files: BTreeSet<&str> = reference
        .iter()
        .chain(hypothesis)
        .map(|t| t.file.as_str())
        .collect();
    let mut total = DerScore::default();
    for file in files {
        let of_file = |turns: &[SpeakerTurn]| -> Vec<Vec<(i64, i64)>> {
            speakers(turns.iter().filter(|t| t.file == file))
        };
        total.add(score_file(
            &of_file(reference),
            &of_file(hypothesis),
            settings,
        ));
    }
    total
}

/// Each speaker's turns as sorted intervals (ms), overlapping and touching turns merged.
fn speakers<'a>(turns: impl Iterator<Item = &'a SpeakerTurn>) -> Vec<Vec<(i64, i64)>> {
    let mut by_speaker: BTreeMap<&str, Vec<(i64, i64)>> = BTreeMap::new();
    for turn in turns {
        if turn.end > turn.start {
            by_speaker
                .entry(&turn.speaker)
                .or_default()
                .push((turn.start.0 as i64, turn.end.0 as i64));
        }
    }
    by_speaker
        .into_values()
        .map(|mut intervals| {
            intervals.sort_unstable();
            let mut merged: Vec<(i64, i64)> = Vec::with_capacity(intervals.len());
            for (start, end) in intervals {
                match merged.last_mut() {
                    Some(last) if start <= last.1 => last.1 = last.1.max(end),
                    _ => merged.push((start, end)),
                }
            }
            merged
        })
        .collect()
}

/// A stretch of time in which nobody starts or stops: who speaks in it, by index.
struct Piece {
    length: i64,
    reference: Vec<usize>,
    hypothesis: Vec<usize>,
}

fn score_file(
    reference: &[Vec<(i64, i64)>],
    hypothesis: &[Vec<(i64, i64)>],
    settings: DerSettings,
) -> DerScore {
    let collar = settings.collar.0 as i64;
    let mut unscored: Vec<(i64, i64)> = reference
        .iter()
        .flatten()
        .flat_map(|&(start, end)| {
            [
                (start - collar, start + collar),
                (end - collar, end + collar),
            ]
        })
        .filter(|(from, to)| to > from)
        .collect();
    unscored.sort_unstable();
    let mut cuts: Vec<i64> = reference
        .iter()
        .chain(hypothesis)
        .flatten()
        .flat_map(|&(start, end)| [start, end])
        .chain(unscored.iter().flat_map(|&(from, to)| [from, to]))
        .collect();
    cuts.sort_unstable();
    cuts.dedup();

    let mut pieces = Vec::new();
    let mut unscored_at = Cursor::default();
    let mut reference_at = vec![Cursor::default(); reference.len()];
    let mut hypothesis_at = vec![Cursor::default(); hypothesis.len()];
    for window in cuts.windows(2) {
        let (from, to) = (window[0], window[1]);
        if unscored_at.covers(&unscored, from) {
            continue;
        }
        let speaking = |all: &[Vec<(i64, i64)>], at: &mut [Cursor]| -> Vec<usize> {
            (0..all.len())
                .filter(|&s| at[s].covers(&all[s], from))
                .collect()
        };
        let reference = speaking(reference, &mut reference_at);
        if settings.ignore_overlap && reference.len() > 1 {
            continue;
        }
        let hypothesis = speaking(hypothesis, &mut hypothesis_at);
        pieces.push(Piece {
            length: to - from,
            reference,
            hypothesis,
        });
    }

    let mapping = best_mapping(reference.len(), hypothesis.len(), &pieces);
    let mut score = DerScore::default();
    for piece in &pieces {
        let (n_ref, n_hyp) = (piece.reference.len() as i64, piece.hypothesis.len() as i64);
        let correct = piece
            .hypothesis
            .iter()
            .filter(|&&h| mapping[h].is_some_and(|r| piece.reference.contains(&r)))
            .count() as i64;
        let ms = |speakers: i64| Ms((speakers * piece.length) as u64);
        score.scored = score.scored + ms(n_ref);
        score.missed = score.missed + ms((n_ref - n_hyp).max(0));
        score.false_alarm = score.false_alarm + ms((n_hyp - n_ref).max(0));
        score.confusion = score.confusion + ms(n_ref.min(n_hyp) - correct);
    }
    score
}

/// For each hypothesis speaker, the reference speaker it is mapped to: the one-to-one mapping
/// with the most jointly spoken scored time (Hungarian algorithm).
fn best_mapping(n_ref: usize, n_hyp: usize, pieces: &[Piece]) -> Vec<Option<usize>> {
    let mut mapping = vec![None; n_hyp];
    if n_ref == 0 || n_hyp == 0 {
        return mapping;
    }
    let mut overlap = vec![vec![0i64; n_ref]; n_hyp];
    for piece in pieces {
        for &h in &piece.hypothesis {
            for &r in &piece.reference {
                overlap[h][r] += piece.length;
            }
        }
    }
    // The algorithm wants no more rows than columns.
    if n_hyp <= n_ref {
        let weights = Matrix::from_rows(overlap).expect("rows of equal length");
        let (_, columns) = kuhn_munkres(&weights);
        for (h, r) in columns.into_iter().enumerate() {
            mapping[h] = Some(r);
        }
    } else {
        let transposed: Vec<Vec<i64>> = (0..n_ref)
            .map(|r| (0..n_hyp).map(|h| overlap[h][r]).collect())
            .collect();
        let weights = Matrix::from_rows(transposed).expect("rows of equal length");
        let (_, columns) = kuhn_munkres(&weights);
        for (r, h) in columns.into_iter().enumerate() {
            mapping[h] = Some(r);
        }
    }
    mapping
}

/// Walks a sorted interval list forwards as time increases.
#[derive(Debug, Clone, Copy, Default)]
struct Cursor(usize);

impl Cursor {
    /// Whether `at` lies inside one of `intervals` (half-open); `at` must never decrease.
    fn covers(&mut self, intervals: &[(i64, i64)], at: i64) -> bool {
        while self.0 < intervals.len() && intervals[self.0].1 <= at {
            self.0 += 1;
        }
        // Intervals can overlap (collar zones do), so look past the first that has not ended.
        intervals[self.0..]
            .iter()
            .take_while(|&&(start, _)| start <= at)
            .any(|&(_, end)| end > at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(speaker: &str, start: u64, end: u64) -> SpeakerTurn {
        SpeakerTurn {
            file: "f".into(),
            speaker: speaker.into(),
            start: Ms(start),
            end: Ms(end),
        }
    }

    const NO_COLLAR: DerSettings = DerSettings {
        collar: Ms(0),
        ignore_overlap: false,
    };

    #[test]
    fn a_perfect_hypothesis_with_other_names_scores_zero() {
        let reference = [turn("A", 0, 10_000), turn("B", 10_000, 20_000)];
        let hypothesis = [turn("x", 0, 10_000), turn("y", 10_000, 20_000)];
        let score = score(&reference, &hypothesis, NO_COLLAR);
        assert_eq!(score.scored, Ms(20_000));
        assert_eq!(score.der(), 0.0);
    }

    #[test]
    fn each_error_kind_is_counted_once() {
        // A speaks 0-10 s, B 10-20 s. The hypothesis misses 0-2 s, calls 10-15 s A's, and
        // invents speech at 20-21 s.
        let reference = [turn("A", 0, 10_000), turn("B", 10_000, 20_000)];
        let hypothesis = [turn("x", 2_000, 15_000), turn("y", 15_000, 21_000)];
        let score = score(&reference, &hypothesis, NO_COLLAR);
        assert_eq!(score.missed, Ms(2_000));
        assert_eq!(score.false_alarm, Ms(1_000));
        assert_eq!(score.confusion, Ms(5_000));
        assert!((score.der() - 40.0).abs() < 1e-9);
    }

    #[test]
    fn the_collar_forgives_boundaries_and_overlap_can_be_left_out() {
        let reference = [turn("A", 0, 10_000), turn("B", 8_000, 20_000)];
        // The hypothesis has B starting 200 ms late and no overlap at all.
        let hypothesis = [turn("x", 0, 10_000), turn("y", 10_000, 20_000)];
        let strict = score(&reference, &hypothesis, NO_COLLAR);
        assert_eq!(strict.missed, Ms(2_000));
        let forgiving = DerSettings {
            collar: Ms(250),
            ignore_overlap: true,
        };
        let lenient = score(&reference, &hypothesis, forgiving);
        assert_eq!(lenient.der(), 0.0);
        // 0.25..7.75 s for A and 10.25..19.75 s for B remain scored.
        assert_eq!(lenient.scored, Ms(7_500 + 9_500));
    }

    #[test]
    fn surplus_hypothesis_speakers_count_as_confusion() {
        let reference = [turn("A", 0, 10_000)];
        let hypothesis = [turn("x", 0, 6_000), turn("y", 6_000, 10_000)];
        let score = score(&reference, &hypothesis, NO_COLLAR);
        assert_eq!(score.confusion, Ms(4_000));
        assert_eq!(score.missed, Ms(0));
    }

    #[test]
    fn an_empty_hypothesis_misses_everything() {
        let reference = [turn("A", 0, 10_000)];
        let score = score(&reference, &[], NO_COLLAR);
        assert_eq!(score.missed, Ms(10_000));
        assert_eq!(score.der(), 100.0);
    }
}
