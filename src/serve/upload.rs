//! Receiving a call's files: streamed to disk as they arrive, under names the server picks,
//! accepted by what their bytes are (a recording or a transcript, never by the name or type the
//! client claims), within the size limit, and only then moved into the workspace, so that an
//! acknowledged upload is whole and on disk.

use super::store::{FileKind, StoredFile};
use axum::extract::Multipart;
use axum::http::StatusCode;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// A request's problem, with the status it answers with.
#[derive(Debug)]
pub(crate) struct Refusal {
    pub status: StatusCode,
    pub message: String,
}

impl Refusal {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            message: message.into(),
        }
    }
}

/// The text fields of an upload.
#[derive(Debug, Default)]
pub(crate) struct Fields {
    pub ae: Option<String>,
    pub se: Option<String>,
    pub title: Option<String>,
    pub call_type: Option<String>,
    pub date: Option<String>,
    /// Whose each recording is, in order, when a call comes as one recording per person.
    pub tracks: Vec<String>,
    /// Who speaks on which channel of one multi-channel recording, as `N=NAME`.
    pub channels: Vec<String>,
}

/// An upload written to `incoming/ID`, not yet part of the workspace.
pub(crate) struct Received {
    pub files: Vec<StoredFile>,
    pub fields: Fields,
}

/// Transcripts larger than this are not transcripts.
const MAX_TRANSCRIPT_BYTES: u64 = 20_000_000;

/// Reads the multipart body into `dir` (created here), checking each file as it lands. On any
/// refusal the folder is removed.
pub(crate) async fn receive(
    multipart: Multipart,
    dir: PathBuf,
    limit: u64,
) -> Result<Received, Refusal> {
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| disk_error(&e))?;
    match receive_into(multipart, &dir, limit).await {
        Ok(received) => Ok(received),
        Err(refusal) => {
            let _ = tokio::fs::remove_dir_all(&dir).await;
            Err(refusal)
        }
    }
}

async fn receive_into(
    mut multipart: Multipart,
    dir: &Path,
    limit: u64,
) -> Result<Received, Refusal> {
    let mut fields = Fields::default();
    let mut files: Vec<StoredFile> = Vec::new();
    let mut client_names: Vec<Option<String>> = Vec::new();
    let mut total: u64 = 0;
    while let Some(mut field) = multipart.next_field().await.map_err(bad_body)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            // The client's file name is only ever a speaker's label, never a path.
            client_names.push(
                field
                    .file_name()
                    .and_then(|n| std::path::Path::new(n).file_stem())
                    .map(|stem| stem.to_string_lossy().trim().to_string())
                    .filter(|stem| !stem.is_empty()),
            );
            let temp = dir.join(format!("part-{}", files.len()));
            let mut out = tokio::fs::File::create(&temp)
                .await
                .map_err(|e| disk_error(&e))?;
            let mut bytes: u64 = 0;
            let mut refusal = None;
            while let Some(chunk) = field.chunk().await.map_err(bad_body)? {
                bytes += chunk.len() as u64;
                total += chunk.len() as u64;
                if total > limit {
                    refusal = Some(too_large(limit));
                    break;
                }
                if let Err(e) = out.write_all(&chunk).await {
                    refusal = Some(disk_error(&e));
                    break;
                }
            }
            if let Some(refusal) = refusal {
                drop(out);
                let _ = tokio::fs::remove_file(&temp).await;
                while let Ok(Some(_)) = field.chunk().await {}
                drop(field);
                drain(&mut multipart).await;
                return Err(refusal);
            }
            out.sync_all().await.map_err(|e| disk_error(&e))?;
            drop(out);
            let (kind, extension) = sniff(&temp, bytes).await?;
            let stored_name = format!("input-{}.{extension}", files.len());
            tokio::fs::rename(&temp, dir.join(&stored_name))
                .await
                .map_err(|e| disk_error(&e))?;
            files.push(StoredFile {
                kind,
                stored_name,
                track_name: None,
                bytes,
            });
            continue;
        }
        let value = field.text().await.map_err(bad_body)?;
        let value = value.trim();
        let text = (!value.is_empty()).then(|| value.to_string());
        match name.as_str() {
            "ae" => fields.ae = text,
            "se" => fields.se = text,
            "title" => fields.title = text,
            "call_type" => fields.call_type = text,
            "date" => fields.date = text,
            "track" => fields.tracks.extend(text),
            "channel" => fields.channels.extend(text),
            // The page's CSRF token is checked before the body is read.
            "csrf" => {}
            other => {
                return Err(Refusal::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!(
                        "unknown field `{other}`: send file (repeated for one recording per person), ae, se, title, call_type, date, track, channel"
                    ),
                ));
            }
        }
    }
    if files.len() > 1 && fields.tracks.is_empty() {
        fields.tracks = track_names(&client_names);
    }
    check(&files, &mut fields)?;
    for (file, name) in files.iter_mut().zip(&fields.tracks) {
        file.track_name = Some(name.clone());
    }
    Ok(Received { files, fields })
}

/// Reads and discards the rest of a refused upload (bounded by the body limit), so that the
/// client is still listening when the refusal is sent.
async fn drain(multipart: &mut Multipart) {
    while let Ok(Some(mut next)) = multipart.next_field().await {
        while let Ok(Some(_)) = next.chunk().await {}
    }
}

/// Names for tracks sent without `track` fields: each file's name without its extension
/// (Zoom names each participant's file after them), or "Track N" where that is missing or
/// taken.
fn track_names(client_names: &[Option<String>]) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(client_names.len());
    for (n, name) in client_names.iter().enumerate() {
        let name = match name {
            Some(name) if !names.iter().any(|taken| taken.eq_ignore_ascii_case(name)) => {
                name.clone()
            }
            _ => format!("Track {}", n + 1),
        };
        names.push(name);
    }
    names
}

/// One transcript, or one or more recordings (several with a `track` name each).
fn check(files: &[StoredFile], fields: &mut Fields) -> Result<(), Refusal> {
    let unprocessable =
        |message: &str| Err(Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, message));
    if files.is_empty() {
        return unprocessable("no `file` in the upload: attach a recording or a transcript");
    }
    let transcripts = files
        .iter()
        .filter(|f| f.kind == FileKind::Transcript)
        .count();
    if transcripts > 0 && files.len() > 1 {
        return unprocessable(
            "one transcript per call, or one or more recordings of one call; not both",
        );
    }
    if files.len() > 1 && fields.tracks.len() != files.len() {
        return unprocessable(
            "several recordings are one call with one recording per person: give one `track` field with each person's name per file, in the order of the files",
        );
    }
    if !fields.channels.is_empty() && (files.len() > 1 || transcripts > 0) {
        return unprocessable(
            "`channel` names the channels of one recording; with several files, use `track`",
        );
    }
    if let Some(bad) = fields.channels.iter().find(|c| {
        c.split_once('=')
            .is_none_or(|(n, name)| n.trim().parse::<usize>().is_err() || name.trim().is_empty())
    }) {
        return Err(Refusal::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("channel `{bad}`: write N=NAME, e.g. 0=Dana Ruiz"),
        ));
    }
    if let Some(date) = &fields.date
        && date.parse::<jiff::civil::Date>().is_err()
    {
        return unprocessable("`date` must be a day such as 2026-11-28");
    }
    Ok(())
}

/// What a file holds, by its first bytes: a recording in a format the decoder reads, or text
/// in a transcript format. Anything else is refused.
async fn sniff(path: &Path, bytes: u64) -> Result<(FileKind, &'static str), Refusal> {
    let unsupported = || {
        Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "a file is neither a recording (WAV, MP3, M4A/AAC, FLAC, Ogg) nor a transcript (call JSON, WebVTT, SRT, text)",
        )
    };
    if bytes == 0 {
        return Err(Refusal::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "a file is empty",
        ));
    }
    let mut head = vec![0u8; 16];
    {
        use tokio::io::AsyncReadExt;
        let mut file = tokio::fs::File::open(path)
            .await
            .map_err(|e| disk_error(&e))?;
        let n = file.read(&mut head).await.map_err(|e| disk_error(&e))?;
        head.truncate(n);
    }
    if let Some(extension) = audio_kind(&head) {
        return Ok((FileKind::Audio, extension));
    }
    if bytes > MAX_TRANSCRIPT_BYTES {
        return Err(unsupported());
    }
    let raw = tokio::fs::read(path).await.map_err(|e| disk_error(&e))?;
    let text = swimlane::transcript::decode::decode(&raw).map_err(|_| unsupported())?;
    if text.contains('\0') {
        return Err(unsupported());
    }
    let format = swimlane::transcript::detect_format(Path::new(""), &text);
    Ok((FileKind::Transcript, format.as_str()))
}

/// The container a recording's first bytes announce, as a file extension.
fn audio_kind(head: &[u8]) -> Option<&'static str> {
    match head {
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'A',
            b'V',
            b'E',
            ..,
        ] => Some("wav"),
        [b'f', b'L', b'a', b'C', ..] => Some("flac"),
        [b'O', b'g', b'g', b'S', ..] => Some("ogg"),
        [b'I', b'D', b'3', ..] => Some("mp3"),
        [_, _, _, _, b'f', b't', b'y', b'p', ..] => Some("m4a"),
        // ADTS AAC: sync word, then layer bits 00.
        [0xFF, second, ..] if second & 0xF6 == 0xF0 => Some("aac"),
        // MPEG audio frame: sync word with a layer set.
        [0xFF, second, ..] if second & 0xE0 == 0xE0 && second & 0x06 != 0 => Some("mp3"),
        _ => None,
    }
}

fn bad_body(e: axum::extract::multipart::MultipartError) -> Refusal {
    let status = e.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return Refusal::new(status, "the upload is larger than this server accepts");
    }
    Refusal::new(
        status,
        format!("the upload could not be read: {}", e.body_text()),
    )
}

fn too_large(limit: u64) -> Refusal {
    Refusal::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "the upload is larger than {} MB, this server's limit (`serve --max-upload-mb`)",
            limit / 1_000_000
        ),
    )
}

/// A write that failed: a full disk says so.
pub(crate) fn disk_error(e: &std::io::Error) -> Refusal {
    if e.kind() == std::io::ErrorKind::StorageFull {
        Refusal::new(
            StatusCode::INSUFFICIENT_STORAGE,
            "the server's disk is full; the upload was not kept",
        )
    } else {
        Refusal::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the server could not store the upload: {e}"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::{audio_kind, track_names};

    #[test]
    fn tracks_sent_without_names_are_named_after_their_files() {
        let names = track_names(&[Some("Dana Ruiz".into()), None, Some("dana ruiz".into())]);
        assert_eq!(names, ["Dana Ruiz", "Track 2", "Track 3"]);
    }

    #[test]
    fn containers_are_told_by_their_first_bytes() {
        assert_eq!(audio_kind(b"RIFF\x24\0\0\0WAVEfmt "), Some("wav"));
        assert_eq!(audio_kind(b"fLaC\0\0\0\x22"), Some("flac"));
        assert_eq!(audio_kind(b"OggS\0\x02"), Some("ogg"));
        assert_eq!(audio_kind(b"ID3\x04\0\0"), Some("mp3"));
        assert_eq!(audio_kind(b"\0\0\0\x20ftypM4A "), Some("m4a"));
        assert_eq!(audio_kind(&[0xFF, 0xFB, 0x90, 0x64]), Some("mp3"));
        assert_eq!(audio_kind(&[0xFF, 0xF1, 0x50, 0x80]), Some("aac"));
        assert_eq!(audio_kind(b"RIFF\x24\0\0\0AVI LIST"), None);
        assert_eq!(audio_kind(b"%PDF-1.7"), None);
        assert_eq!(audio_kind(b"WEBVTT\n\n"), None);
    }
}
