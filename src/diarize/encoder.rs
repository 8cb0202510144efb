//! The GE2E speaker encoder that resemblyzer ships (Apache-2.0): 40-channel mel power frames
//! through a 3-layer LSTM of 256 units, the last hidden state through a linear layer and ReLU,
//! L2-normalised to a 256-dimension voiceprint. Two stretches of one voice give embeddings
//! with a high cosine similarity; different voices, a lower one.

use super::torch_legacy::{self, Tensor};
use realfft::RealFftPlanner;

const SAMPLE_RATE: usize = 16_000;
const N_FFT: usize = 400; // 25 ms
const HOP: usize = 160; // 10 ms
pub const N_MELS: usize = 40;
const HIDDEN: usize = 256;
pub const EMBEDDING: usize = 256;
const LAYERS: usize = 3;
/// Frames in one partial utterance (1.6 s), the length the encoder was trained on.
pub const PARTIAL_FRAMES: usize = 160;

/// A voiceprint: unit length, so the dot product of two is their cosine similarity.
pub type Embedding = Vec<f32>;

/// The encoder's weights could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncoderError {
    #[error(transparent)]
    Format(#[from] torch_legacy::FormatError),
    #[error("the checkpoint lacks `{0}` or has it in another shape")]
    Tensor(String),
}

struct Layer {
    /// Input weights, 4·HIDDEN rows (gates i, f, g, o) of the layer's input width.
    input: Vec<f32>,
    input_width: usize,
    /// Recurrent weights, 4·HIDDEN rows of HIDDEN.
    recurrent: Vec<f32>,
    /// The two bias vectors summed.
    bias: Vec<f32>,
}

/// The loaded encoder.
pub struct VoiceEncoder {
    layers: Vec<Layer>,
    linear: Vec<f32>,
    linear_bias: Vec<f32>,
    mel: Vec<Vec<f32>>,
    window: Vec<f32>,
}

impl VoiceEncoder {
    /// Loads resemblyzer's `pretrained.pt` (legacy PyTorch format) from its bytes.
    pub fn from_checkpoint(bytes: &[u8]) -> Result<Self, EncoderError> {
        let mut tensors = torch_legacy::read_state_dict(bytes, "model_state")?;
        let mut take = |name: &str, shape: &[usize]| -> Result<Vec<f32>, EncoderError> {
            match tensors.remove(name) {
                Some(Tensor { shape: s, values }) if s == shape => Ok(values),
                _ => Err(EncoderError::Tensor(name.to_string())),
            }
        };
        let mut layers = Vec::new();
        for layer in 0..LAYERS {
            let input_width = if layer == 0 { N_MELS } else { HIDDEN };
            let input = take(
                &format!("lstm.weight_ih_l{layer}"),
                &[4 * HIDDEN, input_width],
            )?;
            let recurrent = take(&format!("lstm.weight_hh_l{layer}"), &[4 * HIDDEN, HIDDEN])?;
            let bias_ih = take(&format!("lstm.bias_ih_l{layer}"), &[4 * HIDDEN])?;
            let bias_hh = take(&format!("lstm.bias_hh_l{layer}"), &[4 * HIDDEN])?;
            let bias = bias_ih.iter().zip(&bias_hh).map(|(a, b)| a + b).collect();
            layers.push(Layer {
                input,
                input_width,
                recurrent,
                bias,
            });
        }
        let linear = take("linear.weight", &[EMBEDDING, HIDDEN])?;
        let linear_bias = take("linear.bias", &[EMBEDDING])?;
        let window = (0..N_FFT)
            .map(|n| {
                let phase = 2.0 * std::f64::consts::PI * n as f64 / N_FFT as f64;
                (0.5 - 0.5 * phase.cos()) as f32
            })
            .collect();
        Ok(Self {
            layers,
            linear,
            linear_bias,
            mel: crate::asr::ggml::mel_filters(SAMPLE_RATE as f64, N_FFT, N_MELS),
            window,
        })
    }

    /// Mel power frames of 16 kHz audio, one per 10 ms, as librosa's
    /// `melspectrogram(n_fft=400, hop_length=160, n_mels=40)` computes them (centred frames,
    /// zero padding, periodic Hann window).
    pub fn mel_frames(&self, samples: &[f32]) -> Vec<[f32; N_MELS]> {
        let mut stream = MelStream::new(self);
        stream.push(samples);
        stream.finish().frames
    }

    /// The embedding of one run of mel frames (normally [`PARTIAL_FRAMES`] of them).
    pub fn embed_frames(&self, frames: &[[f32; N_MELS]]) -> Embedding {
        let mut inputs: Vec<Vec<f32>> = frames.iter().map(|f| f.to_vec()).collect();
        let mut hidden = vec![0f32; HIDDEN];
        for layer in &self.layers {
            hidden = vec![0f32; HIDDEN];
            let mut cell = vec![0f32; HIDDEN];
            let mut gates = vec![0f32; 4 * HIDDEN];
            for input in inputs.iter_mut() {
                for (row, gate) in gates.iter_mut().enumerate() {
                    let w_in = &layer.input[row * layer.input_width..(row + 1) * layer.input_width];
                    let w_rec = &layer.recurrent[row * HIDDEN..(row + 1) * HIDDEN];
                    *gate = layer.bias[row] + dot(w_in, input) + dot(w_rec, &hidden);
                }
                for unit in 0..HIDDEN {
                    let i = sigmoid(gates[unit]);
                    let f = sigmoid(gates[HIDDEN + unit]);
                    let g = tanh(gates[2 * HIDDEN + unit]);
                    let o = sigmoid(gates[3 * HIDDEN + unit]);
                    cell[unit] = f * cell[unit] + i * g;
                    hidden[unit] = o * tanh(cell[unit]);
                }
                input.clear();
                input.extend_from_slice(&hidden);
            }
        }
        let mut embedding: Vec<f32> = (0..EMBEDDING)
            .map(|row| {
                let w = &self.linear[row * HIDDEN..(row + 1) * HIDDEN];
                (self.linear_bias[row] + dot(w, &hidden)).max(0.0)
            })
            .collect();
        normalise(&mut embedding);
        embedding
    }

    /// Embeddings of many windows of [`PARTIAL_FRAMES`] frames each, computed in batches so
    /// that the LSTM's work is matrix products. The same numbers as [`Self::embed_frames`] on
    /// each window, within float rounding.
    ///
    /// # Panics
    /// If a window does not hold exactly [`PARTIAL_FRAMES`] frames.
    pub fn embed_windows(&self, windows: &[&[[f32; N_MELS]]]) -> Vec<Embedding> {
        const BATCH: usize = 64;
        assert!(
            windows.iter().all(|w| w.len() == PARTIAL_FRAMES),
            "every window holds {PARTIAL_FRAMES} frames"
        );
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let per_thread = windows.len().div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            let workers: Vec<_> = windows
                .chunks(per_thread)
                .map(|share| {
                    scope.spawn(move || {
                        let mut buffers = LstmBuffers::default();
                        share
                            .chunks(BATCH)
                            .flat_map(|batch| self.embed_batch(batch, &mut buffers))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().expect("an embedding worker does not panic"))
                .collect()
        })
    }

    fn embed_batch(&self, batch: &[&[[f32; N_MELS]]], buffers: &mut LstmBuffers) -> Vec<Embedding> {
        let (windows, steps) = (batch.len(), PARTIAL_FRAMES);
        let LstmBuffers {
            input,
            projected,
            output,
            hidden,
            cell,
        } = buffers;
        // Layer input, time-major: row t * windows + w is window w's input at step t.
        input.clear();
        for t in 0..steps {
            for window in batch {
                input.extend_from_slice(&window[t]);
            }
        }
        for layer in &self.layers {
            let width = layer.input_width;
            output.resize(steps * windows * HIDDEN, 0.0);
            hidden.clear();
            hidden.resize(windows * HIDDEN, 0.0);
            cell.clear();
            cell.resize(windows * HIDDEN, 0.0);
            for first in (0..steps).step_by(PROJECTED_STEPS) {
                let span = PROJECTED_STEPS.min(steps - first);
                // The input projections of `span` steps at once:
                // (span·windows × width)·(width × 4H).
                projected.resize(span * windows * 4 * HIDDEN, 0.0);
                let rows = first * windows * width..(first + span) * windows * width;
                matmul_transposed(
                    &input[rows],
                    &layer.input,
                    width,
                    4 * HIDDEN,
                    projected,
                    0.0,
                );
                for (offset, gates) in projected.chunks_exact_mut(windows * 4 * HIDDEN).enumerate()
                {
                    let t = first + offset;
                    matmul_transposed(hidden, &layer.recurrent, HIDDEN, 4 * HIDDEN, gates, 1.0);
                    for ((gates, cell), hidden) in gates
                        .chunks_exact(4 * HIDDEN)
                        .zip(cell.chunks_exact_mut(HIDDEN))
                        .zip(hidden.chunks_exact_mut(HIDDEN))
                    {
                        lstm_cell(gates, &layer.bias, cell, hidden);
                    }
                    output[t * windows * HIDDEN..(t + 1) * windows * HIDDEN]
                        .copy_from_slice(hidden);
                }
            }
            std::mem::swap(input, output);
        }
        hidden
            .chunks_exact(HIDDEN)
            .map(|h| {
                let mut embedding: Vec<f32> = (0..EMBEDDING)
                    .map(|row| {
                        let w = &self.linear[row * HIDDEN..(row + 1) * HIDDEN];
                        (self.linear_bias[row] + dot(w, h)).max(0.0)
                    })
                    .collect();
                normalise(&mut embedding);
                embedding
            })
            .collect()
    }

    /// The embedding of a stretch of speech, as resemblyzer's `embed_utterance` computes it:
    /// partial utterances of 1.6 s, 1.3 a second, the last kept when at least three quarters
    /// full (zero-padded), their embeddings averaged and normalised.
    pub fn embed_utterance(&self, samples: &[f32]) -> Embedding {
        let slices = partial_slices(samples.len());
        let needed = slices.last().map_or(0, |&(_, end)| end * HOP);
        let mut padded = samples.to_vec();
        if needed >= padded.len() {
            padded.resize(needed, 0.0);
        }
        let frames = self.mel_frames(&padded);
        let partials = slices
            .iter()
            .map(|&(start, end)| self.embed_frames(&frames[start..end.min(frames.len())]));
        mean_voiceprint(partials).unwrap_or_else(|| vec![0.0; EMBEDDING])
    }
}

/// Frame ranges of the partial utterances of `samples` samples.
fn partial_slices(samples: usize) -> Vec<(usize, usize)> {
    const RATE: f64 = 1.3;
    const MIN_COVERAGE: f64 = 0.75;
    let frames = (samples + 1).div_ceil(HOP);
    let step = ((SAMPLE_RATE as f64 / RATE) / HOP as f64).round() as usize;
    let steps = (frames + step + 1).saturating_sub(PARTIAL_FRAMES).max(1);
    let mut slices: Vec<(usize, usize)> = (0..steps)
        .step_by(step)
        .map(|start| (start, start + PARTIAL_FRAMES))
        .collect();
    let last_start = slices.last().map_or(0, |s| s.0) * HOP;
    let coverage = (samples as f64 - last_start as f64) / (PARTIAL_FRAMES * HOP) as f64;
    if coverage < MIN_COVERAGE && slices.len() > 1 {
        slices.pop();
    }
    slices
}

/// One step of one window's LSTM cell: the gates' pre-activations (input, forget, candidate,
/// output; biases not yet added) update its cell state and hidden state. Slices of fixed
/// length, so that the loop compiles without bounds checks, to vector instructions.
fn lstm_cell(gates: &[f32], bias: &[f32], cell: &mut [f32], hidden: &mut [f32]) {
    let part = |values: &[f32], k: usize| -> [f32; HIDDEN] {
        values[k * HIDDEN..(k + 1) * HIDDEN]
            .try_into()
            .expect("a gate has HIDDEN values")
    };
    let gate = |k: usize| {
        let mut values = part(gates, k);
        values
            .iter_mut()
            .zip(part(bias, k))
            .for_each(|(v, b)| *v += b);
        values
    };
    let (input, forget, candidate, output) = (gate(0), gate(1), gate(2), gate(3));
    let cell: &mut [f32; HIDDEN] = cell.try_into().expect("a cell state has HIDDEN values");
    let hidden: &mut [f32; HIDDEN] = hidden.try_into().expect("a hidden state has HIDDEN values");
    for unit in 0..HIDDEN {
        let state =
            sigmoid(forget[unit]) * cell[unit] + sigmoid(input[unit]) * tanh(candidate[unit]);
        cell[unit] = state;
        hidden[unit] = sigmoid(output[unit]) * tanh(state);
    }
}

/// Time steps whose input projections the LSTM computes in one matrix product: rows enough
/// for an efficient product, few enough to stay small (5 MB for 64 windows, against 42 MB for
/// all 160 steps).
const PROJECTED_STEPS: usize = 20;

/// The LSTM's working memory, kept by each embedding worker from one batch to the next:
/// memory fresh from the system costs a page fault per 4 kB every time it is asked for.
#[derive(Default)]
struct LstmBuffers {
    input: Vec<f32>,
    projected: Vec<f32>,
    output: Vec<f32>,
    hidden: Vec<f32>,
    cell: Vec<f32>,
}

/// Computes [`VoiceEncoder::mel_frames`] from audio that arrives in blocks, so that a long
/// recording never has to be held whole: only its frames (1.6 kB per 10 ms) are kept.
pub struct MelStream<'a> {
    encoder: &'a VoiceEncoder,
    fft: std::sync::Arc<dyn realfft::RealToComplex<f32>>,
    /// Zero-padded samples from `frames.len() · HOP` on.
    pending: Vec<f32>,
    samples: usize,
    energy: f64,
    frames: Vec<[f32; N_MELS]>,
}

/// The mel frames of a whole recording and its loudness.
pub struct MelFrames {
    pub frames: Vec<[f32; N_MELS]>,
    /// Root mean square of all samples.
    pub rms: f32,
}

impl<'a> MelStream<'a> {
    pub fn new(encoder: &'a VoiceEncoder) -> Self {
        Self {
            encoder,
            fft: RealFftPlanner::<f32>::new().plan_fft_forward(N_FFT),
            pending: vec![0.0; N_FFT / 2],
            samples: 0,
            energy: 0.0,
            frames: Vec::new(),
        }
    }

    pub fn push(&mut self, samples: &[f32]) {
        self.samples += samples.len();
        self.energy += samples
            .iter()
            .map(|&v| f64::from(v) * f64::from(v))
            .sum::<f64>();
        self.pending.extend_from_slice(samples);
        self.drain(self.pending.len());
    }

    /// Frames while `available` padded samples hold a whole window, then drops what no later
    /// frame needs.
    fn drain(&mut self, available: usize) {
        let mut input = self.fft.make_input_vec();
        let mut spectrum = self.fft.make_output_vec();
        let mut power = vec![0f32; N_FFT / 2 + 1];
        let mut offset = 0;
        while offset + N_FFT <= available {
            let window = &self.pending[offset..offset + N_FFT];
            for (slot, (sample, w)) in input
                .iter_mut()
                .zip(window.iter().zip(&self.encoder.window))
            {
                *slot = sample * w;
            }
            self.fft
                .process(&mut input, &mut spectrum)
                .expect("buffers come from the plan");
            for (p, c) in power.iter_mut().zip(&spectrum) {
                *p = c.norm_sqr();
            }
            let mut mel = [0f32; N_MELS];
            for (m, filter) in mel.iter_mut().zip(&self.encoder.mel) {
                *m = filter.iter().zip(&power).map(|(f, p)| f * p).sum();
            }
            self.frames.push(mel);
            offset += HOP;
        }
        self.pending.drain(..offset);
    }

    /// The frames of everything pushed: one per started 10 ms, the last window zero-padded.
    pub fn finish(mut self) -> MelFrames {
        let total = 1 + self.samples / HOP;
        self.pending.extend(std::iter::repeat_n(0.0, N_FFT / 2));
        self.drain(self.pending.len());
        self.frames.truncate(total);
        MelFrames {
            rms: (self.energy / self.samples.max(1) as f64).sqrt() as f32,
            frames: self.frames,
        }
    }
}

/// `out = a · wᵀ + beta · out`, where `a` is rows × `inner` and `w` is `cols` × `inner`, both
/// row-major.
fn matmul_transposed(a: &[f32], w: &[f32], inner: usize, cols: usize, out: &mut [f32], beta: f32) {
    let rows = a.len() / inner;
    assert_eq!(w.len(), cols * inner);
    assert_eq!(out.len(), rows * cols);
    // SAFETY: the asserts above make every index matrixmultiply derives from these
    // dimensions and strides fall inside the three slices.
    unsafe {
        matrixmultiply::sgemm(
            rows,
            inner,
            cols,
            1.0,
            a.as_ptr(),
            inner as isize,
            1,
            w.as_ptr(),
            1,
            inner as isize,
            beta,
            out.as_mut_ptr(),
            cols as isize,
            1,
        );
    }
}

/// Cosine similarity of two voiceprints.
pub fn similarity(a: &[f32], b: &[f32]) -> f32 {
    dot(a, b)
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

/// tanh through `exp`: libm's `tanhf` goes through `expm1f`, which took 40 % of the
/// diarizer's time; this is within 3e-7 of the exact value everywhere.
fn tanh(x: f32) -> f32 {
    2.0 * sigmoid(2.0 * x) - 1.0
}

/// `e^x` within 2 ulp, without branches or calls, so that the LSTM's gate loop, five of these
/// per unit and step, compiles to vector instructions (libm's `expf` is a call per number and
/// took 13 % of the diarizer's time). Cephes' method: `e^x = 2^n · e^r` with `n` the nearest
/// integer to `x / ln 2` and `|r| <= ln 2 / 2`, `e^r` by its minimax polynomial.
fn exp(x: f32) -> f32 {
    // Past these e^x leaves the normal floats; clamping keeps 2^n's exponent bits in range.
    let x = x.clamp(-87.0, 88.0);
    // Adding 1.5 · 2^23 rounds to the nearest integer and leaves it in the low mantissa bits.
    const ROUNDER: f32 = 12_582_912.0;
    let shifted = x * std::f32::consts::LOG2_E + ROUNDER;
    let n = shifted - ROUNDER;
    // ln 2 in two parts, the first exact in few bits, so that n · ln 2 loses nothing.
    let r = x - n * 0.693_359_4 + n * 2.121_944_4e-4;
    let poly = ((((1.987_569_1e-4 * r + 1.398_199_9e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2)
        * r
        + 1.666_666_5e-1)
        * r
        + 0.5;
    let e_r = poly * r * r + r + 1.0;
    let exponent = (shifted.to_bits() as i32 - ROUNDER.to_bits() as i32 + 127) << 23;
    e_r * f32::from_bits(exponent as u32)
}

/// The normalised mean of voiceprints; `None` when there are none.
pub(crate) fn mean_voiceprint<E: AsRef<[f32]>>(
    embeddings: impl IntoIterator<Item = E>,
) -> Option<Embedding> {
    let mut sum: Option<Embedding> = None;
    for embedding in embeddings {
        let sum = sum.get_or_insert_with(|| vec![0.0; EMBEDDING]);
        sum.iter_mut()
            .zip(embedding.as_ref())
            .for_each(|(s, v)| *s += v);
    }
    let mut mean = sum?;
    normalise(&mut mean);
    Some(mean)
}

/// Scales a vector to unit length (a zero vector stays zero).
pub(crate) fn normalise(v: &mut [f32]) {
    let norm = dot(v, v).sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_within_two_ulp() {
        for i in -87_000..=88_000 {
            let x = i as f32 / 1000.0;
            let exact = (x as f64).exp();
            let ulp = f64::from(f32::EPSILON) * exact;
            let error = (f64::from(exp(x)) - exact).abs();
            assert!(error <= 2.0 * ulp, "exp({x}) = {} against {exact}", exp(x));
        }
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-1000.0), exp(-87.0));
        assert!(exp(1000.0).is_finite());
    }

    #[test]
    fn tanh_through_exp_matches_the_exact_value() {
        let worst = (-20_000..=20_000)
            .map(|i| i as f32 / 1000.0)
            .map(|x| (tanh(x) as f64 - (x as f64).tanh()).abs())
            .fold(0.0, f64::max);
        assert!(worst < 3e-7, "{worst}");
        assert_eq!(tanh(100.0), 1.0);
        assert_eq!(tanh(-100.0), -1.0);
    }

    #[test]
    fn the_transposed_product_is_a_times_w_transposed() {
        // a = [[1, 2], [3, 4]], w = [[1, 0], [0, 1], [1, 1]] -> a·wᵀ = [[1, 2, 3], [3, 4, 7]]
        let mut out = vec![1.0; 6];
        matmul_transposed(
            &[1., 2., 3., 4.],
            &[1., 0., 0., 1., 1., 1.],
            2,
            3,
            &mut out,
            1.0,
        );
        assert_eq!(out, vec![2., 3., 4., 4., 5., 8.]);
    }

    #[test]
    fn partial_slices_follow_resemblyzer() {
        // 4 s of audio: 401 frames, a step of 77 frames; the last slice (231..391) covers
        // (64000 - 36960) / 25600 = 1.06 of a partial and is kept.
        assert_eq!(
            partial_slices(64_000),
            vec![(0, 160), (77, 237), (154, 314), (231, 391)]
        );
        // Shorter than one partial: still one slice.
        assert_eq!(partial_slices(8_000), vec![(0, 160)]);
    }
}
