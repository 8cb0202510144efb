//! An energy-based voice activity gate that packs speech into recogniser-sized chunks. Long
//! silences are dropped (they cost no recognition time and give Whisper nothing to hallucinate
//! on); each chunk remembers where its pieces came from so that timestamps map back exactly.

use crate::time::Ms;

const FRAME: usize = 320; // 20 ms at 16 kHz
const FRAME_MS: i64 = 20;

/// How the gate decides and how chunks are cut.
#[derive(Debug, Clone, PartialEq)]
pub struct GateSettings {
    /// A frame is speech when it is this many dB above the tracked noise floor…
    pub above_floor_db: f32,
    /// …and above this absolute level (dBFS).
    pub min_level_db: f32,
    /// Speech frames kept after the last loud one (covers soft word endings).
    pub hangover_ms: i64,
    /// Frames kept before speech starts (covers soft word onsets).
    pub preroll_ms: i64,
    /// Silences up to this long stay in the chunk as they are; longer ones shrink to this.
    pub max_gap_ms: i64,
    /// A chunk is closed at the first pause once it holds this much audio…
    pub target_ms: i64,
    /// …and cut at its quietest recent frame if it reaches this without a pause.
    pub max_ms: i64,
    /// Close the chunk at every long pause instead of packing speech across it: with a track
    /// per person, a long pause is someone else's turn, and a chunk per turn keeps every word
    /// inside its turn without relying on word timestamps.
    pub split_at_pauses: bool,
}

impl Default for GateSettings {
    fn default() -> Self {
        Self {
            above_floor_db: 12.0,
            min_level_db: -60.0,
            hangover_ms: 400,
            preroll_ms: 200,
            max_gap_ms: 600,
            target_ms: 27_000,
            max_ms: 29_500,
            split_at_pauses: false,
        }
    }
}

/// Where a run of a chunk's samples sits in the recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    /// First sample of the run within the chunk.
    pub chunk_start: usize,
    /// First sample of the run within the recording.
    pub source_start: u64,
    pub len: usize,
}

/// Speech to recognise in one go: 16 kHz mono samples and the map back to recording time.
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    pub samples: Vec<f32>,
    pub pieces: Vec<Piece>,
}

impl Chunk {
    /// The recording time of a time within the chunk. A time inside filler (the short silence
    /// left where a long pause was dropped) maps to the end of the speech before it: aligners
    /// place a trailing word late, rarely a leading word early.
    pub fn source_time(&self, chunk_ms: i64) -> Ms {
        let sample = (chunk_ms.max(0) as u64 * 16) as usize;
        let piece = self
            .pieces
            .iter()
            .rev()
            .find(|p| p.chunk_start <= sample)
            .or(self.pieces.first());
        let Some(piece) = piece else {
            return Ms(0);
        };
        let within = sample.saturating_sub(piece.chunk_start).min(piece.len);
        Ms((piece.source_start + within as u64) / 16)
    }

    /// Where the chunk's last sample sits in the recording.
    pub fn end(&self) -> Ms {
        self.pieces
            .last()
            .map_or(Ms(0), |p| Ms((p.source_start + p.len as u64) / 16))
    }

    pub fn duration(&self) -> Ms {
        Ms((self.samples.len() / 16) as u64)
    }

    /// The start of the quietest 20 ms frame between two sample positions.
    pub fn quietest_between(&self, from: usize, to: usize) -> usize {
        let to = to.min(self.samples.len());
        (from / FRAME..to / FRAME)
            .min_by(|&a, &b| {
                let energy = |f: usize| -> f32 {
                    self.samples[f * FRAME..(f + 1) * FRAME]
                        .iter()
                        .map(|v| v * v)
                        .sum()
                };
                energy(a).total_cmp(&energy(b))
            })
            .map_or(to, |f| f * FRAME)
    }

    /// Splits at a sample position, keeping each half's map back to the recording.
    pub fn split(mut self, at: usize) -> (Chunk, Chunk) {
        let at = at.min(self.samples.len());
        let tail_samples = self.samples.split_off(at);
        let (mut head, mut tail) = (Vec::new(), Vec::new());
        for piece in self.pieces {
            let end = piece.chunk_start + piece.len;
            if end <= at {
                head.push(piece);
            } else if piece.chunk_start >= at {
                tail.push(Piece {
                    chunk_start: piece.chunk_start - at,
                    ..piece
                });
            } else {
                let head_len = at - piece.chunk_start;
                head.push(Piece {
                    len: head_len,
                    ..piece
                });
                tail.push(Piece {
                    chunk_start: 0,
                    source_start: piece.source_start + head_len as u64,
                    len: piece.len - head_len,
                });
            }
        }
        (
            Chunk {
                samples: self.samples,
                pieces: head,
            },
            Chunk {
                samples: tail_samples,
                pieces: tail,
            },
        )
    }
}

/// Feeds on mono 16 kHz audio, hands back finished chunks.
pub struct Gate {
    settings: GateSettings,
    /// Samples not yet making up a whole frame.
    partial: Vec<f32>,
    /// Position in the recording of the next frame.
    position: u64,
    noise_floor_db: f32,
    /// Frames since the last loud frame (speech while within the hangover).
    since_loud: i64,
    /// Recent quiet frames kept for the pre-roll or as a short gap.
    quiet: Vec<(u64, Vec<f32>)>,
    current: Chunk,
    speech_ms: i64,
}

impl Gate {
    pub fn new(settings: GateSettings) -> Self {
        Self {
            settings,
            partial: Vec::new(),
            position: 0,
            noise_floor_db: f32::NAN,
            since_loud: i64::MAX,
            quiet: Vec::new(),
            current: Chunk {
                samples: Vec::new(),
                pieces: Vec::new(),
            },
            speech_ms: 0,
        }
    }

    /// Milliseconds of audio judged to be speech so far.
    pub fn speech_ms(&self) -> i64 {
        self.speech_ms
    }

    /// Takes more audio; returns the chunks it completed.
    pub fn push(&mut self, mono: &[f32]) -> Vec<Chunk> {
        let mut done = Vec::new();
        self.partial.extend_from_slice(mono);
        let whole = self.partial.len() / FRAME * FRAME;
        let frames: Vec<f32> = self.partial.drain(..whole).collect();
        for frame in frames.chunks_exact(FRAME) {
            if let Some(chunk) = self.frame(frame) {
                done.push(chunk);
            }
        }
        done
    }

    /// Ends the stream; returns the chunks still open that hold speech.
    pub fn finish(mut self) -> Vec<Chunk> {
        let mut done = Vec::new();
        let rest = std::mem::take(&mut self.partial);
        if !rest.is_empty() {
            let mut frame = rest;
            frame.resize(FRAME, 0.0);
            done.extend(self.frame(&frame));
        }
        done.push(self.current);
        done.retain(|c| !c.samples.is_empty());
        done
    }

    fn frame(&mut self, frame: &[f32]) -> Option<Chunk> {
        let start = self.position;
        self.position += FRAME as u64;
        let energy = frame.iter().map(|v| v * v).sum::<f32>() / FRAME as f32;
        let db = 10.0 * energy.max(1e-10).log10();
        self.track_floor(db);
        let loud = db > self.settings.min_level_db
            && db > self.noise_floor_db + self.settings.above_floor_db;
        self.since_loud = if loud {
            0
        } else {
            self.since_loud.saturating_add(1)
        };
        let speaking = self.since_loud.saturating_mul(FRAME_MS) <= self.settings.hangover_ms;
        if speaking {
            self.speech_ms += FRAME_MS;
            let quiet = std::mem::take(&mut self.quiet);
            let gap_ms = quiet.len() as i64 * FRAME_MS;
            let keep = if self.current.samples.is_empty() || gap_ms > self.settings.max_gap_ms {
                // Leading silence (or a long pause): keep only the pre-roll before the onset.
                (self.settings.preroll_ms / FRAME_MS) as usize
            } else {
                quiet.len()
            };
            let long_pause = gap_ms > self.settings.max_gap_ms && !self.current.samples.is_empty();
            let closed = (long_pause && self.settings.split_at_pauses).then(|| self.take_current());
            if long_pause && closed.is_none() {
                // Leave a short silence where the pause was, so sentences stay apart.
                self.append(start, &vec![0.0; FRAME * 10], false);
            }
            for (position, samples) in quiet[quiet.len().saturating_sub(keep)..].iter() {
                self.append(*position, samples, true);
            }
            self.append(start, frame, true);
            if self.current.samples.len() as i64 / 16 >= self.settings.max_ms {
                return Some(self.cut_at_quietest());
            }
            closed
        } else {
            self.quiet.push((start, frame.to_vec()));
            let cap = ((self.settings.max_gap_ms / FRAME_MS) as usize).max(1) + 1;
            if self.quiet.len() > cap {
                self.quiet.remove(0);
            }
            let long_enough = self.current.samples.len() as i64 / 16 >= self.settings.target_ms;
            let pause = self.quiet.len() as i64 * FRAME_MS >= 200;
            (long_enough && pause).then(|| self.take_current())
        }
    }

    /// Minimum tracking: falls at once, rises slowly (1 dB a second), so speech never drags the
    /// floor up. It starts at the absolute minimum level, so speech in the very first frames
    /// counts; a noisy recording lifts it within seconds.
    fn track_floor(&mut self, db: f32) {
        if self.noise_floor_db.is_nan() {
            self.noise_floor_db = self.settings.min_level_db;
        }
        if db < self.noise_floor_db {
            self.noise_floor_db = db;
        } else {
            self.noise_floor_db += 0.02;
        }
    }

    /// Adds samples that come from `source` in the recording (or, with `mapped` false, filler).
    fn append(&mut self, source: u64, samples: &[f32], mapped: bool) {
        let chunk_start = self.current.samples.len();
        self.current.samples.extend_from_slice(samples);
        if !mapped {
            return;
        }
        if let Some(last) = self.current.pieces.last_mut()
            && last.chunk_start + last.len == chunk_start
            && last.source_start + last.len as u64 == source
        {
            last.len += samples.len();
            return;
        }
        self.current.pieces.push(Piece {
            chunk_start,
            source_start: source,
            len: samples.len(),
        });
    }

    fn take_current(&mut self) -> Chunk {
        std::mem::replace(
            &mut self.current,
            Chunk {
                samples: Vec::new(),
                pieces: Vec::new(),
            },
        )
    }

    /// Closes a chunk that hit the maximum length mid-speech at its quietest frame of the last
    /// five seconds, carrying the rest over to the next chunk.
    fn cut_at_quietest(&mut self) -> Chunk {
        let len = self.current.samples.len();
        let cut = self
            .current
            .quietest_between(len.saturating_sub(5 * 16_000), len)
            .max(FRAME);
        let (chunk, rest) = self.take_current().split(cut);
        self.current = rest;
        chunk
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(ms: usize) -> Vec<f32> {
        (0..ms * 16).map(|i| 0.3 * (i as f32 * 0.2).sin()).collect()
    }

    fn silence(ms: usize) -> Vec<f32> {
        vec![0.0; ms * 16]
    }

    fn run(parts: &[Vec<f32>], settings: GateSettings) -> Vec<Chunk> {
        let mut gate = Gate::new(settings);
        let mut chunks = Vec::new();
        for part in parts {
            chunks.extend(gate.push(part));
        }
        chunks.extend(gate.finish());
        chunks
    }

    #[test]
    fn split_keeps_every_sample_mapped_once() {
        let chunks = run(&[silence(1_000), tone(3_000)], GateSettings::default());
        let chunk = chunks.into_iter().next().unwrap();
        let total = chunk.samples.len();
        let (head, tail) = chunk.split(16_000);
        assert_eq!(head.samples.len() + tail.samples.len(), total);
        assert_eq!(head.source_time(0), Ms(800));
        assert_eq!(tail.source_time(0), Ms(1_800));
    }

    #[test]
    fn split_at_pauses_gives_a_chunk_per_turn() {
        let settings = GateSettings {
            split_at_pauses: true,
            ..GateSettings::default()
        };
        let chunks = run(&[tone(1_000), silence(2_000), tone(1_500)], settings);
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[0].pieces.len(), 1);
        assert_eq!(chunks[1].source_time(200), Ms(3_000));
    }

    #[test]
    fn pure_silence_gives_no_chunk() {
        assert!(run(&[silence(5_000)], GateSettings::default()).is_empty());
    }

    #[test]
    fn long_silence_is_dropped_and_times_map_back() {
        let chunks = run(
            &[silence(3_000), tone(1_000), silence(10_000), tone(1_000)],
            GateSettings::default(),
        );
        assert_eq!(chunks.len(), 1);
        let chunk = &chunks[0];
        // Two seconds of speech plus hangovers, pre-rolls and one short separator, not 15 s.
        assert!(chunk.duration().0 < 3_600, "{:?}", chunk.duration());
        // The first tone starts 3 s into the recording, just after the pre-roll.
        assert_eq!(chunk.source_time(200), Ms(3_000));
        // The second tone starts at 14 s: its onset sits after the first piece and a separator.
        let second = chunk.pieces.last().unwrap();
        let onset_ms = (second.chunk_start / 16) as i64 + 200;
        assert_eq!(chunk.source_time(onset_ms), Ms(14_000));
    }

    #[test]
    fn continuous_speech_is_cut_below_the_maximum_and_nothing_is_lost() {
        let settings = GateSettings {
            max_ms: 10_000,
            target_ms: 8_000,
            ..GateSettings::default()
        };
        let chunks = run(&[tone(25_000)], settings);
        assert!(chunks.len() >= 3, "{}", chunks.len());
        let total: usize = chunks.iter().map(|c| c.samples.len()).sum();
        assert_eq!(total, 25_000 * 16);
        assert!(chunks.iter().all(|c| c.duration().0 <= 10_000));
        // Pieces tile the recording with no gap or overlap.
        let mut next = 0u64;
        for piece in chunks.iter().flat_map(|c| &c.pieces) {
            assert_eq!(piece.source_start, next);
            next += piece.len as u64;
        }
    }

    #[test]
    fn chunks_close_at_a_pause_after_the_target_length() {
        let settings = GateSettings {
            target_ms: 3_000,
            ..GateSettings::default()
        };
        let chunks = run(&[tone(4_000), silence(1_000), tone(2_000)], settings);
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[1].source_time(200), Ms(5_000));
    }

    #[test]
    fn quiet_noise_floor_is_not_speech() {
        let noise: Vec<f32> = (0..80_000)
            .map(|i| 0.003 * ((i * 7919 % 1000) as f32 / 500.0 - 1.0))
            .collect();
        assert!(run(&[noise], GateSettings::default()).is_empty());
    }
}
