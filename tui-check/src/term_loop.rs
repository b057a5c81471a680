//! The terminal host: guestloop's [`BlockingLoop`] over crossterm's events, on the
//! [`HostClock`].
//!
//! Owns the loop's type, its executor's catch-up bound, and the clock's side of the wait. The loop
//! never touches a terminal (crossterm's `Event` is only its message type), so tests drive it with
//! no terminal at all, and a real run feeds it from an input thread.
//!
//! # Design: one channel, one wait
//!
//! crossterm cannot be woken from another thread, so the loop does not wait in crossterm. It
//! waits on the blocking loop's channel, until the host timer's deadline converted to real time
//! by the clock, or for a message only when no timer is armed or the clock is paused. The
//! guest's run-soon requests and the input thread's events arrive there. Nothing polls: an idle
//! screen uses no CPU. Each turn runs the guest once, handles every event already queued, then
//! lets the client draw once: rendering is coalesced per turn, not per event.

use crate::clock::{HostClock, Pace, SPEEDS};
use crossterm::event::Event;
use guestloop::Clock;
use guestloop::blocking_loop::BlockingLoop;
use guestloop::{Builder, DEFAULT_MAX_CATCH_UP, Executor, Instant};
use std::time::Duration;

/// The terminal's event loop: messages are terminal events (keys, resizes).
pub type TermLoop = BlockingLoop<Event, HostClock>;

/// A loop whose clock keeps `pace`.
pub fn new(pace: Pace) -> TermLoop {
    BlockingLoop::new(HostClock::new(pace))
}

/// An executor on `term_loop`'s host, with a catch-up bound that scales with the clock: the
/// bound is on host time, which runs up to 2^10 × real time here, so that a hiccup of a
/// millisecond at top speed is not mistaken for a stall. Past the default's one second of real
/// time, the guest clock still jumps.
pub fn executor(term_loop: &TermLoop) -> Executor {
    let fastest = 1u32 << SPEEDS.end();
    Builder::default()
        .max_catch_up(DEFAULT_MAX_CATCH_UP * fastest)
        .build(term_loop.host())
}

impl Clock for HostClock {
    fn now(&self) -> Instant {
        HostClock::now(self)
    }

    /// While paused, only input can change anything: no real wait ends. Fast-forwarding, the
    /// loop only looks for a message that is already there.
    fn real_time_until(&self, deadline: Instant) -> Option<Duration> {
        if self.pace() == Pace::FastForward && !self.is_paused() {
            return Some(Duration::ZERO);
        }
        self.real_wait_until(deadline)
    }

    fn waited_until(&self, deadline: Instant) {
        if self.pace() == Pace::FastForward && !self.is_paused() {
            self.skip_to(deadline);
        }
    }
}
