//! Benchmark of work off the host thread: `unblock`'s round trip, and the primes demo.
//!
//! Run with `cargo bench -p guestloop-tests --bench offthread`. It prints figures beside
//! baselines measured in the same run and asserts nothing about timing (it does check every
//! count against the tables).
//!
//! 1. **Round trip of an empty job**, p50/p99/max over many trips, on a real-time loop host
//!    (`guestloop_tests::loop_host`): `unblock(|| ()).await` from a guest task, against
//!    `std::thread::spawn` + an `mpsc` channel, and against the `blocking` crate's `unblock`
//!    driven by a plain `block_on` loop.
//! 2. **π(10⁹)** with 1 and 2 workers, next to `primesieve 1e9 -c` (Debian's `primesieve-bin`)
//!    when it is installed; progress events the view received per second; how soon after a
//!    cancel the workers are idle again.

use guestloop::primes::{PrimesConfig, PrimesEvent, count_primes};
use guestloop::{Builder, unblock, unblock_stats};
use guestloop_tests::loop_host::LoopHost;
use std::cell::RefCell;
use std::process::Command;
use std::rc::Rc;
use std::time::{Duration, Instant};

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

fn row(name: &str, mut trips: Vec<Duration>) {
    trips.sort_unstable();
    println!(
        "| {name:<44} | {:>6} | {:>9.1} | {:>9.1} | {:>9.1} |",
        trips.len(),
        percentile(&trips, 50).as_secs_f64() * 1e6,
        percentile(&trips, 99).as_secs_f64() * 1e6,
        trips[trips.len() - 1].as_secs_f64() * 1e6,
    );
}

/// Part 1: the round trip of an empty job, three ways.
fn round_trips(quick: bool) {
    let trips = if quick { 200 } else { 20_000 };
    println!("## Round trip of an empty job ({trips} trips each; µs)\n");
    println!(
        "| way                                          | trips  |       p50 |       p99 |       max |"
    );
    println!(
        "|----------------------------------------------|-------:|----------:|----------:|----------:|"
    );

    let host = LoopHost::new(Builder::default());
    let measured = Rc::new(RefCell::new(Vec::with_capacity(trips)));
    let log = measured.clone();
    let task = host.executor.spawn_local(async move {
        for _ in 0..trips {
            let started = Instant::now();
            unblock(|| ()).await.expect("an empty job");
            log.borrow_mut().push(started.elapsed());
        }
    });
    host.run_until(|| task.is_finished());
    row(
        "guestloop::unblock, awaited in a guest task",
        measured.take(),
    );

    let mut measured = Vec::with_capacity(trips);
    for _ in 0..trips {
        let started = Instant::now();
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || send.send(()).expect("the receiver waits"));
        receive.recv().expect("the thread sends");
        measured.push(started.elapsed());
    }
    row("std::thread::spawn + mpsc channel", measured);

    let mut measured = Vec::with_capacity(trips);
    for _ in 0..trips {
        let started = Instant::now();
        futures_lite::future::block_on(blocking::unblock(|| ()));
        measured.push(started.elapsed());
    }
    row("blocking::unblock, driven by block_on", measured);
    println!();
}

/// What one count did.
struct Count {
    count: u64,
    wall: Duration,
    progress_events: usize,
}

fn count(limit: u64, workers: usize) -> Count {
    let host = LoopHost::new(Builder::default());
    let config = PrimesConfig::new(limit)
        .expect("a valid limit")
        .with_workers(workers)
        .expect("valid workers");
    let progress = Rc::new(RefCell::new(0usize));
    let seen = progress.clone();
    let started = Instant::now();
    let mut task = host
        .executor
        .spawn_local(count_primes(config, move |event: &PrimesEvent| {
            if let PrimesEvent::Progress { .. } = event {
                *seen.borrow_mut() += 1;
            }
        }));
    host.run_until(|| task.is_finished());
    let wall = started.elapsed();
    let count = task.try_take().expect("finished").expect("the count ran");
    Count {
        count,
        wall,
        progress_events: progress.take(),
    }
}

/// `primesieve <limit> -c -t<threads> --time`'s seconds, if primesieve is installed.
fn primesieve(limit: &str, threads: usize) -> Option<Duration> {
    let output = Command::new("primesieve")
        .args([limit, "-c", &format!("-t{threads}"), "--time", "-q"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let seconds: f64 = text
        .lines()
        .find_map(|line| line.strip_prefix("Seconds:"))?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs_f64(seconds))
}

/// Part 2: π(10⁹) and cancelling.
fn primes(quick: bool) {
    let (limit, label, expected) = if quick {
        (10_000_000, "1e7", 664_579)
    } else {
        (1_000_000_000, "1e9", 50_847_534)
    };
    println!("## π({label}) on worker threads (a real-time loop host; medians of 3)\n");
    println!("| workers | guestloop ms | progress events/s | primesieve ms | ratio |");
    println!("|--------:|-------------:|------------------:|--------------:|------:|");
    for workers in [1, 2] {
        let mut runs: Vec<Count> = (0..3).map(|_| count(limit, workers)).collect();
        runs.sort_by_key(|run| run.wall);
        let median = &runs[1];
        assert_eq!(median.count, expected, "π({label})");
        let sieve: Option<Duration> = {
            let mut times: Vec<Duration> =
                (0..3).filter_map(|_| primesieve(label, workers)).collect();
            times.sort_unstable();
            times.get(1).copied()
        };
        println!(
            "| {workers:>7} | {:>12.1} | {:>17.1} | {:>13} | {:>5} |",
            median.wall.as_secs_f64() * 1e3,
            median.progress_events as f64 / median.wall.as_secs_f64(),
            sieve.map_or("(not installed)".into(), |t| format!(
                "{:.1}",
                t.as_secs_f64() * 1e3
            )),
            sieve.map_or("".into(), |t| format!(
                "{:.1}×",
                median.wall.as_secs_f64() / t.as_secs_f64()
            )),
        );
    }
    println!();

    // Cancel: a count of 10¹¹ runs for a while, then its task is aborted.
    let host = LoopHost::new(Builder::default());
    let config = PrimesConfig::new(guestloop::primes::MAX_LIMIT).expect("valid");
    let task = host
        .executor
        .spawn_local(count_primes(config, |_: &PrimesEvent| {}));
    let started = Instant::now();
    host.run_until(|| started.elapsed() > Duration::from_millis(300));
    let cancelled = Instant::now();
    task.abort();
    let tasks_left = host.executor.stats().live_tasks;
    while unblock_stats().idle < unblock_stats().threads || unblock_stats().queued > 0 {
        std::thread::yield_now();
    }
    println!(
        "Cancel: {tasks_left} tasks alive right after the abort; the workers were idle {:.1} ms after it.\n",
        cancelled.elapsed().as_secs_f64() * 1e3
    );
}

fn main() {
    // `cargo bench` passes `--bench`; without it (`cargo test --all-targets`) a quick smoke run.
    let quick = !std::env::args().any(|arg| arg == "--bench");
    round_trips(quick);
    primes(quick);
}
