//! The append-only change journal that makes each completed change durable without
//! rewriting the whole snapshot.
//!
//! One record per line: 8 hex digits of CRC-32 of the JSON, a space, the JSON, `\n`.
//! The first record names the snapshot it applies to (`{"begin":{"lineage":…,"serial":…}}`);
//! every later one is an [`InstanceChange`]. Each append is followed by `fdatasync`, so a
//! record is on disk before [`crate::StateManager::record`] returns. A kill can only leave
//! a torn last line: its checksum fails and it is ignored.

use crate::error::StateError;
use crate::manager::InstanceChange;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)] // one short-lived value per append
pub(crate) enum Entry {
    Begin { lineage: String, serial: u64 },
    Change(InstanceChange),
}

/// What a journal file holds.
pub(crate) struct Scan {
    /// `(lineage, serial)` of the snapshot the changes apply to.
    pub base: Option<(String, u64)>,
    pub changes: Vec<InstanceChange>,
    /// Bytes of valid records (the rest is a torn tail).
    pub good_len: u64,
    pub torn: bool,
}


/// Like [`encode`], sealing the JSON with `codec` when there is one: the record body is then
/// `!` followed by the codec's text (see [`crate::JournalCodec`]).
pub(crate) fn encode_with(entry: &Entry, codec: Option<&dyn JournalCodec>) -> Result<Vec<u8>, StateError> {
    // Serialising our own types to a Vec cannot fail (all keys are strings).
    let mut json = serde_json::to_vec(entry).unwrap_or_default();
    if let Some(c) = codec {
        let sealed = c.seal(&json).map_err(|m| StateError::Invalid { message: format!("encrypting the state journal: {m}") })?;
        json = Vec::with_capacity(sealed.len() + 1);
        json.push(b'!');
        json.extend_from_slice(sealed.as_bytes());
    }
    let mut line = format!("{:08x} ", crc32fast::hash(&json)).into_bytes();
    line.extend_from_slice(&json);
    line.push(b'\n');
    Ok(line)
}

/// Seals and opens journal records (state encryption). Implemented by the encryption crate
/// and handed to the journal through [`crate::StateBackend::journal_codec`].
pub trait JournalCodec: Send + Sync {
    /// Encrypts one record; the result must be ASCII without newlines.
    fn seal(&self, plain: &[u8]) -> Result<String, String>;
    /// Decrypts what [`JournalCodec::seal`] made.
    fn open(&self, sealed: &str) -> Result<Vec<u8>, String>;
}

#[allow(clippy::large_enum_variant)] // one short-lived value per line read
enum Decoded {
    Entry(Entry),
    /// Checksum or JSON failure: a torn or damaged record.
    Bad,
    /// A sealed record that cannot be opened (no codec, or the wrong key).
    Sealed(String),
}

fn decode(line: &[u8], codec: Option<&dyn JournalCodec>) -> Decoded {
    if line.len() < 10 || line[8] != b' ' {
        return Decoded::Bad;
    }
    let Some(crc) = std::str::from_utf8(&line[..8]).ok().and_then(|h| u32::from_str_radix(h, 16).ok()) else {
        return Decoded::Bad;
    };
    let json = &line[9..];
    if crc32fast::hash(json) != crc {
        return Decoded::Bad;
    }
    if let Some(sealed) = json.strip_prefix(b"!") {
        let Some(c) = codec else {
            return Decoded::Sealed("the journal is encrypted, but no encryption is configured".into());
        };
        let text = String::from_utf8_lossy(sealed);
        return match c.open(&text) {
            Ok(plain) => serde_json::from_slice(&plain).map(Decoded::Entry).unwrap_or(Decoded::Bad),
            Err(m) => Decoded::Sealed(m),
        };
    }
    serde_json::from_slice(json).map(Decoded::Entry).unwrap_or(Decoded::Bad)
}

/// Reads a journal, opening sealed records with `codec`. A bad record followed only by bad
/// records is a torn tail (ignored); a bad record followed by a good one is damage
/// ([`StateError::Journal`]).
pub(crate) fn scan_with(path: &Path, codec: Option<&dyn JournalCodec>) -> Result<Scan, StateError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(StateError::io("read", path, e)),
    };
    let mut s = Scan { base: None, changes: Vec::new(), good_len: 0, torn: false };
    let mut pos = 0usize;
    let mut bad_at: Option<usize> = None;
    let mut line_no = 0usize;
    while pos < bytes.len() {
        line_no += 1;
        let end = bytes[pos..].iter().position(|&b| b == b'\n').map(|i| pos + i);
        let (line, next) = match end {
            Some(e) => (&bytes[pos..e], e + 1),
            None => (&bytes[pos..], bytes.len()),
        };
        match decode(line, codec) {
            Decoded::Sealed(message) => {
                return Err(StateError::Journal { path: path.to_path_buf(), line: line_no, message })
            }
            Decoded::Entry(entry) => {
                if let Some(bad) = bad_at {
                    return Err(StateError::Journal {
                        path: path.to_path_buf(),
                        line: bad,
                        message: "a record's checksum does not match, but valid records follow it".into(),
                    });
                }
                match entry {
                    Entry::Begin { lineage, serial } => {
                        if s.base.is_some() || !s.changes.is_empty() {
                            return Err(StateError::Journal {
                                path: path.to_path_buf(),
                                line: line_no,
                                message: "a second \"begin\" record".into(),
                            });
                        }
                        s.base = Some((lineage, serial));
                    }
                    Entry::Change(c) => {
                        if s.base.is_none() {
                            return Err(StateError::Journal {
                                path: path.to_path_buf(),
                                line: line_no,
                                message: "a change before the \"begin\" record".into(),
                            });
                        }
                        s.changes.push(c);
                    }
                }
                s.good_len = next as u64;
            }
            Decoded::Bad => {
                bad_at.get_or_insert(line_no);
                s.torn = true;
            }
        }
        pos = next;
    }
    Ok(s)
}

/// An open journal, positioned for appending.
pub(crate) struct Writer {
    path: PathBuf,
    file: File,
    len: u64,
}

impl Writer {
    /// Opens `path` for appending after its first `good_len` bytes (dropping a torn tail).
    /// A complete record whose newline was lost gets one.
    pub fn open(path: &Path, good_len: u64) -> Result<Writer, StateError> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)
            .map_err(|e| StateError::io("open", path, e))?;
        file.set_len(good_len).map_err(|e| StateError::io("truncate", path, e))?;
        file.seek(SeekFrom::Start(good_len)).map_err(|e| StateError::io("seek", path, e))?;
        let mut w = Writer { path: path.to_path_buf(), file, len: good_len };
        if good_len > 0 {
            use std::io::Read;
            let mut last = [0u8; 1];
            let mut f = &w.file;
            f.seek(SeekFrom::Start(good_len - 1)).map_err(|e| StateError::io("seek", path, e))?;
            f.read_exact(&mut last).map_err(|e| StateError::io("read", path, e))?;
            w.file.seek(SeekFrom::Start(good_len)).map_err(|e| StateError::io("seek", path, e))?;
            if last[0] != b'\n' {
                w.append_raw(b"\n")?;
            }
        }
        crate::local::sync_dir(&crate::local::parent_dir(path))?;
        Ok(w)
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    fn append_raw(&mut self, bytes: &[u8]) -> Result<(), StateError> {
        self.file.write_all(bytes).map_err(|e| StateError::io("append to", &self.path, e))?;
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// Appends records and makes them durable.
    pub fn append(&mut self, entries: &[Entry], codec: Option<&dyn JournalCodec>) -> Result<(), StateError> {
        let mut buf = Vec::new();
        for e in entries {
            buf.extend_from_slice(&encode_with(e, codec)?);
        }
        if let Err(e) = self.append_raw(&buf) {
            // Cut a partial write so the next append starts on a clean line.
            let _ = self.file.set_len(self.len);
            return Err(e);
        }
        self.file.sync_data().map_err(|e| StateError::io("sync", &self.path, e))
    }

    /// Empties the journal durably (after its changes reached a snapshot).
    pub fn reset(&mut self) -> Result<(), StateError> {
        self.file.set_len(0).map_err(|e| StateError::io("truncate", &self.path, e))?;
        self.file.seek(SeekFrom::Start(0)).map_err(|e| StateError::io("seek", &self.path, e))?;
        self.len = 0;
        self.file.sync_all().map_err(|e| StateError::io("sync", &self.path, e))
    }
}

/// Empties (or removes) a journal whose changes are already in the snapshot.
pub(crate) fn discard(path: &Path) -> Result<(), StateError> {
    match std::fs::remove_file(path) {
        Ok(()) => crate::local::sync_dir(&crate::local::parent_dir(path)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StateError::io("remove", path, e)),
    }
}
