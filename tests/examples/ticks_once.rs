//! TASKS tasks that each wait for TICKS ticks of one `TickClock` and do nothing else: the
//! program that splits the executor's cost into a part per tick and a part per poll
//! (BENCHMARKS.md, "Where the time goes now"), by instruction counts under callgrind.
//!
//! ```sh
//! cargo build --release -p guestloop-tests --example ticks_once
//! valgrind --tool=callgrind target/release/examples/ticks_once 1 200000
//! valgrind --tool=callgrind target/release/examples/ticks_once 8 200000
//! ```
//!
//! With `I(n)` the instructions of a run with n tasks: per poll `(I(8) − I(1)) ÷ (7 × TICKS)`,
//! per tick (one run of the executor, one batch) `I(1) ÷ TICKS` minus one poll. It prints the
//! polls: TICKS + 1 per task.

use guestloop::testing::TestHost;
use guestloop::{Instant, MissedTicks, TickClock};
use std::time::Duration;

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: ticks_once TASKS TICKS";
    let tasks: usize = args.next().and_then(|s| s.parse().ok()).expect(usage);
    let ticks: u64 = args.next().and_then(|s| s.parse().ok()).expect(usage);
    let tick = Duration::from_millis(100);
    let mut host = TestHost::new(tick);
    let clock = TickClock::new(Instant::ZERO, tick);
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            host.spawn_local(async move {
                let mut interval = clock.interval(MissedTicks::CatchUp);
                for _ in 0..ticks {
                    interval.tick().await;
                }
            })
        })
        .collect();
    host.run_until_idle();
    assert!(handles.iter().all(|handle| handle.is_finished()));
    println!("polls {}", host.executor().stats().polls);
}
