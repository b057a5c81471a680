//! A batch: the ready tasks of one instant of the guest clock, in the order they run.
//!
//! Owns the batch's queues and the rules of who runs next. It never polls, reads a clock or looks
//! at timers; the executor does, when the batch asks it to (`Next::Deliver`, `Next::Look`).
//!
//! A batch runs, in order:
//! 1. the tasks its timers woke, in arming order: the fired timers' wakeups, marked as queued
//!    ("delivered") in slices, so that firing a million timers is not one long step, and polled
//!    straight from the timer bucket (and, in its place, what a timer's own waker woke);
//! 2. the tasks woken or spawned since it started, from inside it or from outside the guest,
//!    in the order they were woken (`follow_ups`);
//! 3. the tasks that woke *themselves* while being polled (`deferred`: `yield_now`, a
//!    self-waking future) — but only after a look at the host's clock.
//!
//! The executor looks at the host's clock when only deferred tasks are left, and after every
//! `look_every` follow-up polls. If a timer is due then, the batch is **cut**: it closes, and
//! its follow-ups and deferred tasks are carried into the next batch, behind the tasks the due
//! timers wake. So neither a task that keeps yielding nor tasks that keep waking one another can
//! hold a due timer back for more than one poll budget, while a batch whose follow-ups stay under
//! the budget (the sieve's, say) is never cut and runs the same on every host.

use crate::task::TaskId;
use std::collections::VecDeque;
use std::num::NonZeroU64;

/// What a timer wakes when it fires, packed into eight bytes (an `Option<Wakeup>` too: the
/// timer buckets hold one per sleeping task). Plain data: a timer bucket is emptied at no cost
/// per timer.
///
/// A task's id is stored plus one; a waker's key in the index half of an id that no task has
/// (index `u32::MAX`, which [`TaskTable`](crate::task::TaskTable) never hands out).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Wakeup(NonZeroU64);

/// A [`Wakeup`], unpacked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// A task of this executor, armed while it was being polled: no waker to clone or drop.
    Task(TaskId),
    /// Anything else (a combinator's own waker, say): its key in the executor's `WakerSlab`.
    Waker(u32),
}

const NO_INDEX: u64 = u32::MAX as u64;

impl Wakeup {
    #[inline]
    pub(crate) fn task(id: TaskId) -> Wakeup {
        debug_assert_ne!(
            id.to_bits() & NO_INDEX,
            NO_INDEX,
            "no task has index u32::MAX"
        );
        Wakeup(
            NonZeroU64::new(id.to_bits().wrapping_add(1)).expect("a task's index is not u32::MAX"),
        )
    }

    /// `key` must be below `u32::MAX` (a `WakerSlab` key is).
    #[inline]
    pub(crate) fn waker(key: u32) -> Wakeup {
        debug_assert_ne!(key, u32::MAX);
        let bits = (u64::from(key) << 32 | NO_INDEX).wrapping_add(1);
        Wakeup(NonZeroU64::new(bits).expect("a waker key is below u32::MAX"))
    }

    #[inline]
    pub(crate) fn target(self) -> Target {
        let bits = self.0.get() - 1;
        if bits & NO_INDEX == NO_INDEX {
            Target::Waker((bits >> 32) as u32)
        } else {
            Target::Task(TaskId::from_bits(bits))
        }
    }

    /// The task it wakes, if it wakes one by id.
    #[inline]
    pub(crate) fn task_id(self) -> Option<TaskId> {
        match self.target() {
            Target::Task(id) => Some(id),
            Target::Waker(_) => None,
        }
    }
}

/// What the executor should do next for the open batch.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// Poll this task.
    Poll(TaskId),
    /// Deliver more of the fired timers ([`Batch::deliver`]).
    Deliver,
    /// Look at the host's clock: [`Batch::cut`] if a timer is due, else [`Batch::looked`].
    Look,
    /// Nothing is left: close the batch.
    Drained,
}

/// The open batch's queues (and, between a cut and the next batch, the tasks carried over).
#[derive(Default)]
pub(crate) struct Batch {
    open: bool,
    /// The fired timers' wakeups, in arming order (`None`: cancelled, or a task queued twice).
    /// Those before `cursor` have run; those before `delivered` are marked queued.
    wakeups: Vec<Option<Wakeup>>,
    cursor: usize,
    delivered: usize,
    /// Tasks a fired timer's own waker woke: they run before the wakeups after it.
    woken_by_wakers: VecDeque<TaskId>,
    follow_ups: VecDeque<TaskId>,
    deferred: Vec<TaskId>,
    follow_ups_since_look: usize,
    /// Set while a fired timer's own waker is woken: what it wakes joins `woken_by_wakers`.
    waking: bool,
}

impl Batch {
    /// Whether a batch is open.
    #[inline]
    pub(crate) fn is_open(&self) -> bool {
        self.open
    }

    /// Opens a batch whose timers fired `wakeups`; tasks carried over from a cut batch stay
    /// queued behind them.
    pub(crate) fn open(&mut self, wakeups: Vec<Option<Wakeup>>) {
        debug_assert!(!self.open && !self.has_fired() && self.deferred.is_empty());
        self.open = true;
        self.wakeups = wakeups;
        self.cursor = 0;
        self.delivered = 0;
        self.follow_ups_since_look = 0;
    }

    /// Whether fired timers are left to deliver or run.
    #[inline]
    fn has_fired(&self) -> bool {
        self.cursor < self.wakeups.len() || !self.woken_by_wakers.is_empty()
    }

    /// Whether any task waits in the batch (or is carried over to the next one).
    pub(crate) fn has_tasks(&self) -> bool {
        self.has_fired() || !self.follow_ups.is_empty() || !self.deferred.is_empty()
    }

    /// Queues a task that was just woken (and was not queued already). `polled` is the task
    /// being polled, if any: a task that wakes itself is deferred.
    #[inline]
    pub(crate) fn push(&mut self, id: TaskId, polled: Option<TaskId>) {
        if self.waking {
            self.woken_by_wakers.push_back(id);
        } else if polled == Some(id) {
            self.deferred.push(id);
        } else {
            self.follow_ups.push_back(id);
        }
    }

    /// Queues a task woken or spawned from outside the guest.
    pub(crate) fn push_follow_up(&mut self, id: TaskId) {
        self.follow_ups.push_back(id);
    }

    /// What to do next; `look_every` is how many follow-ups may run between two looks.
    #[inline]
    pub(crate) fn next(&mut self, look_every: usize) -> Next {
        if !self.woken_by_wakers.is_empty() {
            return Next::Poll(self.woken_by_wakers.pop_front().expect("not empty"));
        }
        while self.cursor < self.delivered {
            let wakeup = &self.wakeups[self.cursor];
            self.cursor += 1;
            if let Some(id) = wakeup.and_then(Wakeup::task_id) {
                return Next::Poll(id);
            }
        }
        if self.cursor < self.wakeups.len() {
            return Next::Deliver;
        }
        if !self.follow_ups.is_empty() {
            if self.follow_ups_since_look >= look_every {
                return Next::Look;
            }
            self.follow_ups_since_look += 1;
            return Next::Poll(self.follow_ups.pop_front().expect("not empty"));
        }
        if self.deferred.is_empty() {
            Next::Drained
        } else {
            Next::Look
        }
    }

    /// Delivers at most `limit` fired timers, in order: marks each one's task queued with `mark`
    /// (a task already queued is not queued twice). A timer with a waker of its own is returned
    /// (its key) for the caller to wake outside the batch's borrow, between
    /// [`waking`](Self::waking) and [`woken`](Self::woken), once every timer before it has run.
    /// Returns how many it delivered.
    #[inline]
    pub(crate) fn deliver(
        &mut self,
        limit: usize,
        mut mark: impl FnMut(TaskId) -> bool,
    ) -> (usize, Option<u32>) {
        let end = self.wakeups.len().min(self.delivered.saturating_add(limit));
        let start = self.delivered;
        while self.delivered < end {
            let wakeup = &mut self.wakeups[self.delivered];
            match wakeup.map(Wakeup::target) {
                // Already queued (it is in this bucket twice, say): it runs once, at its first.
                Some(Target::Task(id)) if !mark(id) => *wakeup = None,
                Some(Target::Task(_)) | None => {}
                Some(Target::Waker(key)) if self.cursor == self.delivered => {
                    self.delivered += 1;
                    self.cursor += 1;
                    return (self.delivered - start, Some(key));
                }
                Some(Target::Waker(_)) => break, // after the timers before it have run
            }
            self.delivered += 1;
        }
        (self.delivered - start, None)
    }

    /// A fired timer's own waker is about to be woken: what it wakes runs next.
    pub(crate) fn waking(&mut self) {
        self.waking = true;
    }

    /// The waker was woken.
    pub(crate) fn woken(&mut self) {
        self.waking = false;
    }

    /// Once every fired timer has run, gives back the emptied buffer, for reuse.
    pub(crate) fn take_delivered_buffer(&mut self) -> Option<Vec<Option<Wakeup>>> {
        (self.cursor >= self.wakeups.len() && self.wakeups.capacity() > 0)
            .then(|| std::mem::take(&mut self.wakeups))
    }

    /// The executor looked and no timer was due: follow-ups may run for another `look_every`
    /// polls, and once none is left, the deferred tasks run again in this batch.
    pub(crate) fn looked(&mut self) {
        self.follow_ups_since_look = 0;
        if self.follow_ups.is_empty() {
            self.follow_ups.extend(self.deferred.drain(..));
        }
    }

    /// A timer is due: closes the batch, carrying its follow-ups and deferred tasks (in that
    /// order) into the next one.
    pub(crate) fn cut(&mut self) {
        debug_assert!(!self.has_fired());
        self.follow_ups.extend(self.deferred.drain(..));
        self.open = false;
    }

    /// The batch is drained: closes it.
    pub(crate) fn close(&mut self) {
        debug_assert!(!self.has_tasks());
        self.open = false;
    }

    /// Empties every queue (shutdown).
    pub(crate) fn clear(&mut self) {
        *self = Batch::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u32) -> TaskId {
        TaskId::for_tests(n)
    }

    #[test]
    fn a_wakeup_is_eight_bytes_and_unpacks_to_what_was_packed_at_every_edge() {
        assert_eq!(std::mem::size_of::<Option<Wakeup>>(), 8);
        let index = |bits: u64| bits & 0xFFFF_FFFF;
        for bits in [0, 1, u64::from(u32::MAX - 1), u64::MAX - 1, 7 << 32 | 5] {
            assert_ne!(index(bits), 0xFFFF_FFFF);
            let task = TaskId::from_bits(bits);
            assert_eq!(Wakeup::task(task).target(), Target::Task(task));
            assert_eq!(Wakeup::task(task).task_id(), Some(task));
        }
        for key in [0, 1, 12345, u32::MAX - 1] {
            assert_eq!(Wakeup::waker(key).target(), Target::Waker(key));
            assert_eq!(Wakeup::waker(key).task_id(), None);
        }
    }

    fn run_until_drained(batch: &mut Batch, look_every: usize, due: bool) -> Vec<Next> {
        let mut steps = Vec::new();
        loop {
            let next = batch.next(look_every);
            match next {
                Next::Deliver => {
                    let (_, waker) = batch.deliver(2, |_| true);
                    assert!(waker.is_none());
                }
                Next::Look if due => {
                    batch.cut();
                    steps.push(next);
                    return steps;
                }
                Next::Look => batch.looked(),
                Next::Drained => {
                    steps.push(next);
                    return steps;
                }
                Next::Poll(_) => {}
            }
            steps.push(next);
        }
    }

    #[test]
    fn fired_tasks_run_first_in_slices_then_follow_ups_then_deferred_after_a_look() {
        let mut batch = Batch::default();
        batch.open(vec![
            Some(Wakeup::task(id(1))),
            None,
            Some(Wakeup::task(id(2))),
            Some(Wakeup::task(id(3))),
        ]);
        batch.push_follow_up(id(9));
        batch.push(id(8), Some(id(8))); // woke itself
        let steps = run_until_drained(&mut batch, 16, false);
        use Next::*;
        assert_eq!(
            steps,
            [
                Deliver,
                Poll(id(1)),
                Deliver,
                Poll(id(2)),
                Poll(id(3)),
                Poll(id(9)),
                Look,
                Poll(id(8)),
                Drained
            ]
        );
    }

    #[test]
    fn a_look_every_so_many_follow_ups_and_a_cut_carries_the_rest_over() {
        let mut batch = Batch::default();
        batch.open(Vec::new());
        for n in 0..5 {
            batch.push_follow_up(id(n));
        }
        batch.push(id(7), Some(id(7)));
        let steps = run_until_drained(&mut batch, 2, true);
        assert_eq!(steps, [Next::Poll(id(0)), Next::Poll(id(1)), Next::Look]);
        assert!(!batch.is_open());
        batch.open(vec![Some(Wakeup::task(id(5)))]);
        let steps = run_until_drained(&mut batch, 16, false);
        use Next::*;
        assert_eq!(
            steps,
            [
                Deliver,
                Poll(id(5)),
                Poll(id(2)),
                Poll(id(3)),
                Poll(id(4)),
                Poll(id(7)),
                Drained
            ],
            "the due timer's task first, then the carried follow-ups, then the deferred task"
        );
    }
}
