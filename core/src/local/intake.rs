//! What a run takes in: fired timers, delivered into the open batch in slices, and tasks spawned
//! or woken from other threads.
//!
//! Owns the two ways work enters a batch from outside the batch itself; the batch's order is
//! [`batch`](crate::batch)'s, the run loop that calls these is [`local`](super)'s. Each counts
//! against the run's intake budget, so a flood of either cannot keep the host from its turn.

use super::{Local, Queues};
use crate::task::take_panic_message;
use std::panic::{AssertUnwindSafe, catch_unwind};

impl Local {
    /// Takes in at most `limit` tasks spawned or woken from outside, oldest first; returns how
    /// many it took (each costs one unit of the run's intake).
    pub(super) fn take_from_outside(&self, limit: usize) -> usize {
        let mut taken = self.shared.take_remote(limit, |task| {
            if task.header().is_aborted() {
                self.drop_task(task.into_local());
            } else {
                self.adopt(task.into_local()); // a run is in progress: it joins the batch's follow-ups
            }
        });
        taken += self.shared.take_ready(limit - taken, |id| {
            let aborted_task = {
                let queues = &mut *self.queues.borrow_mut();
                let aborted = match queues.tasks.header(id) {
                    Some(header) => {
                        header.remote_wake.release();
                        header.is_aborted()
                    }
                    None => false,
                };
                if aborted {
                    // Aborted from another thread: it never runs again.
                    queues.tasks.remove(id)
                } else {
                    if queues.tasks.mark_queued(id) {
                        queues.batch.push_follow_up(id);
                    }
                    None
                }
            };
            if let Some(task) = aborted_task {
                self.drop_task(task); // outside the borrow: its destructor may run foreign code
            }
        });
        taken
    }

    /// Delivers at most `limit` fired timers into the batch; returns how many.
    pub(super) fn deliver(&self, limit: usize) -> usize {
        let mut delivered = 0;
        while delivered < limit {
            let waker = {
                let Queues {
                    tasks,
                    batch,
                    timer_wakers,
                    ..
                } = &mut *self.queues.borrow_mut();
                let (count, waker) = batch.deliver(limit - delivered, |id| tasks.mark_queued(id));
                delivered += count;
                let Some(key) = waker else {
                    break;
                };
                batch.waking();
                timer_wakers.remove(key)
            };
            // Our wakers never panic, but a combinator may have handed the timer its own.
            let woke = catch_unwind(AssertUnwindSafe(|| waker.wake()));
            self.queues.borrow_mut().batch.woken();
            if let Err(payload) = woke {
                let message = take_panic_message(payload);
                self.report_panic(format!("a waker panicked: {message}"));
            }
        }
        delivered
    }
}
