//! An answer's body as the chunks it arrived in. A binary export page is decoded straight
//! from them (its values left in them), not first copied whole into one buffer; other
//! answers are joined, at no cost when they came in one chunk.

use std::borrow::Cow;

use bytes::Bytes;

pub(crate) struct Body(pub(crate) Vec<Bytes>);

impl Body {
    pub(crate) fn chunks(&self) -> &[Bytes] {
        &self.0
    }

    /// The body in one piece.
    pub(crate) fn joined(&self) -> Cow<'_, [u8]> {
        match self.0.as_slice() {
            [] => Cow::Borrowed(&[]),
            [one] => Cow::Borrowed(one),
            many => Cow::Owned(many.concat()),
        }
    }
}
