//! A bounded load client for `beian serve` (used by `scripts/load-serve.sh`): sends a fixed number of
//! `POST /v1/ask` requests over keep-alive connections to a loopback address, the bodies taken in
//! turn from a file (one JSON object per line), and prints requests/s, latency percentiles and the
//! errors (any reply but 200, any broken connection).
//!
//!     cargo run --release --example load -- ADDR BODIES REQUESTS [CONNECTIONS] [MAX_SECONDS]
//!
//! It refuses any address but loopback, and stops after REQUESTS or MAX_SECONDS (default 120),
//! whichever comes first.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

struct Outcome {
    /// Microseconds per answered request.
    latencies: Vec<u32>,
    errors: usize,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!("usage: load ADDR BODIES REQUESTS [CONNECTIONS] [MAX_SECONDS]");
        std::process::exit(2);
    }
    let addr: SocketAddr = args[0].parse().expect("ADDR is IP:PORT");
    if !addr.ip().is_loopback() {
        eprintln!("load: {addr} is not a loopback address; this client only loads this machine");
        std::process::exit(2);
    }
    let bodies: Vec<Vec<u8>> = std::fs::read_to_string(&args[1])
        .expect("BODIES is readable")
        .lines()
        .filter(|line| !line.is_empty())
        .map(|line| line.as_bytes().to_vec())
        .collect();
    assert!(!bodies.is_empty(), "BODIES has no line");
    let requests: usize = args[2].parse().expect("REQUESTS is a number");
    let connections: usize = args
        .get(3)
        .map_or(8, |c| c.parse().expect("CONNECTIONS is a number"));
    let max = Duration::from_secs(
        args.get(4)
            .map_or(120, |s| s.parse().expect("MAX_SECONDS is a number")),
    );

    // One thread for the client: the other core or so is the server's.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let bodies = Arc::new(bodies);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + max;
    let outcomes: Vec<Outcome> = runtime.block_on(async {
        let tasks: Vec<_> = (0..connections)
            .map(|_| {
                tokio::spawn(connection(
                    addr,
                    Arc::clone(&bodies),
                    Arc::clone(&next),
                    requests,
                    deadline,
                ))
            })
            .collect();
        let mut outcomes = Vec::new();
        for task in tasks {
            outcomes.push(task.await.unwrap());
        }
        outcomes
    });
    let elapsed = started.elapsed().as_secs_f64();
    let mut latencies: Vec<u32> = outcomes
        .iter()
        .flat_map(|o| o.latencies.iter().copied())
        .collect();
    let errors: usize = outcomes.iter().map(|o| o.errors).sum();
    latencies.sort_unstable();
    let at = |q: f64| -> f64 {
        if latencies.is_empty() {
            return f64::NAN;
        }
        let index = ((latencies.len() as f64 * q).ceil() as usize).clamp(1, latencies.len()) - 1;
        f64::from(latencies[index]) / 1000.0
    };
    let done = latencies.len() + errors;
    println!(
        "requests={done} ok={} errors={errors} connections={connections} seconds={elapsed:.2} rps={:.0} p50_ms={:.2} p90_ms={:.2} p99_ms={:.2} max_ms={:.2}",
        latencies.len(),
        done as f64 / elapsed,
        at(0.50),
        at(0.90),
        at(0.99),
        at(1.0),
    );
    if done < requests {
        eprintln!("load: stopped at {max:?} after {done} of {requests} requests");
    }
}

async fn connection(
    addr: SocketAddr,
    bodies: Arc<Vec<Vec<u8>>>,
    next: Arc<AtomicUsize>,
    requests: usize,
    deadline: Instant,
) -> Outcome {
    let mut outcome = Outcome {
        latencies: Vec::new(),
        errors: 0,
    };
    let mut stream: Option<BufReader<TcpStream>> = None;
    loop {
        let n = next.fetch_add(1, Ordering::Relaxed);
        if n >= requests || Instant::now() > deadline {
            return outcome;
        }
        if stream.is_none() {
            match TcpStream::connect(addr).await {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    stream = Some(BufReader::new(s));
                }
                Err(_) => {
                    outcome.errors += 1;
                    continue;
                }
            }
        }
        let body = &bodies[n % bodies.len()];
        let mut request = format!(
            "POST /v1/ask HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        request.extend_from_slice(body);
        let sent = Instant::now();
        let io = stream.as_mut().unwrap();
        match exchange(io, &request).await {
            Ok(200) => outcome
                .latencies
                .push(sent.elapsed().as_micros().min(u32::MAX as u128) as u32),
            Ok(_) => outcome.errors += 1,
            Err(_) => {
                outcome.errors += 1;
                stream = None;
            }
        }
    }
}

/// Sends one request and reads its reply whole; the reply's status.
async fn exchange(io: &mut BufReader<TcpStream>, request: &[u8]) -> std::io::Result<u16> {
    io.get_mut().write_all(request).await?;
    let mut head = Vec::with_capacity(256);
    while !head.ends_with(b"\r\n\r\n") {
        let byte = io.read_u8().await?;
        head.push(byte);
        if head.len() > 16 * 1024 {
            return Err(std::io::Error::other("reply head too long"));
        }
    }
    let head = String::from_utf8_lossy(&head);
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .ok_or_else(|| std::io::Error::other("no Content-Length"))?;
    let mut body = vec![0u8; length];
    io.read_exact(&mut body).await?;
    Ok(status)
}
