//! Timers on the guest clock: [`sleep`], [`sleep_until`], [`timeout`], [`yield_now`], [`now`].
//!
//! Owns the futures tasks await for time. They read the **guest clock** of the executor running
//! them, which stands still during a batch and jumps to each timer deadline exactly, so waits are
//! counted from the instant being processed, never from a wall clock.

use crate::Instant;
use crate::executor;
use crate::timer_queue::{TimerKey, Wakeup};
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// The guest clock of the executor running the current task.
///
/// It is the instant of the batch being processed: every task polled in one batch sees the same
/// value, and a timer's task sees exactly its deadline, however late the host was.
///
/// # Panics
/// Outside a task running on a guestloop executor.
#[track_caller]
#[inline]
pub fn now() -> Instant {
    executor::current_now().unwrap_or_else(|| {
        panic!("guestloop::now() must be called from a task running on a guestloop executor")
    })
}

/// Waits until the guest clock has advanced by `duration`.
///
/// Inside a task the wait counts from the guest clock's current instant; a `Sleep` made outside
/// any task (say, in host code, to spawn) counts from its first poll. `Duration::MAX` (or anything
/// past [`Instant::MAX`]) waits forever.
pub fn sleep(duration: Duration) -> Sleep {
    match executor::current_now() {
        Some(now) => sleep_until(now.saturating_add(duration)),
        None => Sleep {
            nanos: u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX),
            resolved: false,
            slot: UNREGISTERED,
        },
    }
}

/// Waits until the guest clock reaches `deadline`; at once if it already has.
#[inline]
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        nanos: deadline.as_nanos(),
        resolved: true,
        slot: UNREGISTERED,
    }
}

/// `Sleep::slot` of a sleep with no timer in the queue.
const UNREGISTERED: u32 = u32::MAX;

/// A future that completes when the guest clock reaches its deadline.
///
/// Dropping it cancels its timer. It is `Send`, so it can be used in futures given to a
/// [`Spawner`](crate::Spawner), but it must be polled by the executor it first registered with.
///
/// ```
/// use guestloop::testing::TestHost;
/// use std::time::Duration;
///
/// let mut host = TestHost::new(Duration::from_millis(10));
/// let task = host.spawn_local(async {
///     let start = guestloop::now();
///     guestloop::sleep(Duration::from_millis(35)).await;
///     guestloop::now() - start
/// });
/// // The host steps 10 ms at a time, so it wakes the guest late, at 40 ms; the task
/// // still sees exactly its deadline.
/// assert_eq!(host.block_on(task), Ok(Duration::from_millis(35)));
/// ```
#[derive(Debug)]
#[must_use = "a Sleep does nothing unless awaited"]
pub struct Sleep {
    /// The deadline; or, until `resolved`, the wait in nanoseconds, counted from the first poll
    /// (for a sleep made outside any task). Kept small: every waiting task holds one.
    nanos: u64,
    resolved: bool,
    /// The timer's place in its deadline's bucket, or [`UNREGISTERED`].
    slot: u32,
}

impl Sleep {
    /// The instant this sleep completes at; `None` for a sleep made outside a task and not yet
    /// polled.
    pub fn deadline(&self) -> Option<Instant> {
        self.resolved.then_some(Instant::from_nanos(self.nanos))
    }

    #[inline]
    fn key(&self) -> Option<TimerKey> {
        (self.slot != UNREGISTERED)
            .then(|| TimerKey::new(Instant::from_nanos(self.nanos), self.slot))
    }
}

impl Future for Sleep {
    type Output = ();

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        // Polled again once armed, usually because the timer fired: the guest clock alone tells.
        if this.slot != UNREGISTERED
            && executor::current_now().is_some_and(|now| now.as_nanos() >= this.nanos)
        {
            this.slot = UNREGISTERED; // the timer has fired: its bucket is gone
            return Poll::Ready(());
        }
        this.poll_executor(cx)
    }
}

impl Sleep {
    /// Everything but the fired fast path: resolve the deadline, arm or re-point the timer.
    fn poll_executor(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        executor::with_current(|local| {
            if !self.resolved {
                self.nanos = local
                    .now()
                    .saturating_add(Duration::from_nanos(self.nanos))
                    .as_nanos();
                self.resolved = true;
            }
            let deadline = Instant::from_nanos(self.nanos);
            if local.now() >= deadline {
                // The timer (if any) has fired: its bucket is gone.
                self.slot = UNREGISTERED;
                return Poll::Ready(());
            }
            if deadline == Instant::MAX {
                return Poll::Pending; // never: no timer needed
            }
            let wakeup = local.wakeup_for(cx.waker());
            let mut timers = local.timers.borrow_mut();
            match self.key().and_then(|key| timers.wakeup_mut(key)) {
                Some(armed) => {
                    let same = match (&*armed, &wakeup) {
                        (Wakeup::Task(old), Wakeup::Task(new)) => old == new,
                        (Wakeup::Waker(old), Wakeup::Waker(new)) => old.will_wake(new),
                        _ => false,
                    };
                    if !same {
                        *armed = wakeup;
                    }
                }
                None => self.slot = timers.insert(deadline, wakeup).slot(),
            }
            Poll::Pending
        })
        .unwrap_or_else(|| {
            panic!("a guestloop::Sleep must be polled by a task running on a guestloop executor")
        })
    }
}

impl Drop for Sleep {
    #[inline]
    fn drop(&mut self) {
        if let Some(key) = self.key() {
            cancel(key);
        }
    }
}

/// Cancels a pending timer of the current executor.
fn cancel(key: TimerKey) {
    let wakeup = executor::with_current(|local| local.timers.borrow_mut().cancel(key));
    drop(wakeup); // outside the borrow: dropping a waker may run foreign code
}

/// The error of a [`timeout`] whose time ran out first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the deadline passed before the future completed")]
pub struct Elapsed;

pin_project! {
    /// A future with a deadline; see [`timeout`].
    #[derive(Debug)]
    #[must_use = "a Timeout does nothing unless awaited"]
    pub struct Timeout<F> {
        #[pin]
        future: F,
        sleep: Sleep,
    }
}

/// Runs `future`, giving up with [`Elapsed`] once the guest clock has advanced by `duration`
/// (counted like [`sleep`]'s).
///
/// The future is polled first, so one that is ready at the deadline still wins.
///
/// ```
/// use guestloop::{Elapsed, testing::TestHost};
/// use std::time::Duration;
///
/// let mut host = TestHost::default();
/// let task = host.spawn_local(async {
///     let slow = guestloop::sleep(Duration::from_secs(5));
///     guestloop::timeout(Duration::from_secs(1), slow).await
/// });
/// assert_eq!(host.block_on(task), Ok(Err(Elapsed)));
/// ```
///
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    Timeout {
        future,
        sleep: sleep(duration),
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(output) = this.future.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        Pin::new(this.sleep).poll(cx).map(|()| Err(Elapsed))
    }
}

/// Lets every other task already woken in this batch run first, then resumes in the same batch.
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future of [`yield_now`].
#[derive(Debug)]
#[must_use = "a YieldNow does nothing unless awaited"]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
