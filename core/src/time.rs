//! Timers on the guest clock: [`sleep`], [`sleep_until`], [`timeout`], [`yield_now`], [`now`].
//!
//! Owns the futures tasks await for time. They read the **guest clock** of the executor running
//! them, which stands still during a batch and jumps to each timer deadline exactly, so waits are
//! counted from the instant being processed, never from a wall clock.

use crate::local;
use crate::timer_queue::{MAX_SLOTS, TimerKey};
use crate::{Instant, context};
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// The guest clock of the executor running the current task.
///
/// It is the instant of the batch being processed: every task polled in one batch sees the same
/// value, and a timer's task sees exactly its deadline, however late the host was (within the
/// executor's catch-up bound, [`Builder::max_catch_up`](crate::Builder::max_catch_up)). It moves
/// only between batches, so code that measures its own work, or yields in a loop until some time
/// has passed, reads the host's clock instead: [`Handle::host_now`](crate::Handle::host_now).
///
/// # Panics
/// Outside a task running on a guestloop executor.
#[track_caller]
#[inline]
pub fn now() -> Instant {
    let clock = context::current_clock();
    if clock.owner == 0 {
        panic!("guestloop::now() must be called from a task running on a guestloop executor");
    }
    clock.now
}

/// Waits until the guest clock has advanced by `duration`.
///
/// Inside a task the wait counts from the guest clock's current instant; a `Sleep` made outside
/// any task (say, in host code, to spawn) counts from its first poll. `Duration::MAX` (or anything
/// past [`Instant::MAX`]) waits forever.
pub fn sleep(duration: Duration) -> Sleep {
    let clock = context::current_clock();
    if clock.owner == 0 {
        return Sleep {
            nanos: u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX),
            slot: UNRESOLVED,
            owner: 0,
        };
    }
    Sleep {
        nanos: clock.now.saturating_add(duration).as_nanos(),
        slot: UNREGISTERED,
        owner: clock.owner,
    }
}

/// Waits until the guest clock reaches `deadline`; at once if it already has.
#[inline]
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        nanos: deadline.as_nanos(),
        slot: UNREGISTERED,
        owner: 0,
    }
}

/// `Sleep::slot` of a sleep made outside a task and not yet polled: `nanos` is its duration.
const UNRESOLVED: u32 = u32::MAX;
/// `Sleep::slot` of a sleep with no timer in the queue.
const UNREGISTERED: u32 = MAX_SLOTS;

/// A future that completes when the guest clock reaches its deadline.
///
/// Dropping it cancels its timer, also outside a task, as long as that happens on the executor's
/// thread. It is `Send`, so it can be used in futures given to a [`Spawner`](crate::Spawner), but
/// it belongs to one executor, whose clock its deadline is on: the executor that first polled it
/// (or, for [`sleep`] called inside a task, that task's). Polled by a task of another executor, it
/// panics.
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
/// assert_eq!(host.block_on(task).unwrap(), Duration::from_millis(35));
/// ```
#[derive(Debug)]
#[must_use = "a Sleep does nothing unless awaited"]
pub struct Sleep {
    /// The deadline; or, while `slot` is [`UNRESOLVED`], the wait in nanoseconds, counted from
    /// the first poll. Kept small: every waiting task holds one.
    nanos: u64,
    /// The timer's place in its deadline's bucket, [`UNREGISTERED`] or [`UNRESOLVED`].
    slot: u32,
    /// The id of the executor the sleep belongs to; 0 while it belongs to none yet.
    owner: u32,
}

impl Sleep {
    /// The instant this sleep completes at; `None` for a sleep made outside a task and not yet
    /// polled.
    pub fn deadline(&self) -> Option<Instant> {
        (self.slot != UNRESOLVED).then_some(Instant::from_nanos(self.nanos))
    }

    #[inline]
    fn key(&self) -> Option<TimerKey> {
        (self.slot < UNREGISTERED)
            .then(|| TimerKey::new(Instant::from_nanos(self.nanos), self.slot))
    }
}

impl Future for Sleep {
    type Output = ();

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        let clock = context::current_clock();
        // On its own executor's clock (or on the current one, for a sleep that has none yet),
        // the common cases need nothing but that clock.
        if clock.owner != 0
            && (this.owner == clock.owner || this.owner == 0)
            && this.slot != UNRESOLVED
        {
            if clock.now.as_nanos() >= this.nanos {
                // The deadline has come: the timer, if it had one, has fired and its bucket is
                // gone.
                this.owner = clock.owner;
                this.slot = UNREGISTERED;
                return Poll::Ready(());
            }
            if this.slot == UNREGISTERED && this.nanos != u64::MAX {
                // The first poll, in a task, of a deadline still ahead (what every tick of a
                // `TickClock` is): arm the timer.
                this.owner = clock.owner;
                this.slot = local::arm_timer(Instant::from_nanos(this.nanos), cx.waker());
                return Poll::Pending;
            }
        }
        this.poll_executor(cx)
    }
}

impl Sleep {
    /// Everything but the fast paths: resolve the deadline, check the executor, arm or re-point
    /// the timer.
    #[cold]
    fn poll_executor(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        context::with_current(|local| {
            let id = local.id().get();
            if self.owner != 0 && self.owner != id {
                panic!(
                    "a guestloop::Sleep was polled by a task of another executor than the one it \
                     belongs to; its deadline is on that executor's clock, so await each Sleep \
                     on the executor it started on"
                );
            }
            self.owner = id;
            if self.slot == UNRESOLVED {
                self.nanos = local
                    .now()
                    .saturating_add(Duration::from_nanos(self.nanos))
                    .as_nanos();
                self.slot = UNREGISTERED;
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
            match self.key() {
                Some(key) => local.rearm_timer(key, cx.waker()),
                None => self.slot = local.arm_timer(deadline, cx.waker()).slot(),
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
            local::cancel_timer(self.owner, key);
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
/// assert_eq!(host.block_on(task).unwrap(), Err(Elapsed));
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

/// Lets every other task run first, and every timer that is due fire, then resumes.
///
/// The task wakes itself, which the executor treats as "after everything else": it is polled
/// again once every other task woken in the batch has run, and only after the executor has looked
/// at the host's clock. If a timer is due by then, the batch ends there and the task resumes in
/// the next batch, behind the tasks those timers woke (and sees their instant); otherwise it
/// resumes in the same batch, at the same instant. So a loop of `work(); yield_now().await;`
/// keeps the host's loop and every timer going. To check how long it has worked, read
/// [`Handle::host_now`](crate::Handle::host_now): the guest clock moves only between batches.
///
/// ```
/// use guestloop::testing::TestHost;
///
/// let mut host = TestHost::default();
/// let order = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
/// let log = order.clone();
/// let task = host.spawn_local(async move {
///     let other = guestloop::spawn_local({
///         let log = log.clone();
///         async move { log.borrow_mut().push("other") }
///     });
///     guestloop::yield_now().await; // `other` runs first
///     log.borrow_mut().push("yielder");
///     other.await.unwrap();
/// });
/// host.block_on(task).unwrap();
/// assert_eq!(*order.borrow(), ["other", "yielder"]);
/// ```
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
