//! Parts 4 and 5 of the benchmark: what spawning costs, beside tokio in the same run.
//!
//! 4. **Spawn cost**: 1,000,000 empty tasks spawned on the host thread outside any run (handles
//!    dropped), then run to completion. guestloop on a [`TestHost`] (`Executor::spawn_local`,
//!    then `Executor::run` until no task is alive), beside tokio's `LocalSet::spawn_local` on a
//!    current-thread runtime (then the `LocalSet` awaited until its tasks are done).
//! 5. **Spawns from other threads**: 8 threads × 100,000 `Spawner::spawn` of a task that records
//!    how long after the call began it was first polled, on a real-time loop host
//!    ([`LoopHost`]: it sleeps until a deadline or a poke), beside tokio's current-thread runtime
//!    spawned onto by `Handle::spawn` from as many threads while it runs `block_on`.
//!    Throughput is tasks per second from the start of the spawning to the last first poll.

use crate::{median, ms};
use guestloop::Builder;
use guestloop::testing::TestHost;
use guestloop_tests::loop_host::LoopHost;
use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::sync::{Arc, Barrier};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

/// Spawn and run times of one round.
struct Round {
    spawn: Duration,
    run: Duration,
}

fn guestloop_round(tasks: usize) -> Round {
    let host = TestHost::new(Duration::from_millis(100));
    let executor = host.executor();
    let start = Instant::now();
    for _ in 0..tasks {
        drop(executor.spawn_local(async {}));
    }
    let spawned = Instant::now();
    while executor.stats().live_tasks > 0 {
        executor.run();
    }
    Round {
        spawn: spawned - start,
        run: spawned.elapsed(),
    }
}

fn tokio_round(tasks: usize) -> Round {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a tokio runtime");
    let local = tokio::task::LocalSet::new();
    let start = Instant::now();
    for _ in 0..tasks {
        drop(local.spawn_local(async {}));
    }
    let spawned = Instant::now();
    runtime.block_on(local); // a LocalSet completes once every task on it has
    Round {
        spawn: spawned - start,
        run: spawned.elapsed(),
    }
}

fn ns_per_task(duration: Duration, tasks: usize) -> f64 {
    duration.as_nanos() as f64 / tasks as f64
}

/// Part 4: spawning and completing empty tasks, guestloop beside tokio.
pub fn bench_spawn_cost(quick: bool) {
    let (tasks, runs) = if quick { (10_000, 1) } else { (1_000_000, 7) };
    println!(
        "## Spawn cost ({tasks} empty tasks spawned outside a run, then run to completion; \
         ns per task, medians of {runs})\n"
    );
    println!(
        "| executor                                | spawn | run   | total  | total ÷ guestloop |"
    );
    println!(
        "|-----------------------------------------|------:|------:|-------:|------------------:|"
    );
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        ours.push(guestloop_round(tasks));
        theirs.push(tokio_round(tasks));
    }
    let summary = |rounds: &[Round]| {
        let spawn = median(rounds.iter().map(|r| r.spawn).collect());
        let run = median(rounds.iter().map(|r| r.run).collect());
        let total = median(rounds.iter().map(|r| r.spawn + r.run).collect());
        (spawn, run, total)
    };
    let ours = summary(&ours);
    for (name, (spawn, run, total)) in [
        ("guestloop `Executor::spawn_local`", ours),
        ("tokio `LocalSet::spawn_local`", summary(&theirs)),
    ] {
        println!(
            "| {name:<39} | {:>5.1} | {:>5.1} | {:>6.1} | {:>16.2}× |",
            ns_per_task(spawn, tasks),
            ns_per_task(run, tasks),
            ns_per_task(total, tasks),
            total.as_secs_f64() / ours.2.as_secs_f64(),
        );
    }
    println!();
}

thread_local! {
    /// On the host thread: how long after its spawn began each task was first polled.
    static LATENCIES: RefCell<Vec<Duration>> = const { RefCell::new(Vec::new()) };
    /// On the tokio runtime's thread: the waiter to wake once every task has been polled.
    static ALL_POLLED: RefCell<Option<Waker>> = const { RefCell::new(None) };
    static EXPECTED: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// What a spawned task does: records its latency; the last one wakes the tokio waiter.
fn first_poll(sent: Instant) {
    let latency = sent.elapsed();
    let count = LATENCIES.with_borrow_mut(|latencies| {
        latencies.push(latency);
        latencies.len()
    });
    if count == EXPECTED.get() {
        if let Some(waiter) = ALL_POLLED.take() {
            waiter.wake();
        }
    }
}

/// Starts `threads` threads that each call `spawn` `per_thread` times once released together,
/// sleeping `pace` after each call (`Duration::ZERO`: as fast as they can).
fn spawners(
    threads: usize,
    per_thread: usize,
    pace: Duration,
    spawn: impl Fn(Instant) + Send + Sync + 'static,
) -> (Arc<Barrier>, Vec<std::thread::JoinHandle<()>>) {
    let start = Arc::new(Barrier::new(threads + 1));
    let spawn = Arc::new(spawn);
    let handles = (0..threads)
        .map(|_| {
            let (start, spawn) = (start.clone(), spawn.clone());
            std::thread::spawn(move || {
                start.wait();
                for _ in 0..per_thread {
                    spawn(Instant::now());
                    if !pace.is_zero() {
                        std::thread::sleep(pace);
                    }
                }
            })
        })
        .collect();
    (start, handles)
}

/// One round on guestloop: the elapsed time and every task's latency.
fn cross_thread_guestloop(
    threads: usize,
    per_thread: usize,
    pace: Duration,
) -> (Duration, Vec<Duration>) {
    let total = threads * per_thread;
    LATENCIES.with_borrow_mut(|latencies| *latencies = Vec::with_capacity(total));
    let host = LoopHost::new(Builder::default());
    let spawner = host.executor.spawner();
    let (start, handles) = spawners(threads, per_thread, pace, move |sent| {
        drop(
            spawner
                .spawn(async move { first_poll(sent) })
                .expect("the executor is alive"),
        );
    });
    start.wait();
    let began = Instant::now();
    host.run_until(|| LATENCIES.with_borrow(Vec::len) == total);
    let elapsed = began.elapsed();
    handles
        .into_iter()
        .for_each(|h| h.join().expect("a spawner"));
    (elapsed, LATENCIES.take())
}

/// One round on tokio's current-thread runtime.
fn cross_thread_tokio(
    threads: usize,
    per_thread: usize,
    pace: Duration,
) -> (Duration, Vec<Duration>) {
    let total = threads * per_thread;
    LATENCIES.with_borrow_mut(|latencies| *latencies = Vec::with_capacity(total));
    EXPECTED.set(total);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a tokio runtime");
    let handle = runtime.handle().clone();
    let (start, handles) = spawners(threads, per_thread, pace, move |sent| {
        drop(handle.spawn(async move { first_poll(sent) }));
    });
    start.wait();
    let began = Instant::now();
    runtime.block_on(poll_fn(|cx| {
        if LATENCIES.with_borrow(Vec::len) == total {
            return Poll::Ready(());
        }
        ALL_POLLED.set(Some(cx.waker().clone()));
        Poll::Pending
    }));
    let elapsed = began.elapsed();
    EXPECTED.set(usize::MAX);
    handles
        .into_iter()
        .for_each(|h| h.join().expect("a spawner"));
    (elapsed, LATENCIES.take())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

/// Part 5: spawns from other threads, guestloop beside tokio: as fast as the threads can (a
/// backlog: throughput), then paced (an idle loop woken for each spawn: latency).
pub fn bench_cross_thread(quick: bool) {
    let threads = 8;
    let runs = if quick { 1 } else { 7 };
    let flood = if quick { 1_000 } else { 100_000 };
    cross_thread_table(
        &format!("{threads} threads × {flood} spawns, as fast as they can"),
        threads,
        flood,
        Duration::ZERO,
        runs,
    );
    let (paced, pace) = (if quick { 100 } else { 2_000 }, Duration::from_micros(100));
    cross_thread_table(
        &format!("{threads} threads × {paced} spawns, each thread sleeping 100 µs after each"),
        threads,
        paced,
        pace,
        runs,
    );
}

fn cross_thread_table(title: &str, threads: usize, per_thread: usize, pace: Duration, runs: usize) {
    let total = threads * per_thread;
    println!(
        "## Spawns from other threads ({title}; latency from the spawn call to the task's first \
         poll; medians of {runs} rounds)\n"
    );
    println!(
        "| executor                                         | M tasks/s | p50 µs | p99 µs | max ms |"
    );
    println!(
        "|--------------------------------------------------|----------:|-------:|-------:|-------:|"
    );
    type Round = fn(usize, usize, Duration) -> (Duration, Vec<Duration>);
    let ways: [(&str, Round); 2] = [
        (
            "guestloop `Spawner::spawn` (real-time loop host)",
            cross_thread_guestloop,
        ),
        ("tokio `Handle::spawn` (current-thread)", cross_thread_tokio),
    ];
    let mut figures = vec![(Vec::new(), Vec::new(), Vec::new(), Vec::new()); ways.len()];
    for _ in 0..runs {
        for ((_, round), figures) in ways.iter().zip(&mut figures) {
            let (elapsed, mut latencies) = round(threads, per_thread, pace);
            assert_eq!(latencies.len(), total, "every task was polled once");
            latencies.sort_unstable();
            figures.0.push(elapsed);
            figures.1.push(percentile(&latencies, 0.50));
            figures.2.push(percentile(&latencies, 0.99));
            figures.3.push(latencies[total - 1]);
        }
    }
    for ((name, _), (elapsed, p50, p99, max)) in ways.iter().zip(figures) {
        println!(
            "| {name:<48} | {:>9.2} | {:>6.0} | {:>6.0} | {:>6.1} |",
            total as f64 / median(elapsed).as_secs_f64() / 1e6,
            median(p50).as_secs_f64() * 1e6,
            median(p99).as_secs_f64() * 1e6,
            ms(median(max)),
        );
    }
    println!();
}
