//! Ctrl-C, SIGTERM or SIGHUP during a long run that writes records (`beian triage`): a record being
//! written is finished first, so what reaches standard output is whole lines; otherwise the process
//! stops at once. The exit code is 128 + the signal's number (130 for Ctrl-C), as a shell reports it.

use std::sync::atomic::{AtomicI32, AtomicU8, Ordering};

/// Nothing being written: Ctrl-C stops the process at once.
const IDLE: u8 = 0;
/// A record is being written: Ctrl-C waits for the write to finish.
const WRITING: u8 = 1;
/// Ctrl-C came during a write: stop once it is finished.
const STOP_AFTER_WRITE: u8 = 2;
/// The process is stopping: nothing more may be written.
const STOPPING: u8 = 3;

static STATE: AtomicU8 = AtomicU8::new(IDLE);

/// The exit code of the run once stopped: 128 + the number of the signal that stopped it.
static EXIT: AtomicI32 = AtomicI32::new(EXIT_CODE);

/// The exit code of a run stopped by Ctrl-C.
pub const EXIT_CODE: i32 = 130;

/// Installs the handler for Ctrl-C (SIGINT), SIGTERM and SIGHUP; calling it again changes nothing.
pub fn catch() {
    #[cfg(unix)]
    // SAFETY: the handler only touches atomics and calls `_exit`, both async-signal-safe.
    // SA_RESTART: a write interrupted by the signal goes on, so a record is never cut. The mask
    // holds the other two signals off while the handler runs, so they cannot interleave in it.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_interrupt as extern "C" fn(libc::c_int) as libc::sighandler_t;
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::sigaddset(&mut action.sa_mask, signal);
        }
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

#[cfg(unix)]
extern "C" fn on_interrupt(signal: libc::c_int) {
    // The first signal decides the code; a second one while stopping changes nothing.
    if STATE.load(Ordering::SeqCst) < STOP_AFTER_WRITE {
        EXIT.store(128 + signal, Ordering::SeqCst);
    }
    match STATE.compare_exchange(
        WRITING,
        STOP_AFTER_WRITE,
        Ordering::SeqCst,
        Ordering::SeqCst,
    ) {
        Ok(_) => {}
        Err(_) => {
            STATE.store(STOPPING, Ordering::SeqCst);
            // SAFETY: `_exit` is async-signal-safe; nothing is half written (the state was not WRITING).
            unsafe { libc::_exit(EXIT.load(Ordering::SeqCst)) }
        }
    }
}

/// Runs `write` so that Ctrl-C (or SIGTERM, SIGHUP) cannot cut it: a signal that arrives meanwhile
/// stops the process once `write` has returned. `write` should flush what it writes.
pub fn whole<T>(write: impl FnOnce() -> T) -> T {
    match STATE.compare_exchange(IDLE, WRITING, Ordering::SeqCst, Ordering::SeqCst) {
        Ok(_) => {}
        // Another thread is writing: beian writes from one, so only tests in one process get here.
        Err(WRITING) => return write(),
        // The handler is ending the process: write nothing more.
        Err(_) => loop {
            std::thread::park();
        },
    }
    let result = write();
    if STATE
        .compare_exchange(WRITING, IDLE, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        std::process::exit(EXIT.load(Ordering::SeqCst));
    }
    result
}
