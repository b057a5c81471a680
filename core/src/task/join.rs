//! [`JoinHandle`], [`JoinError`] (which keeps a panic's payload), and the join state through which a task hands its result over.
//!
//! Owns the handover: a slot behind a mutex (the handle may be on another thread) that holds the
//! joiner's waker, then the result; and whether the handle is gone, so that a detached task's
//! output is dropped on the executor's thread.

use super::cell::JoinRef;
use super::drop_panic_payload;
use crate::local;
use crate::sync::{AtomicBool, Mutex as SlotMutex, MutexGuard, Ordering, lock};
use std::any::Any;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

/// Why a task gave no output: it was cancelled, or it panicked (then the panic's payload is
/// kept, as [`std::thread::JoinHandle::join`] keeps it).
///
/// The same as tokio's `JoinError`: ask [`is_cancelled`](JoinError::is_cancelled) or
/// [`is_panic`](JoinError::is_panic), take the payload with
/// [`into_panic`](JoinError::into_panic), and hand it to [`std::panic::resume_unwind`] to carry
/// the panic on. Its `Display` names the panic's message when the payload is a `&str` or a
/// `String` (what `panic!` makes). Dropping it drops the payload; should the payload's own
/// destructor panic, that panic is caught and dropped too, so a `JoinError` never panics as it
/// goes.
///
/// ```
/// use guestloop::testing::TestHost;
///
/// let mut host = TestHost::default();
/// let task = host.spawn_local(async { panic!("out of cheese") });
/// let error = host.block_on(task).unwrap_err();
/// assert!(error.is_panic());
/// assert_eq!(error.to_string(), "the task panicked: out of cheese");
///
/// let payload = error.into_panic();
/// assert_eq!(payload.downcast_ref::<&str>(), Some(&"out of cheese"));
/// // std::panic::resume_unwind(payload) would carry the panic on from here.
/// ```
pub struct JoinError {
    repr: Repr,
}

enum Repr {
    Cancelled,
    /// The payload, always `Some` until [`JoinError::into_panic`] takes it. A mutex makes the
    /// error `Sync` (the payload is only `Send`) so that it fits `Box<dyn Error + Send + Sync>`;
    /// it is locked only to read the message.
    Panic(Mutex<Option<Box<dyn Any + Send + 'static>>>),
}

impl JoinError {
    /// The error of a task that was cancelled.
    ///
    /// The executor makes these; this and [`from_panic`](JoinError::from_panic) are for futures
    /// that stand for work run elsewhere and report as a task does (guestloop-qt's
    /// `run_in_host`).
    pub fn cancelled() -> JoinError {
        JoinError {
            repr: Repr::Cancelled,
        }
    }

    /// The error of a task that panicked with `payload`, as [`std::panic::catch_unwind`] gives it.
    pub fn from_panic(payload: Box<dyn Any + Send + 'static>) -> JoinError {
        JoinError {
            repr: Repr::Panic(Mutex::new(Some(payload))),
        }
    }

    /// Whether the task was cancelled: aborted, or its executor dropped, before it finished.
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled)
    }

    /// Whether the task panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Repr::Panic(_))
    }

    /// The panic's payload.
    ///
    /// # Panics
    /// If the task was cancelled rather than panicked; [`try_into_panic`](JoinError::try_into_panic)
    /// does not.
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        self.try_into_panic()
            .expect("`JoinError::into_panic` on a task that was cancelled, not panicked")
    }

    /// The panic's payload, or the error back if the task was cancelled.
    pub fn try_into_panic(mut self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        match &mut self.repr {
            Repr::Panic(payload) => Ok(payload
                .get_mut()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
                .expect("a JoinError's payload is taken only here, once")),
            Repr::Cancelled => Err(self),
        }
    }

    /// The panic's message, if it panicked with a `&str` or a `String`.
    fn message(&self) -> Option<String> {
        let Repr::Panic(payload) = &self.repr else {
            return None;
        };
        let payload = payload.lock().unwrap_or_else(PoisonError::into_inner);
        payload
            .as_deref()
            .and_then(super::string_payload)
            .map(str::to_owned)
    }
}

impl Drop for JoinError {
    fn drop(&mut self) {
        if let Repr::Panic(payload) = &mut self.repr {
            let payload = payload.get_mut().unwrap_or_else(PoisonError::into_inner);
            if let Some(payload) = payload.take() {
                drop_panic_payload(payload);
            }
        }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.repr, self.message()) {
            (Repr::Cancelled, _) => f.write_str("the task was cancelled before it finished"),
            (Repr::Panic(_), Some(message)) => write!(f, "the task panicked: {message}"),
            (Repr::Panic(_), None) => f.write_str("the task panicked (with a non-string payload)"),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.repr, self.message()) {
            (Repr::Cancelled, _) => f.write_str("JoinError::Cancelled"),
            (Repr::Panic(_), Some(message)) => write!(f, "JoinError::Panic({message:?})"),
            (Repr::Panic(_), None) => f.write_str("JoinError::Panic(..)"),
        }
    }
}

impl std::error::Error for JoinError {}

enum JoinSlot<T> {
    /// Still running; the waker of whoever awaits the handle.
    Waiting(Option<Waker>),
    /// Finished; the result until it is taken (by the handle, or by the executor once the
    /// handle is gone).
    Done(Option<Result<T, JoinError>>),
}

/// Whether the task's [`JoinHandle`] is gone. It lives in the task's header, where it takes no
/// room (a third state of the slot would take eight bytes a task); it changes only under the
/// join state's lock.
pub(crate) struct HandleGone(AtomicBool);

impl HandleGone {
    pub(crate) fn new() -> HandleGone {
        HandleGone(AtomicBool::new(false))
    }
}

/// Where a task leaves its result for its [`JoinHandle`].
pub(crate) struct JoinState<T> {
    slot: SlotMutex<JoinSlot<T>>,
}

impl<T> JoinState<T> {
    pub(crate) fn new() -> JoinState<T> {
        JoinState {
            slot: SlotMutex::new(JoinSlot::Waiting(None)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, JoinSlot<T>> {
        // No code that can panic runs while the lock is held (wakers and results are dropped
        // after it), so a poisoned lock is still consistent.
        lock(&self.slot)
    }

    /// Records the first result (later ones are dropped); returns the waker of whoever awaits
    /// it, for the caller to wake (a foreign waker may panic, and the caller knows where to
    /// report that).
    #[must_use = "whoever awaits the handle must be woken"]
    pub(crate) fn complete(&self, result: Result<T, JoinError>) -> Option<Waker> {
        let mut slot = self.lock();
        let JoinSlot::Waiting(waiter) = &mut *slot else {
            drop(slot);
            drop(result); // outside the lock
            return None;
        };
        let waiter = waiter.take();
        *slot = JoinSlot::Done(Some(result));
        waiter
    }

    /// The handle is going: returns what it must drop (a result it did not take, its waker).
    pub(crate) fn detach(
        &self,
        gone: &HandleGone,
    ) -> (Option<Result<T, JoinError>>, Option<Waker>) {
        let mut slot = self.lock();
        gone.0.store(true, Ordering::Relaxed);
        match &mut *slot {
            JoinSlot::Waiting(waiter) => (None, waiter.take()),
            JoinSlot::Done(result) => (result.take(), None),
        }
    }

    /// The result of a task whose handle is gone, for the executor to drop on its thread.
    pub(crate) fn take_orphan(&self, gone: &HandleGone) -> Option<Result<T, JoinError>> {
        match &mut *self.lock() {
            JoinSlot::Done(result) if gone.0.load(Ordering::Relaxed) => result.take(),
            JoinSlot::Waiting(_) | JoinSlot::Done(_) => None,
        }
    }
}

/// An owned permission to await a task's output, or to abort it.
///
/// Awaiting it yields `Ok(output)`, or a [`JoinError`] if the task panicked or was cancelled.
/// Dropping it **detaches** the task: it runs on, and its output is dropped when it finishes.
///
/// ```
/// use guestloop::testing::TestHost;
///
/// let mut host = TestHost::default();
/// let task = host.spawn_local(async {
///     guestloop::sleep(std::time::Duration::from_secs(3600)).await;
///     "never"
/// });
/// task.abort();
/// assert!(host.block_on(task).is_err_and(|error| error.is_cancelled()));
/// ```
pub struct JoinHandle<T> {
    task: JoinRef<T>,
}

impl<T> JoinHandle<T> {
    pub(crate) fn new(task: JoinRef<T>) -> JoinHandle<T> {
        JoinHandle { task }
    }

    /// Cancels the task: once `abort` has returned, its future is never polled again.
    ///
    /// On the executor's thread the future is dropped before `abort` returns, so its destructors
    /// have run; if the task aborts itself, that happens as soon as its current poll returns.
    /// From another thread the future is dropped at the executor's next run, and is not polled
    /// meanwhile, even if it was queued already. A task that already finished keeps its result,
    /// and so does one whose last poll was under way on the host thread while `abort` was
    /// called. Awaiting an aborted task yields a cancelled [`JoinError`]
    /// ([`is_cancelled`](JoinError::is_cancelled)).
    pub fn abort(&self) {
        let header = self.task.header();
        header.abort();
        local::abort(header);
    }

    /// Whether the task has finished: it returned, panicked, or was cancelled.
    pub fn is_finished(&self) -> bool {
        matches!(*self.task.join().lock(), JoinSlot::Done(_))
    }

    /// Takes the result if the task has finished, without waiting.
    ///
    /// # Panics
    /// If the result was already taken (by an earlier call or by awaiting the handle).
    pub fn try_take(&mut self) -> Option<Result<T, JoinError>> {
        match &mut *self.task.join().lock() {
            JoinSlot::Done(result) => Some(
                result
                    .take()
                    .expect("a JoinHandle's result was taken twice"),
            ),
            JoinSlot::Waiting(_) => None,
        }
    }
}

/// The handle never pins its task's output (it only takes it out of the join state), so it is
/// `Unpin` whatever `T` is, as tokio's is: `&mut handle` can be awaited or put in a `select`.
impl<T> Unpin for JoinHandle<T> {}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut slot = self.task.join().lock();
        let stale = match &mut *slot {
            JoinSlot::Done(result) => {
                return Poll::Ready(
                    result
                        .take()
                        .expect("a JoinHandle was polled after it completed"),
                );
            }
            JoinSlot::Waiting(Some(waiter)) if waiter.will_wake(cx.waker()) => {
                return Poll::Pending;
            }
            JoinSlot::Waiting(waiter) => waiter.replace(cx.waker().clone()),
        };
        drop(slot);
        drop(stale); // outside the lock: dropping a waker may run foreign code
        Poll::Pending
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.task.header().id())
            .field("finished", &self.is_finished())
            .finish()
    }
}
