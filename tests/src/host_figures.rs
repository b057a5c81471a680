//! The guide's figures for any host, measured by one future the host runs to completion, so that
//! every host's benchmark prints the same row: the 40×40 sieve's drift at a 10 ms and a 1 ms tick
//! (its trace checked against the test host's), how late 1 ms ticks run, and the latency of a
//! spawn from another thread. Benchmark code: it reads the wall clock, as hosts do.
//!
//! ```no_run
//! use guestloop::Executor;
//! use guestloop::blocking_loop::BlockingLoop;
//! use guestloop_tests::host_figures::{measure, print_header};
//!
//! let started = std::time::Instant::now();
//! let wall_clock = move || guestloop::Instant::from_nanos(started.elapsed().as_nanos() as u64);
//! let event_loop: BlockingLoop<(), _> = BlockingLoop::new(wall_clock);
//! let executor = Executor::new(event_loop.host());
//! let mut figures = executor.spawn_local(measure());
//! event_loop.run_until(&executor, || figures.is_finished());
//! print_header();
//! println!("{}", figures.try_take().unwrap().unwrap().row("blocking loop"));
//! ```

use guestloop::sieve::{SieveConfig, SieveEvent, TraceWriter, run_sieve, trace_on_test_host};
use guestloop::{Handle, MissedTicks, TickClock};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// What [`measure`] found on one host.
#[derive(Debug, Clone)]
pub struct HostFigures {
    /// Host time from the sieve's tick 0 to its end, at 10 ms and at 1 ms, against done-tick × tick,
    /// as a fraction.
    pub drift: [f64; 2],
    /// Whether both runs' traces were the test host's.
    pub traces_identical: bool,
    /// How far the host's clock was past each of 1,000 deadlines of 1 ms when it ran: p50, p99.
    pub lateness: [Duration; 2],
    /// From a spawn on another thread to the task's first poll, 500 spawns 2 ms apart: p50, p99.
    pub wake_latency: [Duration; 2],
}

/// Measures the host this runs on (about 11 s).
pub async fn measure() -> HostFigures {
    let (drift_10, same_10) = sieve_drift(Duration::from_millis(10)).await;
    let (drift_1, same_1) = sieve_drift(Duration::from_millis(1)).await;
    HostFigures {
        drift: [drift_10, drift_1],
        traces_identical: same_10 && same_1,
        lateness: lateness().await,
        wake_latency: wake_latency().await,
    }
}

/// The table's header, for [`HostFigures::row`].
pub fn print_header() {
    println!(
        "| host | drift, 10 ms tick | drift, 1 ms tick | traces | lateness p50 | p99 | \
         wake latency p50 | p99 |"
    );
    println!("|---|---:|---:|---|---:|---:|---:|---:|");
}

impl HostFigures {
    /// One row of the table [`print_header`] starts.
    pub fn row(&self, host: &str) -> String {
        let [late50, late99] = self.lateness;
        let [wake50, wake99] = self.wake_latency;
        format!(
            "| {host} | {:+.2} % | {:+.2} % | {} | {late50:.1?} | {late99:.1?} | {wake50:.1?} | \
             {wake99:.1?} |",
            self.drift[0] * 100.0,
            self.drift[1] * 100.0,
            if self.traces_identical {
                "identical"
            } else {
                "DIFFER"
            },
        )
    }
}

/// The 40×40 sieve at `tick`: its drift, and whether its trace is the test host's.
async fn sieve_drift(tick: Duration) -> (f64, bool) {
    let config = SieveConfig::new(40, 40).unwrap().with_tick(tick).unwrap();
    let writer = Rc::new(RefCell::new(TraceWriter::new(Vec::new())));
    // The sieve's tick 0 is the guest clock now, the start of this batch: measured from there,
    // not from a later wall-clock reading, so work earlier in the batch cannot hide lateness.
    let origin = guestloop::now();
    let summary = run_sieve(config, (writer.clone(), |_: &SieveEvent| {})).await;
    let wall = Handle::current()
        .host_now()
        .saturating_duration_since(origin)
        .as_secs_f64();
    let trace = Rc::into_inner(writer)
        .expect("the sieve is done: nothing else holds the trace")
        .into_inner()
        .finish()
        .expect("a Vec takes every write");
    let same = String::from_utf8(trace).unwrap() == trace_on_test_host(&config);
    let expected = summary.done_tick as f64 * tick.as_secs_f64();
    (wall / expected - 1.0, same)
}

/// 1,000 ticks of 1 ms: how late the host's clock was when each ran.
async fn lateness() -> [Duration; 2] {
    let handle = Handle::current();
    let clock = TickClock::starting_now(Duration::from_millis(1));
    let mut ticks = clock.interval(MissedTicks::CatchUp);
    let mut late = Vec::new();
    for _ in 0..1000 {
        let k = ticks.tick().await;
        late.push(
            handle
                .host_now()
                .saturating_duration_since(clock.instant_of(k)),
        );
    }
    percentiles(late)
}

/// 500 spawns from another thread, 2 ms apart: from the spawn call to the task's first poll.
async fn wake_latency() -> [Duration; 2] {
    let spawner = Handle::current().spawner();
    let (latencies, arrived) = async_channel::unbounded();
    std::thread::spawn(move || {
        for _ in 0..500 {
            let (sent, latencies) = (std::time::Instant::now(), latencies.clone());
            let _ = spawner.spawn(async move {
                let _ = latencies.try_send(sent.elapsed());
            });
            std::thread::sleep(Duration::from_millis(2));
        }
    });
    let mut all = Vec::new();
    while let Ok(latency) = arrived.recv().await {
        all.push(latency);
    }
    percentiles(all)
}

fn percentiles(mut sample: Vec<Duration>) -> [Duration; 2] {
    sample.sort();
    [sample[sample.len() / 2], sample[sample.len() * 99 / 100]]
}

/// This machine's CPU, as `/proc/cpuinfo` names it: every figure goes with it.
pub fn cpu_name() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|name| name.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned())
}
