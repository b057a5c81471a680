//! The thread's executor context: which executor is running a task on this thread (and its guest
//! clock), and every executor this thread owns.
//!
//! Owns the thread-locals, and [`Enter`], which sets and restores them around a run.

use crate::Instant;
use crate::local::Local;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

/// The executor whose run (or shutdown) is innermost on this thread's stack, and its guest clock.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Clock {
    /// The executor's id, or 0 when no executor is current.
    pub(crate) owner: u32,
    pub(crate) now: Instant,
}

const NO_CLOCK: Clock = Clock {
    owner: 0,
    now: Instant::ZERO,
};

thread_local! {
    /// The executor whose run (or shutdown) is innermost on this thread's stack.
    static CURRENT: RefCell<Option<Rc<Local>>> = const { RefCell::new(None) };
    /// `CURRENT`'s id and guest clock, mirrored. It has no destructor, so reading it is a plain
    /// load: the check every fired timer makes ("has my deadline come, on my clock?") needs
    /// nothing else.
    static CURRENT_CLOCK: Cell<Clock> = const { Cell::new(NO_CLOCK) };
    /// Every live executor owned by this thread: how `abort` and a `Sleep` dropped outside a run
    /// find theirs.
    static OWNED: RefCell<Vec<Weak<Local>>> = const { RefCell::new(Vec::new()) };
}

/// Makes `local` the thread's current executor until dropped, then restores the previous one.
pub(crate) struct Enter {
    previous: Option<Rc<Local>>,
    previous_clock: Clock,
}

impl Enter {
    #[inline]
    pub(crate) fn new(local: &Rc<Local>) -> Enter {
        // While the thread's locals are being destroyed there is no current executor to set.
        let previous = CURRENT
            .try_with(|current| current.replace(Some(local.clone())))
            .unwrap_or_default();
        let previous_clock = CURRENT_CLOCK.replace(Clock {
            owner: local.id().get(),
            now: local.now(),
        });
        Enter {
            previous,
            previous_clock,
        }
    }
}

impl Drop for Enter {
    #[inline]
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = CURRENT.try_with(|current| current.replace(previous));
        CURRENT_CLOCK.set(self.previous_clock);
    }
}

/// The executor whose task is running on this thread, if any.
pub(crate) fn try_current() -> Option<Rc<Local>> {
    CURRENT
        .try_with(|current| current.borrow().clone())
        .ok()
        .flatten()
}

/// Calls `f` with the executor whose task is running on this thread, if any. Cheaper than
/// [`try_current`]; `f` must not enter an executor.
#[inline]
pub(crate) fn with_current<R>(f: impl FnOnce(&Rc<Local>) -> R) -> Option<R> {
    CURRENT
        .try_with(|current| current.borrow().as_ref().map(f))
        .ok()
        .flatten()
}

/// The current executor's id and guest clock: one thread-local load.
#[inline]
pub(crate) fn current_clock() -> Clock {
    CURRENT_CLOCK.get()
}

/// Moves the mirrored guest clock; called by the current executor as its clock moves.
#[inline]
pub(crate) fn set_current_now(now: Instant) {
    CURRENT_CLOCK.set(Clock {
        owner: CURRENT_CLOCK.get().owner,
        now,
    });
}

/// Records a new executor as owned by this thread.
pub(crate) fn adopt(local: &Rc<Local>) {
    let _ = OWNED.try_with(|owned| owned.borrow_mut().push(Rc::downgrade(local)));
}

/// Forgets an executor that shut down (and any that are gone).
pub(crate) fn forget(local: &Local) {
    let _ = OWNED.try_with(|owned| {
        owned.borrow_mut().retain(|weak| {
            weak.strong_count() > 0 && !std::ptr::eq(weak.as_ptr(), local as *const Local)
        })
    });
}

/// The live executor of this thread that `matches`, if any: the registry is per thread, so
/// finding one here means this is its thread.
pub(crate) fn owned(matches: impl Fn(&Local) -> bool) -> Option<Rc<Local>> {
    OWNED
        .try_with(|owned| {
            owned
                .borrow()
                .iter()
                .filter_map(Weak::upgrade)
                .find(|local| matches(local))
        })
        .ok()
        .flatten()
}
