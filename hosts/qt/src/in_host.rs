//! [`run_in_host`]: run a function from a plain Qt event, outside any guest run, and await its
//! result from a task. How a task shows a blocking modal dialog while the other tasks go on.
//!
//! Owns the functions waiting for their event (a thread-local table: they need not be `Send`) and
//! the slot their results come back in.

use crate::host::poster;
use guestloop::JoinError;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

type Waiting = Box<dyn FnOnce()>;

thread_local! {
    /// Functions posted to the event loop, by key, until their event comes.
    static WAITING: RefCell<HashMap<u64, Waiting>> = RefCell::new(HashMap::new());
    static NEXT_KEY: Cell<u64> = const { Cell::new(0) };
}

enum Slot<T> {
    Waiting(Option<Waker>),
    Done(Result<T, JoinError>),
    Taken,
}

/// The result of [`run_in_host`]'s function, awaited.
#[must_use = "the function runs whether or not this is awaited; await it for its result"]
pub struct InHost<T> {
    slot: Rc<RefCell<Slot<T>>>,
    key: u64,
}

/// Runs `f` on the Qt thread from a plain queued event, outside any guest run, and resolves with
/// what it returns (qasync's `asyncWrap`).
///
/// This is how a task shows a modal dialog that blocks in a nested event loop (`QDialog::exec`,
/// `QMessageBox`): run there, the nested loop runs the guest as the main loop does, so every
/// other task goes on while the dialog is open. Called directly inside a task instead, the
/// nested loop would hold the guest's run, and every task would wait for the dialog.
///
/// The future yields `Ok(value)`; a [`JoinError`] that keeps the panic's payload if `f`
/// panicked (the panic is caught in the event and goes nowhere else); or a cancelled one
/// ([`JoinError::is_cancelled`]) if the guest was uninstalled before `f` could run. Dropping the future before `f` has started means `f` never runs; once
/// it runs it cannot be interrupted.
///
/// ```rust,ignore
/// let choice = guestloop_qt::run_in_host(|| ask_with_a_modal_dialog("Stop counting?")).await?;
/// ```
pub fn run_in_host<T: 'static>(f: impl FnOnce() -> T + 'static) -> InHost<T> {
    let slot = Rc::new(RefCell::new(Slot::Waiting(None)));
    let key = NEXT_KEY.replace(NEXT_KEY.get() + 1);
    let result = slot.clone();
    let call: Waiting = Box::new(move || {
        let outcome = catch_unwind(AssertUnwindSafe(f)).map_err(JoinError::from_panic);
        let previous = std::mem::replace(&mut *result.borrow_mut(), Slot::Done(outcome));
        if let Slot::Waiting(Some(waker)) = previous {
            waker.wake();
        }
    });
    WAITING.with_borrow_mut(|waiting| waiting.insert(key, call));
    let posted = poster().is_some_and(|poster| poster.post(move || run_waiting(key)));
    if !posted {
        WAITING.with_borrow_mut(|waiting| waiting.remove(&key));
        *slot.borrow_mut() = Slot::Done(Err(JoinError::cancelled()));
    }
    InHost { slot, key }
}

/// The event for function `key` came: run it, unless its future was dropped meanwhile.
fn run_waiting(key: u64) {
    let call = WAITING.with_borrow_mut(|waiting| waiting.remove(&key));
    if let Some(call) = call {
        call(); // outside the table's borrow: it may post more calls, or run a nested loop
    }
}

impl<T> Future for InHost<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut slot = self.slot.borrow_mut();
        match std::mem::replace(&mut *slot, Slot::Taken) {
            Slot::Done(result) => Poll::Ready(result),
            Slot::Waiting(_) => {
                *slot = Slot::Waiting(Some(cx.waker().clone()));
                Poll::Pending
            }
            Slot::Taken => panic!("a run_in_host result was awaited after it was taken"),
        }
    }
}

impl<T> Drop for InHost<T> {
    fn drop(&mut self) {
        // Not run yet: it never will be. (Dropped outside the table's borrow: its captures'
        // destructors may post calls of their own.)
        let never_run = WAITING.try_with(|waiting| waiting.borrow_mut().remove(&self.key));
        drop(never_run);
    }
}

impl<T> fmt::Debug for InHost<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &*self.slot.borrow() {
            Slot::Waiting(_) => "waiting",
            Slot::Done(_) => "done",
            Slot::Taken => "taken",
        };
        f.debug_struct("InHost").field("state", &state).finish()
    }
}
