//! The host-thread part of an executor ([`Local`]): its task table, timer queue, open batch and
//! guest clock, and what one run does with them.
//!
//! Owns the tables, spawning, polling a task and what follows (finishing it, dropping it, reporting
//! its panics) and shutdown; a run itself (its entry, batches, the budget, catch-up) is [`run`]'s;
//! arming and cancelling timers, and the host's timer, are [`timers`]'; taking in fired timers and
//! work from other threads is [`intake`]'s. Its four tables sit behind one `RefCell`, borrowed once
//! per step and never across foreign code (a poll, a waker, a destructor, the host). It never reads
//! a wall clock and never blocks: time and wake-ups come from [`Host`].
//! The thread's "current executor" is [`context`]'s, the cross-thread queues are
//! [`shared`](crate::shared)'s, a batch's order is [`batch`](crate::batch)'s; the public types
//! around it are [`executor`](crate::executor)'s.
//!
//! # How one run works
//!
//! Work happens in **batches**. A batch starts when the previous one is over: the guest clock
//! moves to the earliest timer deadline if the host's clock has reached it (and those timers fire,
//! in arming order), otherwise to the host's time. Then the batch's tasks are polled, including
//! tasks woken or spawned during it, until none is left (see [`batch`](crate::batch) for the
//! order, and for when a batch is cut short so that due timers can fire). A host that was late
//! finds several deadlines due and gets one batch per deadline, in order, each at its exact
//! instant, unless it was later than the catch-up bound: then the guest clock jumps to the host's.
//!
//! One run polls at most a *poll budget* of tasks, and takes in at most a budget of fired timers
//! and tasks from other threads, then asks the host to run it again and returns, so the host's
//! loop (drawing, input) gets a turn even during a huge batch. The batch stays open across runs:
//! its tasks still see the batch's instant.
//!
//! At the end of every run the host's timer is set to the earliest deadline, or disarmed: the
//! executor never trusts the host to have kept or forgotten an earlier one.

use crate::batch::{Batch, Wakeup};
use crate::context::{self, Enter};
use crate::executor::ExecutorStats;
use crate::shared::Shared;
use crate::task::{
    Header, JoinHandle, Outcome, Polled, Task, TaskId, TaskPanic, TaskTable, drop_panic_payload,
    take_panic_message,
};
use crate::timer_queue::TimerQueue;
use crate::waker_slab::WakerSlab;
use crate::{Host, Instant};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::num::NonZeroU32;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

mod intake;
mod run;
mod timers;

pub(crate) use timers::{arm_timer, cancel_timer};

/// An executor's identity, unique in the process: how a timer knows its executor.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct ExecutorId(NonZeroU32);

impl ExecutorId {
    fn next() -> ExecutorId {
        static NEXT: AtomicU32 = AtomicU32::new(1);
        let id = NEXT
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |id| id.checked_add(1))
            .expect("more than 4,294,967,294 guestloop executors were created in this process");
        ExecutorId(NonZeroU32::new(id).expect("ids start at 1"))
    }

    #[inline]
    pub(crate) fn get(self) -> u32 {
        self.0.get()
    }
}

pub(crate) type PanicHook = Box<dyn FnMut(&TaskPanic)>;

/// Whether the executor is inside a run.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum RunState {
    Idle,
    Running,
    ShutDown,
}

/// What the host's one timer is known to hold.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum HostTimer {
    /// Whatever the executor last set (`None`: disarmed).
    Set(Option<Instant>),
    /// Not known: it may have fired (early or on time), and the host may or may not have
    /// forgotten it; or setting it panicked.
    Unknown,
}

/// The host-thread part of an executor.
pub(crate) struct Local {
    id: ExecutorId,
    host: Box<dyn Host>,
    shared: Arc<Shared>,
    /// One `RefCell` for all four, so that a step of a run pays for one borrow check.
    queues: RefCell<Queues>,
    now: Cell<Instant>,
    state: Cell<RunState>,
    host_timer: Cell<HostTimer>,
    /// The task being polled, so a timer it arms can record the task's id instead of cloning its
    /// waker, and a wake can tell that the task woke itself.
    polling: Cell<Option<Polled>>,
    /// Set while the executor calls the host's run-soon at the end of a run: a run the host
    /// starts from inside that call is deferred until it returns.
    asking_host: Cell<bool>,
    /// A run was deferred so (see [`Local::run`]).
    run_again: Cell<bool>,
    poll_budget: usize,
    /// The catch-up bound in nanoseconds (saturated): compared with an integer on every batch.
    max_catch_up: u64,
    panic_hook: RefCell<Option<PanicHook>>,
    counters: Counters,
}

/// The executor's tables, borrowed together.
#[derive(Default)]
struct Queues {
    tasks: TaskTable,
    batch: Batch,
    timers: TimerQueue<Wakeup>,
    /// The wakers of timers armed with a waker other than their task's own.
    timer_wakers: WakerSlab,
}

/// The counters behind [`ExecutorStats`] that the executor keeps itself.
#[derive(Default)]
struct Counters {
    runs: Cell<u64>,
    polls: Cell<u64>,
    spawned: Cell<u64>,
    timer_arms: Cell<u64>,
    clock_jumps: Cell<u64>,
    runs_inside_run_soon: Cell<u64>,
}

#[inline]
fn bump(counter: &Cell<u64>) {
    counter.set(counter.get() + 1);
}

/// The fast path of a wake on the host thread during a run: straight into the open batch, no lock
/// and no request (the run in progress will get to it). Returns whether it applied.
#[inline]
pub(crate) fn queue_in_running_batch(shared: &Shared, id: TaskId) -> bool {
    context::with_current(|local| {
        let applies = local.state.get() == RunState::Running
            && std::ptr::eq(Arc::as_ptr(&local.shared), shared);
        if applies {
            local.queue(id);
        }
        applies
    })
    .unwrap_or(false)
}

/// The executor whose task is running on this thread.
///
/// # Panics
/// Outside a task, naming the function that needed one.
#[track_caller]
pub(crate) fn current(function: &str) -> Rc<Local> {
    context::try_current().unwrap_or_else(|| {
        panic!("guestloop::{function}() must be called from a task running on a guestloop executor")
    })
}

/// Cancels the task behind `header`, at once when on the owning thread (see [`JoinHandle::abort`]).
pub(crate) fn abort(header: &Header) {
    let owner = context::owned(|local| Arc::ptr_eq(&local.shared, &header.shared));
    if let (Some(local), Some(id)) = (owner, header.id()) {
        let task = local.queues.borrow_mut().tasks.remove(id);
        if let Some(task) = task {
            let _enter = Enter::new(&local);
            local.drop_task(task);
        }
        return;
    }
    // Queue it: the executor drops an aborted task instead of polling it.
    header.schedule();
}

impl Local {
    /// A `Spawner` of this executor.
    pub(crate) fn spawner(&self) -> crate::Spawner {
        crate::Spawner::new(self.shared.clone())
    }

    /// The host's clock, read now.
    pub(crate) fn host_now(&self) -> Instant {
        self.host.now()
    }

    /// The host's run-soon handle (for the conformance kit).
    #[cfg(feature = "conformance")]
    pub(crate) fn run_soon(&self) -> crate::RunSoon {
        self.shared.run_soon()
    }

    #[cfg(feature = "conformance")]
    pub(crate) fn shared(&self) -> Arc<Shared> {
        self.shared.clone()
    }

    pub(crate) fn new(
        host: Box<dyn Host>,
        poll_budget: usize,
        max_catch_up: Duration,
        panic_hook: Option<PanicHook>,
    ) -> Rc<Local> {
        let shared = Arc::new(Shared::new(host.run_soon_handle()));
        let now = host.now();
        let local = Rc::new(Local {
            id: ExecutorId::next(),
            host,
            shared,
            queues: RefCell::default(),
            now: Cell::new(now),
            state: Cell::new(RunState::Idle),
            host_timer: Cell::new(HostTimer::Set(None)),
            polling: Cell::new(None),
            asking_host: Cell::new(false),
            run_again: Cell::new(false),
            poll_budget,
            max_catch_up: u64::try_from(max_catch_up.as_nanos()).unwrap_or(u64::MAX),
            panic_hook: RefCell::new(panic_hook),
            counters: Counters::default(),
        });
        context::adopt(&local);
        local
    }

    pub(crate) fn stats(&self) -> ExecutorStats {
        let counters = &self.counters;
        let queues = self.queues.borrow();
        ExecutorStats {
            runs: counters.runs.get(),
            polls: counters.polls.get(),
            spawned: counters.spawned.get(),
            live_tasks: queues.tasks.len(),
            pending_timers: queues.timers.len(),
            run_soon_requests: self.shared.run_soon_requests(),
            timer_arms: counters.timer_arms.get(),
            clock_jumps: counters.clock_jumps.get(),
            runs_inside_run_soon: counters.runs_inside_run_soon.get(),
        }
    }

    /// The catch-up bound, in nanoseconds.
    pub(crate) fn max_catch_up(&self) -> u64 {
        self.max_catch_up
    }

    #[inline]
    pub(crate) fn id(&self) -> ExecutorId {
        self.id
    }

    #[inline]
    pub(crate) fn now(&self) -> Instant {
        self.now.get()
    }

    pub(crate) fn spawn_local<F>(self: &Rc<Local>, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let (task, handle) = Task::new(future, self.shared.clone());
        let handle = JoinHandle::new(handle);
        if self.state.get() == RunState::ShutDown {
            // Dropping the task completes the handle with `Cancelled`.
            task.header().retire();
            drop(task);
            return handle;
        }
        self.adopt(task);
        handle
    }

    fn adopt(&self, task: Task) {
        bump(&self.counters.spawned);
        let id = self.queues.borrow_mut().tasks.insert(|id| {
            task.header().assign(id);
            task
        });
        if self.state.get() == RunState::Running {
            self.queue(id);
        } else {
            self.shared.push_ready(id);
        }
    }

    /// Queues a task into the open batch (during a run), unless it is queued already.
    #[inline]
    fn queue(&self, id: TaskId) {
        let queues = &mut *self.queues.borrow_mut();
        if queues.tasks.mark_queued(id) {
            let polled = self.polling.get().map(|polled| polled.id);
            queues.batch.push(id, polled);
        }
    }

    #[inline]
    fn poll(&self, id: TaskId, mut task: Task) {
        if task.header().is_aborted() {
            return self.drop_aborted(id, task);
        }
        bump(&self.counters.polls);
        match task.poll(id, &self.polling) {
            std::task::Poll::Pending => {
                // Unless it aborted itself meanwhile (then its slot is gone and it comes back).
                let aborted = self.queues.borrow_mut().tasks.end_poll(id, task);
                if let Some(task) = aborted {
                    self.drop_task(task);
                }
            }
            std::task::Poll::Ready(outcome) => self.finish(id, task, outcome),
        }
    }

    /// Aborted from another thread while it was queued: the task is never polled again.
    #[cold]
    #[inline(never)]
    fn drop_aborted(&self, id: TaskId, task: Task) {
        self.queues.borrow_mut().tasks.remove(id);
        self.drop_task(task);
    }

    /// A task's future completed (or panicked): frees its slot and drops it.
    #[inline(never)]
    fn finish(&self, id: TaskId, task: Task, outcome: Outcome) {
        self.queues.borrow_mut().tasks.remove(id);
        self.drop_task(task);
        if let Outcome::Panicked(messages) = outcome {
            for message in messages {
                self.report_panic(message);
            }
        }
    }

    /// Drops a task's future outside every borrow; a panicking destructor is reported, not spread.
    fn drop_task(&self, task: Task) {
        task.header().retire();
        if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(task))) {
            let message = take_panic_message(payload);
            self.report_panic(format!("a task's destructor panicked: {message}"));
        }
    }

    fn report_panic(&self, message: String) {
        let hook = self.panic_hook.borrow_mut().take();
        if let Some(mut hook) = hook {
            let report = TaskPanic::new(message);
            if let Err(payload) = catch_unwind(AssertUnwindSafe(|| hook(&report))) {
                drop_panic_payload(payload);
            }
            let mut slot = self.panic_hook.borrow_mut();
            if slot.is_none() {
                *slot = Some(hook);
            }
        }
    }

    pub(crate) fn shutdown(self: &Rc<Local>) {
        if self.state.replace(RunState::ShutDown) == RunState::ShutDown {
            return;
        }
        let _enter = Enter::new(self);
        for task in self.shared.close() {
            self.drop_task(task.into_local());
        }
        // A destructor may spawn (its task is cancelled at once); keep going until none is left.
        loop {
            let tasks = self.queues.borrow_mut().tasks.drain();
            if tasks.is_empty() {
                break;
            }
            for task in tasks {
                self.drop_task(task);
            }
        }
        let wakers = {
            let queues = &mut *self.queues.borrow_mut();
            queues.timers.take_all();
            queues.batch.clear();
            queues.timer_wakers.take_all()
        };
        drop(wakers); // outside the borrow: dropping a waker may run foreign code
        if self.host_timer.get() != HostTimer::Set(None) {
            self.host_timer.set(HostTimer::Unknown);
            self.host.set_timer(None);
            self.host_timer.set(HostTimer::Set(None));
        }
        context::forget(self);
    }

    /// Moves the guest clock forward to `instant` (never back). Called during a run, where this
    /// executor is the current one.
    fn set_now(&self, instant: Instant) {
        let now = self.now.get().max(instant);
        self.now.set(now);
        context::set_current_now(now);
    }
}
