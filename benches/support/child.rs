//! Measuring one run of a child process: wall time, CPU time and peak memory, from wait4.
#![allow(dead_code)] // Shared by benches that read different fields.

use std::process::Command;
use std::time::Instant;

pub struct Measured {
    pub wall: f64,
    /// User and system CPU seconds of the child alone.
    pub cpu: f64,
    /// Peak resident memory in MB.
    pub peak_mb: f64,
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
}

/// Runs a command to its end and measures that one process.
pub fn measure(command: &mut Command) -> Measured {
    let start = Instant::now();
    // Reaped below with wait4, which also returns the child's own resource use.
    #[allow(clippy::zombie_processes)]
    let child = command.spawn().expect("spawn the child");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; `pid` is our own child, waited once.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 failed");
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Measured {
        wall: start.elapsed().as_secs_f64(),
        cpu: seconds(usage.ru_utime) + seconds(usage.ru_stime),
        // ru_maxrss is in kilobytes on Linux.
        peak_mb: usage.ru_maxrss as f64 / 1024.0,
        code: if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            -1
        },
    }
}
