//! Reading a binary export page (`page_codec.rs`) from the chunks its body arrived in,
//! without first copying them into one buffer: a string is copied once, from its chunks
//! into its own allocation, and a value kept in its chunks ([`Reader::utf8_spans`]) is
//! not copied at all.

use std::ops::Range;

/// Where a value's bytes are among the chunks: `(chunk, range in it)`, in order.
pub(crate) type Spans = Vec<(usize, Range<usize>)>;

pub(crate) struct Reader<'a, B> {
    chunks: &'a [B],
    /// The chunk read from, and the offset in it.
    chunk: usize,
    offset: usize,
    /// The offset in the whole body, and its length.
    pub(crate) at: usize,
    pub(crate) len: usize,
}

impl<'a, B: AsRef<[u8]>> Reader<'a, B> {
    pub(crate) fn new(chunks: &'a [B]) -> Self {
        Self {
            chunks,
            chunk: 0,
            offset: 0,
            at: 0,
            len: chunks.iter().map(|c| c.as_ref().len()).sum(),
        }
    }

    /// Hands the next `n` bytes to `sink`, a piece per chunk they span, with the chunk's
    /// index and the piece's offset in it.
    pub(crate) fn copy(
        &mut self,
        n: usize,
        what: &str,
        mut sink: impl FnMut(usize, usize, &[u8]),
    ) -> Result<(), String> {
        if self.at.checked_add(n).is_none_or(|end| end > self.len) {
            return Err(format!("{what} at byte {}: the page ends early", self.at));
        }
        let mut left = n;
        while left > 0 {
            let chunk = self.chunks[self.chunk].as_ref();
            let here = (chunk.len() - self.offset).min(left);
            sink(
                self.chunk,
                self.offset,
                &chunk[self.offset..self.offset + here],
            );
            self.offset += here;
            left -= here;
            if self.offset == chunk.len() {
                self.chunk += 1;
                self.offset = 0;
            }
        }
        self.at += n;
        Ok(())
    }

    pub(crate) fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], String> {
        let mut out = [0u8; N];
        let mut filled = 0;
        self.copy(N, what, |_, _, b| {
            out[filled..filled + b.len()].copy_from_slice(b);
            filled += b.len();
        })?;
        Ok(out)
    }

    pub(crate) fn u32(&mut self, what: &str) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    pub(crate) fn u64(&mut self, what: &str) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    /// The length of the string that follows (checked against what is left), and
    /// where it starts.
    fn string_len(&mut self, what: &str) -> Result<(usize, usize), String> {
        let n = self.u32(what)? as usize;
        let at = self.at;
        if n > self.len - at {
            return Err(format!("{what} at byte {at}: the page ends early"));
        }
        Ok((n, at))
    }

    pub(crate) fn string(&mut self, what: &str) -> Result<String, String> {
        let (n, at) = self.string_len(what)?;
        let mut bytes = Vec::with_capacity(n);
        self.copy(n, what, |_, _, b| bytes.extend_from_slice(b))?;
        String::from_utf8(bytes).map_err(|_| format!("{what} at byte {at}: not UTF-8"))
    }

    /// A string left where it is: its length and its spans among the chunks, checked
    /// to be UTF-8 as a whole (a character may be cut between two chunks).
    pub(crate) fn utf8_spans(&mut self, what: &str) -> Result<(usize, Spans), String> {
        let (n, at) = self.string_len(what)?;
        let mut spans = Vec::new();
        let mut check = Utf8Pieces::default();
        let mut valid = true;
        self.copy(n, what, |chunk, offset, b| {
            valid = valid && check.piece(b);
            spans.push((chunk, offset..offset + b.len()));
        })?;
        if !(valid && check.finish()) {
            return Err(format!("{what} at byte {at}: not UTF-8"));
        }
        Ok((n, spans))
    }

    pub(crate) fn byte(&mut self, what: &str) -> Result<u8, String> {
        Ok(self.array::<1>(what)?[0])
    }

    /// The next byte, left to read.
    pub(crate) fn peek(&self) -> Option<u8> {
        let mut offset = self.offset;
        for chunk in self.chunks.get(self.chunk..)? {
            if let Some(b) = chunk.as_ref().get(offset) {
                return Some(*b);
            }
            offset = 0;
        }
        None
    }
}

/// Checks that bytes handed over in pieces are UTF-8 as a whole: a character cut
/// between two pieces is kept (at most 3 bytes) until the next piece completes it.
#[derive(Default)]
struct Utf8Pieces {
    pending: [u8; 4],
    n: usize,
}

impl Utf8Pieces {
    /// Whether the bytes so far can still be UTF-8.
    fn piece(&mut self, mut b: &[u8]) -> bool {
        while self.n > 0 {
            let Some((first, rest)) = b.split_first() else {
                return true;
            };
            self.pending[self.n] = *first;
            self.n += 1;
            b = rest;
            match std::str::from_utf8(&self.pending[..self.n]) {
                Ok(_) => self.n = 0,
                Err(e) if e.error_len().is_some() => return false,
                // Still cut: a lead byte names at most 4 bytes, so this ends by then.
                Err(_) => {}
            }
        }
        match std::str::from_utf8(b) {
            Ok(_) => true,
            Err(e) if e.error_len().is_some() => false,
            Err(e) => {
                let cut = &b[e.valid_up_to()..];
                self.pending[..cut.len()].copy_from_slice(cut);
                self.n = cut.len();
                true
            }
        }
    }

    /// Whether nothing is left cut at the end.
    fn finish(&self) -> bool {
        self.n == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid_in_pieces(bytes: &[u8], cuts: &[usize]) -> bool {
        let mut check = Utf8Pieces::default();
        let mut from = 0;
        let mut ok = true;
        for &cut in cuts.iter().chain([&bytes.len()]) {
            ok = ok && check.piece(&bytes[from..cut]);
            from = cut;
        }
        ok && check.finish()
    }

    /// Wherever two cuts fall (inside a character too), the pieces are UTF-8 exactly
    /// when the whole is.
    #[test]
    fn pieces_are_utf8_exactly_when_the_whole_is() {
        let samples: [&[u8]; 7] = [
            "aé€𝄞z".as_bytes(),
            b"\xe2\x82",
            b"a\xe2\x82\xacb\xff",
            b"\xf0\x9d\x84",
            b"\xc3\x28",
            b"\xed\xa0\x80",
            b"",
        ];
        for bytes in samples {
            let whole = std::str::from_utf8(bytes).is_ok();
            for first in 0..=bytes.len() {
                for second in first..=bytes.len() {
                    assert_eq!(
                        valid_in_pieces(bytes, &[first, second]),
                        whole,
                        "{bytes:?} cut at {first} and {second}"
                    );
                }
            }
        }
    }
}
