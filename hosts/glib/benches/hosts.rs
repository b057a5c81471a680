//! Drift, lateness and wake latency of the GLib host beside guestloop's ready-made loops (the
//! blocking loop, the frame driver at 60 fps), measured the guide's way, in one run.
//!
//! `cargo bench -p guestloop-glib --bench hosts` prints the figures (about 30 s). Without
//! `--bench` (as `cargo test --all-targets` runs it) it only says how to run it.

use glib::MainContext;
use guestloop::blocking_loop::BlockingLoop;
use guestloop::frame_loop::FrameDriver;
use guestloop::sieve::TraceWriter;
use guestloop::sieve::{SieveConfig, SieveEvent, run_sieve, trace_on_test_host};
use guestloop::{Executor, Handle, Instant, MissedTicks, TickClock};
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

fn wall_clock() -> impl Fn() -> Instant + 'static {
    let started = std::time::Instant::now();
    move || Instant::from_nanos(started.elapsed().as_nanos() as u64)
}

/// Runs `future` to completion on a fresh guest of `host` and returns its output.
fn run_on<T: 'static>(host: &str, future: impl Future<Output = T> + 'static) -> T {
    match host {
        "GLib" => {
            let context = MainContext::new();
            let guest = guestloop_glib::Guest::new(&context).unwrap();
            let mut task = guest.executor().spawn_local(future);
            while !task.is_finished() {
                context.iteration(true);
            }
            task.try_take().unwrap().unwrap()
        }
        "blocking loop" => {
            let event_loop: BlockingLoop<(), _> = BlockingLoop::new(wall_clock());
            let executor = Executor::new(event_loop.host());
            let mut task = executor.spawn_local(future);
            event_loop.run_until(&executor, || task.is_finished());
            task.try_take().unwrap().unwrap()
        }
        "frame driver, 60 fps" => {
            let driver = FrameDriver::new(wall_clock());
            let executor = Executor::new(driver.host());
            let mut task = executor.spawn_local(future);
            let mut next_frame = std::time::Instant::now();
            while !task.is_finished() {
                driver.frame(&executor);
                next_frame += Duration::from_micros(16_667);
                std::thread::sleep(next_frame.saturating_duration_since(std::time::Instant::now()));
            }
            task.try_take().unwrap().unwrap()
        }
        other => unreachable!("no host {other}"),
    }
}

/// The 40×40 sieve at `tick`: wall time from its start to its end against done-tick × tick,
/// and whether its trace is the test host's.
fn sieve_drift(host: &str, tick: Duration) -> (u64, f64, f64, bool) {
    let config = SieveConfig::new(40, 40).unwrap().with_tick(tick).unwrap();
    let writer = Rc::new(RefCell::new(TraceWriter::new(Vec::new())));
    let view = writer.clone();
    let (done_tick, wall) = run_on(host, async move {
        let started = std::time::Instant::now();
        let summary = run_sieve(config, (view, |_: &SieveEvent| {})).await;
        (summary.done_tick, started.elapsed())
    });
    let trace = Rc::into_inner(writer)
        .unwrap()
        .into_inner()
        .finish()
        .unwrap();
    let same = String::from_utf8(trace).unwrap() == trace_on_test_host(&config);
    let expected = done_tick as f64 * tick.as_secs_f64();
    (done_tick, expected, wall.as_secs_f64(), same)
}

/// 1,000 ticks of 1 ms: how late the host's clock was when each ran (p50, p99).
fn lateness(host: &str) -> (Duration, Duration) {
    let mut late = run_on(host, async {
        let handle = Handle::current();
        let clock = TickClock::starting_now(Duration::from_millis(1));
        let mut ticks = clock.interval(MissedTicks::CatchUp);
        let mut late = Vec::new();
        for _ in 0..1000 {
            let k = ticks.tick().await;
            assert_eq!(guestloop::now(), clock.instant_of(k));
            late.push(
                handle
                    .host_now()
                    .saturating_duration_since(clock.instant_of(k)),
            );
        }
        late
    });
    late.sort();
    (late[late.len() / 2], late[late.len() * 99 / 100])
}

/// 500 spawns from another thread, 2 ms apart: the time from the spawn call to the task's first
/// poll (p50, p99).
fn wake_latency(host: &str) -> (Duration, Duration) {
    let mut all = run_on(host, async {
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
        all
    });
    all.sort();
    (all[all.len() / 2], all[all.len() * 99 / 100])
}

fn cpu_name() -> String {
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

fn main() {
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("hosts bench: run `cargo bench -p guestloop-glib --bench hosts` for figures");
        return;
    }
    let hosts = ["GLib", "blocking loop", "frame driver, 60 fps"];
    println!("## Hosts: drift, lateness, wake latency ({})\n", cpu_name());
    println!("| host | tick | done tick | expected s | measured s | drift | trace = test host |");
    println!("|---|---:|---:|---:|---:|---:|---|");
    for host in hosts {
        for tick in [Duration::from_millis(10), Duration::from_millis(1)] {
            let (done, expected, wall, same) = sieve_drift(host, tick);
            println!(
                "| {host} | {} ms | {done} | {expected:.3} | {wall:.3} | {:+.2} % | {} |",
                tick.as_millis(),
                (wall / expected - 1.0) * 100.0,
                if same { "identical" } else { "DIFFERS" }
            );
        }
    }
    println!(
        "\n| host | lateness p50 | p99 (1,000 ticks of 1 ms) | wake latency p50 | p99 (500 spawns from another thread) |"
    );
    println!("|---|---:|---:|---:|---:|");
    for host in hosts {
        let (late50, late99) = lateness(host);
        let (wake50, wake99) = wake_latency(host);
        println!("| {host} | {late50:.1?} | {late99:.1?} | {wake50:.1?} | {wake99:.1?} |");
    }
}
