//! One file per participant, played side by side as the channels of one recording. Zoom's
//! "separate audio file for each participant" and two-leg telephony exports come this way:
//! each file is one person, all started together. Each track is mixed to mono and resampled to
//! 16 kHz on its own, so tracks at different sample rates line up sample for sample; tracks
//! that end within a second of each other are padded with silence to the longest, and tracks
//! further apart are refused, since they were not recorded from the same start.

use super::{AudioError, AudioInfo, FileStream, SAMPLE_RATE, mix_down};
use std::path::{Path, PathBuf};

/// Where a call's audio comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Recording {
    /// One recording: mono, stereo or multi-channel.
    File(PathBuf),
    /// One file per participant, recorded together; track `i` becomes channel `i`.
    Tracks(Vec<Track>),
}

/// One participant's own recording.
#[derive(Debug, Clone, PartialEq)]
pub struct Track {
    pub name: String,
    pub path: PathBuf,
}

impl Recording {
    /// The files the recording is read from, in channel order.
    pub fn files(&self) -> Vec<&Path> {
        match self {
            Recording::File(path) => vec![path.as_path()],
            Recording::Tracks(tracks) => tracks.iter().map(|t| t.path.as_path()).collect(),
        }
    }

    /// A short name for the call: the file's stem, or the first track's.
    pub fn id(&self) -> String {
        self.files()
            .first()
            .and_then(|p| p.file_stem())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "recording".into())
    }

    /// How messages and reports name it: the path, or the tracks' paths joined by " + ".
    pub fn label(&self) -> String {
        self.files()
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" + ")
    }

    /// The file names without their folders, joined by " + ": for progress lines.
    pub fn file_names(&self) -> String {
        self.files()
            .iter()
            .map(|p| p.file_name().unwrap_or(p.as_os_str()).to_string_lossy())
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

/// Tracks may end this far apart (encoders pad differently); the shorter are padded.
const LENGTH_TOLERANCE_S: f64 = 1.0;

/// Decodes several tracks in step, yielding blocks with one channel per track.
pub(super) struct TrackMixer {
    files: Vec<FileStream>,
    paths: Vec<PathBuf>,
    pending: Vec<Vec<f32>>,
    /// Frames each track has yielded so far.
    taken: Vec<u64>,
    /// Each track's length in frames, once it has ended.
    ended: Vec<Option<u64>>,
    mono: Vec<f32>,
}

impl TrackMixer {
    pub(super) fn open(tracks: &[Track], allow_truncated: bool) -> Result<Self, AudioError> {
        let files = tracks
            .iter()
            .map(|t| FileStream::open(&t.path, allow_truncated))
            .collect::<Result<Vec<_>, _>>()?;
        let paths: Vec<PathBuf> = tracks.iter().map(|t| t.path.clone()).collect();
        // Where the containers declare their lengths, a mismatch is refused before any work.
        let declared: Vec<(usize, f64)> = files
            .iter()
            .enumerate()
            .filter_map(|(i, f)| f.info.declared_s.map(|s| (i, s)))
            .collect();
        if let (Some(short), Some(long)) = (
            declared.iter().min_by(|a, b| a.1.total_cmp(&b.1)),
            declared.iter().max_by(|a, b| a.1.total_cmp(&b.1)),
        ) && long.1 - short.1 > LENGTH_TOLERANCE_S
        {
            return Err(mismatch(&paths, *short, *long));
        }
        let count = files.len();
        Ok(Self {
            files,
            paths,
            pending: vec![Vec::new(); count],
            taken: vec![0; count],
            ended: vec![None; count],
            mono: Vec::new(),
        })
    }

    pub(super) fn info(&self) -> AudioInfo {
        AudioInfo {
            source_rate: self
                .files
                .iter()
                .map(|f| f.info.source_rate)
                .min()
                .unwrap_or(SAMPLE_RATE),
            channels: self.files.len(),
            declared_s: self
                .files
                .iter()
                .filter_map(|f| f.info.declared_s)
                .max_by(f64::total_cmp),
        }
    }

    pub(super) fn next_block(&mut self) -> Result<Option<Vec<Vec<f32>>>, AudioError> {
        for track in 0..self.files.len() {
            while self.ended[track].is_none() && self.pending[track].is_empty() {
                match self.files[track].next_block()? {
                    Some(block) => {
                        mix_down(&block, &mut self.mono);
                        self.taken[track] += self.mono.len() as u64;
                        self.pending[track].extend_from_slice(&self.mono);
                    }
                    None => self.ended[track] = Some(self.taken[track]),
                }
            }
        }
        self.check_lengths()?;
        let live = (0..self.files.len()).filter(|&t| self.ended[t].is_none());
        let frames = match live.map(|t| self.pending[t].len()).min() {
            Some(shortest) => shortest,
            None => self.pending.iter().map(Vec::len).max().unwrap_or(0),
        };
        if frames == 0 {
            return Ok(None);
        }
        Ok(Some(
            self.pending
                .iter_mut()
                .map(|pending| {
                    let mut channel: Vec<f32> =
                        pending.drain(..frames.min(pending.len())).collect();
                    channel.resize(frames, 0.0);
                    channel
                })
                .collect(),
        ))
    }

    /// Refuses tracks once one has run on further past another's end than the tolerance.
    fn check_lengths(&self) -> Result<(), AudioError> {
        let seconds = |frames: u64| frames as f64 / SAMPLE_RATE as f64;
        let shortest = (0..self.files.len())
            .filter_map(|t| self.ended[t].map(|frames| (t, seconds(frames))))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        let longest = (0..self.files.len())
            .map(|t| (t, seconds(self.taken[t])))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match (shortest, longest) {
            (Some(short), Some(long)) if long.1 - short.1 > LENGTH_TOLERANCE_S => {
                Err(mismatch(&self.paths, short, long))
            }
            _ => Ok(()),
        }
    }
}

fn mismatch(paths: &[PathBuf], short: (usize, f64), long: (usize, f64)) -> AudioError {
    AudioError::TrackLengths {
        short: paths[short.0].clone(),
        short_s: short.1,
        long: paths[long.0].clone(),
        long_s: long.1,
    }
}
