//! Timers on the guest clock: [`sleep`], [`sleep_until`], [`timeout`], [`yield_now`], [`now`].
//!
//! Owns the futures tasks await for time. They read the **guest clock** of the executor running
//! them, which stands still during a batch and jumps to each timer deadline exactly, so waits are
//! counted from the instant being processed, never from a wall clock.

use crate::Instant;
use crate::executor::{self, current};
use crate::timer_queue::TimerKey;
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
pub fn now() -> Instant {
    current("now").now()
}

/// Waits until the guest clock has advanced by `duration`.
///
/// Inside a task the wait counts from the guest clock's current instant; a `Sleep` made outside
/// any task (say, in host code, to spawn) counts from its first poll. `Duration::MAX` (or anything
/// past [`Instant::MAX`]) waits forever.
pub fn sleep(duration: Duration) -> Sleep {
    Sleep {
        deadline: executor::try_current().map(|local| local.now().saturating_add(duration)),
        duration,
        key: None,
    }
}

/// Waits until the guest clock reaches `deadline`; at once if it already has.
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline: Some(deadline),
        duration: Duration::ZERO,
        key: None,
    }
}

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
    /// `None` until first polled, for a sleep made outside any task.
    deadline: Option<Instant>,
    duration: Duration,
    key: Option<TimerKey>,
}

impl Sleep {
    /// The instant this sleep completes at; `None` for a sleep made outside a task and not yet
    /// polled.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let local = current("Sleep::poll");
        let duration = self.duration;
        let deadline = *self
            .deadline
            .get_or_insert_with(|| local.now().saturating_add(duration));
        if local.now() >= deadline {
            // The timer (if any) has fired: its bucket is gone, the key is stale.
            self.key = None;
            return Poll::Ready(());
        }
        if deadline == Instant::MAX {
            return Poll::Pending; // never: no timer needed
        }
        let mut timers = local.timers.borrow_mut();
        match self.key {
            Some(key) => timers.update(key, cx.waker()),
            None => self.key = Some(timers.insert(deadline, cx.waker())),
        }
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            if let Some(local) = executor::try_current() {
                let waker = local.timers.borrow_mut().cancel(key);
                drop(waker);
            }
        }
    }
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
