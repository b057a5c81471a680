//! [`Instant`]: a point on a host's monotonic clock, in whole nanoseconds.
//!
//! Owns the one time type every other module shares. It reads no wall clock and uses no floats.
//! Integer nanoseconds make a tick of 0.1 s add up exactly, however many ticks pass.

use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::time::Duration;

/// A point in time on a host's clock: whole nanoseconds since the host started.
///
/// Hosts create them with [`Instant::from_nanos`]; guests do arithmetic with
/// [`std::time::Duration`], which is integer nanoseconds too, so no rounding ever creeps in.
///
/// ```
/// use guestloop::Instant;
/// use std::time::Duration;
///
/// let tick = Duration::from_millis(100);
/// let mut t = Instant::ZERO;
/// for _ in 0..1_000_000 {
///     t += tick;
/// }
/// assert_eq!(t, Instant::from_nanos(100_000 * 1_000_000_000));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant {
    nanos: u64,
}

impl Instant {
    /// The moment the host started.
    pub const ZERO: Instant = Instant { nanos: 0 };
    /// The far future (about 584 years after the host started): a deadline that never comes.
    pub const MAX: Instant = Instant { nanos: u64::MAX };

    /// The instant `nanos` nanoseconds after the host started.
    pub const fn from_nanos(nanos: u64) -> Instant {
        Instant { nanos }
    }

    /// Nanoseconds since the host started.
    pub const fn as_nanos(self) -> u64 {
        self.nanos
    }

    /// Time since the host started.
    pub const fn since_start(self) -> Duration {
        Duration::from_nanos(self.nanos)
    }

    /// `self + duration`, or `None` past [`Instant::MAX`].
    pub fn checked_add(self, duration: Duration) -> Option<Instant> {
        let nanos = u64::try_from(duration.as_nanos()).ok()?;
        self.nanos.checked_add(nanos).map(Instant::from_nanos)
    }

    /// `self + duration`, stopping at [`Instant::MAX`].
    pub fn saturating_add(self, duration: Duration) -> Instant {
        self.checked_add(duration).unwrap_or(Instant::MAX)
    }

    /// `self - duration`, or `None` before [`Instant::ZERO`].
    pub fn checked_sub(self, duration: Duration) -> Option<Instant> {
        let nanos = u64::try_from(duration.as_nanos()).ok()?;
        self.nanos.checked_sub(nanos).map(Instant::from_nanos)
    }

    /// Time from `earlier` to `self`, or zero if `earlier` is later (as `std::time::Instant`'s).
    pub fn duration_since(self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }

    /// Time from `earlier` to `self`, or `None` if `earlier` is later.
    pub fn checked_duration_since(self, earlier: Instant) -> Option<Duration> {
        self.nanos
            .checked_sub(earlier.nanos)
            .map(Duration::from_nanos)
    }

    /// Time from `earlier` to `self`, or zero if `earlier` is later.
    pub fn saturating_duration_since(self, earlier: Instant) -> Duration {
        Duration::from_nanos(self.nanos.saturating_sub(earlier.nanos))
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    /// # Panics
    /// Past [`Instant::MAX`]; use [`Instant::saturating_add`] for "never".
    fn add(self, duration: Duration) -> Instant {
        self.checked_add(duration)
            .expect("overflow when adding a duration to a guestloop::Instant")
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, duration: Duration) {
        *self = *self + duration;
    }
}

/// Time from `earlier` to `self`, zero if `earlier` is later: it saturates, as
/// `std::time::Instant`'s does (use [`Instant::checked_duration_since`] to tell).
impl Sub for Instant {
    type Output = Duration;

    fn sub(self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;

    /// # Panics
    /// Before [`Instant::ZERO`]; use [`Instant::checked_sub`] when unsure.
    fn sub(self, duration: Duration) -> Instant {
        self.checked_sub(duration)
            .expect("overflow when subtracting a duration from a guestloop::Instant")
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, duration: Duration) {
        *self = *self - duration;
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self)
    }
}

impl fmt::Display for Instant {
    /// Seconds since start with nanosecond precision, such as `t=1.100000000s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.nanos / 1_000_000_000;
        let nanos = self.nanos % 1_000_000_000;
        write!(f, "t={secs}.{nanos:09}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_is_exact_and_checked() {
        let t = Instant::from_nanos(5) + Duration::from_nanos(7);
        assert_eq!(t.as_nanos(), 12);
        assert_eq!(t - Instant::from_nanos(2), Duration::from_nanos(10));
        assert_eq!(Instant::MAX.checked_add(Duration::from_nanos(1)), None);
        assert_eq!(Instant::ZERO.saturating_add(Duration::MAX), Instant::MAX);
        assert_eq!(Instant::ZERO.saturating_duration_since(t), Duration::ZERO);
        assert_eq!(
            Instant::from_nanos(1_100_000_000).to_string(),
            "t=1.100000000s"
        );
    }

    #[test]
    fn the_time_between_two_instants_saturates_as_std_does() {
        let (early, late) = (Instant::from_nanos(1), Instant::from_nanos(4));
        assert_eq!(early - late, Duration::ZERO);
        assert_eq!(early.duration_since(late), Duration::ZERO);
        assert_eq!(early.checked_duration_since(late), None);
        assert_eq!(
            late.checked_duration_since(early),
            Some(Duration::from_nanos(3))
        );
        assert_eq!(late - Duration::from_nanos(4), Instant::ZERO);
        assert_eq!(late.checked_sub(Duration::from_nanos(5)), None);
    }

    #[test]
    #[should_panic(expected = "overflow when subtracting")]
    fn subtracting_past_zero_panics_with_a_message() {
        let _ = Instant::from_nanos(1) - Duration::from_nanos(2);
    }
}
