//! The terminal's executor scales its catch-up bound with the clock's top speed: a hiccup at
//! 1024 × real time is seconds of host time, and must not count as a stall.

use guestloop::{Executor, MissedTicks, TickClock};
use std::time::Duration;
use tui_check::clock::{Pace, SPEEDS};
use tui_check::term_loop::{self, TermLoop};

/// Ticks every 100 ms of host time at top speed, with the host thread blocked for 5 ms of real
/// time (5 s of host time) after the second tick; returns the executor's jumps.
fn jumps_after_a_hiccup_at_top_speed(make: impl Fn(&TermLoop) -> Executor) -> u64 {
    let term_loop = term_loop::new(Pace::RealTime);
    term_loop.clock().change_speed(*SPEEDS.end());
    let executor = make(&term_loop);
    let task = executor.spawn_local(async {
        let clock = TickClock::starting_now(Duration::from_millis(100));
        let mut ticks = clock.interval(MissedTicks::CatchUp);
        for tick in 1..=60 {
            ticks.tick().await;
            if tick == 2 {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    });
    term_loop.run_until(&executor, || task.is_finished());
    executor.stats().clock_jumps
}

#[test]
fn a_hiccup_at_top_speed_is_caught_up_exactly_not_jumped() {
    assert_eq!(jumps_after_a_hiccup_at_top_speed(term_loop::executor), 0);
    // With the bound of a real-time host, the same hiccup is a stall.
    let default = jumps_after_a_hiccup_at_top_speed(|term_loop| Executor::new(term_loop.host()));
    assert_eq!(default, 1);
}
