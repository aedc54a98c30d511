//! A value's bytes as a writer of value files takes them (`value_files.rs`): a string,
//! or the pieces of an export page it arrived in.

use crate::value_files::FILE_VALUE_MIN;

/// A value's bytes as [`put_all`](crate::value_files::ValueFiles::put_all) takes them: a
/// string, or the pieces an export page arrived in (written to the file from there, not
/// copied first).
#[derive(Clone, Copy)]
pub enum ValueBytes<'a> {
    Text(&'a str),
    Pieces(&'a stamp_protocol::SharedValue),
}

impl<'a> ValueBytes<'a> {
    pub fn len(&self) -> usize {
        match self {
            Self::Text(s) => s.len(),
            Self::Pieces(v) => v.len(),
        }
    }

    /// Whether the value is kept in a file.
    pub fn is_large(&self) -> bool {
        self.len() >= FILE_VALUE_MIN
    }

    pub fn parts(self) -> Vec<&'a [u8]> {
        match self {
            Self::Text(s) => vec![s.as_bytes()],
            Self::Pieces(v) => v.pieces().iter().map(|p| &p[..]).collect(),
        }
    }
}

impl<'a> From<&'a str> for ValueBytes<'a> {
    fn from(value: &'a str) -> Self {
        Self::Text(value)
    }
}
