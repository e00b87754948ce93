//! The journal: one record per line, appended whole before the answer goes out, read back on start.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::record::Record;

/// What reading a journal found.
#[derive(Debug, Default)]
pub struct Contents {
    /// The last `keep` records, oldest first.
    pub records: VecDeque<Record>,
    /// The highest sequence number seen (0 when none).
    pub last_seq: u64,
    /// How many records the file holds.
    pub total: u64,
    /// Damaged lines, described for stderr (`file:line: …`).
    pub warnings: Vec<String>,
}

/// Reads every record of a journal, keeping the last `keep`. A missing file reads as empty;
/// damaged lines are described in `warnings` and skipped.
pub fn read(path: &Path, keep: usize) -> anyhow::Result<Contents> {
    let mut contents = Contents::default();
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(contents),
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read journal `{}`", path.display()))
        }
    };
    read_from(BufReader::new(file), path, keep, &mut contents, |_| {})?;
    Ok(contents)
}

/// Reads records from `reader`, calling `each` for every good one; used for `--follow` too.
pub(crate) fn read_from(
    mut reader: impl BufRead,
    path: &Path,
    keep: usize,
    contents: &mut Contents,
    mut each: impl FnMut(&Record),
) -> anyhow::Result<()> {
    let mut line = Vec::new();
    let mut number = 0usize;
    let mut pending: Option<(usize, String)> = None;
    loop {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .with_context(|| format!("cannot read journal `{}`", path.display()))?;
        if read == 0 {
            break;
        }
        number += 1;
        if let Some((at, why)) = pending.take() {
            contents.warnings.push(format!(
                "{}:{at}: damaged record skipped ({why})",
                path.display()
            ));
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Record>(text) {
            Ok(record) => {
                each(&record);
                contents.last_seq = contents.last_seq.max(record.seq);
                contents.total += 1;
                if keep > 0 {
                    if contents.records.len() == keep {
                        contents.records.pop_front();
                    }
                    contents.records.push_back(record);
                }
            }
            Err(e) => pending = Some((number, e.to_string())),
        }
    }
    if let Some((at, why)) = pending {
        contents.warnings.push(format!(
            "{}:{at}: damaged last line skipped ({why}); it was probably cut short by a crash",
            path.display()
        ));
    }
    Ok(())
}

/// An open journal, appended to with one `write` per record.
#[derive(Debug)]
pub struct Journal {
    file: File,
    path: PathBuf,
}

impl Journal {
    /// Opens (creating) a journal for appending. When the file does not end with a newline (a torn
    /// last line), one is added so the next record starts on a line of its own.
    pub fn open(path: &Path) -> anyhow::Result<Journal> {
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(path)
            .with_context(|| format!("cannot open journal `{}` for writing", path.display()))?;
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        if len > 0 {
            let mut last = [0u8];
            file.seek(SeekFrom::Start(len - 1))
                .and_then(|_| file.read_exact(&mut last))
                .with_context(|| format!("cannot read journal `{}`", path.display()))?;
            if last[0] != b'\n' {
                file.write_all(b"\n")
                    .with_context(|| format!("cannot write journal `{}`", path.display()))?;
            }
        }
        Ok(Journal {
            file,
            path: path.to_path_buf(),
        })
    }

    /// Appends one line (which must end with `\n`) in a single write.
    pub fn append(&mut self, line: &[u8]) -> anyhow::Result<()> {
        self.file
            .write_all(line)
            .with_context(|| format!("cannot write journal `{}`", self.path.display()))
    }

    /// Flushes the journal to the operating system.
    pub fn flush(&mut self) -> anyhow::Result<()> {
        self.file
            .flush()
            .with_context(|| format!("cannot write journal `{}`", self.path.display()))
    }
}
