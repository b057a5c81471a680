//! The tick clock: absolute tick deadlines `origin + k·period`, so tasks on one clock never drift.
//!
//! Owns [`TickClock`] (stateless, shared by every task on one tick) and [`Interval`] (one task's
//! stream of ticks, with a [`MissedTicks`] policy). Both compute deadlines from integers; nothing
//! here accumulates rounding or reads a wall clock.

use crate::{Instant, Sleep, context, now, sleep_until};
use futures_core::Stream;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// A clock that ticks every `period` from `origin`: tick `k` is at `origin + k·period`.
///
/// Waiting for [`next_tick`](Self::next_tick) is counted from the tick being processed (the
/// guest clock), so all tasks on one clock wake in the same batch, and a late host catches up
/// tick by tick instead of skipping or drifting.
///
/// ```
/// use guestloop::{TickClock, testing::TestHost};
/// use std::time::Duration;
///
/// let mut host = TestHost::new(Duration::from_millis(7)); // a host that never wakes on time
/// let task = host.spawn_local(async {
///     let clock = TickClock::starting_now(Duration::from_millis(100));
///     let mut ticks = Vec::new();
///     for _ in 0..3 {
///         clock.next_tick().await;
///         ticks.push(clock.current_tick());
///     }
///     (ticks, clock.elapsed())
/// });
/// assert_eq!(host.block_on(task).unwrap(), (vec![1, 2, 3], Duration::from_millis(300)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TickClock {
    origin: Instant,
    period_nanos: u64,
}

impl TickClock {
    /// A clock with tick 0 at `origin`.
    ///
    /// # Panics
    /// If `period` is zero or longer than about 584 years.
    pub fn new(origin: Instant, period: Duration) -> TickClock {
        let period_nanos = u64::try_from(period.as_nanos()).unwrap_or(0);
        assert!(
            period_nanos > 0,
            "a TickClock period must be between 1 ns and u64::MAX ns, got {period:?}"
        );
        TickClock {
            origin,
            period_nanos,
        }
    }

    /// A clock with tick 0 at the guest clock's current instant.
    ///
    /// # Panics
    /// Outside a task, or for a period as [`TickClock::new`] rejects.
    #[track_caller]
    pub fn starting_now(period: Duration) -> TickClock {
        TickClock::new(now(), period)
    }

    /// The instant of tick 0.
    pub fn origin(&self) -> Instant {
        self.origin
    }

    /// The time between two ticks.
    pub fn period(&self) -> Duration {
        Duration::from_nanos(self.period_nanos)
    }

    /// The instant of tick `tick` ([`Instant::MAX`] if that is past the end of time).
    #[inline]
    pub fn instant_of(&self, tick: u64) -> Instant {
        tick.checked_mul(self.period_nanos)
            .and_then(|offset| self.origin.as_nanos().checked_add(offset))
            .map_or(Instant::MAX, Instant::from_nanos)
    }

    /// The last tick at or before `instant` (0 before the origin).
    #[inline]
    pub fn tick_at(&self, instant: Instant) -> u64 {
        instant.saturating_duration_since(self.origin).as_nanos() as u64 / self.period_nanos
    }

    /// The first tick at or after `instant`.
    fn tick_at_or_after(&self, instant: Instant) -> u64 {
        let tick = self.tick_at(instant);
        if self.instant_of(tick) < instant {
            tick + 1
        } else {
            tick
        }
    }

    /// The last tick at or before the guest clock.
    ///
    /// # Panics
    /// Outside a task.
    #[track_caller]
    #[inline]
    pub fn current_tick(&self) -> u64 {
        self.tick_at(now())
    }

    /// Guest time since the origin.
    ///
    /// # Panics
    /// Outside a task.
    #[track_caller]
    pub fn elapsed(&self) -> Duration {
        now().saturating_duration_since(self.origin)
    }

    /// The first tick after `instant`: tick 0 while `instant` is before the origin.
    #[inline]
    pub fn tick_after(&self, instant: Instant) -> u64 {
        if instant < self.origin {
            0
        } else {
            self.tick_at(instant).saturating_add(1)
        }
    }

    /// Waits until the first tick after the guest clock (tick 0, at the origin, while the
    /// guest clock is before it).
    ///
    /// # Panics
    /// Outside a task.
    #[track_caller]
    #[inline]
    pub fn next_tick(&self) -> Sleep {
        sleep_until(self.instant_of(self.tick_after(now())))
    }

    /// One task's stream of this clock's ticks, starting with the first tick after the guest
    /// clock (tick 0 while the guest clock is before the origin).
    ///
    /// # Panics
    /// Outside a task.
    #[track_caller]
    pub fn interval(&self, missed: MissedTicks) -> Interval {
        let next = self.tick_after(now());
        Interval {
            clock: *self,
            next,
            next_at: self.instant_of(next),
            missed,
            streaming: None,
        }
    }
}

/// What an [`Interval`] does with ticks that passed while its task was busy elsewhere, or that
/// the guest clock jumped over. The default is [`CatchUp`](Self::CatchUp).
///
/// A host that is merely late causes no missed ticks: the guest clock visits every deadline.
/// Ticks are missed when the task itself awaited something else across them, or when the host
/// stalled for longer than the executor's catch-up bound
/// ([`Builder::max_catch_up`](crate::Builder::max_catch_up)) and the guest clock jumped.
///
/// Whatever the policy, a tick the task is late for is never ready in the poll that asks for
/// it: [`Interval::tick`] first yields, as [`yield_now`](crate::yield_now) does (the task is
/// polled again after the rest of the batch, and after the executor has looked at the host's
/// clock). So a task that catches up costs the host one poll per tick, and a run never polls
/// more than a budget of them: however many ticks are missed, the host's loop keeps its turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum MissedTicks {
    /// Deliver the missed ticks one by one, in order, a poll each: catch up tick by tick. Only
    /// ticks within the executor's catch-up bound of the guest clock are replayed; older ones
    /// are skipped, as the executor skips deadlines when its clock jumps (the latest missed tick
    /// is always delivered). After a laptop's 8-hour suspend, a 16 ms interval on the default
    /// 1 s bound delivers the 62 ticks of the last second, not 1.8 million; with
    /// [`Builder::max_catch_up`](crate::Builder::max_catch_up)`(Duration::MAX)` it delivers
    /// every one, still a poll each; with `Duration::ZERO` it behaves as [`Skip`](Self::Skip).
    #[default]
    CatchUp,
    /// Deliver only the latest missed tick, then continue on schedule.
    Skip,
}

/// A task's own stream of ticks of a [`TickClock`]: each [`tick`](Self::tick) returns the next
/// tick number, waiting for it if it is in the future.
///
/// ```
/// use guestloop::{MissedTicks, TickClock, testing::TestHost};
/// use std::time::Duration;
///
/// let mut host = TestHost::default();
/// let task = host.spawn_local(async {
///     let clock = TickClock::starting_now(Duration::from_millis(10));
///     let mut catch_up = clock.interval(MissedTicks::CatchUp);
///     let mut skip = clock.interval(MissedTicks::Skip);
///     guestloop::sleep(Duration::from_millis(35)).await; // busy across ticks 1, 2 and 3
///     let caught_up = [catch_up.tick().await, catch_up.tick().await, catch_up.tick().await];
///     let skipped = [skip.tick().await, skip.tick().await];
///     (caught_up, skipped)
/// });
/// assert_eq!(host.block_on(task).unwrap(), ([1, 2, 3], [3, 4]));
/// ```
///
/// It is also a [`Stream`] (futures-core's, the trait every stream crate shares) of the same
/// tick numbers, which never ends: `interval.next().await` with `futures-lite`'s `StreamExt`
/// (`futures-lite = "2"`), or any stream combinator. The stream and
/// [`tick`](Self::tick) share one sequence; a tick taken by one is not seen by the other.
///
/// [`Stream`]: https://docs.rs/futures-core/0.3/futures_core/stream/trait.Stream.html
#[derive(Debug)]
pub struct Interval {
    clock: TickClock,
    next: u64,
    /// The instant of tick `next`, kept by addition: one tick to the next is one period.
    next_at: Instant,
    missed: MissedTicks,
    /// The stream's wait: its sleep (until the tick it waits for) and whether it has yielded
    /// for a late tick. Kept between polls, as `NextTick` keeps its own.
    streaming: Option<(Sleep, bool)>,
}

/// A clone follows the same clock from the same next tick; a wait in progress is not cloned.
impl Clone for Interval {
    fn clone(&self) -> Interval {
        Interval {
            clock: self.clock,
            next: self.next,
            next_at: self.next_at,
            missed: self.missed,
            streaming: None,
        }
    }
}

impl Interval {
    /// Waits for the next tick and returns its number (see [`MissedTicks`] for a tick the task
    /// is late for).
    ///
    /// # Cancellation
    /// Dropping the returned future before it completes consumes no tick.
    #[inline]
    pub fn tick(&mut self) -> NextTick<'_> {
        let sleep = sleep_until(self.next_at);
        NextTick {
            interval: self,
            sleep,
            yielded: false,
        }
    }

    /// The guest clock is past the next tick: applies the policy (which ticks to skip) at
    /// `now`. Out of line: a task on schedule never gets here.
    #[cold]
    fn skip_missed(&mut self, now: Instant) {
        let latest = self.clock.tick_at(now);
        let first = match self.missed {
            MissedTicks::Skip => latest,
            MissedTicks::CatchUp => {
                let bound = context::with_current(|local| local.max_catch_up()).unwrap_or(0);
                let oldest = Instant::from_nanos(now.as_nanos().saturating_sub(bound));
                self.clock.tick_at_or_after(oldest).min(latest)
            }
        };
        if first > self.next {
            self.set_next(first);
        }
    }

    fn set_next(&mut self, tick: u64) {
        self.next = tick;
        self.next_at = self.clock.instant_of(tick);
    }

    /// The clock this interval follows.
    pub fn clock(&self) -> &TickClock {
        &self.clock
    }
}

/// The future of [`Interval::tick`]: the next tick's number, once the guest clock reaches it.
#[derive(Debug)]
#[must_use = "a NextTick does nothing unless awaited"]
pub struct NextTick<'a> {
    interval: &'a mut Interval,
    sleep: Sleep,
    /// Whether it has yielded for a tick the task is late for.
    yielded: bool,
}

impl Future for NextTick<'_> {
    type Output = u64;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        let this = &mut *self;
        this.interval
            .poll_tick(&mut this.sleep, &mut this.yielded, cx)
    }
}

impl Interval {
    /// Polls the wait for tick `next` (`sleep`, `yielded`): what [`NextTick`] and the stream
    /// share.
    #[inline]
    fn poll_tick(
        &mut self,
        sleep: &mut Sleep,
        yielded: &mut bool,
        cx: &mut Context<'_>,
    ) -> Poll<u64> {
        if Pin::new(sleep).poll(cx).is_pending() {
            return Poll::Pending;
        }
        // A timer that fired puts the guest clock exactly on the tick; past it, the task is
        // late: yield once, then deliver as the policy says.
        let now = context::current_clock().now;
        if self.next_at < now {
            if !std::mem::replace(yielded, true) {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            self.skip_missed(now);
        }
        let tick = self.next;
        self.next = tick + 1;
        // `instant_of(tick + 1)`, saturating at `Instant::MAX` as it does.
        let at = self.next_at.as_nanos();
        self.next_at = Instant::from_nanos(at.saturating_add(self.clock.period_nanos));
        Poll::Ready(tick)
    }
}

/// The ticks, as [`Interval::tick`] gives them; never ends.
///
/// ```
/// use futures_lite::StreamExt;
/// use guestloop::{MissedTicks, TickClock, testing::TestHost};
/// use std::time::Duration;
///
/// let mut host = TestHost::default();
/// let task = host.spawn_local(async {
///     let clock = TickClock::starting_now(Duration::from_millis(10));
///     let ticks: Vec<u64> = clock.interval(MissedTicks::Skip).take(3).collect().await;
///     (ticks, guestloop::now().since_start())
/// });
/// assert_eq!(host.block_on(task).unwrap(), (vec![1, 2, 3], Duration::from_millis(30)));
/// ```
impl Stream for Interval {
    type Item = u64;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u64>> {
        let this = self.get_mut();
        // A wait for another tick than `next` (`tick()` was awaited meanwhile) is stale.
        let (mut sleep, mut yielded) = match this.streaming.take() {
            Some(wait) if wait.0.deadline() == Some(this.next_at) => wait,
            _ => (sleep_until(this.next_at), false),
        };
        match this.poll_tick(&mut sleep, &mut yielded, cx) {
            Poll::Ready(tick) => Poll::Ready(Some(tick)),
            Poll::Pending => {
                this.streaming = Some((sleep, yielded));
                Poll::Pending
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (usize::MAX, None)
    }
}
