//! Decodes a recording into 16 kHz float blocks, one vector per channel, streamed so that an
//! hour-long call never sits in memory whole. Decoding is symphonia's (WAV, MP3, M4A/AAC, FLAC,
//! Ogg Vorbis), resampling rubato's FFT resampler; channels are kept apart because who speaks on
//! which channel is what speaker attribution reads.

mod tracks;
pub mod vad;

pub use tracks::{Recording, Track};

use std::path::{Path, PathBuf};
use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

/// The sample rate Whisper and the rest of the pipeline work at.
pub const SAMPLE_RATE: u32 = 16_000;

/// File extensions that name a recording rather than a transcript.
pub const AUDIO_EXTENSIONS: &[&str] = &[
    "wav", "wave", "mp3", "m4a", "mp4", "aac", "flac", "ogg", "oga", "opus", "webm", "mkv", "caf",
    "aif", "aiff",
];

/// What went wrong reading a recording; each message names the file and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error("{}: cannot read the recording: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: the file is empty (0 bytes); export the recording again", path.display())]
    Empty { path: PathBuf },
    #[error(
        "{}: {what}; swimlane reads WAV, MP3, M4A/AAC, FLAC and Ogg Vorbis (convert it, e.g. `ffmpeg -i IN -ar 16000 OUT.wav`)",
        path.display()
    )]
    Unsupported { path: PathBuf, what: String },
    #[error("{}: the recording is damaged ({problem}); export it again", path.display())]
    Malformed { path: PathBuf, problem: String },
    #[error(
        "{}: the file ends after {held_s:.1} s but its header declares {declared_s:.1} s (truncated?); pass --allow-truncated to use the part that is there",
        path.display()
    )]
    Truncated {
        path: PathBuf,
        held_s: f64,
        declared_s: f64,
    },
    #[error(
        "{}: this track ends at {short_s:.1} s but {} runs to {long_s:.1} s; the tracks of one call must be recorded together, from the same start (trim or pad them to one length, e.g. `ffmpeg -i IN -af apad -t SECONDS OUT.wav`)",
        short.display(),
        long.display()
    )]
    TrackLengths {
        short: PathBuf,
        short_s: f64,
        long: PathBuf,
        long_s: f64,
    },
}

/// What a recording holds, read from its container before decoding.
#[derive(Debug, Clone, PartialEq)]
pub struct AudioInfo {
    pub source_rate: u32,
    pub channels: usize,
    /// Declared length in seconds, when the container says.
    pub declared_s: Option<f64>,
}

/// A recording being decoded, block by block, at 16 kHz: one file, or one file per
/// participant played side by side as the channels of one recording.
pub struct AudioStream {
    info: AudioInfo,
    source: Source,
}

enum Source {
    File(Box<FileStream>),
    Tracks(tracks::TrackMixer),
}

impl AudioStream {
    /// Opens `path` and prepares its first audio track for decoding.
    pub fn open(path: &Path, allow_truncated: bool) -> Result<Self, AudioError> {
        let file = FileStream::open(path, allow_truncated)?;
        Ok(Self {
            info: file.info.clone(),
            source: Source::File(Box::new(file)),
        })
    }

    /// Opens a recording as a [`Recording`] names it.
    pub fn open_recording(
        recording: &Recording,
        allow_truncated: bool,
    ) -> Result<Self, AudioError> {
        match recording {
            Recording::File(path) => Self::open(path, allow_truncated),
            Recording::Tracks(tracks) => {
                let mixer = tracks::TrackMixer::open(tracks, allow_truncated)?;
                Ok(Self {
                    info: mixer.info(),
                    source: Source::Tracks(mixer),
                })
            }
        }
    }

    pub fn info(&self) -> &AudioInfo {
        &self.info
    }

    /// The next block of 16 kHz audio, one vector per channel (all the same length), or `None`
    /// at the end of the recording.
    pub fn next_block(&mut self) -> Result<Option<Vec<Vec<f32>>>, AudioError> {
        match &mut self.source {
            Source::File(file) => file.next_block(),
            Source::Tracks(mixer) => mixer.next_block(),
        }
    }
}

/// One file being decoded, block by block, at 16 kHz.
struct FileStream {
    path: PathBuf,
    info: AudioInfo,
    format: Box<dyn FormatReader>,
    decoder: Box<dyn AudioDecoder>,
    track: u32,
    resampler: Option<Resampler>,
    allow_truncated: bool,
    decoded_frames: u64,
    interleaved: Vec<f32>,
    finished: bool,
}

impl FileStream {
    fn open(path: &Path, allow_truncated: bool) -> Result<Self, AudioError> {
        let io = |source| AudioError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        if file.metadata().map_err(io)?.len() == 0 {
            return Err(AudioError::Empty {
                path: path.to_path_buf(),
            });
        }
        let unsupported = |what: String| AudioError::Unsupported {
            path: path.to_path_buf(),
            what,
        };
        let stream = MediaSourceStream::new(Box::new(file), Default::default());
        let mut hint = Hint::new();
        if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
            hint.with_extension(ext);
        }
        let format = symphonia::default::get_probe()
            .probe(
                &hint,
                stream,
                FormatOptions::default(),
                MetadataOptions::default(),
            )
            .map_err(|err| match err {
                SymphoniaError::IoError(e) if e.kind() != std::io::ErrorKind::UnexpectedEof => {
                    io(e)
                }
                _ => unsupported("not a recording in a format swimlane can read".into()),
            })?;
        let track = format
            .default_track(TrackType::Audio)
            .ok_or_else(|| unsupported("the file has no audio track".into()))?;
        let params = track
            .codec_params
            .as_ref()
            .and_then(|p| p.audio())
            .ok_or_else(|| unsupported("the file has no audio track".into()))?
            .clone();
        let decoder = symphonia::default::get_codecs()
            .make_audio_decoder(&params, &AudioDecoderOptions::default())
            .map_err(|_| {
                unsupported(format!(
                    "its audio codec ({}) is not supported",
                    params.codec
                ))
            })?;
        let source_rate = params
            .sample_rate
            .ok_or_else(|| unsupported("the file does not say its sample rate".into()))?;
        let channels = params.channels.as_ref().map(|c| c.count()).unwrap_or(1);
        let declared_s = track
            .num_frames
            .filter(|&n| n > 0)
            .map(|n| n as f64 / source_rate as f64);
        let id = track.id;
        let resampler = if source_rate == SAMPLE_RATE {
            None
        } else {
            Some(Resampler::new(source_rate, channels).map_err(|problem| {
                AudioError::Malformed {
                    path: path.to_path_buf(),
                    problem,
                }
            })?)
        };
        Ok(Self {
            path: path.to_path_buf(),
            info: AudioInfo {
                source_rate,
                channels,
                declared_s,
            },
            format,
            decoder,
            track: id,
            resampler,
            allow_truncated,
            decoded_frames: 0,
            interleaved: Vec::new(),
            finished: false,
        })
    }

    fn next_block(&mut self) -> Result<Option<Vec<Vec<f32>>>, AudioError> {
        loop {
            if self.finished {
                return Ok(None);
            }
            let Some(planar) = self.decode_packet()? else {
                self.finished = true;
                self.check_length()?;
                return Ok(match self.resampler.as_mut() {
                    Some(r) => Some(r.finish()).filter(|b| !b[0].is_empty()),
                    None => None,
                });
            };
            let block = match self.resampler.as_mut() {
                Some(r) => r.push(&planar),
                None => planar,
            };
            if !block.is_empty() && !block[0].is_empty() {
                return Ok(Some(block));
            }
        }
    }

    /// Decodes packets until one yields samples; `None` at the end of the stream.
    fn decode_packet(&mut self) -> Result<Option<Vec<Vec<f32>>>, AudioError> {
        loop {
            let packet = match self.format.next_packet() {
                Ok(Some(packet)) => packet,
                Ok(None) => return Ok(None),
                Err(SymphoniaError::IoError(e))
                    if e.kind() == std::io::ErrorKind::UnexpectedEof =>
                {
                    return Ok(None);
                }
                Err(SymphoniaError::ResetRequired) => return Ok(None),
                Err(err) => return Err(self.malformed(err)),
            };
            if packet.track_id != self.track {
                continue;
            }
            let buffer = match self.decoder.decode(&packet) {
                Ok(buffer) => buffer,
                // A corrupt packet loses a few milliseconds, not the call.
                Err(SymphoniaError::DecodeError(_)) => continue,
                Err(err) => return Err(self.malformed(err)),
            };
            let frames = buffer.frames();
            if frames == 0 {
                continue;
            }
            let channels = self.info.channels;
            self.interleaved.resize(buffer.samples_interleaved(), 0.0);
            buffer.copy_to_slice_interleaved(&mut self.interleaved);
            let actual = self.interleaved.len() / frames;
            let mut planar = vec![Vec::with_capacity(frames); channels];
            for frame in self.interleaved.chunks_exact(actual) {
                for (c, plane) in planar.iter_mut().enumerate() {
                    plane.push(frame.get(c).copied().unwrap_or(0.0));
                }
            }
            self.decoded_frames += frames as u64;
            return Ok(Some(planar));
        }
    }

    fn check_length(&self) -> Result<(), AudioError> {
        let held_s = self.decoded_frames as f64 / self.info.source_rate as f64;
        if self.decoded_frames == 0 {
            return Err(AudioError::Malformed {
                path: self.path.clone(),
                problem: "it holds no audio samples".into(),
            });
        }
        match self.info.declared_s {
            // Compressed formats estimate their length; only a clear shortfall is truncation.
            Some(declared_s) if !self.allow_truncated && held_s + 0.5 < declared_s * 0.98 => {
                Err(AudioError::Truncated {
                    path: self.path.clone(),
                    held_s,
                    declared_s,
                })
            }
            _ => Ok(()),
        }
    }

    fn malformed(&self, err: SymphoniaError) -> AudioError {
        AudioError::Malformed {
            path: self.path.clone(),
            problem: err.to_string(),
        }
    }
}

/// Decodes a whole (short) recording into memory: for tests, enrollment clips and tools.
pub fn decode_all(path: &Path) -> Result<Vec<Vec<f32>>, AudioError> {
    let mut stream = AudioStream::open(path, false)?;
    let mut channels = vec![Vec::new(); stream.info().channels];
    while let Some(block) = stream.next_block()? {
        for (all, part) in channels.iter_mut().zip(block) {
            all.extend(part);
        }
    }
    Ok(channels)
}

/// The mean of all channels, into a reused buffer.
pub fn mix_down(block: &[Vec<f32>], mono: &mut Vec<f32>) {
    mono.clear();
    let frames = block.first().map_or(0, Vec::len);
    let scale = 1.0 / block.len().max(1) as f32;
    mono.extend((0..frames).map(|i| block.iter().map(|c| c[i]).sum::<f32>() * scale));
}

/// A channel is speaking in a 20 ms frame only when it carries at least a tenth of the loudest
/// channel's energy there; quieter copies (cross-talk, echo from the other side of a phone
/// line) become silence, so the same speech is not recognised twice.
const DOMINANCE: f32 = 0.1;
/// Two channels whose samples correlate this closely in a frame carry the same sound (a mono
/// mix saved as stereo); only the first keeps it.
const SAME_SOUND: f32 = 0.98;
const OWN_SPEECH_FRAME: usize = 320;

/// Each channel with the 20 ms frames silenced where it carries only what another channel
/// carries: speech dominated by another channel, or a copy of another channel's sound.
pub fn own_speech(block: &[Vec<f32>]) -> Vec<Vec<f32>> {
    let mut out: Vec<Vec<f32>> = block.to_vec();
    let frames = block.first().map_or(0, Vec::len);
    let mut start = 0;
    while start < frames {
        let end = (start + OWN_SPEECH_FRAME).min(frames);
        let part = |c: usize| &block[c][start..end];
        let energy: Vec<f32> = (0..block.len())
            .map(|c| part(c).iter().map(|v| v * v).sum())
            .collect();
        let loudest = energy.iter().cloned().fold(0f32, f32::max);
        for channel in 0..block.len() {
            let copy = (0..channel).any(|earlier| {
                let cross: f32 = part(earlier)
                    .iter()
                    .zip(part(channel))
                    .map(|(a, b)| a * b)
                    .sum();
                let scale = (energy[earlier] * energy[channel]).sqrt();
                scale > 0.0 && cross / scale > SAME_SOUND
            });
            if energy[channel] < loudest * DOMINANCE || copy {
                out[channel][start..end].fill(0.0);
            }
        }
        start = end;
    }
    out
}

/// Whether a path names a recording (by extension) rather than a transcript.
pub fn is_audio_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| AUDIO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Streams any sample rate to 16 kHz with rubato's synchronous FFT resampler, trimming its
/// delay so that sample positions (and so every timestamp) stay exact.
struct Resampler {
    inner: rubato::Fft<f32>,
    pending: Vec<Vec<f32>>,
    to_skip: usize,
    input_frames: u64,
    output_frames: u64,
    ratio: f64,
}

const RESAMPLER_CHUNK: usize = 1024;

impl Resampler {
    fn new(from: u32, channels: usize) -> Result<Self, String> {
        let inner = rubato::Fft::<f32>::new(
            from as usize,
            SAMPLE_RATE as usize,
            RESAMPLER_CHUNK,
            channels,
            rubato::FixedSync::Input,
        )
        .map_err(|e| format!("cannot resample from {from} Hz: {e}"))?;
        let to_skip = rubato::Resampler::output_delay(&inner);
        Ok(Self {
            inner,
            pending: vec![Vec::new(); channels],
            to_skip,
            input_frames: 0,
            output_frames: 0,
            ratio: SAMPLE_RATE as f64 / from as f64,
        })
    }

    fn push(&mut self, planar: &[Vec<f32>]) -> Vec<Vec<f32>> {
        for (pending, part) in self.pending.iter_mut().zip(planar) {
            pending.extend_from_slice(part);
        }
        self.input_frames += planar[0].len() as u64;
        self.drain(false)
    }

    /// Flushes what is buffered plus the resampler's delay, so the output length is exact.
    fn finish(&mut self) -> Vec<Vec<f32>> {
        self.drain(true)
    }

    fn drain(&mut self, flush: bool) -> Vec<Vec<f32>> {
        use rubato::Resampler as _;
        let channels = self.pending.len();
        let mut out = vec![Vec::new(); channels];
        let wanted = (self.input_frames as f64 * self.ratio).round() as u64;
        loop {
            let need = self.inner.input_frames_next();
            let have = self.pending[0].len();
            if have < need {
                if !flush || self.output_frames >= wanted {
                    break;
                }
                for pending in &mut self.pending {
                    pending.resize(need, 0.0);
                }
            }
            let mut produced = vec![vec![0f32; self.inner.output_frames_next()]; channels];
            let frames = produced[0].len();
            let input = audioadapter_buffers::direct::SequentialSliceOfVecs::new(
                &self.pending,
                channels,
                need.max(self.pending[0].len()),
            )
            .expect("buffers sized to the channel count");
            let mut output = audioadapter_buffers::direct::SequentialSliceOfVecs::new_mut(
                &mut produced,
                channels,
                frames,
            )
            .expect("buffers sized to the channel count");
            let (used, written) = self
                .inner
                .process_into_buffer(&input, &mut output, None)
                .expect("buffers sized as the resampler asked");
            for pending in &mut self.pending {
                pending.drain(..used);
            }
            let skip = self.to_skip.min(written);
            self.to_skip -= skip;
            let keep = ((written - skip) as u64).min(if flush {
                wanted.saturating_sub(self.output_frames)
            } else {
                u64::MAX
            }) as usize;
            for (o, p) in out.iter_mut().zip(&produced) {
                o.extend_from_slice(&p[skip..skip + keep]);
            }
            self.output_frames += keep as u64;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resampling_keeps_length_and_frequency() {
        let mut resampler = Resampler::new(44_100, 1).unwrap();
        let tone: Vec<f32> = (0..44_100)
            .map(|i| (2.0 * std::f32::consts::PI * 440.0 * i as f32 / 44_100.0).sin())
            .collect();
        let mut out = Vec::new();
        for part in tone.chunks(1000) {
            out.extend(resampler.push(&[part.to_vec()]).remove(0));
        }
        out.extend(resampler.finish().remove(0));
        assert_eq!(out.len(), 16_000);
        // Zero crossings of a 440 Hz tone over one second: 880, give or take the edges.
        let crossings = out.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
        assert!((438..=441).contains(&crossings), "{crossings}");
        // The delay is trimmed: the tone starts at the start, not after the filter's latency.
        assert!(out[..40].iter().any(|v| v.abs() > 0.3));
    }
}
