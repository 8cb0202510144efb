//! Who spoke when in one mixed channel. Speech is cut at its pauses into islands (people
//! mostly take turns at a pause, and a voiceprint of a whole island is steadier than one of a
//! 1.6 s window), and a long island is cut again where its voice changes without a pause (the
//! windows on either side sound unalike); each island gets the mean voiceprint of the windows
//! inside it; islands are grouped by agglomerative clustering (average linkage on cosine
//! similarity), groups too small to be a speaker join their nearest, groups whose mean
//! voiceprints are alike merge (down to a given number of speakers when it is known), and a
//! few k-means rounds settle islands the early merges put in the wrong group.

use super::encoder::{
    EMBEDDING, Embedding, MelFrames, N_MELS, PARTIAL_FRAMES, VoiceEncoder, mean_voiceprint,
    normalise, similarity,
};
use crate::model::Doubt;
use crate::time::Ms;
use serde::{Deserialize, Serialize};

/// How the diarizer runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterSettings {
    /// The number of speakers, when known; otherwise it is estimated.
    pub speakers: Option<usize>,
    /// Frames (10 ms) between the starts of consecutive windows.
    pub step_frames: usize,
    /// Groups closer than this (average cosine similarity) are one speaker.
    pub same_speaker: f32,
    /// Groups whose mean voiceprints are closer than this are one speaker.
    pub same_centroid: f32,
    /// Speech on either side of a point, [`CHANGE_CONTEXT`] windows each, whose mean
    /// voiceprints are less alike than this is two voices, even without a pause between them.
    pub voice_change: f32,
}

impl Default for ClusterSettings {
    fn default() -> Self {
        Self {
            speakers: None,
            step_frames: 160,
            same_speaker: 0.85,
            same_centroid: 0.95,
            voice_change: 0.8,
        }
    }
}

/// A stretch of one speaker's speech; speakers are numbered from 0 in order of first speech.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpeakerSpan {
    pub speaker: usize,
    pub start: Ms,
    pub end: Ms,
}

const FRAME_MS: u64 = 10;
/// Gaps shorter than this within one speaker's speech are bridged.
const BRIDGE_FRAMES: usize = 100;

/// Who spoke when, and what each speaker sounds like.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Diarization {
    pub spans: Vec<SpeakerSpan>,
    /// Each speaker's mean voiceprint, indexed by [`SpeakerSpan::speaker`], for matching
    /// against enrolled voices.
    pub voiceprints: Vec<Embedding>,
    /// Stretches of speech whose speaker is a close call, when there are several voices.
    pub doubts: Vec<DoubtSpan>,
}

/// A stretch of speech whose speaker might be another, and why.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DoubtSpan {
    pub start: Ms,
    pub end: Ms,
    pub doubt: Doubt,
}

/// An island whose voiceprint is within this cosine similarity of two voices' is a close call.
/// On the corpus recordings and the real-speech examples (`scripts/eval-diarization`), the
/// turns this and too-short speech flag were wrong 2 times in 8, the others 2 in 508.
const CLOSE_MARGIN: f32 = 0.05;

/// Diarizes one channel from its mel frames ([`super::encoder::MelStream`] makes them).
pub fn diarize(encoder: &VoiceEncoder, mel: MelFrames, settings: ClusterSettings) -> Diarization {
    let frames = normalise_level(mel);
    let islands = islands(&speech_frames(&frames));
    let stretches = split_at_voice_changes(
        embedded_islands(encoder, &frames, &islands, settings.step_frames.max(1)),
        settings.voice_change,
    );
    let islands: Vec<(usize, usize)> = stretches.iter().map(|s| (s.start, s.end)).collect();
    let voiced: Vec<IslandVoiceprint> = stretches
        .iter()
        .enumerate()
        .filter_map(|(island, stretch)| {
            Some(IslandVoiceprint {
                island,
                voiceprint: stretch.voiceprint()?,
            })
        })
        .collect();
    if voiced.is_empty() {
        return Diarization::default();
    }
    let embeddings: Vec<Embedding> = voiced.iter().map(|v| v.voiceprint.clone()).collect();
    let weights: Vec<f32> = voiced
        .iter()
        .map(|v| (islands[v.island].1 - islands[v.island].0) as f32)
        .collect();
    // Voices are found from the islands long enough to fill a window; a short island ("yes",
    // "okay") says less about its voice and only joins the voice it is nearest to.
    let long: Vec<usize> = (0..voiced.len())
        .filter(|&v| weights[v] >= PARTIAL_FRAMES as f32)
        .collect();
    let found_from: Vec<usize> = if long.len() >= 2 {
        long
    } else {
        (0..voiced.len()).collect()
    };
    let pick = |values: &[f32]| found_from.iter().map(|&v| values[v]).collect::<Vec<f32>>();
    let found_embeddings: Vec<Embedding> =
        found_from.iter().map(|&v| embeddings[v].clone()).collect();
    let found_weights = pick(&weights);
    let labels = agglomerate(&found_embeddings, settings.same_speaker);
    let labels = consolidate(
        &found_embeddings,
        &found_weights,
        labels,
        settings.speakers,
        settings.same_centroid,
    );
    let labels = refine(&found_embeddings, &found_weights, labels);
    let voices = centroids(&found_embeddings, &found_weights, &labels);
    let labels = renumber(&nearest_voice(&embeddings, &voices));
    let margins: Vec<Option<f32>> = embeddings.iter().map(|e| margin(e, &voices)).collect();

    // Every island takes its label; one too short to embed takes its nearest neighbour's.
    let mut frame_labels: Vec<Option<usize>> = vec![None; frames.len()];
    let mut doubts: Vec<DoubtSpan> = Vec::new();
    let several = voices.len() > 1;
    for (index, &(start, end)) in islands.iter().enumerate() {
        let doubt_span = |doubt| DoubtSpan {
            start: Ms(start as u64 * FRAME_MS),
            end: Ms(end as u64 * FRAME_MS),
            doubt,
        };
        let nearest = match voiced.binary_search_by_key(&index, |v| v.island) {
            Ok(k) => {
                if let Some(margin) = margins[k].filter(|&m| m < CLOSE_MARGIN) {
                    doubts.push(doubt_span(Doubt::CloseVoices { margin }));
                }
                k
            }
            Err(k) => {
                if several {
                    doubts.push(doubt_span(Doubt::TooShort));
                }
                let gap_before = k
                    .checked_sub(1)
                    .map(|b| start - islands[voiced[b].island].1);
                let gap_after = voiced.get(k).map(|a| islands[a.island].0 - end);
                match (gap_before, gap_after) {
                    (Some(before), Some(after)) if before <= after => k - 1,
                    (Some(_), None) => k - 1,
                    _ => k,
                }
            }
        };
        let label = labels[nearest];
        frame_labels[start..end]
            .iter_mut()
            .for_each(|l| *l = Some(label));
    }
    Diarization {
        spans: spans(&frame_labels),
        voiceprints: centroids(&embeddings, &weights, &labels),
        doubts,
    }
}

/// How much nearer `embedding` is to its nearest voice than to the next; `None` with one voice.
fn margin(embedding: &Embedding, voices: &[Embedding]) -> Option<f32> {
    let mut alike: Vec<f32> = voices.iter().map(|v| similarity(embedding, v)).collect();
    alike.sort_by(|a, b| b.total_cmp(a));
    Some(alike.first()? - alike.get(1)?)
}

/// The index of the voice each embedding is most like.
fn nearest_voice(embeddings: &[Embedding], voices: &[Embedding]) -> Vec<usize> {
    embeddings
        .iter()
        .map(|e| {
            (0..voices.len())
                .max_by(|&a, &b| similarity(e, &voices[a]).total_cmp(&similarity(e, &voices[b])))
                .unwrap_or(0)
        })
        .collect()
}

/// The voiceprint of one island of speech.
struct IslandVoiceprint {
    island: usize,
    voiceprint: Embedding,
}

/// A stretch of speech, in frames, with the voiceprints of the windows inside it (none when it
/// is too short to embed).
struct Stretch {
    start: usize,
    end: usize,
    windows: Vec<(usize, Embedding)>,
}

impl Stretch {
    /// The mean of the windows' voiceprints, if it has any.
    fn voiceprint(&self) -> Option<Embedding> {
        mean_voiceprint(self.windows.iter().map(|(_, e)| e))
    }
}

/// Each island with the voiceprints of its windows: windows every `step` frames inside an
/// island that holds one, and a shorter island tiled to a window's length (a voice repeated is
/// still that voice); islands too short for either get none.
fn embedded_islands(
    encoder: &VoiceEncoder,
    frames: &[[f32; N_MELS]],
    islands: &[(usize, usize)],
    step: usize,
) -> Vec<Stretch> {
    // (island, first frame) of each window cut from the frames, then of each tiled one.
    let mut cut: Vec<(usize, usize)> = Vec::new();
    let mut tiled_at: Vec<(usize, usize)> = Vec::new();
    let mut tiled: Vec<[f32; N_MELS]> = Vec::new();
    for (index, &(start, end)) in islands.iter().enumerate() {
        let len = end - start;
        if len >= PARTIAL_FRAMES {
            let last = end - PARTIAL_FRAMES;
            let mut window = start;
            loop {
                cut.push((index, window));
                if window == last {
                    break;
                }
                window = (window + step).min(last);
            }
        } else if len >= MIN_ISLAND_FRAMES {
            tiled.extend((0..PARTIAL_FRAMES).map(|i| frames[start + i % len]));
            tiled_at.push((index, start));
        }
    }
    let windows: Vec<&[[f32; N_MELS]]> = cut
        .iter()
        .map(|&(_, start)| &frames[start..start + PARTIAL_FRAMES])
        .chain(tiled.chunks_exact(PARTIAL_FRAMES))
        .collect();
    let embeddings = encoder.embed_windows(&windows);
    let mut stretches: Vec<Stretch> = islands
        .iter()
        .map(|&(start, end)| Stretch {
            start,
            end,
            windows: Vec::new(),
        })
        .collect();
    for ((owner, start), embedding) in cut.into_iter().chain(tiled_at).zip(embeddings) {
        stretches[owner].windows.push((start, embedding));
    }
    stretches
}

/// Windows on each side of a possible voice change that are compared: fewer say too little
/// about a voice, more blur a short turn.
const CHANGE_CONTEXT: usize = 2;

/// `stretches` with those in which the voice changes without a pause (people cutting in,
/// edited recordings) cut where it changes: at each window boundary where the windows before
/// and after sound least alike, below `voice_change`, at least [`CHANGE_CONTEXT`] windows from
/// the stretch's ends and from the previous cut.
fn split_at_voice_changes(stretches: Vec<Stretch>, voice_change: f32) -> Vec<Stretch> {
    let mut out = Vec::with_capacity(stretches.len());
    for stretch in stretches {
        let windows = &stretch.windows;
        let n = windows.len();
        let mut cuts: Vec<usize> = Vec::new();
        if n >= 2 * CHANGE_CONTEXT {
            let likeness: Vec<f32> = (CHANGE_CONTEXT..=n - CHANGE_CONTEXT)
                .map(|at| {
                    let side = |range: std::ops::Range<usize>| {
                        mean_voiceprint(windows[range].iter().map(|(_, e)| e))
                            .expect("a side holds windows")
                    };
                    similarity(
                        &side(at - CHANGE_CONTEXT..at),
                        &side(at..at + CHANGE_CONTEXT),
                    )
                })
                .collect();
            let mut order: Vec<usize> = (0..likeness.len())
                .filter(|&k| likeness[k] < voice_change)
                .collect();
            order.sort_by(|&a, &b| likeness[a].total_cmp(&likeness[b]));
            for k in order {
                let at = k + CHANGE_CONTEXT;
                if cuts.iter().all(|&cut| cut.abs_diff(at) >= CHANGE_CONTEXT) {
                    cuts.push(at);
                }
            }
            cuts.sort_unstable();
        }
        if cuts.is_empty() {
            out.push(stretch);
            continue;
        }
        let Stretch {
            start,
            end,
            windows,
        } = stretch;
        let bounds: Vec<usize> = std::iter::once(start)
            .chain(cuts.iter().map(|&at| windows[at].0))
            .chain(std::iter::once(end))
            .collect();
        let mut windows = windows.into_iter().peekable();
        for pair in bounds.windows(2) {
            let part: Vec<(usize, Embedding)> =
                std::iter::from_fn(|| windows.next_if(|(at, _)| *at < pair[1])).collect();
            out.push(Stretch {
                start: pair[0],
                end: pair[1],
                windows: part,
            });
        }
    }
    out
}

/// Speech shorter than this (in frames) says too little about the voice to embed.
const MIN_ISLAND_FRAMES: usize = 30;
/// Pauses shorter than this (in frames) do not end an island of speech.
const MIN_PAUSE_FRAMES: usize = 15;

/// Runs of speech frames, as (start, end) frame ranges, pauses under [`MIN_PAUSE_FRAMES`]
/// bridged: the stretches between which a speaker can change.
fn islands(speech: &[bool]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut frame = 0;
    while frame < speech.len() {
        if !speech[frame] {
            frame += 1;
            continue;
        }
        let start = frame;
        while frame < speech.len() && speech[frame] {
            frame += 1;
        }
        match out.last_mut() {
            Some(last) if start - last.1 < MIN_PAUSE_FRAMES => last.1 = frame,
            _ => out.push((start, frame)),
        }
    }
    out
}

/// The encoder takes mel *power* and was trained on audio that resemblyzer raises to -30 dBFS
/// (RMS of the whole recording) when it is quieter, so the same is done here: a gain on the
/// samples is its square on their power.
fn normalise_level(mel: MelFrames) -> Vec<[f32; N_MELS]> {
    const TARGET_DBFS: f32 = -30.0;
    let target = 10f32.powf(TARGET_DBFS / 20.0);
    let mut frames = mel.frames;
    if mel.rms > 0.0 && mel.rms < target {
        let power_gain = (target / mel.rms).powi(2);
        frames.iter_mut().flatten().for_each(|p| *p *= power_gain);
    }
    frames
}

/// Frames loud enough to be speech: within 45 dB of the loudest frame and 12 dB above the
/// quietest tenth of the recording.
fn speech_frames(frames: &[[f32; N_MELS]]) -> Vec<bool> {
    let db: Vec<f32> = frames
        .iter()
        .map(|f| 10.0 * (f.iter().sum::<f32>() + 1e-10).log10())
        .collect();
    let mut sorted = db.clone();
    sorted.sort_by(f32::total_cmp);
    let Some(&peak) = sorted.last() else {
        return Vec::new();
    };
    let floor = sorted[sorted.len() / 10];
    let threshold = (floor + 12.0).max(peak - 45.0);
    db.iter().map(|&d| d > threshold).collect()
}

/// Average-linkage agglomerative clustering on cosine similarity; returns a label per
/// embedding, numbered in order of first appearance.
fn agglomerate(embeddings: &[Embedding], same_speaker: f32) -> Vec<usize> {
    let n = embeddings.len();
    let mut sim: Vec<Vec<f32>> = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| similarity(&embeddings[i], &embeddings[j]))
                .collect()
        })
        .collect();
    let mut size = vec![1usize; n];
    let mut alive = vec![true; n];
    let mut owner: Vec<usize> = (0..n).collect();
    let mut clusters = n;
    while clusters > 1 {
        let mut best = (f32::NEG_INFINITY, 0, 0);
        for i in (0..n).filter(|&i| alive[i]) {
            for j in (i + 1..n).filter(|&j| alive[j]) {
                if sim[i][j] > best.0 {
                    best = (sim[i][j], i, j);
                }
            }
        }
        let (closest, a, b) = best;
        if closest < same_speaker {
            break;
        }
        // Lance-Williams update for average linkage: merge b into a.
        for k in (0..n).filter(|&k| alive[k] && k != a && k != b) {
            let merged = (sim[a][k] * size[a] as f32 + sim[b][k] * size[b] as f32)
                / (size[a] + size[b]) as f32;
            sim[a][k] = merged;
            sim[k][a] = merged;
        }
        size[a] += size[b];
        alive[b] = false;
        owner.iter_mut().filter(|o| **o == b).for_each(|o| *o = a);
        clusters -= 1;
    }
    renumber(&owner)
}

/// Labels numbered 0.. in order of first appearance.
fn renumber(owner: &[usize]) -> Vec<usize> {
    let mut numbering: Vec<usize> = Vec::new();
    owner
        .iter()
        .map(|o| match numbering.iter().position(|x| x == o) {
            Some(label) => label,
            None => {
                numbering.push(*o);
                numbering.len() - 1
            }
        })
        .collect()
}

/// Normalised mean voiceprint of each label.
fn centroids(embeddings: &[Embedding], weights: &[f32], labels: &[usize]) -> Vec<Embedding> {
    let speakers = labels.iter().max().map_or(0, |m| m + 1);
    let mut out = vec![vec![0f32; EMBEDDING]; speakers];
    for ((e, &l), w) in embeddings.iter().zip(labels).zip(weights) {
        out[l].iter_mut().zip(e).for_each(|(c, v)| *c += v * w);
    }
    out.iter_mut().for_each(|centroid| normalise(centroid));
    out
}

/// Average linkage stops while one voice is still in several groups (window scores are
/// noisy); their mean voiceprints are alike, so groups whose centroids are closer than
/// `same_centroid` are joined, and groups too small to be a speaker go to the nearest one.
fn consolidate(
    embeddings: &[Embedding],
    weights: &[f32],
    mut labels: Vec<usize>,
    speakers: Option<usize>,
    same_centroid: f32,
) -> Vec<usize> {
    let total: f32 = weights.iter().sum();
    loop {
        let centres = centroids(embeddings, weights, &labels);
        let sizes: Vec<f32> = (0..centres.len())
            .map(|c| {
                let members = labels.iter().zip(weights).filter(|(l, _)| **l == c);
                members.map(|(_, w)| w).sum()
            })
            .collect();
        let groups = sizes.iter().filter(|&&s| s > 0.0).count();
        if speakers.is_some_and(|n| groups <= n) {
            return renumber(&labels);
        }
        let largest = sizes.iter().cloned().fold(0.0, f32::max);
        let small = |c: usize| {
            sizes[c] < largest
                && (sizes[c] < MIN_SPEAKER_SHARE * total || sizes[c] < MIN_SPEAKER_FRAMES as f32)
        };
        let mut best = (f32::NEG_INFINITY, 0, 0);
        for a in 0..centres.len() {
            for b in 0..centres.len() {
                if a != b && sizes[a] > 0.0 && sizes[b] > 0.0 && !small(b) {
                    let s = similarity(&centres[a], &centres[b]);
                    // A small group joins its nearest big one whatever the score; a minor
                    // one's mean voiceprint is noisier, so it needs less likeness to join.
                    let s = if small(a) {
                        s + 2.0
                    } else if sizes[a].min(sizes[b]) < MINOR_SHARE * total {
                        s + MINOR_RELIEF
                    } else {
                        s
                    };
                    if s > best.0 {
                        best = (s, a, b);
                    }
                }
            }
        }
        let (score, from, into) = best;
        if score == f32::NEG_INFINITY || (speakers.is_none() && score < same_centroid) {
            return renumber(&labels);
        }
        labels
            .iter_mut()
            .filter(|l| **l == from)
            .for_each(|l| *l = into);
    }
}

/// A group with less than this share of the windows is not a speaker of its own.
const MIN_SPEAKER_SHARE: f32 = 0.03;
/// A group with less than this share of the speech is minor: it joins another group whose
/// mean voiceprint is within `same_centroid - MINOR_RELIEF` of its own.
const MINOR_SHARE: f32 = 0.1;
const MINOR_RELIEF: f32 = 0.05;
/// Nor is one with less speech than this (in frames), whose mean voiceprint is too noisy.
const MIN_SPEAKER_FRAMES: usize = 500;

/// Re-assigns each window to the speaker whose mean voiceprint it is closest to, a few times:
/// clustering commits to merges early, and a window can end up with the wrong group.
fn refine(embeddings: &[Embedding], weights: &[f32], mut labels: Vec<usize>) -> Vec<usize> {
    for _ in 0..REFINE_ROUNDS {
        let next = nearest_voice(embeddings, &centroids(embeddings, weights, &labels));
        if next == labels {
            break;
        }
        labels = next;
    }
    renumber(&labels)
}

const REFINE_ROUNDS: usize = 10;
/// Runs of one label, short same-speaker gaps bridged.
fn spans(frame_labels: &[Option<usize>]) -> Vec<SpeakerSpan> {
    let mut out: Vec<SpeakerSpan> = Vec::new();
    let mut frame = 0;
    while frame < frame_labels.len() {
        let Some(speaker) = frame_labels[frame] else {
            frame += 1;
            continue;
        };
        let start = frame;
        while frame < frame_labels.len() && frame_labels[frame] == Some(speaker) {
            frame += 1;
        }
        let (start, end) = (Ms(start as u64 * FRAME_MS), Ms(frame as u64 * FRAME_MS));
        match out.last_mut() {
            Some(last)
                if last.speaker == speaker
                    && start.0 - last.end.0 <= BRIDGE_FRAMES as u64 * FRAME_MS =>
            {
                last.end = end;
            }
            _ => out.push(SpeakerSpan {
                speaker,
                start,
                end,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stretch from frame `start` whose windows, one every [`PARTIAL_FRAMES`] frames, have the
    /// given voiceprints.
    fn stretch(start: usize, voices: &[Embedding]) -> Stretch {
        Stretch {
            start,
            end: start + voices.len() * PARTIAL_FRAMES,
            windows: voices
                .iter()
                .enumerate()
                .map(|(i, v)| (start + i * PARTIAL_FRAMES, v.clone()))
                .collect(),
        }
    }

    fn bounds(stretches: &[Stretch]) -> Vec<(usize, usize, usize)> {
        stretches
            .iter()
            .map(|s| (s.start, s.end, s.windows.len()))
            .collect()
    }

    #[test]
    fn a_stretch_is_cut_where_its_voice_changes_without_a_pause() {
        let (a, b) = (voice(0, 0.1), voice(10, 0.1));
        let w = PARTIAL_FRAMES;
        let voices = [&a, &a, &a, &b, &b, &a, &a].map(Clone::clone);
        let cut = split_at_voice_changes(vec![stretch(100, &voices)], 0.8);
        assert_eq!(
            bounds(&cut),
            [
                (100, 100 + 3 * w, 3),
                (100 + 3 * w, 100 + 5 * w, 2),
                (100 + 5 * w, 100 + 7 * w, 2)
            ]
        );
    }

    #[test]
    fn one_voice_or_a_stretch_too_short_to_compare_is_not_cut() {
        let (a, b) = (voice(0, 0.1), voice(10, 0.1));
        let one_voice = stretch(0, &[a.clone(), voice(0, 0.4), a.clone(), voice(0, 0.3)]);
        // Two windows a side are needed: three windows in all say too little.
        let short = stretch(0, &[a.clone(), b.clone(), b.clone()]);
        let untouched = split_at_voice_changes(vec![one_voice, short], 0.8);
        assert_eq!(untouched.len(), 2);
        // The tiled window of a short island keeps its island whole.
        let tiled = Stretch {
            start: 0,
            end: 50,
            windows: vec![(0, a)],
        };
        assert_eq!(split_at_voice_changes(vec![tiled], 0.8).len(), 1);
    }

    /// A unit voiceprint near axis `axis`, nudged by `jitter` toward the next axis.
    fn voice(axis: usize, jitter: f32) -> Embedding {
        let mut v = vec![0.0; EMBEDDING];
        v[axis] = 1.0;
        v[axis + 1] = jitter;
        normalise(&mut v);
        v
    }

    #[test]
    fn the_margin_is_how_much_nearer_the_nearest_voice_is() {
        let voices = [voice(0, 0.0), voice(2, 0.0)];
        let mut between = voice(0, 0.0);
        between[2] = 1.0;
        normalise(&mut between);
        assert!(margin(&between, &voices).unwrap() < 1e-6);
        let near_first = voice(0, 0.1);
        let clear = margin(&near_first, &voices).unwrap();
        assert!(clear > 0.9, "{clear}");
        assert_eq!(margin(&near_first, &voices[..1]), None);
    }

    #[test]
    fn short_pauses_stay_inside_an_island() {
        let mut speech = vec![false; 100];
        speech[10..20].iter_mut().for_each(|s| *s = true);
        speech[25..40].iter_mut().for_each(|s| *s = true); // 5-frame pause: bridged
        speech[70..80].iter_mut().for_each(|s| *s = true); // 30-frame pause: a new island
        assert_eq!(islands(&speech), [(10, 40), (70, 80)]);
    }

    #[test]
    fn clustering_finds_the_voices_and_honours_a_forced_count() {
        // Two voices, three islands each, plus a third voice nearer the second than the first.
        let mut third = vec![0.0; EMBEDDING];
        third[2] = 0.6;
        third[4] = 0.8;
        let embeddings = vec![
            voice(0, 0.05),
            voice(2, 0.0),
            voice(0, 0.1),
            voice(2, 0.08),
            voice(0, 0.0),
            voice(2, 0.04),
            third,
        ];
        let weights = vec![500.0; embeddings.len()];
        let labels = agglomerate(&embeddings, 0.85);
        let found = consolidate(&embeddings, &weights, labels.clone(), None, 0.95);
        assert_eq!(found, [0, 1, 0, 1, 0, 1, 2]);
        let forced = consolidate(&embeddings, &weights, labels, Some(2), 0.95);
        assert_eq!(forced, [0, 1, 0, 1, 0, 1, 1]);
    }

    #[test]
    fn a_group_with_too_little_speech_joins_its_nearest_voice() {
        let embeddings = vec![voice(0, 0.0), voice(2, 0.0), voice(0, 0.9)];
        let weights = vec![2_000.0, 2_000.0, 100.0];
        let labels = agglomerate(&embeddings, 0.85);
        assert_eq!(labels, [0, 1, 2]);
        assert_eq!(
            consolidate(&embeddings, &weights, labels, None, 0.95),
            [0, 1, 0]
        );
    }

    #[test]
    fn spans_bridge_one_speakers_short_gaps_only() {
        let mut frames = vec![None; 400];
        frames[0..50].iter_mut().for_each(|f| *f = Some(0));
        frames[90..150].iter_mut().for_each(|f| *f = Some(0)); // 40-frame gap: bridged
        frames[160..200].iter_mut().for_each(|f| *f = Some(1));
        frames[350..400].iter_mut().for_each(|f| *f = Some(1)); // 150-frame gap: kept
        let span = |speaker, start, end| SpeakerSpan {
            speaker,
            start: Ms(start),
            end: Ms(end),
        };
        assert_eq!(
            spans(&frames),
            [
                span(0, 0, 1_500),
                span(1, 1_600, 2_000),
                span(1, 3_500, 4_000)
            ]
        );
    }
}
