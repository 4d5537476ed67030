//! The streaming pipeline: a reader thread cuts the input into batches, worker threads answer them
//! with one shared advisor, and the calling thread writes the records back in input order.
//!
//! Memory stays bounded whatever the input size: a batch is read only against a credit, and a credit
//! comes back only once the writer has written that batch, so at most `window` batches exist at once
//! (being read, answered, or waiting in the reorder buffer behind a slow one).

use super::lines::{Batch, LineReader, MAX_LINE_BYTES};
use super::record::Answerer;
use super::summary::Summary;
use super::{Options, TriageError};
use beian_engine::advise::Advisor;
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex, PoisonError};
use std::thread;

/// Batches in flight per worker: enough to keep every worker busy while one batch is slow.
const WINDOW_PER_WORKER: usize = 4;

/// Where a run has got to, reported after every batch written.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    pub input_bytes: u64,
    pub tickets: u64,
}

/// A batch answered: its records, ready to write, and its counts.
struct Answered<'a> {
    seq: u64,
    records: Vec<u8>,
    summary: Summary<'a>,
    input_bytes: u64,
}

pub fn run<'a>(
    advisor: &'a Advisor,
    input: impl Read + Send,
    out: &mut dyn Write,
    options: &Options,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary<'a>, TriageError> {
    let workers = options.jobs.max(1);
    let window = workers * WINDOW_PER_WORKER;
    let stop = AtomicBool::new(false);
    let (credit_tx, credit_rx) = mpsc::sync_channel::<()>(window);
    for _ in 0..window {
        credit_tx
            .send(())
            .expect("the channel has room for every credit");
    }
    // Room for every batch that can be in flight: the reader never blocks on a send, even after the
    // workers have stopped after the writer failed.
    let (batch_tx, batch_rx) = mpsc::sync_channel::<Batch>(window);
    let batch_rx = Mutex::new(batch_rx);
    let (answered_tx, answered_rx) = mpsc::channel::<Answered<'a>>();

    thread::scope(|scope| {
        let stop = &stop;
        let reader = scope.spawn(move || read_batches(input, batch_tx, credit_rx, stop));
        for _ in 0..workers {
            let answered_tx = answered_tx.clone();
            let batch_rx = &batch_rx;
            scope.spawn(move || answer_batches(advisor, batch_rx, answered_tx, options));
        }
        // Only the workers hold senders now: the writer sees the end once they have all finished.
        drop(answered_tx);
        let written = write_in_order(answered_rx, credit_tx, out, progress);
        if written.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        let read = reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let summary = written?;
        read.map_err(TriageError::Read)?;
        Ok(summary)
    })
}

fn read_batches(
    input: impl Read,
    batches: mpsc::SyncSender<Batch>,
    credits: mpsc::Receiver<()>,
    stop: &AtomicBool,
) -> io::Result<()> {
    let mut lines = LineReader::new(input, 256 * 1024, MAX_LINE_BYTES);
    for seq in 0.. {
        // No credit: the writer has stopped, so nothing more is wanted.
        if credits.recv().is_err() || stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        let Some(batch) = lines.next_batch(seq)? else {
            return Ok(());
        };
        if batches.send(batch).is_err() {
            return Ok(());
        }
    }
    Ok(())
}

fn answer_batches<'a>(
    advisor: &'a Advisor,
    batches: &Mutex<mpsc::Receiver<Batch>>,
    answered: mpsc::Sender<Answered<'a>>,
    options: &Options,
) {
    let answerer = Answerer::new(advisor, options);
    loop {
        let next = batches
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .recv();
        let Ok(batch) = next else { return };
        let mut records = Vec::with_capacity(batch.lines.len() * 512);
        let mut summary = Summary::default();
        for index in 0..batch.lines.len() {
            let number = batch.first_line + index as u64;
            answerer.answer_line(batch.line(index), number, &mut records, &mut summary);
        }
        let done = Answered {
            seq: batch.seq,
            records,
            summary,
            input_bytes: batch.input_bytes,
        };
        if answered.send(done).is_err() {
            return;
        }
    }
}

fn write_in_order<'a>(
    answered: mpsc::Receiver<Answered<'a>>,
    credits: mpsc::SyncSender<()>,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary<'a>, TriageError> {
    let mut summary = Summary::default();
    let mut waiting: BTreeMap<u64, Answered<'a>> = BTreeMap::new();
    let mut next = 0;
    let mut done = Progress::default();
    for batch in answered {
        waiting.insert(batch.seq, batch);
        while let Some(batch) = waiting.remove(&next) {
            // Ctrl-C waits for a batch to be written whole, so the output ends on a whole line (once
            // the command has installed the handler: `beian serve` handles its signals itself).
            crate::interrupt::whole(|| out.write_all(&batch.records).and_then(|()| out.flush()))
                .map_err(TriageError::Write)?;
            done.input_bytes += batch.input_bytes;
            done.tickets += batch.summary.tickets;
            summary.merge(batch.summary);
            next += 1;
            progress(done);
            // The reader may have finished already; then the credit is simply not needed.
            let _ = credits.send(());
        }
        // Whatever is ready goes out now, so that a live queue (`tail -f … | beian triage`) is
        // answered as it comes; one flush per batch costs nothing next to answering it.
        out.flush().map_err(TriageError::Write)?;
    }
    // Every worker has finished and the reader sends batches in order, so nothing can be missing.
    debug_assert!(waiting.is_empty(), "batch {next} never arrived");
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::triage::{Format, InputKind, Record};
    use crate::settings::AnswerLang;
    use serde_json::Value;

    fn advisor() -> Advisor {
        Advisor::new(crate::builtin::knowledge_base()).unwrap()
    }

    fn options(jobs: usize) -> Options {
        Options {
            top: 1,
            format: Format::Jsonl,
            input: InputKind::Json,
            jobs,
            lang: AnswerLang::Auto,
            record: Record::Full,
        }
    }

    /// Mostly lines that need no search (fast), with a slow one early so that later batches finish first.
    fn tickets(count: usize) -> String {
        let mut input = String::new();
        for n in 1..=count {
            let text = match n {
                2 => "备案退回后下一步做什么；域名所有人不正确；法人的身份证过期了".repeat(20),
                n if n % 250 == 0 => "网站放在香港的主机上还要不要备案".to_string(),
                _ => "？？".to_string(),
            };
            input.push_str(&serde_json::json!({"id": format!("t{n}"), "text": text}).to_string());
            input.push('\n');
        }
        input
    }

    fn ids(output: &[u8]) -> Vec<String> {
        output
            .split(|&b| b == b'\n')
            .filter(|line| !line.is_empty())
            .map(|line| {
                serde_json::from_slice::<Value>(line).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn records_come_out_in_input_order_whatever_the_worker_count() {
        let advisor = advisor();
        let input = tickets(1000);
        let want: Vec<String> = (1..=1000).map(|n| format!("t{n}")).collect();
        for jobs in [1, 2, 5] {
            let mut out = Vec::new();
            let summary = run(
                &advisor,
                input.as_bytes(),
                &mut out,
                &options(jobs),
                &mut |_| {},
            )
            .unwrap();
            assert_eq!(ids(&out), want, "jobs = {jobs}");
            assert_eq!(summary.tickets, 1000);
        }
    }

    #[test]
    fn progress_reaches_the_whole_input() {
        let advisor = advisor();
        let input = tickets(300);
        let mut last = Progress::default();
        run(
            &advisor,
            input.as_bytes(),
            &mut Vec::new(),
            &options(2),
            &mut |p| last = p,
        )
        .unwrap();
        assert_eq!((last.input_bytes, last.tickets), (input.len() as u64, 300));
    }

    /// Accepts `room` bytes, then fails like a full disk.
    struct FullAfter {
        room: usize,
    }

    impl Write for FullAfter {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if buf.len() > self.room {
                return Err(io::Error::other("no space left"));
            }
            self.room -= buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_write_failure_ends_the_run_with_a_write_error() {
        let advisor = advisor();
        // An endless input: only the failing output can end the run.
        let input = io::repeat(b'\n');
        let result = run(
            &advisor,
            input,
            &mut FullAfter { room: 100_000 },
            &options(2),
            &mut |_| {},
        );
        assert!(matches!(result, Err(TriageError::Write(_))), "{result:?}");
    }

    /// Gives `data`, then fails.
    struct FailsAfter<'d> {
        data: &'d [u8],
    }

    impl Read for FailsAfter<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.data.is_empty() {
                return Err(io::Error::other("device gone"));
            }
            let n = self.data.len().min(buf.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_read_failure_is_reported_after_writing_what_was_read() {
        let advisor = advisor();
        let input = "{\"id\": \"a\", \"text\": \"？\"}\n".repeat(300);
        let mut out = Vec::new();
        let result = run(
            &advisor,
            FailsAfter {
                data: input.as_bytes(),
            },
            &mut out,
            &options(2),
            &mut |_| {},
        );
        assert!(matches!(result, Err(TriageError::Read(_))), "{result:?}");
        assert_eq!(ids(&out).len(), 300);
    }
}
