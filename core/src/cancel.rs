//! [`CancelToken`]: a flag a task shares with the work it started elsewhere (on a worker thread
//! with [`unblock`](fn@crate::unblock), on another runtime), set once when that work is no longer
//! wanted, and a future that waits for it to be set.
//!
//! Owns the flag and the wakers waiting on it. Knows no executor: it is set from any thread and
//! wakes its waiters through their wakers. No waker is cloned, dropped or woken while the
//! waiters' lock is held: a waker's code may come back to the same token.

use crate::sync::{AtomicBool, Mutex, MutexGuard, Ordering, lock};
use crate::task::drop_panic_payload;
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
/// between steps, and move a [`cancel_on_drop`](Self::cancel_on_drop) guard into the task (made
/// before the task is spawned, so that a task aborted before its first poll sets it too): when
/// the task is aborted or dropped, the guard sets the token and the work returns early. Async code
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
/// let stop = worker.clone().cancel_on_drop(); // dropped with the task: sets the token
/// let search = host.spawn_local(async move {
///     let _stop = stop;
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
/// assert_eq!(host.block_on(waiter).unwrap(), ());
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

    fn is_set(&self) -> bool {
        self.cancelled.load(Ordering::Acquire)
    }

    /// Sets the flag and wakes every waiter, outside the lock; the first waker's panic, if any,
    /// after all of them.
    fn set(&self) -> Option<Box<dyn std::any::Any + Send>> {
        if self.cancelled.swap(true, Ordering::AcqRel) {
            return None;
        }
        let wakers = self.waiters().take_all();
        let mut first_panic = None;
        for waker in wakers {
            if let Err(panic) = catch_unwind(AssertUnwindSafe(|| waker.wake())) {
                match first_panic {
                    None => first_panic = Some(panic),
                    Some(_) => drop_panic_payload(panic),
                }
            }
        }
        first_panic
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
        if let Some(panic) = self.inner.set() {
            resume_unwind(panic);
        }
    }

    /// Whether the token has been set. Cheap: one atomic load, fit for a worker's inner loop.
    pub fn is_cancelled(&self) -> bool {
        self.inner.is_set()
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
        if this.inner.is_set() {
            return Poll::Ready(());
        }
        if let Some(key) = this.key {
            let waiters = this.inner.waiters();
            // A comparison, no waker code: fine under the lock. Once set, the slab is empty.
            if this.inner.is_set() {
                return Poll::Ready(());
            }
            if waiters.get(key).will_wake(cx.waker()) {
                return Poll::Pending;
            }
        }
        let waker = cx.waker().clone(); // outside the lock: its code may use this token
        let mut waiters = this.inner.waiters();
        // Checked again under the lock: `cancel` sets the flag before it takes the wakers, so a
        // waker stored while the flag is clear is taken and woken.
        if this.inner.is_set() {
            drop(waiters);
            drop(waker);
            return Poll::Ready(());
        }
        let replaced = match this.key {
            Some(key) => Some(std::mem::replace(waiters.get_mut(key), waker)),
            None => {
                this.key = Some(waiters.insert(waker));
                None
            }
        };
        drop(waiters);
        drop(replaced);
        Poll::Pending
    }
}

impl Drop for Cancelled {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            let mut waiters = self.inner.waiters();
            // Once set, `cancel` has taken (or is taking) every waker: nothing left to free.
            if self.inner.is_set() {
                return;
            }
            let waker = waiters.remove(key);
            // The last waiter gone: the slab's room goes too, not only when the token is set.
            waiters.shrink_if_empty();
            drop(waiters);
            drop(waker); // outside the lock: its code may use this token
        }
    }
}

impl fmt::Debug for Cancelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cancelled")
            .field("cancelled", &self.inner.is_set())
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

/// A waiter's waker that panics is reported by unwinding out of the drop, as
/// [`CancelToken::cancel`] does; during an unwind (the task holding the guard panicked) a second
/// panic would abort the process, so it is dropped instead.
impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(token) = self.0.take() {
            if let Some(panic) = token.inner.set() {
                if std::thread::panicking() {
                    drop_panic_payload(panic);
                } else {
                    resume_unwind(panic);
                }
            }
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

    /// A waker that panics when woken.
    struct Panics;
    impl Wake for Panics {
        fn wake(self: Arc<Self>) {
            panic!("a hostile waker");
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

    /// Runs `body` on a thread of its own; fails if it does not end within 5 s (a deadlock), or
    /// with its own panic if an assertion in it fails.
    fn within_5_s(what: &str, body: impl FnOnce() + Send + 'static) {
        let (done, ended) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            body();
            let _ = done.send(());
        });
        match ended.recv_timeout(std::time::Duration::from_secs(5)) {
            Ok(()) => {}
            // The sender went unsent: the body panicked.
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                if let Err(panic) = thread.join() {
                    resume_unwind(panic);
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!("{what}: deadlocked"),
        }
    }

    /// A waker whose last reference, when dropped, sets the token (a task that held a guard).
    struct CancelsWhenDropped(CancelToken);
    impl Wake for CancelsWhenDropped {
        fn wake(self: Arc<Self>) {}
    }
    impl Drop for CancelsWhenDropped {
        fn drop(&mut self) {
            self.0.cancel();
        }
    }

    #[test]
    fn a_waker_that_comes_back_to_its_token_does_not_deadlock() {
        within_5_s("dropping the waiter", || {
            let token = CancelToken::new();
            let mut waiting = token.cancelled();
            let waker = Waker::from(Arc::new(CancelsWhenDropped(token.clone())));
            assert!(poll(&mut waiting, &waker).is_pending());
            drop(waker); // the token's waiters hold the last reference now
            drop(waiting);
            assert!(token.is_cancelled());
        });
        within_5_s("polling with another waker", || {
            let token = CancelToken::new();
            let mut waiting = token.cancelled();
            let waker = Waker::from(Arc::new(CancelsWhenDropped(token.clone())));
            assert!(poll(&mut waiting, &waker).is_pending());
            drop(waker);
            let _ = poll(&mut waiting, Waker::noop());
            assert!(token.is_cancelled());
        });
    }

    #[test]
    fn a_guard_dropped_by_a_panic_wakes_the_waiters_and_does_not_abort() {
        let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let token = CancelToken::new();
        let (mut hostile, mut other) = (token.cancelled(), token.cancelled());
        assert!(poll(&mut hostile, &Waker::from(Arc::new(Panics))).is_pending());
        assert!(poll(&mut other, &Waker::from(counter.clone())).is_pending());
        let guard = token.clone().cancel_on_drop();
        // The guard drops while this panic unwinds; a second panic out of it would abort.
        let unwound = catch_unwind(AssertUnwindSafe(move || {
            let _guard = guard;
            panic!("the task's own panic");
        }));
        let message = unwound.unwrap_err();
        assert_eq!(
            message.downcast_ref::<&str>(),
            Some(&"the task's own panic")
        );
        assert!(token.is_cancelled());
        assert_eq!(
            counter.0.load(Ordering::SeqCst),
            1,
            "the other waiter was woken"
        );
    }

    #[test]
    fn the_last_waiter_gone_gives_the_room_back() {
        let token = CancelToken::new();
        let mut waiting: Vec<Cancelled> = (0..1000).map(|_| token.cancelled()).collect();
        for future in &mut waiting {
            assert!(poll(future, Waker::noop()).is_pending());
        }
        assert!(token.inner.waiters().capacity() >= 1000);
        drop(waiting);
        assert_eq!(token.inner.waiters().capacity(), 0);
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
