//! [`Clock`]: the time a ready-made loop reports through [`Host::now`](crate::Host::now).
//!
//! Owns the one seam between the loops in this crate and real time.

use crate::Instant;
use std::time::Duration;

/// The time a host reports to its guest, and how it maps to the real time a loop waits in.
///
/// The ready-made loops ([`BlockingLoop`](crate::blocking_loop::BlockingLoop),
/// [`FrameDriver`](crate::frame_loop::FrameDriver)) take their clock from the application, so
/// that `guestloop` itself never reads a wall clock. Any `Fn() -> Instant` is a clock that
/// follows real time. A clock that can pause, run faster or skip idle time overrides the two
/// provided methods, which only a loop that waits (the blocking loop) calls.
///
/// ```
/// use guestloop::{Clock, Instant};
///
/// let started = std::time::Instant::now();
/// let clock = move || Instant::from_nanos(started.elapsed().as_nanos() as u64);
/// assert!(clock.now() < Instant::from_nanos(60_000_000_000));
/// ```
pub trait Clock: 'static {
    /// The host's time: monotonic, starting near [`Instant::ZERO`].
    fn now(&self) -> Instant;

    /// How long to wait, in real time, for the clock to reach `deadline`; `None` if no real wait
    /// gets there (a paused clock). By default the clock follows real time: the time left.
    fn real_time_until(&self, deadline: Instant) -> Option<Duration> {
        Some(deadline.saturating_duration_since(self.now()))
    }

    /// The loop waited for `deadline` and nothing arrived. A clock that skips idle time (to run
    /// a program at full speed with the same sequence of events) moves to `deadline` here; by
    /// default, nothing.
    fn waited_until(&self, deadline: Instant) {
        let _ = deadline;
    }
}

impl<F: Fn() -> Instant + 'static> Clock for F {
    fn now(&self) -> Instant {
        self()
    }
}
