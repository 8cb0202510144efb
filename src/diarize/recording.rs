//! Diarizes a recording the way it was recorded: a mono mix is one lane; a recording with a
//! channel per side (vendor and prospect on a phone line) or per person is diarized channel by
//! channel, each channel holding only its own speech, so that per-channel energy separates the
//! sides and voiceprints separate the people within a side. Audio streams past: only mel frames
//! are kept, so an hour-long call costs tens of megabytes, not hundreds.

use super::cluster::{ClusterSettings, Diarization, diarize};
use super::encoder::{MelStream, VoiceEncoder};
use crate::audio::{AudioError, AudioStream, mix_down, own_speech};

/// The speakers of each lane: index 0 alone for a mono recording, else one per channel,
/// `None` for a channel that was not to be diarized (it is one named person).
pub type LaneSpeakers = Vec<Option<Diarization>>;

/// Diarizes every lane of `stream` except the channels in `one_person` (channel 0 of a mono
/// recording is its one lane). `settings.speakers`
/// counts the speakers of the one lane diarized; with several, each estimates its own.
pub fn diarize_recording(
    mut stream: AudioStream,
    encoder: &VoiceEncoder,
    settings: ClusterSettings,
    one_person: &[usize],
) -> Result<LaneSpeakers, AudioError> {
    let channels = stream.info().channels;
    let lanes = channels.max(1);
    let wanted: Vec<bool> = (0..lanes).map(|lane| !one_person.contains(&lane)).collect();
    let mut mels: Vec<Option<MelStream>> = wanted
        .iter()
        .map(|&w| w.then(|| MelStream::new(encoder)))
        .collect();
    let mut mono = Vec::new();
    while let Some(block) = stream.next_block()? {
        if lanes == 1 {
            mix_down(&block, &mut mono);
            if let Some(mel) = &mut mels[0] {
                mel.push(&mono);
            }
        } else {
            for (mel, own) in mels.iter_mut().zip(own_speech(&block)) {
                if let Some(mel) = mel {
                    mel.push(&own);
                }
            }
        }
    }
    let diarized = wanted.iter().filter(|&&w| w).count();
    let lane_settings = ClusterSettings {
        speakers: settings.speakers.filter(|_| diarized == 1),
        ..settings
    };
    Ok(mels
        .into_iter()
        .map(|mel| mel.map(|mel| diarize(encoder, mel.finish(), lane_settings)))
        .collect())
}
