//! `beian serve`: the advisor over HTTP for support desks. A JSON API under `/v1` returns what the
//! commands print (`ask --json`, `triage`, `check --json`, `show`/`list --json`), and `/` is a page
//! for agents. The advisor is loaded once and shared; answering runs off the async reactor.
//!
//! [`api`] holds the routes and handlers, [`stream`] the streamed triage, [`guard`] the middleware
//! (request log, token, limits), [`reply`] error replies and bodies; this module binds, serves and
//! stops.

mod api;
mod guard;
mod reply;
mod stream;

use crate::outcome::{user_error, Outcome};
use crate::settings::Settings;
use anyhow::Context;
use beian_engine::advise::Advisor;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Semaphore};

/// What `beian serve` was asked.
#[derive(Debug, Clone)]
pub struct Args {
    pub listen: SocketAddr,
    /// Needed on every request but `/healthz` and the page, when set.
    pub token: Option<String>,
    /// The one origin whose pages may call the API.
    pub cors: Option<String>,
    /// Requests handled at once.
    pub concurrency: usize,
    /// How long a request may take; also the most a triage stream waits for more of its body, and
    /// how long a stop waits for the requests in flight.
    pub timeout: Duration,
    /// The largest `/v1/triage` body.
    pub triage_limit: u64,
    /// Triage streams at once.
    pub triage_streams: usize,
}

/// What every request shares: the advisor, loaded once, and the limits.
pub struct Shared {
    pub advisor: Advisor,
    /// The settings `beian serve` was started with; their `--lang` is the language of a request
    /// that names none.
    pub settings: Settings,
    pub triage_limit: u64,
    pub triage_streams: Arc<Semaphore>,
    /// Worker threads of one triage stream.
    pub triage_jobs: usize,
    pub timeout: Duration,
    /// Becomes true when the server is stopping: triage streams stop reading their bodies.
    pub stopping: watch::Receiver<bool>,
}

pub fn run(settings: &Settings, args: &Args) -> anyhow::Result<Outcome> {
    let token = match args.token.as_deref() {
        Some("") => {
            return Err(user_error(
                "the token is empty; choose one, e.g. BEIAN_TOKEN=$(openssl rand -hex 32)",
            ))
        }
        Some(token) => Some(token.to_string()),
        None if !args.listen.ip().is_loopback() => {
            return Err(user_error(format!(
                "listening on {} (not loopback) needs a token: set BEIAN_TOKEN or pass --token, and send `Authorization: Bearer …`",
                args.listen
            )))
        }
        None => None,
    };
    let cors = args.cors.as_deref().map(guard::cors_origin).transpose()?;
    let listener = std::net::TcpListener::bind(args.listen)
        .map_err(|err| user_error(format!("cannot listen on {}: {err}", args.listen)))?;
    listener
        .set_nonblocking(true)
        .context("cannot set up the listening socket")?;
    let address = listener.local_addr()?;

    let advisor = settings.advisor()?;
    advisor.prepare_for_many()?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (stop, stopping) = watch::channel(false);
    let shared = Arc::new(Shared {
        settings: settings.clone(),
        advisor,
        triage_limit: args.triage_limit,
        triage_streams: Arc::new(Semaphore::new(args.triage_streams)),
        triage_jobs: cores,
        timeout: args.timeout,
        stopping,
    });
    let kb = shared.advisor.kb();
    let _ = writeln!(
        io::stderr(),
        "beian serve: listening on http://{address} (knowledge base: {} entries, {}){}",
        kb.entries().len(),
        crate::commands::version::short_hash(kb.fingerprint()),
        if token.is_some() {
            "; requests need the token"
        } else {
            ""
        }
    );
    let app = api::router(
        Arc::clone(&shared),
        guard::Policy {
            token,
            cors,
            concurrency: args.concurrency,
            timeout: args.timeout,
        },
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores)
        // Answering is CPU work: more threads than cores would only queue it in the kernel instead.
        .max_blocking_threads(cores * 2)
        .thread_name("beian-serve")
        .enable_all()
        .build()
        .context("cannot start the server's threads")?;
    runtime.block_on(serve(listener, app, stop, args.timeout))?;
    // Threads still answering a request given up on must not keep the process alive.
    runtime.shutdown_timeout(Duration::from_millis(100));
    Ok(Outcome::Success)
}

/// Accepts connections until a signal, then stops: no new connections, the requests in flight
/// finish (for at most `grace`), a second signal ends it at once.
async fn serve(
    listener: std::net::TcpListener,
    app: axum::Router,
    stop: watch::Sender<bool>,
    grace: Duration,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let mut signals = Signals::new()?;
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        // A client that never finishes its headers would hold a connection forever.
        .header_read_timeout(grace)
        .keep_alive(true);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let _ = stream.set_nodelay(true);
                    let service = TowerToHyperService::new(app.clone());
                    let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
                    tokio::spawn(async move {
                        // A client that goes away mid-request is normal: nothing to report.
                        let _ = connection.await;
                    });
                }
                Err(err) => {
                    // Out of file descriptors, usually: wait a little rather than spin.
                    let _ = writeln!(io::stderr(), "beian serve: cannot accept a connection: {err}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            name = signals.next() => {
                let _ = writeln!(
                    io::stderr(),
                    "beian serve: {name}: stopping; finishing the requests in flight (up to {} s)",
                    grace.as_secs()
                );
                break;
            }
        }
    }
    drop(listener);
    let _ = stop.send(true);
    tokio::select! {
        () = graceful.shutdown() => {
            let _ = writeln!(io::stderr(), "beian serve: stopped");
        }
        () = tokio::time::sleep(grace) => {
            let _ = writeln!(io::stderr(), "beian serve: stopped with requests unfinished after {} s", grace.as_secs());
        }
        name = signals.next() => {
            let _ = writeln!(io::stderr(), "beian serve: {name} again: stopped at once");
        }
    }
    Ok(())
}

/// SIGINT and SIGTERM, whichever comes.
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    #[cfg(unix)]
    fn new() -> io::Result<Signals> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    #[cfg(not(unix))]
    fn new() -> io::Result<Signals> {
        Ok(Signals {})
    }

    /// The name of the next signal.
    #[cfg(unix)]
    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }

    #[cfg(not(unix))]
    async fn next(&mut self) -> &'static str {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}
