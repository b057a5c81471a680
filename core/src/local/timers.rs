//! The executor's side of timers: arming a task's timer, pointing it at another waker,
//! cancelling it, and keeping the host's one timer on the earliest deadline.
//!
//! Owns the way from a `Sleep` to the [`TimerQueue`](crate::timer_queue::TimerQueue) of its
//! executor; the queue's order is `timer_queue`'s, the run loop that fires timers is
//! [`local`](super)'s. A timer armed by the polled task with its own waker is stored as the
//! task's id; any other waker is cloned into the executor's `WakerSlab`.

use super::{HostTimer, Local, Queues, RunState, bump};
use crate::Instant;
use crate::batch::{Target, Wakeup};
use crate::context;
use crate::timer_queue::TimerKey;
use std::task::Waker;

/// Arms a timer for `deadline` on the current executor (there must be one) that wakes `waker`'s
/// task; returns its slot in the deadline's bucket. Out of line: the futures that call it are
/// inlined into every task's poll, and should stay small there.
#[inline(never)]
pub(crate) fn arm_timer(deadline: Instant, waker: &Waker) -> u32 {
    // The common case (a task waits for the latest deadline, with its own waker) makes no call,
    // so it costs no saved registers either.
    let armed = context::with_current(|local| {
        let polled = local
            .polling
            .get()
            .filter(|polled| polled.is_waker_of(waker))?;
        let wakeup = Wakeup::task(polled.id);
        local
            .queues
            .borrow_mut()
            .timers
            .try_insert_latest(deadline, wakeup)
    });
    match armed {
        Some(Some(slot)) => slot,
        _ => arm_timer_elsewhere(deadline, waker),
    }
}

#[cold]
#[inline(never)]
fn arm_timer_elsewhere(deadline: Instant, waker: &Waker) -> u32 {
    context::with_current(|local| local.arm_timer(deadline, waker).slot())
        .expect("a timer is armed on the current executor")
}

/// Cancels the timer `key` of the executor `owner`, if it is this thread's and still alive. A
/// timer whose executor is on another thread stays queued and wakes nothing that matters.
pub(crate) fn cancel_timer(owner: u32, key: TimerKey) {
    let mine = |local: &Local| local.id.get() == owner;
    let local = context::with_current(|local| mine(local).then(|| local.clone()))
        .flatten()
        .or_else(|| context::owned(mine));
    if let Some(local) = local {
        local.cancel_timer(key);
    }
}

impl Local {
    /// Sets the host's timer to the earliest deadline (or disarms it), unless it is known to
    /// hold exactly that.
    pub(super) fn sync_host_timer(&self) {
        let wanted = self.queues.borrow().timers.earliest();
        if self.host_timer.get() != HostTimer::Set(wanted) {
            // Should `set_timer` panic, what the host holds is not known.
            self.host_timer.set(HostTimer::Unknown);
            bump(&self.counters.timer_arms);
            self.host.set_timer(wanted);
            self.host_timer.set(HostTimer::Set(wanted));
        }
    }

    /// Arms a timer for `deadline` that wakes `waker`'s task; returns its key.
    #[inline]
    pub(crate) fn arm_timer(&self, deadline: Instant, waker: &Waker) -> TimerKey {
        let wakeup = self.wakeup_for(waker);
        self.queues.borrow_mut().timers.insert(deadline, wakeup)
    }

    /// Points the pending timer `key` at `waker`, if it wakes something else.
    pub(crate) fn rearm_timer(&self, key: TimerKey, waker: &Waker) {
        let own_task = self
            .polling
            .get()
            .filter(|polled| polled.is_waker_of(waker))
            .map(|polled| polled.id);
        let unchanged = {
            let Queues {
                timers,
                timer_wakers,
                ..
            } = &mut *self.queues.borrow_mut();
            match timers.wakeup_mut(key).map(|armed| armed.target()) {
                None => true, // fired or cancelled meanwhile
                Some(Target::Task(armed_id)) => own_task == Some(armed_id),
                Some(Target::Waker(old)) => {
                    own_task.is_none() && timer_wakers.get_mut(old).will_wake(waker)
                }
            }
        };
        if unchanged {
            return;
        }
        // Cloned between the borrows: cloning a foreign waker runs foreign code (which may even
        // cancel this timer, hence the second look).
        let mut clone = own_task.is_none().then(|| waker.clone());
        let stale = {
            let Queues {
                timers,
                timer_wakers: wakers,
                ..
            } = &mut *self.queues.borrow_mut();
            let Some(armed) = timers.wakeup_mut(key) else {
                return; // the borrow, taken after the clone, ends before the clone is dropped
            };
            let stale = match armed.target() {
                Target::Waker(old) => Some(wakers.remove(old)),
                Target::Task(_) => None,
            };
            *armed = match own_task {
                Some(id) => Wakeup::task(id),
                None => Wakeup::waker(wakers.insert(clone.take().expect("cloned above"))),
            };
            stale
        };
        drop(stale); // outside the borrow: dropping a waker may run foreign code
    }

    /// Cancels the pending timer `key`; outside a run, tells the host if its timer changed.
    fn cancel_timer(&self, key: TimerKey) {
        let waker = {
            let queues = &mut *self.queues.borrow_mut();
            match queues.timers.cancel(key).map(Wakeup::target) {
                Some(Target::Waker(slot)) => Some(queues.timer_wakers.remove(slot)),
                _ => None,
            }
        };
        drop(waker); // outside the borrow: dropping a waker may run foreign code
        if self.state.get() == RunState::Idle {
            self.sync_host_timer();
        }
    }

    /// How a timer armed now with `waker` should wake: by task id if `waker` is the waker of the
    /// task being polled, else through a clone of `waker`, kept in the slab.
    #[inline]
    fn wakeup_for(&self, waker: &Waker) -> Wakeup {
        match self.polling.get() {
            Some(polled) if polled.is_waker_of(waker) => Wakeup::task(polled.id),
            _ => {
                let clone = waker.clone(); // before the borrow: it may run foreign code
                Wakeup::waker(self.queues.borrow_mut().timer_wakers.insert(clone))
            }
        }
    }
}
