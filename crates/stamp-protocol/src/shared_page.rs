//! An export page whose values stay in the chunks the body arrived in. A move's target
//! hashes a large value and writes it to its file from there, so a megabyte value is not
//! first copied into a string of its own (that copy, and the fresh memory it faulted
//! in, was a fifth of the target's work per byte).

use bytes::Bytes;

use crate::page_codec::decode_parts;
use crate::{ExportPage, KvEntry};

/// A value's bytes, UTF-8 as a whole, as the pieces they arrived in (a character may
/// be cut between two pieces).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SharedValue {
    pieces: Vec<Bytes>,
    len: usize,
}

impl SharedValue {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn pieces(&self) -> &[Bytes] {
        &self.pieces
    }

    /// The value as one string (a copy of its bytes).
    pub fn into_string(self) -> String {
        let mut bytes = Vec::with_capacity(self.len);
        for piece in &self.pieces {
            bytes.extend_from_slice(piece);
        }
        // Always UTF-8: a `SharedValue` is made only from a string or from bytes
        // checked to be UTF-8 as a whole (`decode_export_page_shared`).
        String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into())
    }
}

impl From<String> for SharedValue {
    fn from(value: String) -> Self {
        Self {
            len: value.len(),
            pieces: vec![Bytes::from(value.into_bytes())],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedEntry {
    pub key: String,
    pub value: SharedValue,
    pub seq: u64,
}

/// An [`ExportPage`] with its values as [`SharedValue`]s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedPage {
    pub seq: u64,
    pub entries: Vec<SharedEntry>,
    pub next_after: Option<String>,
    pub after: Option<String>,
}

impl From<ExportPage> for SharedPage {
    fn from(page: ExportPage) -> Self {
        Self {
            seq: page.seq,
            entries: page
                .entries
                .into_iter()
                .map(|e| SharedEntry {
                    key: e.key,
                    value: e.value.into(),
                    seq: e.seq,
                })
                .collect(),
            next_after: page.next_after,
            after: page.after,
        }
    }
}

impl SharedPage {
    /// The page with each value copied into a string.
    pub fn into_export_page(self) -> ExportPage {
        ExportPage {
            seq: self.seq,
            entries: self
                .entries
                .into_iter()
                .map(|e| KvEntry {
                    key: e.key,
                    value: e.value.into_string(),
                    seq: e.seq,
                })
                .collect(),
            next_after: self.next_after,
            after: self.after,
        }
    }
}

/// Reads a page in the binary form from the chunks it arrived in, each value left in
/// them (checked to be UTF-8); what is wrong is named with its byte offset.
pub fn decode_export_page_shared(chunks: &[Bytes]) -> Result<SharedPage, String> {
    let page = decode_parts(chunks, |r, what| {
        let (len, spans) = r.utf8_spans(what)?;
        let pieces = spans
            .into_iter()
            .filter(|(_, range)| !range.is_empty())
            .map(|(chunk, range)| chunks[chunk].slice(range))
            .collect();
        Ok(SharedValue { pieces, len })
    })?;
    Ok(SharedPage {
        seq: page.seq,
        entries: page
            .entries
            .into_iter()
            .map(|(key, value, seq)| SharedEntry { key, value, seq })
            .collect(),
        next_after: page.next_after,
        after: page.after,
    })
}
