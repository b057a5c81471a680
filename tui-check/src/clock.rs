//! [`HostClock`]: the terminal host's time source — a monotonic clock that can pause, run faster
//! or slower, or skip ahead to a deadline.
//!
//! Owns the mapping from real time to the time the host reports through `Host::now`. This is how
//! the terminal front-end pauses and changes the tick: the sieve keeps its configured tick and its
//! deterministic trace, and the host's clock simply stands still, or runs at 2^k × real time. It
//! knows nothing of terminals.

use guestloop::Instant;
use std::cell::Cell;
use std::time::Duration;

/// How the host's clock relates to real time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// Host time follows real time (scaled by the speed, frozen while paused).
    RealTime,
    /// Whenever the loop has nothing to do but wait for its timer, host time jumps to the
    /// deadline: a run at full speed with the same sequence of events (`--check`, tests).
    FastForward,
}

/// The slowest and fastest speeds, as powers of two of real time.
pub const SPEEDS: std::ops::RangeInclusive<i32> = -6..=10;

/// A monotonic host clock: real time since creation, scaled by `2^speed`, frozen while paused.
///
/// Every change (pause, resume, speed, skip) re-anchors the clock at the current host instant,
/// so host time is continuous and never goes backwards.
#[derive(Debug)]
pub struct HostClock {
    pace: Pace,
    /// Real time at the last re-anchoring.
    anchor_real: Cell<std::time::Instant>,
    /// Host time at the last re-anchoring, in nanoseconds.
    anchor_host: Cell<u64>,
    paused: Cell<bool>,
    speed: Cell<i32>,
}

impl HostClock {
    /// A running clock at speed 1, starting at [`Instant::ZERO`].
    pub fn new(pace: Pace) -> HostClock {
        HostClock {
            pace,
            anchor_real: Cell::new(std::time::Instant::now()),
            anchor_host: Cell::new(0),
            paused: Cell::new(false),
            speed: Cell::new(0),
        }
    }

    /// The clock's pace.
    pub fn pace(&self) -> Pace {
        self.pace
    }

    /// Host time now.
    pub fn now(&self) -> Instant {
        Instant::from_nanos(self.now_nanos())
    }

    fn now_nanos(&self) -> u64 {
        if self.paused.get() {
            return self.anchor_host.get();
        }
        let real = self.anchor_real.get().elapsed().as_nanos();
        let scaled = match self.speed.get() {
            k if k >= 0 => real << k,
            k => real >> -k,
        };
        self.anchor_host
            .get()
            .saturating_add(u64::try_from(scaled).unwrap_or(u64::MAX))
    }

    fn reanchor(&self) {
        let now = self.now_nanos();
        self.anchor_host.set(now);
        self.anchor_real.set(std::time::Instant::now());
    }

    /// Whether the clock stands still.
    pub fn is_paused(&self) -> bool {
        self.paused.get()
    }

    /// Stops or restarts the clock; host time continues from where it stopped.
    pub fn set_paused(&self, paused: bool) {
        self.reanchor();
        self.paused.set(paused);
    }

    /// Host time runs at `2^speed` × real time.
    pub fn speed(&self) -> i32 {
        self.speed.get()
    }

    /// Changes the speed by `steps` doublings, within [`SPEEDS`].
    pub fn change_speed(&self, steps: i32) {
        self.reanchor();
        let speed = (self.speed.get() + steps).clamp(*SPEEDS.start(), *SPEEDS.end());
        self.speed.set(speed);
    }

    /// The real time a host duration takes at the current speed (rounded up, so a wait of this
    /// long never ends before the host instant it waits for).
    pub fn real_duration(&self, host: Duration) -> Duration {
        let nanos = host.as_nanos();
        let real = match self.speed.get() {
            k if k >= 0 => nanos.div_ceil(1 << k),
            k => nanos << -k,
        };
        Duration::from_nanos(u64::try_from(real).unwrap_or(u64::MAX))
    }

    /// How long the loop may sleep, in real time, before host time reaches `deadline`; `None`
    /// while paused (only input can change anything then).
    pub fn real_wait_until(&self, deadline: Instant) -> Option<Duration> {
        if self.paused.get() {
            return None;
        }
        Some(self.real_duration(deadline.saturating_duration_since(self.now())))
    }

    /// Moves host time forward to `deadline` at once (a no-op if it has passed).
    pub fn skip_to(&self, deadline: Instant) {
        let now = self.now_nanos();
        let target = deadline.as_nanos();
        if target > now {
            self.anchor_host.set(target);
            self.anchor_real.set(std::time::Instant::now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pausing_freezes_and_resuming_continues() {
        let clock = HostClock::new(Pace::RealTime);
        std::thread::sleep(Duration::from_millis(2));
        clock.set_paused(true);
        let frozen = clock.now();
        std::thread::sleep(Duration::from_millis(2));
        assert_eq!(clock.now(), frozen);
        assert_eq!(clock.real_wait_until(frozen + Duration::from_secs(1)), None);
        clock.set_paused(false);
        assert!(clock.now() >= frozen);
        assert!(clock.now() - frozen < Duration::from_millis(2));
    }

    #[test]
    fn speed_scales_waits_and_stays_in_range() {
        let clock = HostClock::new(Pace::RealTime);
        clock.change_speed(2);
        assert_eq!(
            clock.real_duration(Duration::from_nanos(9)),
            Duration::from_nanos(3)
        );
        clock.change_speed(-3);
        assert_eq!(
            clock.real_duration(Duration::from_millis(1)),
            Duration::from_millis(2)
        );
        clock.change_speed(100);
        assert_eq!(clock.speed(), *SPEEDS.end());
        clock.change_speed(-100);
        assert_eq!(clock.speed(), *SPEEDS.start());
    }

    #[test]
    fn skipping_moves_forward_only() {
        let clock = HostClock::new(Pace::FastForward);
        let target = Instant::ZERO + Duration::from_secs(5);
        clock.skip_to(target);
        assert!(clock.now() >= target);
        clock.skip_to(Instant::ZERO);
        assert!(clock.now() >= target);
    }
}
