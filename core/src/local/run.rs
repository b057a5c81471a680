//! One run of an executor: the entry the host calls, and the batches it works through.
//!
//! Owns what happens between the host calling [`Executor::run`](crate::Executor::run) and the
//! run returning: a run started from inside the executor's own call of the host's run-soon is
//! deferred, not nested; a host callback that panics leaves a run requested for what is left;
//! batches open at the right instant (catch-up, clock jumps) and are worked through within the
//! poll and intake budgets. The tables it works on are [`local`](super)'s; the order inside a
//! batch is [`batch`](crate::batch)'s.

use super::{HostTimer, Local, Queues, RunState, bump};
use crate::batch::{Batch, Next, Wakeup};
use crate::context::Enter;
use crate::task::Task;
use crate::task::TaskId;
use crate::timer_queue::TimerQueue;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::rc::Rc;

impl Local {
    /// One run (see [`Executor::run`](crate::Executor::run)), and any run the host's run-soon
    /// asked for from inside it.
    pub(crate) fn run(self: &Rc<Local>) {
        if self.state.get() != RunState::Idle {
            return;
        }
        if self.asking_host.get() {
            // The host's run-soon runs the guest at once, from inside the request this executor
            // is making at the end of a run. Running here would nest one run in the other per
            // poll budget (a stack that grows until it overflows): the run happens as soon as
            // the request returns, in the loop below.
            self.run_again.set(true);
            bump(&self.counters.runs_inside_run_soon);
            return;
        }
        self.run_again.set(false);
        loop {
            let more = match catch_unwind(AssertUnwindSafe(|| self.run_once())) {
                Ok(more) => more,
                Err(host_panic) => {
                    // The host's `now` or `set_timer` panicked. What was left (queued tasks,
                    // work from other threads, a timer the host may not hold) gets a run
                    // requested like at the end of any run, then the panic goes on to the host.
                    self.shared.end_run(self.work_left_after_panic());
                    resume_unwind(host_panic);
                }
            };
            self.asking_host.set(true);
            let asking = AskingHost(self);
            self.shared.end_run(more);
            drop(asking);
            if !self.run_again.replace(false) || self.state.get() != RunState::Idle {
                return;
            }
        }
    }

    /// One run's work: batches until idle or the budget is spent, then the host's timer.
    /// Returns whether work is left for another run.
    fn run_once(self: &Rc<Local>) -> bool {
        let local = &**self;
        local.state.set(RunState::Running);
        let _guard = RunGuard { local };
        bump(&local.counters.runs);
        local.shared.begin_run();
        if let HostTimer::Set(Some(_)) = local.host_timer.get() {
            // This run may be that timer firing (on time, or early): it may be gone.
            local.host_timer.set(HostTimer::Unknown);
        }
        let more = {
            let _enter = Enter::new(self);
            local.run_batches()
        };
        local.sync_host_timer();
        // `set_timer` may have spawned or woken a task (the host's own code): it is queued for
        // the next batch, and needs a run.
        more || local.queues.borrow().batch.has_tasks()
    }

    /// After a host callback panicked in a run: whether anything that no wake will bring back
    /// needs another run (queued tasks, or pending timers the host may not have been told of).
    fn work_left_after_panic(&self) -> bool {
        let queues = self.queues.borrow();
        queues.batch.has_tasks()
            || (self.host_timer.get() == HostTimer::Unknown && queues.timers.len() > 0)
    }

    /// Opens the next batch: moves the guest clock, fires the timers due at its new instant (or,
    /// past the catch-up bound, every due timer at the host's instant), and takes in work from
    /// outside. Returns whether the batch has anything to do.
    fn start_batch(&self, intake: &mut usize) -> bool {
        let host_now = self.host.now();
        {
            let Queues { batch, timers, .. } = &mut *self.queues.borrow_mut();
            let due = timers.earliest().filter(|&d| d <= host_now);
            let fired = match due {
                None => {
                    self.set_now(host_now);
                    if !self.shared.has_work() && !batch.has_tasks() {
                        return false; // idle: no batch to open
                    }
                    Vec::new()
                }
                Some(deadline)
                    if host_now.as_nanos().saturating_sub(deadline.as_nanos())
                        > self.max_catch_up =>
                {
                    self.set_now(host_now);
                    bump(&self.counters.clock_jumps);
                    let mut fired = Vec::new();
                    while timers.earliest().is_some_and(|d| d <= host_now) {
                        let (_, wakeups) = timers.pop_earliest().expect("a timer is due");
                        fired.extend(wakeups);
                    }
                    fired
                }
                Some(deadline) => {
                    self.set_now(deadline);
                    let (_, wakeups) = timers.pop_earliest().expect("a timer is due");
                    wakeups
                }
            };
            batch.open(fired);
        }
        if self.shared.has_work() {
            *intake -= self.take_from_outside(*intake);
        }
        true
    }

    /// Whether the host's clock has reached the earliest deadline.
    fn timer_due(&self) -> bool {
        let earliest = self.queues.borrow().timers.earliest();
        earliest.is_some_and(|deadline| deadline <= self.host.now())
    }

    /// One run: batches until idle or until the budget is spent. Returns whether work is left.
    fn run_batches(&self) -> bool {
        let budget = self.poll_budget;
        let (mut polls, mut intake) = (budget, budget);
        loop {
            if polls == 0 {
                // Anything left for the next run, in this batch or a batch due now?
                return self.queues.borrow().batch.has_tasks()
                    || self.shared.has_work()
                    || self.timer_due();
            }
            // The next step, and for a poll the task taken out of its slot, in one borrow.
            let step = {
                let Queues { tasks, batch, .. } = &mut *self.queues.borrow_mut();
                batch.is_open().then(|| match batch.next(budget) {
                    Next::Poll(id) => Step::Poll(id, tasks.start_poll(id)),
                    next => Step::Other(next),
                })
            };
            let Some(step) = step else {
                if !self.start_batch(&mut intake) {
                    return false;
                }
                continue;
            };
            let next = match step {
                Step::Poll(id, task) => {
                    polls -= 1;
                    // `None`: a stale wake of a task that is gone.
                    if let Some(task) = task {
                        self.poll(id, task);
                    }
                    continue;
                }
                Step::Other(next) => next,
            };
            match next {
                Next::Poll(_) => unreachable!("a poll is a step of its own"),
                Next::Deliver if intake == 0 => return true,
                Next::Deliver => intake -= self.deliver(intake),
                Next::Look => {
                    // Work from outside joins the follow-ups first: it was woken before the
                    // deferred tasks run again, and before the batch may be cut.
                    intake -= self.take_from_outside(intake);
                    let due = self.timer_due();
                    let Queues { batch, timers, .. } = &mut *self.queues.borrow_mut();
                    if due {
                        batch.cut();
                        recycle_fired(batch, timers);
                    } else {
                        batch.looked();
                    }
                }
                Next::Drained if self.shared.has_work() => {
                    if intake == 0 {
                        return true;
                    }
                    intake -= self.take_from_outside(intake);
                }
                Next::Drained => {
                    let Queues { batch, timers, .. } = &mut *self.queues.borrow_mut();
                    batch.close();
                    recycle_fired(batch, timers);
                }
            }
        }
    }
}

/// One step of a run, as taken out of the queues.
enum Step {
    /// Poll this task; `None` if the id was stale.
    Poll(TaskId, Option<Task>),
    Other(Next),
}

/// Gives a closed (or cut) batch's timer bucket back to the timer queue, for reuse.
#[inline]
fn recycle_fired(batch: &mut Batch, timers: &mut TimerQueue<Wakeup>) {
    if let Some(wakeups) = batch.take_delivered_buffer() {
        timers.recycle(wakeups);
    }
}

/// Ends a run, also when a host callback unwinds out of it.
struct RunGuard<'a> {
    local: &'a Local,
}

impl Drop for RunGuard<'_> {
    fn drop(&mut self) {
        let local = self.local;
        if local.state.get() == RunState::Running {
            local.state.set(RunState::Idle);
        }
    }
}

/// Marks the executor as inside its own call of the host's run-soon, until dropped (also when
/// the run-soon panics).
struct AskingHost<'a>(&'a Local);

impl Drop for AskingHost<'_> {
    fn drop(&mut self) {
        self.0.asking_host.set(false);
    }
}
