//! `/v1/triage`: tickets in (JSON Lines, or plain lines), one record per line out, in order, by the
//! pipeline of `beian triage`, streamed both ways: lines are answered as they arrive, records sent
//! as they are written.
//!
//! The request body is pumped into the pipeline's reader through a channel, and the pipeline's
//! output goes back through another as whole batches of records. When the body cannot be read on
//! (the server is stopping, the body passes the limit or stops coming) the reader gets an error: the
//! pipeline answers the whole lines it has, drops a line cut short, and the reply then ends without
//! its last chunk, so the client sees whole records and an unfinished transfer, never half a record.

use super::api::parse_lang;
use super::reply::{content_length, discard, require_media_type, size, ApiError};
use super::Shared;
use crate::commands::triage::{self, Format, InputKind, Options, Record, TriageError};
use crate::settings::AnswerLang;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http_body::Frame;
use http_body_util::BodyExt;
use std::future::Future;
use std::io::{self, Read, Write};
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::{mpsc, watch, OwnedSemaphorePermit};

/// Media types of JSON Lines tickets; `text/plain` is one ticket per line (`beian triage --text`).
const JSON_LINES: [&str; 3] = [
    "application/x-ndjson",
    "application/jsonl",
    "application/json-lines",
];

/// Chunks waiting in either channel: enough to keep the pipeline fed, little enough to hold.
const CHANNEL_CHUNKS: usize = 8;

/// What the reader of a stopping server's triage stream is told.
const STOPPING: &str = "the server is stopping; the lines after the last record were not read";

/// How a triage request asks to be answered.
struct Request {
    top: usize,
    format: Format,
    /// None: the server's `--lang`.
    lang: Option<AnswerLang>,
    input: InputKind,
}

pub async fn triage(
    State(shared): State<Arc<Shared>>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let accepted = admit(&shared, query, &headers);
    let (request, permit) = match accepted {
        Ok(accepted) => accepted,
        Err(err) => {
            discard(body, &headers).await;
            return Err(err);
        }
    };
    let options = Options {
        top: request.top,
        format: request.format,
        input: request.input,
        jobs: shared.triage_jobs,
        lang: shared.answer_lang(request.lang),
        // `/v1` keeps its fields: a record carries every result in full, as before `--full` existed.
        record: Record::Full,
    };
    let (tickets, tickets_rx) = mpsc::channel(CHANNEL_CHUNKS);
    let (records_tx, records) = mpsc::channel(CHANNEL_CHUNKS);
    let stream_shared = Arc::clone(&shared);
    std::thread::Builder::new()
        .name("beian-triage".into())
        .spawn(move || answer(&stream_shared, &options, tickets_rx, records_tx, permit))
        .map_err(|err| ApiError::internal(format!("cannot start the triage: {err}")))?;
    tokio::spawn(pump(
        body,
        tickets,
        shared.triage_limit,
        shared.timeout,
        shared.stopping.clone(),
    ));
    let media = match request.format {
        Format::Jsonl => "application/x-ndjson",
        Format::Csv => "text/csv; charset=utf-8",
    };
    let mut response = Body::new(Records {
        records,
        failure: None,
    })
    .into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    Ok(response)
}

/// Checks the request and takes one of the stream slots.
fn admit(
    shared: &Shared,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    headers: &HeaderMap,
) -> Result<(Request, OwnedSemaphorePermit), ApiError> {
    let Query(params) = query.map_err(|err| ApiError::bad_request(err.body_text()))?;
    let mut request = Request {
        top: 5,
        format: Format::Jsonl,
        lang: None,
        input: InputKind::Json,
    };
    for (name, value) in &params {
        match name.as_str() {
            "top" => {
                request.top = value
                    .parse()
                    .ok()
                    .filter(|top| (1..=100).contains(top))
                    .ok_or_else(|| {
                        ApiError::bad_request("top must be a whole number from 1 to 100")
                    })?;
            }
            "format" => {
                request.format = match value.as_str() {
                    "jsonl" => Format::Jsonl,
                    "csv" => Format::Csv,
                    _ => return Err(ApiError::bad_request("format must be jsonl or csv")),
                }
            }
            "lang" => request.lang = Some(parse_lang(value)?),
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown parameter {other:?}; /v1/triage takes top, format and lang"
                )))
            }
        }
    }
    let mut accepted: Vec<&str> = JSON_LINES.to_vec();
    accepted.push("text/plain");
    request.input = match require_media_type(headers, &accepted)?.as_str() {
        "text/plain" => InputKind::Text,
        _ => InputKind::Json,
    };
    if content_length(headers).is_some_and(|length| length > shared.triage_limit) {
        return Err(ApiError::too_large(shared.triage_limit));
    }
    let permit = Arc::clone(&shared.triage_streams)
        .try_acquire_owned()
        .map_err(|_| {
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "as many triage streams are running as this server takes at once; retry later",
            )
        })?;
    Ok((request, permit))
}

/// Feeds the body to the pipeline until it ends, or until it cannot go on: then the pipeline gets
/// the error, after every chunk before it.
async fn pump(
    mut body: Body,
    tickets: mpsc::Sender<io::Result<Bytes>>,
    limit: u64,
    idle: Duration,
    mut stopping: watch::Receiver<bool>,
) {
    let mut received: u64 = 0;
    loop {
        let frame = tokio::select! {
            frame = tokio::time::timeout(idle, body.frame()) => Some(frame),
            _ = stopping.wait_for(|stop| *stop) => None,
        };
        let Some(frame) = frame else {
            let _ = tickets.send(Err(io::Error::other(STOPPING))).await;
            return;
        };
        let chunk = match frame {
            Ok(None) => return,
            Ok(Some(Ok(frame))) => match frame.into_data() {
                Ok(data) => data,
                Err(_trailers) => continue,
            },
            Ok(Some(Err(err))) => {
                let _ = tickets
                    .send(Err(io::Error::other(format!(
                        "cannot read the body: {err}"
                    ))))
                    .await;
                return;
            }
            Err(_elapsed) => {
                let message = format!("no more of the body came for {} s", idle.as_secs());
                let _ = tickets
                    .send(Err(io::Error::new(io::ErrorKind::TimedOut, message)))
                    .await;
                return;
            }
        };
        let room = limit - received;
        if chunk.len() as u64 > room {
            // The lines that fit are answered; the one cut at the limit is not.
            let _ = tickets.send(Ok(chunk.slice(..room as usize))).await;
            let message = format!("the body is over the limit of {}", size(limit));
            let _ = tickets.send(Err(io::Error::other(message))).await;
            return;
        }
        received += chunk.len() as u64;
        if tickets.send(Ok(chunk)).await.is_err() {
            // The pipeline has stopped: the client is gone.
            return;
        }
    }
}

/// Runs the triage pipeline on its own threads, from the tickets channel to the records channel.
fn answer(
    shared: &Shared,
    options: &Options,
    tickets: mpsc::Receiver<io::Result<Bytes>>,
    records: mpsc::Sender<io::Result<Bytes>>,
    _permit: OwnedSemaphorePermit,
) {
    let mut out = RecordWriter {
        pending: Vec::new(),
        records: records.clone(),
    };
    let reader = TicketReader {
        tickets,
        chunk: Bytes::new(),
    };
    let ran = panic::catch_unwind(AssertUnwindSafe(|| {
        triage::triage(&shared.advisor, reader, &mut out, options, &mut |_| {})
            .map(drop)
            .and_then(|()| out.flush().map_err(TriageError::Write))
    }));
    let failure = match ran {
        Ok(Ok(())) => return,
        // The client has gone: nobody to tell.
        Ok(Err(TriageError::Write(_))) => return,
        Ok(Err(TriageError::Read(err))) => err,
        Err(_panic) => io::Error::other("internal error while answering"),
    };
    let _ = out.flush();
    // An error ends the reply without its last chunk: the client sees the transfer unfinished.
    let _ = records.blocking_send(Err(failure));
}

/// The body's chunks as a byte stream for the pipeline's reader thread.
struct TicketReader {
    tickets: mpsc::Receiver<io::Result<Bytes>>,
    chunk: Bytes,
}

impl Read for TicketReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.chunk.is_empty() {
            match self.tickets.blocking_recv() {
                None => return Ok(0),
                Some(Err(err)) => return Err(err),
                Some(Ok(chunk)) => self.chunk = chunk,
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk.split_to(n));
        Ok(n)
    }
}

/// Collects what the pipeline writes and sends it on each flush: the pipeline flushes after each
/// whole batch of records, so every chunk sent ends on a whole record.
struct RecordWriter {
    pending: Vec<u8>,
    records: mpsc::Sender<io::Result<Bytes>>,
}

impl Write for RecordWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.pending));
        self.records
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client has gone"))
    }
}

/// The reply body: the records as they come.
struct Records {
    records: mpsc::Receiver<io::Result<Bytes>>,
    /// Why the stream ends early, held back while the records before it are sent.
    failure: Option<(io::Error, Pin<Box<tokio::time::Sleep>>)>,
}

/// How long an early end is held back. hyper drops what it has not yet written when a body fails,
/// so the failure waits until the last records have gone out (at once, unless the client has
/// stopped reading).
const FLUSH_GRACE: Duration = Duration::from_millis(250);

impl http_body::Body for Records {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = &mut *self;
        if let Some((_, grace)) = &mut this.failure {
            if grace.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            let (err, _) = this.failure.take().expect("checked above");
            return Poll::Ready(Some(Err(err)));
        }
        match this.records.poll_recv(cx) {
            Poll::Ready(Some(Ok(chunk))) => Poll::Ready(Some(Ok(Frame::data(chunk)))),
            Poll::Ready(Some(Err(err))) => {
                let mut grace = Box::pin(tokio::time::sleep(FLUSH_GRACE));
                // Polled once so that the timer wakes this body.
                let _ = grace.as_mut().poll(cx);
                this.failure = Some((err, grace));
                Poll::Pending
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}
