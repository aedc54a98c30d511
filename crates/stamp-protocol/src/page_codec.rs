//! The binary form of an export page, for a client that sends
//! `Accept: application/vnd.stampfleet.export-page`: the same fields as the JSON form,
//! without escaping megabyte values character by character on one side and scanning
//! them on the other. Little-endian:
//! `"SFP1"`, seq (u64), next_after (u8 0/1, then u32 length + UTF-8), entry count (u32),
//! then per entry: key (u32 length + UTF-8), value (u32 length + UTF-8), seq (u64);
//! then, only on a page asked with `skip`: 1 and after (u32 length + UTF-8).

use crate::page_reader::Reader;
use crate::{ExportPage, KvEntry};

/// The media type of the binary form.
pub const EXPORT_PAGE_BINARY: &str = "application/vnd.stampfleet.export-page";

const MAGIC: &[u8; 4] = b"SFP1";

/// An export page in its binary form, little-endian: "SFP1", seq (u64), nextAfter (u8
/// 0 or 1, then u32 length + UTF-8), entry count (u32), then per entry: key and value
/// (u32 length + UTF-8 each) and seq (u64); then, only on a page asked with `skip`: 1
/// and after (u32 length + UTF-8).
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct ExportPageBinary(pub Vec<u8>);

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// The page in its binary form.
pub fn encode_export_page(page: &ExportPage) -> Vec<u8> {
    let size: usize = page
        .entries
        .iter()
        .map(|e| e.key.len() + e.value.len() + 16)
        .sum();
    let mut out = PageEncoder::new(
        page.seq,
        page.next_after.as_deref(),
        page.entries.len(),
        size,
    );
    for e in &page.entries {
        out.entry(&e.key, &e.value, e.seq);
    }
    out.finish(page.after.as_deref())
}

/// Builds a page in the binary form entry by entry, so a value can be read straight
/// from where it is kept (a stamp's value file) into the page, with no copy between.
pub struct PageEncoder {
    out: Vec<u8>,
}

impl PageEncoder {
    /// A page of `entries` entries; `capacity`: about the bytes they take.
    pub fn new(seq: u64, next_after: Option<&str>, entries: usize, capacity: usize) -> Self {
        let mut out = Vec::with_capacity(capacity + 64);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&seq.to_le_bytes());
        match next_after {
            Some(next) => {
                out.push(1);
                put_str(&mut out, next);
            }
            None => out.push(0),
        }
        out.extend_from_slice(&(entries as u32).to_le_bytes());
        Self { out }
    }

    pub fn entry(&mut self, key: &str, value: &str, seq: u64) {
        put_str(&mut self.out, key);
        put_str(&mut self.out, value);
        self.out.extend_from_slice(&seq.to_le_bytes());
    }

    /// An entry whose value is the `len` bytes `value` reads (UTF-8: the reader of the
    /// page checks); fewer is an error.
    pub fn entry_from(
        &mut self,
        key: &str,
        len: u32,
        value: &mut impl std::io::Read,
        seq: u64,
    ) -> std::io::Result<()> {
        use std::io::Read;
        put_str(&mut self.out, key);
        self.out.extend_from_slice(&len.to_le_bytes());
        self.out.reserve(len as usize);
        let read = value.take(u64::from(len)).read_to_end(&mut self.out)?;
        if read != len as usize {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("value of {key:?}: {read} bytes of {len}"),
            ));
        }
        self.out.extend_from_slice(&seq.to_le_bytes());
        Ok(())
    }

    /// The page, with `after` when it was asked with `skip`.
    pub fn finish(mut self, after: Option<&str>) -> Vec<u8> {
        // Only on a page asked with `skip`, which a reader of the first form never asks.
        if let Some(after) = after {
            self.out.push(1);
            put_str(&mut self.out, after);
        }
        self.out
    }
}

/// Whether `bytes` are a page in the binary form (else JSON).
pub fn is_binary_export_page(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// Whether the body that arrived in `chunks` is a page in the binary form.
pub fn is_binary_export_page_in<B: AsRef<[u8]>>(chunks: &[B]) -> bool {
    let mut head = Vec::with_capacity(MAGIC.len());
    let mut r = Reader::new(chunks);
    r.copy(MAGIC.len().min(r.len), "magic", |_, _, b| {
        head.extend_from_slice(b)
    })
    .is_ok()
        && head == MAGIC
}

/// Reads a page in the binary form; what is wrong is named with its byte offset.
pub fn decode_export_page(bytes: &[u8]) -> Result<ExportPage, String> {
    let page = decode_parts(&[bytes], |r, what| r.string(what))?;
    Ok(ExportPage {
        seq: page.seq,
        entries: page
            .entries
            .into_iter()
            .map(|(key, value, seq)| KvEntry { key, value, seq })
            .collect(),
        next_after: page.next_after,
        after: page.after,
    })
}

/// A page read with its values as `value` reads them.
pub(crate) struct Parts<V> {
    pub seq: u64,
    pub entries: Vec<(String, V, u64)>,
    pub next_after: Option<String>,
    pub after: Option<String>,
}

/// Reads a page in the binary form from the chunks it arrived in, each value with
/// `value` (a string, or spans left in the chunks).
pub(crate) fn decode_parts<B: AsRef<[u8]>, V>(
    chunks: &[B],
    mut value: impl FnMut(&mut Reader<'_, B>, &str) -> Result<V, String>,
) -> Result<Parts<V>, String> {
    let mut r = Reader::new(chunks);
    if r.array::<4>("magic")? != *MAGIC {
        return Err("not a binary export page (no SFP1 magic)".to_owned());
    }
    let seq = r.u64("seq")?;
    let next_after = match r.byte("nextAfter flag")? {
        0 => None,
        1 => Some(r.string("nextAfter")?),
        other => return Err(format!("nextAfter flag at byte 12: {other}, not 0 or 1")),
    };
    let count = r.u32("entry count")? as usize;
    // Each entry takes at least 16 bytes: a count the page cannot hold is refused
    // before anything is allocated for it.
    if count > r.len / 16 {
        return Err(format!(
            "entry count {count} does not fit in a page of {} bytes",
            r.len
        ));
    }
    let mut entries = Vec::with_capacity(count);
    for i in 0..count {
        let key = r.string(&format!("entries[{i}].key"))?;
        let value = value(&mut r, &format!("entries[{i}].value"))?;
        let seq = r.u64(&format!("entries[{i}].seq"))?;
        entries.push((key, value, seq));
    }
    // The optional trailer: 1, then `after`.
    let after = match r.peek() {
        Some(1) => {
            r.byte("after flag")?;
            Some(r.string("after")?)
        }
        _ => None,
    };
    if r.at != r.len {
        return Err(format!("{} bytes after the last entry", r.len - r.at));
    }
    Ok(Parts {
        seq,
        entries,
        next_after,
        after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode_export_page_shared, SharedPage};
    use bytes::Bytes;

    fn page() -> ExportPage {
        ExportPage {
            seq: 42,
            entries: vec![
                KvEntry {
                    key: "a".into(),
                    value: "x\"\\\n é".into(),
                    seq: 7,
                },
                KvEntry {
                    key: "b".into(),
                    value: String::new(),
                    seq: 9,
                },
            ],
            next_after: Some("b".into()),
            after: None,
        }
    }

    #[test]
    fn a_page_round_trips() {
        let bytes = encode_export_page(&page());
        assert!(is_binary_export_page(&bytes));
        assert_eq!(decode_export_page(&bytes), Ok(page()));
        let last = ExportPage {
            next_after: None,
            entries: Vec::new(),
            ..page()
        };
        assert_eq!(decode_export_page(&encode_export_page(&last)), Ok(last));
        let ahead = ExportPage {
            after: Some("0".into()),
            ..page()
        };
        assert_eq!(decode_export_page(&encode_export_page(&ahead)), Ok(ahead));
    }

    #[test]
    fn a_value_read_into_the_page_is_the_same_page_and_a_short_one_is_an_error() {
        let p = page();
        let mut out = PageEncoder::new(p.seq, p.next_after.as_deref(), 2, 0);
        let first = &p.entries[0];
        let mut reader = first.value.as_bytes();
        let len = first.value.len() as u32;
        out.entry_from(&first.key, len, &mut reader, first.seq)
            .unwrap();
        out.entry(&p.entries[1].key, &p.entries[1].value, p.entries[1].seq);
        assert_eq!(out.finish(None), encode_export_page(&p));
        let mut short = PageEncoder::new(1, None, 1, 0);
        let e = short.entry_from("k", 10, &mut &b"abc"[..], 1).unwrap_err();
        assert_eq!(e.to_string(), "value of \"k\": 3 bytes of 10");
    }

    /// A body read as it arrived, in chunks (some empty), reads as the same page
    /// wherever the cuts fall, inside a length, a key or a value too (a value then
    /// stays in the chunks it was cut into).
    #[test]
    fn a_page_in_chunks_decodes_the_same_wherever_it_is_cut() {
        let ahead = ExportPage {
            after: Some("0".into()),
            ..page()
        };
        let bytes = Bytes::from(encode_export_page(&ahead));
        for first in 0..bytes.len() {
            for second in first..bytes.len() {
                let chunks = [
                    bytes.slice(..first),
                    Bytes::new(),
                    bytes.slice(first..second),
                    bytes.slice(second..),
                ];
                assert!(is_binary_export_page_in(&chunks));
                let shared = decode_export_page_shared(&chunks).map(SharedPage::into_export_page);
                assert_eq!(shared, Ok(ahead.clone()), "cut at {first} and {second}");
            }
            let short = [bytes.slice(..first), bytes.slice(first..bytes.len() - 1)];
            assert!(decode_export_page_shared(&short).is_err(), "cut at {first}");
        }
        assert!(!is_binary_export_page_in(&[&b"SF"[..], b"Q1"]));
        assert!(!is_binary_export_page_in::<&[u8]>(&[]));
    }

    #[test]
    fn damaged_pages_are_refused_with_the_place() {
        let bytes = encode_export_page(&page());
        for cut in [3, 10, 20, bytes.len() - 1] {
            let e = decode_export_page(&bytes[..cut]).unwrap_err();
            assert!(
                e.contains("ends early") || e.contains("magic"),
                "{cut}: {e}"
            );
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert_eq!(
            decode_export_page(&extra),
            Err("1 bytes after the last entry".to_owned())
        );
        let mut bad = bytes.clone();
        let value_at = bytes.windows(2).position(|w| w == b"x\"").unwrap();
        bad[value_at] = 0xff;
        let e = decode_export_page(&bad).unwrap_err();
        assert!(
            e.starts_with("entries[0].value") && e.contains("not UTF-8"),
            "{e}"
        );
        // The same when the value is left in its chunks, cut where the bad byte is.
        let bad = Bytes::from(bad);
        let chunks = [bad.slice(..value_at), bad.slice(value_at..)];
        let shared = decode_export_page_shared(&chunks).unwrap_err();
        assert_eq!(shared, e);
        let mut huge = bytes[..4 + 8 + 1 + 4 + 1].to_vec();
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        let e = decode_export_page(&huge).unwrap_err();
        assert!(e.contains("does not fit"), "{e}");
    }
}
