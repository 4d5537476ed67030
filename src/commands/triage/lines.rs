//! Reads input as raw byte lines of bounded length and groups them into batches for the workers.

use std::io::{self, BufRead, BufReader, Read};
use std::ops::Range;

/// A line longer than this is not kept: it is reported, not answered. It is far above what a ticket
/// needs (the advisor reads only the first `MAX_QUERY_BYTES` of a text) and bounds the memory of a run.
pub const MAX_LINE_BYTES: usize = 4 * 1024 * 1024;

/// A batch closes at this many lines…
pub const BATCH_LINES: usize = 128;
/// …or once it holds this many bytes, whichever comes first.
pub const BATCH_BYTES: usize = 1024 * 1024;

/// One input line as read: its bytes (without the line ending), or only how long it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawLine {
    /// The line's bytes, as a range of [`Batch::data`].
    Kept(Range<usize>),
    /// A line longer than [`MAX_LINE_BYTES`]; its bytes were skipped.
    TooLong(u64),
}

/// Consecutive input lines, numbered: the unit of work handed to a worker.
#[derive(Debug, Default)]
pub struct Batch {
    /// Position of the batch in the input, from 0: the writer puts batches back in this order.
    pub seq: u64,
    /// The 1-based number of the batch's first line.
    pub first_line: u64,
    pub data: Vec<u8>,
    pub lines: Vec<RawLine>,
    /// Input bytes the batch covers, line endings and skipped bytes included (for progress).
    pub input_bytes: u64,
}

impl Batch {
    pub fn line(&self, index: usize) -> Result<&[u8], u64> {
        match &self.lines[index] {
            RawLine::Kept(range) => Ok(&self.data[range.clone()]),
            RawLine::TooLong(length) => Err(*length),
        }
    }

    fn is_full(&self) -> bool {
        self.lines.len() >= BATCH_LINES || self.data.len() >= BATCH_BYTES
    }
}

/// Splits a byte stream into lines (`\n`; a `\r` before it is dropped), never holding more than
/// `max_line` bytes of one line.
pub struct LineReader<R> {
    inner: BufReader<R>,
    max_line: usize,
    next_line: u64,
    /// A read error met after some lines of a batch: reported on the next call, once those lines are out.
    failed: Option<io::Error>,
}

impl<R: Read> LineReader<R> {
    /// `capacity`: the read buffer's size.
    pub fn new(inner: R, capacity: usize, max_line: usize) -> LineReader<R> {
        LineReader {
            inner: BufReader::with_capacity(capacity, inner),
            max_line,
            next_line: 1,
            failed: None,
        }
    }

    /// Reads lines until the batch is full, the input ends, or reading on would wait for input that is
    /// not there yet (a live pipe: the lines at hand are answered now); `None` at the end of the input.
    pub fn next_batch(&mut self, seq: u64) -> io::Result<Option<Batch>> {
        if let Some(err) = self.failed.take() {
            return Err(err);
        }
        let mut batch = Batch {
            seq,
            first_line: self.next_line,
            ..Batch::default()
        };
        while !batch.is_full() {
            if !batch.lines.is_empty() && self.inner.buffer().is_empty() {
                break;
            }
            match self.read_line(&mut batch) {
                Ok(true) => {}
                Ok(false) => break,
                Err(err) if batch.lines.is_empty() => return Err(err),
                Err(err) => {
                    self.failed = Some(err);
                    break;
                }
            }
        }
        Ok(if batch.lines.is_empty() {
            None
        } else {
            Some(batch)
        })
    }

    /// Appends one line to the batch; false at the end of the input.
    fn read_line(&mut self, batch: &mut Batch) -> io::Result<bool> {
        let start = batch.data.len();
        let mut length: u64 = 0;
        let mut started = false;
        let mut ended = false;
        while !ended {
            let available = match self.inner.fill_buf() {
                Ok(bytes) => bytes,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(err),
            };
            if available.is_empty() {
                break;
            }
            started = true;
            let (take, content) = match memchr::memchr(b'\n', available) {
                Some(at) => {
                    ended = true;
                    (at + 1, at)
                }
                None => (available.len(), available.len()),
            };
            length += content as u64;
            if length <= self.max_line as u64 {
                batch.data.extend_from_slice(&available[..content]);
            } else if batch.data.len() > start {
                // Over the limit: give back what was kept and only count from here on.
                batch.data.truncate(start);
            }
            batch.input_bytes += take as u64;
            self.inner.consume(take);
        }
        if !started {
            return Ok(false);
        }
        let line = if length > self.max_line as u64 {
            RawLine::TooLong(length)
        } else {
            if batch.data[start..].last() == Some(&b'\r') {
                batch.data.pop();
            }
            RawLine::Kept(start..batch.data.len())
        };
        batch.lines.push(line);
        self.next_line += 1;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<Result<Vec<u8>, u64>> {
        let mut reader = LineReader::new(input, 4, max);
        let mut out = Vec::new();
        let mut seq = 0;
        while let Some(batch) = reader.next_batch(seq).unwrap() {
            assert_eq!(batch.seq, seq);
            assert_eq!(batch.first_line, out.len() as u64 + 1);
            for i in 0..batch.lines.len() {
                out.push(batch.line(i).map(<[u8]>::to_vec));
            }
            seq += 1;
        }
        out
    }

    #[test]
    fn splits_lines_and_drops_line_endings() {
        let got = lines(b"one\r\ntwo\n\nlast", 100);
        let want: Vec<Result<Vec<u8>, u64>> = vec![
            Ok(b"one".to_vec()),
            Ok(b"two".to_vec()),
            Ok(vec![]),
            Ok(b"last".to_vec()),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn a_final_newline_does_not_make_an_extra_line() {
        assert_eq!(lines(b"a\nb\n", 100).len(), 2);
        assert_eq!(lines(b"", 100).len(), 0);
        assert_eq!(lines(b"\n", 100), vec![Ok(vec![])]);
    }

    #[test]
    fn a_line_over_the_limit_is_measured_not_kept() {
        let got = lines(b"short\n0123456789abcdef\nafter\n", 8);
        assert_eq!(
            got,
            vec![Ok(b"short".to_vec()), Err(16), Ok(b"after".to_vec())]
        );
    }

    #[test]
    fn keeps_bytes_that_are_not_utf8() {
        assert_eq!(lines(b"\xff\xfe\n", 100), vec![Ok(vec![0xff, 0xfe])]);
    }

    #[test]
    fn batches_close_at_the_line_limit() {
        let input = "x\n".repeat(BATCH_LINES + 1);
        let mut reader = LineReader::new(input.as_bytes(), 1 << 16, 100);
        let first = reader.next_batch(0).unwrap().unwrap();
        let second = reader.next_batch(1).unwrap().unwrap();
        assert_eq!((first.lines.len(), second.lines.len()), (BATCH_LINES, 1));
        assert_eq!(second.first_line, BATCH_LINES as u64 + 1);
        assert_eq!(first.input_bytes + second.input_bytes, input.len() as u64);
        assert!(reader.next_batch(2).unwrap().is_none());
    }

    /// Hands out `chunks` one read at a time, counting the reads.
    struct Chunks {
        chunks: Vec<&'static [u8]>,
        reads: usize,
    }

    impl Read for Chunks {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.reads += 1;
            let Some(chunk) = self.chunks.first_mut() else {
                return Ok(0);
            };
            let n = chunk.len().min(buf.len());
            buf[..n].copy_from_slice(&chunk[..n]);
            *chunk = &chunk[n..];
            if chunk.is_empty() {
                self.chunks.remove(0);
            }
            Ok(n)
        }
    }

    #[test]
    fn lines_at_hand_are_handed_out_without_waiting_for_more_input() {
        let input = Chunks {
            chunks: vec![b"one\ntwo\n", b"three\n"],
            reads: 0,
        };
        let mut reader = LineReader::new(input, 1 << 16, 100);
        let first = reader.next_batch(0).unwrap().unwrap();
        assert_eq!(first.lines.len(), 2);
        assert_eq!(
            reader.inner.get_ref().reads,
            1,
            "no read past the lines at hand"
        );
        let second = reader.next_batch(1).unwrap().unwrap();
        assert_eq!((second.first_line, second.lines.len()), (3, 1));
    }
}
