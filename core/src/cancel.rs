//! [`CancelToken`]: a flag a task shares with the work it started elsewhere (on a worker thread
//! with [`unblock`](fn@crate::unblock), on another runtime), set once when that work is no longer
//! wanted, and a future that waits for it to be set.
//!
//! Owns the flag and the wakers waiting on it. Knows no executor: it is set from any thread and
//! wakes its waiters through their wakers.

use crate::sync::{AtomicBool, Mutex, MutexGuard, Ordering, lock};
use crate::waker_slab::WakerSlab;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// A flag that says "stop": set once, from any thread, and seen by every clone.
///
/// A task cannot interrupt a closure running on a worker thread: [`JoinHandle::abort`](crate::JoinHandle::abort) drops the
/// task, not the work. Hand the work a clone, let it check [`is_cancelled`](Self::is_cancelled)
/// between steps, and keep a [`cancel_on_drop`](Self::cancel_on_drop) guard in the task: when the
/// task is aborted or dropped, the guard sets the token and the work returns early. Async code
/// waits for it with [`cancelled`](Self::cancelled), in a `select` beside its real work.
///
/// `Send + Sync`; cloning is an `Arc` clone. Once set, a token stays set.
///
/// ```
/// use guestloop::CancelToken;
/// use guestloop::testing::TestHost;
/// use std::time::Duration;
///
/// let mut host = TestHost::default();
/// host.set_patience(Duration::from_secs(10)); // the worker's wake comes from another thread
/// let token = CancelToken::new();
/// let worker = token.clone();
/// let (stopped, stopped_after) = std::sync::mpsc::channel();
/// let search = host.spawn_local(async move {
///     let _stop = worker.clone().cancel_on_drop(); // aborting the task sets the token
///     guestloop::unblock(move || {
///         let mut rounds = 0u64;
///         while !worker.is_cancelled() {
///             rounds += 1; // a slice of a search that could go on for hours
///             std::thread::sleep(Duration::from_millis(1));
///         }
///         let _ = stopped.send(rounds); // the aborted task's result is dropped: say so here
///     })
///     .await
/// });
/// host.run_pending(); // the search starts on a worker
/// search.abort(); // the task is dropped with its guard: the token is set, the worker stops
/// assert!(token.is_cancelled());
/// assert!(stopped_after.recv_timeout(Duration::from_secs(5)).is_ok(), "the worker returned");
///
/// // And awaited: `cancelled()` resolves once the token is set, from any thread.
/// let waiter = host.spawn_local({
///     let token = CancelToken::new();
///     let setter = token.clone();
///     std::thread::spawn(move || setter.cancel());
///     async move { token.cancelled().await }
/// });
/// assert_eq!(host.block_on(waiter), Ok(()));
/// ```
#[derive(Clone)]
pub struct CancelToken {
    inner: Arc<Inner>,
}

struct Inner {
    cancelled: AtomicBool,
    waiters: Mutex<WakerSlab>,
}

impl Inner {
    fn waiters(&self) -> MutexGuard<'_, WakerSlab> {
        // Nothing panics while holding it (wakers are cloned and dropped outside): never torn.
        lock(&self.waiters)
    }
}

impl CancelToken {
    /// A token not yet set.
    pub fn new() -> CancelToken {
        CancelToken {
            inner: Arc::new(Inner {
                cancelled: AtomicBool::new(false),
                waiters: Mutex::new(WakerSlab::default()),
            }),
        }
    }

    /// Sets the token and wakes every [`cancelled`](Self::cancelled) future waiting on it. Later
    /// calls do nothing.
    ///
    /// # Panics
    /// If a waiter's waker panics; every other waiter has been woken first.
    pub fn cancel(&self) {
        if self.inner.cancelled.swap(true, Ordering::AcqRel) {
            return;
        }
        let wakers = self.inner.waiters().take_all();
        let mut first_panic = None;
        for waker in wakers {
            if let Err(panic) = catch_unwind(AssertUnwindSafe(|| waker.wake())) {
                first_panic.get_or_insert(panic);
            }
        }
        if let Some(panic) = first_panic {
            resume_unwind(panic);
        }
    }

    /// Whether the token has been set. Cheap: one atomic load, fit for a worker's inner loop.
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::Acquire)
    }

    /// A future that resolves once the token is set (at once, if it is). It does not borrow the
    /// token, so it can be moved into a task or a `select`.
    pub fn cancelled(&self) -> Cancelled {
        Cancelled {
            inner: self.inner.clone(),
            key: None,
        }
    }

    /// A guard that sets the token when it is dropped, unless [`disarm`](CancelOnDrop::disarm)ed
    /// first. Kept in a task, it tells the task's workers when the task is aborted.
    pub fn cancel_on_drop(self) -> CancelOnDrop {
        CancelOnDrop(Some(self))
    }
}

impl Default for CancelToken {
    fn default() -> CancelToken {
        CancelToken::new()
    }
}

impl fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CancelToken")
            .field(&self.is_cancelled())
            .finish()
    }
}

/// The future of [`CancelToken::cancelled`].
#[must_use = "futures do nothing unless awaited"]
pub struct Cancelled {
    inner: Arc<Inner>,
    /// Where this future's waker is stored, once it waited.
    key: Option<u32>,
}

impl Future for Cancelled {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.inner.cancelled.load(Ordering::Acquire) {
            return Poll::Ready(());
        }
        let mut waiters = this.inner.waiters();
        // Checked again under the lock: `cancel` sets the flag before it takes the wakers, so a
        // waker stored while the flag is clear is taken and woken.
        if this.inner.cancelled.load(Ordering::Acquire) {
            return Poll::Ready(());
        }
        match this.key {
            Some(key) => {
                let stored = waiters.get_mut(key);
                if !stored.will_wake(cx.waker()) {
                    stored.clone_from(cx.waker());
                }
            }
            None => this.key = Some(waiters.insert(cx.waker().clone())),
        }
        Poll::Pending
    }
}

impl Drop for Cancelled {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            let mut waiters = self.inner.waiters();
            // Once set, `cancel` has taken (or is taking) every waker: nothing left to free.
            if !self.inner.cancelled.load(Ordering::Acquire) {
                drop(waiters.remove(key));
            }
        }
    }
}

impl fmt::Debug for Cancelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cancelled")
            .field("cancelled", &self.inner.cancelled.load(Ordering::Acquire))
            .finish()
    }
}

/// Sets its [`CancelToken`] when dropped: see [`CancelToken::cancel_on_drop`].
#[derive(Debug)]
#[must_use = "dropping the guard at once sets the token at once"]
pub struct CancelOnDrop(Option<CancelToken>);

impl CancelOnDrop {
    /// Gives the token back without setting it: the work finished, nothing to stop.
    pub fn disarm(mut self) -> CancelToken {
        self.0
            .take()
            .expect("a guard holds its token until disarmed")
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(token) = self.0.take() {
            token.cancel();
        }
    }
}

#[cfg(all(test, not(guestloop_loom)))]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::task::{Wake, Waker};

    struct CountingWaker(AtomicUsize);
    impl Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn poll(future: &mut Cancelled, waker: &Waker) -> Poll<()> {
        Pin::new(future).poll(&mut Context::from_waker(waker))
    }

    #[test]
    fn a_waiting_future_is_woken_once_and_then_ready() {
        let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = Waker::from(counter.clone());
        let token = CancelToken::new();
        let mut waiting = token.cancelled();
        assert!(poll(&mut waiting, &waker).is_pending());
        assert!(
            poll(&mut waiting, &waker).is_pending(),
            "re-polled: one slot"
        );
        token.cancel();
        token.cancel();
        assert_eq!(counter.0.load(Ordering::SeqCst), 1);
        assert!(poll(&mut waiting, &waker).is_ready());
        assert!(poll(&mut token.cancelled(), &waker).is_ready());
    }

    #[test]
    fn a_dropped_waiter_frees_its_slot_and_is_not_woken() {
        let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = Waker::from(counter.clone());
        let token = CancelToken::new();
        for _ in 0..1000 {
            let mut waiting = token.cancelled();
            assert!(poll(&mut waiting, &waker).is_pending());
        }
        assert_eq!(token.inner.waiters().take_all().len(), 0, "all freed");
        token.cancel();
        assert_eq!(counter.0.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn a_panicking_waker_does_not_keep_the_others_asleep() {
        struct Panics;
        impl Wake for Panics {
            fn wake(self: Arc<Self>) {
                panic!("a hostile waker");
            }
        }
        let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let token = CancelToken::new();
        let mut first = token.cancelled();
        let mut second = token.cancelled();
        assert!(poll(&mut first, &Waker::from(Arc::new(Panics))).is_pending());
        assert!(poll(&mut second, &Waker::from(counter.clone())).is_pending());
        let unwound = catch_unwind(AssertUnwindSafe(|| token.cancel()));
        assert!(unwound.is_err(), "the waker's panic comes out of cancel");
        assert_eq!(counter.0.load(Ordering::SeqCst), 1, "the other was woken");
        assert!(token.is_cancelled());
    }

    #[test]
    fn a_guard_sets_the_token_unless_disarmed() {
        let token = CancelToken::new();
        drop(token.clone().cancel_on_drop().disarm());
        assert!(!token.is_cancelled());
        drop(token.clone().cancel_on_drop());
        assert!(token.is_cancelled());
    }
}

/// Every interleaving of a thread that sets the token and a task that waits for it
/// (`--cfg guestloop_loom`; see `.ci/run`): the waiter is ready or woken, never left asleep.
#[cfg(all(test, guestloop_loom))]
mod loom_tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::task::{Wake, Waker};

    struct CountingWaker(AtomicUsize);
    impl Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    #[test]
    fn loom_a_cancel_racing_a_poll_is_never_lost() {
        loom::model(|| {
            let token = CancelToken::new();
            let setter = token.clone();
            let thread = loom::thread::spawn(move || setter.cancel());
            let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
            let waker = Waker::from(counter.clone());
            let mut waiting = token.cancelled();
            let ready = Pin::new(&mut waiting)
                .poll(&mut Context::from_waker(&waker))
                .is_ready();
            thread.join().unwrap();
            let woken = counter.0.load(std::sync::atomic::Ordering::SeqCst);
            assert!(ready || woken == 1, "pending and never woken");
            assert!(!(ready && woken > 0), "ready and woken as well");
            assert!(
                Pin::new(&mut waiting)
                    .poll(&mut Context::from_waker(&waker))
                    .is_ready()
            );
        });
    }
}
