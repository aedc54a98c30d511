//! Log files that stay bounded: the app's `stampfleet.log` rotates by size while it runs
//! (`stampfleet.log.1` is the newest old one, `.KEEP` the oldest, then gone), and a
//! local agent's `agent.log` rotates when the agent starts (the agent writes it through
//! an inherited descriptor, so only a restart can switch files). Every file is the
//! owner's alone (0600): logs name stamps, tenants and paths.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// A log file is rotated once it would grow past this.
pub const LOG_MAX_BYTES: u64 = 10 * 1024 * 1024;
/// How many rotated files are kept beside the current one.
pub const LOG_KEEP: usize = 5;

/// `path.N`: the N-th newest rotated copy of `path`.
fn rotated(path: &Path, n: usize) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{n}"));
    PathBuf::from(name)
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
}

/// Shifts `path` to `path.1`, `path.1` to `path.2`, ... dropping `path.keep`.
fn shift(path: &Path, keep: usize) -> io::Result<()> {
    if keep == 0 {
        return std::fs::remove_file(path).or_else(ignore_missing);
    }
    std::fs::remove_file(rotated(path, keep)).or_else(ignore_missing)?;
    for n in (1..keep).rev() {
        std::fs::rename(rotated(path, n), rotated(path, n + 1)).or_else(ignore_missing)?;
    }
    std::fs::rename(path, rotated(path, 1)).or_else(ignore_missing)
}

fn ignore_missing(e: io::Error) -> io::Result<()> {
    if e.kind() == io::ErrorKind::NotFound {
        Ok(())
    } else {
        Err(e)
    }
}

/// Opens `path` for appending after rotating it if it already holds `max_bytes` or
/// more: what a program's log does when the program starts.
pub fn open_rotated_at_start(path: &Path, max_bytes: u64, keep: usize) -> io::Result<File> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size >= max_bytes {
        shift(path, keep)?;
    }
    open_append(path)
}

/// A log file that rotates itself before a write would take it past its limit.
pub struct RotatingLog {
    path: PathBuf,
    max_bytes: u64,
    keep: usize,
    file: File,
    size: u64,
}

impl RotatingLog {
    pub fn open(path: &Path, max_bytes: u64, keep: usize) -> io::Result<Self> {
        let file = open_rotated_at_start(path, max_bytes, keep)?;
        let size = file.metadata()?.len();
        Ok(Self {
            path: path.to_owned(),
            max_bytes,
            keep,
            file,
            size,
        })
    }

    fn rotate(&mut self) -> io::Result<()> {
        self.file.flush()?;
        shift(&self.path, self.keep)?;
        self.file = open_append(&self.path)?;
        self.size = 0;
        Ok(())
    }
}

impl Write for RotatingLog {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // One write is one log line: it is never split over two files.
        if self.size > 0 && self.size + buf.len() as u64 > self.max_bytes {
            self.rotate()?;
        }
        let n = self.file.write(buf)?;
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap()
    }

    #[test]
    fn rotates_by_size_keeping_the_newest_lines_and_no_more_files_than_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        let mut log = RotatingLog::open(&path, 20, 2).unwrap();
        for i in 0..8 {
            // 10 bytes a line: two lines a file.
            log.write_all(format!("line {i:04}\n").as_bytes()).unwrap();
        }
        assert_eq!(read(&path), "line 0006\nline 0007\n");
        assert_eq!(read(&rotated(&path, 1)), "line 0004\nline 0005\n");
        assert_eq!(read(&rotated(&path, 2)), "line 0002\nline 0003\n");
        assert!(!rotated(&path, 3).exists(), "only 2 rotated files are kept");
        for file in [path.clone(), rotated(&path, 1), rotated(&path, 2)] {
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", file.display());
        }
    }

    #[test]
    fn a_line_longer_than_the_limit_is_written_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        let mut log = RotatingLog::open(&path, 4, 1).unwrap();
        log.write_all(b"a long line\n").unwrap();
        log.write_all(b"next\n").unwrap();
        assert_eq!(read(&rotated(&path, 1)), "a long line\n");
        assert_eq!(read(&path), "next\n");
    }

    #[test]
    fn a_program_start_rotates_a_full_log_and_appends_to_a_small_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("agent.log");
        std::fs::write(&path, "old run\n").unwrap();
        let mut file = open_rotated_at_start(&path, 100, 3).unwrap();
        file.write_all(b"second run\n").unwrap();
        assert_eq!(read(&path), "old run\nsecond run\n");
        drop(file);
        let mut file = open_rotated_at_start(&path, 10, 3).unwrap();
        file.write_all(b"third run\n").unwrap();
        assert_eq!(read(&path), "third run\n");
        assert_eq!(read(&rotated(&path, 1)), "old run\nsecond run\n");
    }
}
