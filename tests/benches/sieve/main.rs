//! Benchmark of the guestloop executor on the eratosthenes sieve, against a plain simulation and
//! against tokio, measured in the same run.
//!
//! Run with `cargo bench -p guestloop-tests --bench sieve`. It prints figures and asserts nothing
//! about timing; it does assert that every sieve run, on the executor and on tokio, ends like the
//! simulation of the same grid.
//!
//! What it measures:
//! 1. **Sieve to completion** on a [`TestHost`] (virtual time, tick 0.1 s, default seed) for
//!    100×100, 500×500 and 1000×1000 grids, with a view that only counts events: wall time,
//!    task polls, polls per second, done tick, marks and peak heap; next to it the synchronous
//!    [`simulate`] of the same grid (wall time, peak heap), the same sieve on tokio
//!    ([`tokio_sieve`]: current-thread runtime, paused clock, `LocalSet`) and the time ratios.
//!    Times are medians of several runs (the executor's and the simulation's interleaved).
//! 2. **Memory per sleeping task**: heap growth per task after spawning 100,000 tasks that each
//!    sleep for an hour (or wait on one [`TickClock`] tick) and polling each once.
//! 3. **Budget**: 1,000,000 ready tasks drained by calling [`Executor::run`] repeatedly; how many
//!    runs it takes and the longest single run, i.e. how long the host loop is kept away.
//! 4. **Spawn cost** and 5. **spawns from other threads**: see [`spawning`].
//!
//! Memory is measured, not estimated: a counting global allocator
//! ([`guestloop_tests::counting_alloc`]) wraps the system allocator and tracks the bytes
//! currently allocated and their peak.
//!
//! [`Executor::run`]: guestloop::Executor::run

mod spawning;
mod tokio_sieve;

use guestloop::sieve::{SieveConfig, SieveEvent, TraceWriter, run_sieve};
use guestloop::testing::TestHost;
use guestloop::{Instant, TickClock};
use guestloop_tests::counting_alloc::{Counting, allocated, measure_peak};
use guestloop_tests::simulation::simulate;
use std::cell::{Cell, RefCell};
use std::hint::black_box;
use std::rc::Rc;
use std::time::{Duration, Instant as WallClock};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its output, its wall time and the peak heap growth above the start.
fn measure<T>(f: impl FnOnce() -> T) -> (T, Duration, usize) {
    let start = WallClock::now();
    let (output, peak) = measure_peak(f);
    (output, start.elapsed(), peak)
}

fn median<T: Ord + Copy>(mut values: Vec<T>) -> T {
    values.sort_unstable();
    values[values.len() / 2]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

fn kib(bytes: usize) -> f64 {
    bytes as f64 / 1024.0
}

/// One sieve run on a fresh test host, with a view that only counts events.
struct SieveRun {
    done_tick: u64,
    marked: u32,
    events: u64,
    polls: u64,
}

fn sieve_once(config: SieveConfig) -> SieveRun {
    let mut host = TestHost::new(config.tick());
    let events = Rc::new(Cell::new(0u64));
    let counter = events.clone();
    let view = move |_: &SieveEvent| counter.set(counter.get() + 1);
    let summary = host.block_on(run_sieve(config, view));
    SieveRun {
        done_tick: summary.done_tick,
        marked: summary.marked,
        events: events.get(),
        polls: host.executor().stats().polls,
    }
}

/// The same sieve on tokio, with the same counting view.
fn tokio_once(config: SieveConfig) -> (u64, u32, u64) {
    let events = Rc::new(Cell::new(0u64));
    let counter = events.clone();
    let view = move |_: &SieveEvent| counter.set(counter.get() + 1);
    let summary = tokio_sieve::run_on_tokio(config, view);
    (summary.done_tick, summary.marked, events.get())
}

/// The tokio sieve's trace is the simulation's (so it does the same work in the same order).
fn check_tokio_trace(config: SieveConfig) {
    let trace = Rc::new(RefCell::new(TraceWriter::new(Vec::new())));
    tokio_sieve::run_on_tokio(config, trace.clone());
    let trace = Rc::try_unwrap(trace).expect("the run is over");
    let text = String::from_utf8(trace.into_inner().finish().expect("a Vec never fails"))
        .expect("the trace is text");
    assert_eq!(
        text,
        simulate(config.numbers()).trace(),
        "the tokio sieve's trace differs from the simulation's"
    );
}

/// Part 1: the sieve to completion on the executor, in the simulation and on tokio, side by side.
fn bench_sieve(quick: bool, with_tokio: bool) {
    println!(
        "## Sieve to completion (TestHost, tick 0.1 s, default seed; view counts events; \
         medians; tokio: current-thread runtime, paused clock, LocalSet)\n"
    );
    println!(
        "| grid      | runs | done tick | marked  | events    | polls     | executor ms | Mpolls/s | exec peak KiB | simulation ms | sim peak KiB | tokio ms | tokio peak KiB | exec ÷ sim | tokio ÷ exec |"
    );
    println!(
        "|-----------|-----:|----------:|--------:|----------:|----------:|------------:|---------:|--------------:|--------------:|-------------:|---------:|---------------:|-----------:|-------------:|"
    );
    if with_tokio {
        check_tokio_trace(SieveConfig::new(40, 40).expect("a valid grid"));
    }
    let grids: &[(u32, usize)] = if quick {
        &[(100, 1)]
    } else {
        &[(100, 7), (500, 7), (1000, 7)]
    };
    for &(side, runs) in grids {
        let config = SieveConfig::new(side, side).expect("a valid grid");
        let numbers = config.numbers();
        let mut exec = Samples::default();
        let mut sim = Samples::default();
        let mut tokio = Samples::default();
        let mut last = None;
        for _ in 0..runs {
            let (run, time, peak) = measure(|| sieve_once(config));
            exec.push(time, peak);
            let (simulation, time, peak) = measure(|| black_box(simulate(numbers)));
            sim.push(time, peak);
            assert_eq!(
                (run.done_tick, run.marked),
                (simulation.done_tick, simulation.marked()),
                "{side}×{side}: the executor and the simulation disagree"
            );
            last = Some(run);
        }
        let run = last.expect("at least one run");
        // tokio's runs after, not between: a run between would leave the allocator's heap in
        // another state for the next simulation (its 14 MB of marks then cost fresh pages).
        for _ in 0..if with_tokio { runs } else { 0 } {
            let ((done_tick, marked, events), time, peak) = measure(|| tokio_once(config));
            tokio.push(time, peak);
            assert_eq!(
                (done_tick, marked, events),
                (run.done_tick, run.marked, run.events),
                "{side}×{side}: tokio and the executor disagree"
            );
        }
        if side == 1000 {
            assert_eq!((run.done_tick, run.marked), (500_001, 921_501));
        }
        let (exec_time, sim_time) = (exec.time(), sim.time());
        let (tokio_ms, tokio_kib, tokio_ratio) = if with_tokio {
            let tokio_time = tokio.time();
            (
                format!("{:.1}", ms(tokio_time)),
                format!("{:.0}", kib(tokio.peak())),
                format!("{:.1}×", tokio_time.as_secs_f64() / exec_time.as_secs_f64()),
            )
        } else {
            ("—".into(), "—".into(), "—".into())
        };
        println!(
            "| {:<9} | {runs:>4} | {:>9} | {:>7} | {:>9} | {:>9} | {:>11.1} | {:>8.2} | {:>13.0} | {:>13.1} | {:>12.0} | {:>8} | {:>14} | {:>9.1}× | {:>12} |",
            format!("{side}×{side}"),
            run.done_tick,
            run.marked,
            run.events,
            run.polls,
            ms(exec_time),
            run.polls as f64 / exec_time.as_secs_f64() / 1e6,
            kib(exec.peak()),
            ms(sim_time),
            kib(sim.peak()),
            tokio_ms,
            tokio_kib,
            exec_time.as_secs_f64() / sim_time.as_secs_f64(),
            tokio_ratio,
        );
    }
    println!();
}

/// Wall times and peak heaps of repeated runs; their medians.
#[derive(Default)]
struct Samples {
    times: Vec<Duration>,
    peaks: Vec<usize>,
}

impl Samples {
    fn push(&mut self, time: Duration, peak: usize) {
        self.times.push(time);
        self.peaks.push(peak);
    }
    fn time(&self) -> Duration {
        median(self.times.clone())
    }
    fn peak(&self) -> usize {
        median(self.peaks.clone())
    }
}

/// Heap bytes per task once `count` tasks made by `task` have each been polled once.
fn bytes_per_pending_task<F: Future<Output = ()> + 'static>(
    count: usize,
    task: impl Fn() -> F,
) -> f64 {
    let mut host = TestHost::new(Duration::from_millis(100));
    let before = allocated();
    for _ in 0..count {
        drop(host.spawn_local(task())); // detach: the handle is not the executor's memory
    }
    host.run_pending();
    let stats = host.executor().stats();
    assert_eq!((stats.live_tasks, stats.pending_timers), (count, count));
    (allocated() - before) as f64 / count as f64
}

/// Part 2: what a task that waits costs the executor.
fn bench_sleeping_tasks(quick: bool) {
    let tasks = if quick { 1_000 } else { 100_000 };
    const HOUR: Duration = Duration::from_secs(3600);
    println!("## Memory per sleeping task ({tasks} tasks, each polled once)\n");
    let sleeper = || async { guestloop::sleep(HOUR).await };
    let clock = TickClock::new(Instant::ZERO, HOUR);
    let ticker = move || async move { clock.next_tick().await };
    println!("| task                      | future size (B) | executor bytes per task |");
    println!("|---------------------------|----------------:|------------------------:|");
    println!(
        "| `sleep(1 h).await`        | {:>15} | {:>23.1} |",
        std::mem::size_of_val(&sleeper()),
        bytes_per_pending_task(tasks, sleeper)
    );
    println!(
        "| `clock.next_tick().await` | {:>15} | {:>23.1} |",
        std::mem::size_of_val(&ticker()),
        bytes_per_pending_task(tasks, ticker)
    );
    println!();
}

/// Part 3: a huge batch of ready tasks is drained in bounded runs.
fn bench_budget(quick: bool) {
    let tasks = if quick { 10_000 } else { 1_000_000 };
    println!("## Poll budget ({tasks} ready tasks, `Executor::run` until none is left)\n");
    let host = TestHost::new(Duration::from_millis(100));
    let executor = host.executor();
    let spawn_start = WallClock::now();
    for _ in 0..tasks {
        drop(executor.spawn_local(async {}));
    }
    let spawn_time = spawn_start.elapsed();
    // Each run's wall time: the time the host loop is kept away from its other work.
    let mut runs = Vec::new();
    let start = WallClock::now();
    while executor.stats().live_tasks > 0 {
        let run_start = WallClock::now();
        executor.run();
        runs.push(run_start.elapsed());
    }
    let total = start.elapsed();
    let (longest_run, longest) = runs
        .iter()
        .copied()
        .enumerate()
        .max_by_key(|&(_, time)| time)
        .expect("at least one run");
    println!(
        "| spawn ms | runs | polls   | median run ms | longest run ms | (run #) | total ms | ns per task |"
    );
    println!(
        "|---------:|-----:|--------:|--------------:|---------------:|--------:|---------:|------------:|"
    );
    println!(
        "| {:>8.1} | {:>4} | {:>7} | {:>13.3} | {:>14.3} | {:>7} | {:>8.1} | {:>11.1} |",
        ms(spawn_time),
        runs.len(),
        executor.stats().polls,
        ms(median(runs.clone())),
        ms(longest),
        longest_run + 1,
        ms(total),
        total.as_nanos() as f64 / tasks as f64,
    );
    println!();
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes `--bench`. Without it (`cargo test --all-targets`, a debug build) only
    // a quick smoke run is made.
    let quick = !args.iter().any(|arg| arg == "--bench");
    // For comparing two builds of the executor quickly: `-- --no-tokio` leaves tokio's column
    // out, and names (`-- sieve memory`) run only the parts whose name contains one of them.
    let tokio = !args.iter().any(|arg| arg == "--no-tokio");
    let names: Vec<&str> = args
        .iter()
        .filter(|arg| !arg.starts_with('-'))
        .map(String::as_str)
        .collect();
    let wanted = |part: &str| names.is_empty() || names.iter().any(|name| part.contains(name));
    let start = WallClock::now();
    if wanted("sieve") {
        bench_sieve(quick, tokio);
    }
    if wanted("memory") {
        bench_sleeping_tasks(quick);
    }
    if wanted("budget") {
        bench_budget(quick);
    }
    if wanted("spawn-cost") {
        spawning::bench_spawn_cost(quick);
    }
    if wanted("cross-thread") {
        spawning::bench_cross_thread(quick);
    }
    println!("(total {:.1} s)", start.elapsed().as_secs_f64());
}
