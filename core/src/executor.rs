//! The guest executor: runs `!Send` futures on the host's thread, driven by [`Executor::run`].
//!
//! Owns the run loop (batches, time, budget), the ready queue, the task table, the timer queue
//! and the "current executor" of a thread. Depends on [`Host`] for time and wake-ups only: it never
//! reads a wall clock and never blocks.
//!
//! # How one run works
//!
//! Work happens in **batches**. A batch starts when the previous one is over: the guest clock
//! moves to the earliest timer deadline if the host's clock has reached it (and those timers fire,
//! in arming order), otherwise to the host's time. Then every ready task is polled, including tasks
//! woken or spawned during the batch (they queue behind the ones already woken), until none is
//! ready. A host that was late finds several deadlines due and gets one batch per deadline, in
//! order, each at its exact instant: the sequence of events does not depend on the host's timing.
//!
//! One run polls at most a *poll budget* of tasks, then asks the host to run it again and
//! returns, so the host's loop (drawing, input) gets a turn even during a huge batch. The batch
//! stays open across runs: its tasks still see the batch's instant.

use crate::task::{
    Header, JoinHandle, JoinState, Outcome, Polled, RemoteTask, Task, TaskCell, TaskId, TaskPanic,
    TaskTable, panic_message,
};
use crate::timer_queue::{TimerQueue, Wakeup};
use crate::{Host, Instant, RunSoon, Spawner};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::Waker;

/// How many tasks one [`Executor::run`] polls before it yields to the host, by default.
pub const DEFAULT_POLL_BUDGET: usize = 1024;

/// The part of an executor other threads can reach: wakers, spawners and the host's "run soon".
pub(crate) struct Shared {
    /// Tasks woken off the host thread, or outside a run.
    ready: Mutex<VecDeque<TaskId>>,
    /// Whether `ready` may be non-empty: lets a run skip the lock when it is not.
    ready_pending: AtomicBool,
    remote: Mutex<Option<Vec<RemoteTask>>>,
    remote_pending: AtomicBool,
    /// Set once the executor shuts down: wakes then reach neither the queue nor the host.
    closed: AtomicBool,
    /// Set while a run is requested *or in progress*: wakes then need not ask the host again.
    run_requested: AtomicBool,
    run_soon: RunSoon,
    run_soon_requests: AtomicU64,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // No code panics while holding these locks; a poisoned one is still consistent.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    /// Queues a task woken or spawned outside a run, and asks the host for a run unless one is
    /// already coming.
    pub(crate) fn push_ready(&self, id: TaskId) {
        if self.closed.load(Ordering::Acquire) {
            return;
        }
        {
            let mut ready = lock(&self.ready);
            ready.push_back(id);
            self.ready_pending.store(true, Ordering::SeqCst);
        }
        self.request_run();
    }

    fn request_run(&self) {
        if !self.run_requested.load(Ordering::SeqCst)
            && !self.run_requested.swap(true, Ordering::SeqCst)
        {
            self.ask_host();
        }
    }

    fn ask_host(&self) {
        self.run_soon_requests.fetch_add(1, Ordering::Relaxed);
        (self.run_soon)();
    }

    /// Hands a future from another thread to the executor; gives it back if the executor is gone.
    pub(crate) fn push_remote(&self, task: RemoteTask) -> Result<(), RemoteTask> {
        match lock(&self.remote).as_mut() {
            Some(queue) => {
                queue.push(task);
                self.remote_pending.store(true, Ordering::SeqCst);
            }
            None => return Err(task),
        }
        self.request_run();
        Ok(())
    }

    /// Whether anything was queued from outside a run. Pairs with `request_run`: both sides store
    /// then load (SeqCst), so a wake racing the end of a run is seen by one of them.
    fn has_work(&self) -> bool {
        self.ready_pending.load(Ordering::SeqCst) || self.remote_pending.load(Ordering::SeqCst)
    }
}

/// Counters an executor keeps about itself, for tests, benchmarks and diagnostics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExecutorStats {
    /// Calls to [`Executor::run`] that did work or checked for it (re-entrant calls excluded).
    pub runs: u64,
    /// Polls of task futures.
    pub polls: u64,
    /// Tasks spawned, locally or from other threads.
    pub spawned: u64,
    /// Tasks alive now (spawned and not yet finished or dropped).
    pub live_tasks: usize,
    /// Timers pending now.
    pub pending_timers: usize,
    /// Times the executor called the host's [`RunSoon`] handle.
    pub run_soon_requests: u64,
    /// Times the executor called [`Host::set_timer`].
    pub timer_arms: u64,
}

type PanicHook = Box<dyn FnMut(&TaskPanic)>;

/// The host-thread part of an executor.
pub(crate) struct Local {
    host: Box<dyn Host>,
    shared: Arc<Shared>,
    tasks: RefCell<TaskTable>,
    /// The open batch's ready tasks, taken from `shared.ready` a whole queue at a time.
    batch: RefCell<VecDeque<TaskId>>,
    pub(crate) timers: RefCell<TimerQueue>,
    now: Cell<Instant>,
    batch_open: Cell<bool>,
    running: Cell<bool>,
    shut_down: Cell<bool>,
    /// The deadline the host's timer is armed for, as far as the executor knows.
    armed: Cell<Option<Instant>>,
    /// The task being polled, so a timer it arms can record the task's id instead of cloning its
    /// waker.
    polling: Cell<Option<Polled>>,
    poll_budget: usize,
    panic_hook: RefCell<Option<PanicHook>>,
    runs: Cell<u64>,
    polls: Cell<u64>,
    spawned: Cell<u64>,
    timer_arms: Cell<u64>,
}

thread_local! {
    /// The executor whose run (or shutdown) is innermost on this thread's stack.
    static CURRENT: RefCell<Option<Rc<Local>>> = const { RefCell::new(None) };
    /// Every live executor owned by this thread, so that `abort` can drop a future at once.
    static OWNED: RefCell<Vec<Weak<Local>>> = const { RefCell::new(Vec::new()) };
    /// The guest clock of `CURRENT`, mirrored. It has no destructor, so reading it is a plain
    /// load: the check every fired timer makes ("has my deadline come?") needs nothing else.
    static CURRENT_NOW: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Makes `local` the thread's current executor until dropped, then restores the previous one.
struct Enter {
    previous: Option<Rc<Local>>,
    previous_now: Option<Instant>,
}

impl Enter {
    fn new(local: &Rc<Local>) -> Enter {
        // While the thread's locals are being destroyed there is no current executor to set.
        let previous = CURRENT
            .try_with(|current| current.replace(Some(local.clone())))
            .unwrap_or_default();
        let previous_now = CURRENT_NOW.replace(Some(local.now()));
        Enter {
            previous,
            previous_now,
        }
    }
}

impl Drop for Enter {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = CURRENT.try_with(|current| current.replace(previous));
        CURRENT_NOW.set(self.previous_now);
    }
}

/// Clears a flag when dropped, also while unwinding.
struct ClearOnDrop<'a>(&'a Cell<bool>);

impl Drop for ClearOnDrop<'_> {
    fn drop(&mut self) {
        self.0.set(false);
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
pub(crate) fn with_current<R>(f: impl FnOnce(&Local) -> R) -> Option<R> {
    CURRENT
        .try_with(|current| current.borrow().as_deref().map(f))
        .ok()
        .flatten()
}

/// The guest clock of the executor whose task is running on this thread, if any. Cheaper than
/// [`with_current`]: one thread-local load.
#[inline]
pub(crate) fn current_now() -> Option<Instant> {
    CURRENT_NOW.get()
}

/// The fast path of a wake on the host thread during a run: straight into the open batch, no lock
/// and no request (the run in progress will get to it). Returns whether it applied.
pub(crate) fn queue_in_running_batch(shared: &Shared, id: TaskId) -> bool {
    with_current(|local| {
        let applies = local.running.get() && std::ptr::eq(Arc::as_ptr(&local.shared), shared);
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
    try_current().unwrap_or_else(|| {
        panic!("guestloop::{function}() must be called from a task running on a guestloop executor")
    })
}

/// Cancels the task behind `header`, at once when on the owning thread (see [`JoinHandle::abort`]).
pub(crate) fn abort(header: &Arc<Header>) {
    // The registry is per thread: finding the executor there means this is its thread.
    let owner = OWNED
        .try_with(|owned| {
            let owned = owned.borrow();
            owned
                .iter()
                .filter_map(Weak::upgrade)
                .find(|local| Arc::ptr_eq(&local.shared, &header.shared))
        })
        .ok()
        .flatten();
    if let (Some(local), Some(id)) = (owner, header.id()) {
        let task = local.tasks.borrow_mut().remove(id);
        if let Some(task) = task {
            let _enter = Enter::new(&local);
            local.drop_task(task);
        }
        return;
    }
    // Queue it: the executor drops an aborted task instead of polling it.
    std::task::Wake::wake_by_ref(header);
}

impl Local {
    fn spawn_local<F>(self: &Rc<Local>, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let join = JoinState::new();
        let header = Header::new(self.shared.clone());
        let handle = JoinHandle::new(join.clone(), header.clone());
        let task: Task = Box::pin(TaskCell::new(future, join, header));
        if self.shut_down.get() {
            // Dropping the task completes the handle with `Cancelled`.
            task.header().retire();
            drop(task);
            return handle;
        }
        self.adopt(task);
        handle
    }

    fn adopt(&self, task: Task) {
        self.spawned.set(self.spawned.get() + 1);
        let id = self.tasks.borrow_mut().insert(|id| {
            task.header().assign(id);
            task
        });
        if self.running.get() {
            self.queue(id);
        } else {
            self.shared.push_ready(id);
        }
    }

    /// Queues a task into the open batch (during a run), unless it is queued already.
    fn queue(&self, id: TaskId) {
        if self.tasks.borrow_mut().mark_queued(id) {
            self.batch.borrow_mut().push_back(id);
        }
    }

    /// Moves futures spawned from other threads into the task table, in the order they came.
    fn adopt_remote(&self) {
        if !self.shared.remote_pending.load(Ordering::Acquire) {
            return;
        }
        let remote = match lock(&self.shared.remote).as_mut() {
            Some(queue) => {
                self.shared.remote_pending.store(false, Ordering::Release);
                std::mem::take(queue)
            }
            None => return,
        };
        for task in remote {
            if task.header().is_aborted() {
                self.drop_task(task);
            } else {
                self.adopt(task);
            }
        }
    }

    /// The next task of the open batch: ones queued earlier first, then ones woken since.
    fn next_ready(&self) -> Option<TaskId> {
        let next = self.batch.borrow_mut().pop_front();
        next.or_else(|| {
            self.refill_batch();
            self.batch.borrow_mut().pop_front()
        })
    }

    /// Adds to the batch the tasks spawned or woken from other threads (or outside a run).
    fn refill_batch(&self) {
        // Checked here, inline: most of the time (several times per tick) nothing came.
        let shared = &self.shared;
        if shared.remote_pending.load(Ordering::Acquire)
            || shared.ready_pending.load(Ordering::Acquire)
        {
            self.take_queued_from_outside();
        }
    }

    #[inline(never)]
    fn take_queued_from_outside(&self) {
        self.adopt_remote(); // a run is in progress: adopted tasks go straight into the batch
        if self.shared.ready_pending.load(Ordering::Acquire) {
            let woken = {
                let mut ready = lock(&self.shared.ready);
                self.shared.ready_pending.store(false, Ordering::Release);
                std::mem::take(&mut *ready)
            };
            for id in woken {
                let aborted = match self.tasks.borrow().header(id) {
                    Some(header) => {
                        header.take_remote_wake();
                        header.is_aborted()
                    }
                    None => false,
                };
                if aborted {
                    // Aborted from another thread: it never runs again.
                    let task = self.tasks.borrow_mut().remove(id);
                    if let Some(task) = task {
                        self.drop_task(task);
                    }
                } else {
                    self.queue(id);
                }
            }
        }
    }

    fn poll(&self, id: TaskId) {
        let Some(mut task) = self.tasks.borrow_mut().start_poll(id) else {
            return; // a stale wake of a task that is gone
        };
        self.polls.set(self.polls.get() + 1);
        match task.as_mut().poll(id, &self.polling) {
            std::task::Poll::Pending => {
                // Unless it aborted itself meanwhile (then its slot is gone and it comes back).
                let aborted = self.tasks.borrow_mut().end_poll(id, task);
                if let Some(task) = aborted {
                    self.drop_task(task);
                }
            }
            std::task::Poll::Ready(outcome) => {
                self.tasks.borrow_mut().remove(id);
                self.drop_task(task);
                if let Outcome::Panicked(message) = outcome {
                    self.report_panic(message);
                }
            }
        }
    }

    /// Drops a task's future outside every borrow; a panicking destructor is reported, not spread.
    fn drop_task(&self, task: Task) {
        task.header().retire();
        if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(task))) {
            self.report_panic(format!(
                "a task's destructor panicked: {}",
                panic_message(&*payload)
            ));
        }
    }

    fn report_panic(&self, message: String) {
        let hook = self.panic_hook.borrow_mut().take();
        if let Some(mut hook) = hook {
            let report = TaskPanic::new(message);
            let _ = catch_unwind(AssertUnwindSafe(|| hook(&report)));
            let mut slot = self.panic_hook.borrow_mut();
            if slot.is_none() {
                *slot = Some(hook);
            }
        }
    }

    /// Starts a batch: moves the guest clock and fires the timers due at its new instant.
    /// Returns whether timers fired.
    fn start_batch(&self) -> bool {
        let host_now = self.host.now();
        let due = self.timers.borrow().earliest().filter(|&d| d <= host_now);
        let Some(deadline) = due else {
            self.set_now(host_now);
            return false;
        };
        self.set_now(deadline);
        if self.armed.get() == Some(deadline) {
            self.armed.set(None); // the host's one-shot timer has been used up
        }
        let (_, mut wakeups) = self
            .timers
            .borrow_mut()
            .pop_earliest()
            .expect("the earliest timer was just seen");
        for wakeup in wakeups.drain(..) {
            match wakeup {
                Wakeup::Task(id) => self.queue(id),
                // Our wakers never panic, but a combinator may have handed the timer its own.
                Wakeup::Waker(waker) => {
                    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| waker.wake())) {
                        self.report_panic(format!(
                            "a waker panicked: {}",
                            panic_message(&*payload)
                        ));
                    }
                }
                Wakeup::Cancelled => {}
            }
        }
        self.timers.borrow_mut().recycle(wakeups);
        true
    }

    /// How a timer armed now with `waker` should wake: by task id if `waker` is the waker of the
    /// task being polled, else through a clone of `waker`.
    #[inline]
    pub(crate) fn wakeup_for(&self, waker: &Waker) -> Wakeup {
        match self.polling.get() {
            Some(polled) if polled.is_waker_of(waker) => Wakeup::Task(polled.id),
            _ => Wakeup::Waker(waker.clone()),
        }
    }

    fn arm_host_timer(&self) {
        let wanted = self.timers.borrow().earliest();
        if wanted != self.armed.get() {
            self.armed.set(wanted);
            self.timer_arms.set(self.timer_arms.get() + 1);
            self.host.set_timer(wanted);
        }
    }

    /// One run: batches until idle or until the poll budget is spent. Returns whether it was spent.
    fn run_batches(&self) -> bool {
        let mut budget = self.poll_budget;
        loop {
            if !self.batch_open.get() {
                let fired = self.start_batch();
                self.refill_batch();
                if self.batch.borrow().is_empty() {
                    if fired {
                        continue; // the fired timers' tasks were gone; maybe more is due
                    }
                    return false;
                }
                self.batch_open.set(true);
            }
            while let Some(id) = self.next_ready() {
                if budget == 0 {
                    self.batch.borrow_mut().push_front(id);
                    return true;
                }
                budget -= 1;
                self.poll(id);
            }
            self.batch_open.set(false);
        }
    }

    fn shutdown(self: &Rc<Local>) {
        if self.shut_down.replace(true) {
            return;
        }
        self.shared.closed.store(true, Ordering::Release);
        let _enter = Enter::new(self);
        let remote = lock(&self.shared.remote).take().unwrap_or_default();
        for task in remote {
            self.drop_task(task);
        }
        // A destructor may spawn; keep going until nothing is left.
        loop {
            let tasks = self.tasks.borrow_mut().drain();
            if tasks.is_empty() {
                break;
            }
            for task in tasks {
                self.drop_task(task);
            }
        }
        let wakers = self.timers.borrow_mut().take_all();
        drop(wakers);
        self.batch.borrow_mut().clear();
        lock(&self.shared.ready).clear();
        if self.armed.get().is_some() {
            self.host.set_timer(None);
        }
        let _ = OWNED.try_with(|owned| {
            let mut owned = owned.borrow_mut();
            owned.retain(|weak| {
                weak.strong_count() > 0 && !std::ptr::eq(weak.as_ptr(), Rc::as_ptr(self))
            })
        });
    }

    #[inline]
    pub(crate) fn now(&self) -> Instant {
        self.now.get()
    }

    /// Moves the guest clock forward to `instant` (never back). Called during a run, where this
    /// executor is the current one.
    fn set_now(&self, instant: Instant) {
        let now = self.now.get().max(instant);
        self.now.set(now);
        CURRENT_NOW.set(Some(now));
    }
}

/// Builds an [`Executor`] with non-default settings.
///
/// ```
/// use guestloop::{Executor, testing::TestHost};
/// use std::cell::RefCell;
/// use std::rc::Rc;
///
/// let panics = Rc::new(RefCell::new(Vec::new()));
/// let seen = panics.clone();
/// let builder = Executor::builder()
///     .poll_budget(64)
///     .on_task_panic(move |panic| seen.borrow_mut().push(panic.message().to_owned()));
/// let mut host = TestHost::with_builder(builder, std::time::Duration::from_millis(1));
/// let task = host.spawn_local(async { panic!("boom") });
/// assert!(host.block_on(task).is_err());
/// assert_eq!(*panics.borrow(), ["boom"]);
/// ```
pub struct Builder {
    poll_budget: usize,
    panic_hook: Option<PanicHook>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            poll_budget: DEFAULT_POLL_BUDGET,
            panic_hook: None,
        }
    }
}

impl Builder {
    /// How many tasks one [`Executor::run`] may poll before it yields to the host
    /// (default [`DEFAULT_POLL_BUDGET`]).
    ///
    /// # Panics
    /// If `polls` is zero: a run must make progress.
    pub fn poll_budget(mut self, polls: usize) -> Builder {
        assert!(polls > 0, "a guestloop poll budget must be at least 1");
        self.poll_budget = polls;
        self
    }

    /// Calls `hook` on the host thread, during a run, whenever a task panics (the panic is
    /// caught; the task's [`JoinHandle`] yields [`JoinError::Panicked`](crate::JoinError) and every
    /// other task goes on). Like trio's `done_callback`, this is where a host reports errors.
    /// Rust's own panic hook still prints the panic as usual.
    pub fn on_task_panic(mut self, hook: impl FnMut(&TaskPanic) + 'static) -> Builder {
        self.panic_hook = Some(Box::new(hook));
        self
    }

    /// Builds the executor on `host`.
    pub fn build(self, host: impl Host) -> Executor {
        let run_soon = host.run_soon_handle();
        let now = host.now();
        let shared = Arc::new(Shared {
            ready: Mutex::new(VecDeque::new()),
            ready_pending: AtomicBool::new(false),
            remote: Mutex::new(Some(Vec::new())),
            remote_pending: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            run_requested: AtomicBool::new(false),
            run_soon,
            run_soon_requests: AtomicU64::new(0),
        });
        let local = Rc::new(Local {
            host: Box::new(host),
            shared,
            tasks: RefCell::default(),
            batch: RefCell::default(),
            timers: RefCell::default(),
            now: Cell::new(now),
            batch_open: Cell::new(false),
            running: Cell::new(false),
            shut_down: Cell::new(false),
            armed: Cell::new(None),
            polling: Cell::new(None),
            poll_budget: self.poll_budget,
            panic_hook: RefCell::new(self.panic_hook),
            runs: Cell::new(0),
            polls: Cell::new(0),
            spawned: Cell::new(0),
            timer_arms: Cell::new(0),
        });
        let _ = OWNED.try_with(|owned| owned.borrow_mut().push(Rc::downgrade(&local)));
        Executor {
            handle: Handle { local },
        }
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("poll_budget", &self.poll_budget)
            .field("panic_hook", &self.panic_hook.is_some())
            .finish()
    }
}

/// A guest executor: runs futures on the host's thread whenever the host calls [`run`](Self::run).
///
/// Dropping it drops every task (their destructors run, on this thread) and every timer; wakes
/// and [`Spawner`]s used afterwards do nothing and fail with
/// [`ExecutorDestroyed`](crate::ExecutorDestroyed) respectively.
///
/// ```
/// use guestloop::testing::TestHost;
/// use std::time::Duration;
///
/// let mut host = TestHost::new(Duration::from_millis(100));
/// let executor = host.executor();
/// let task = executor.spawn_local(async {
///     let start = guestloop::now();
///     guestloop::sleep(Duration::from_millis(250)).await;
///     guestloop::now() - start
/// });
/// assert_eq!(host.block_on(task), Ok(Duration::from_millis(250)));
/// ```
pub struct Executor {
    handle: Handle,
}

impl Executor {
    /// An executor on `host` with default settings.
    pub fn new(host: impl Host) -> Executor {
        Builder::default().build(host)
    }

    /// Settings for an executor: poll budget, panic hook.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// The guest's run entry: the host calls it on its thread when its timer fired or a run was
    /// requested (see [`Host`]). Polls due work within the poll budget, then re-arms the host's
    /// timer or asks for another run. Cheap when nothing is due; a nested call returns at once.
    pub fn run(&self) {
        let local = &self.handle.local;
        if local.shut_down.get() || local.running.replace(true) {
            return;
        }
        // Should the host's `set_timer` or `now` panic, a later run must still work.
        let _not_running_on_unwind = ClearOnDrop(&local.running);
        local.runs.set(local.runs.get() + 1);
        let shared = &local.shared;
        // While we run, wakes need not ask the host: this run picks them up.
        shared.run_requested.store(true, Ordering::Release);
        let budget_spent = {
            let _enter = Enter::new(local);
            local.run_batches()
        };
        local.arm_host_timer();
        local.running.set(false);
        if budget_spent {
            shared.ask_host(); // `run_requested` stays set: this is that request
        } else {
            shared.run_requested.store(false, Ordering::SeqCst);
            // A wake may have slipped in after the last look at the queue.
            if shared.has_work() {
                shared.request_run();
            }
        }
    }

    /// A cloneable handle for spawning on this executor from the host thread.
    pub fn handle(&self) -> Handle {
        self.handle.clone()
    }

    /// Spawns a future on this executor. See [`Handle::spawn_local`].
    pub fn spawn_local<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.handle.spawn_local(future)
    }

    /// A `Send + Clone` handle for spawning `Send` futures from any thread.
    pub fn spawner(&self) -> Spawner {
        self.handle.spawner()
    }

    /// The guest clock: the instant of the batch being processed, or of the last one.
    pub fn now(&self) -> Instant {
        self.handle.now()
    }

    /// Counters about this executor.
    pub fn stats(&self) -> ExecutorStats {
        self.handle.stats()
    }
}

impl Drop for Executor {
    fn drop(&mut self) {
        self.handle.local.shutdown();
    }
}

impl fmt::Debug for Executor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Executor")
            .field("now", &self.now())
            .field("stats", &self.stats())
            .finish()
    }
}

/// A cloneable, host-thread-only handle to an executor: spawn on it, read its clock.
///
/// Unlike [`Executor`], dropping a handle does nothing. A handle that outlives its executor spawns
/// tasks that are cancelled at once.
#[derive(Clone)]
pub struct Handle {
    local: Rc<Local>,
}

impl Handle {
    /// The executor whose task is running on this thread.
    ///
    /// # Panics
    /// Outside a task of a guestloop executor.
    #[track_caller]
    pub fn current() -> Handle {
        Handle {
            local: current("Handle::current"),
        }
    }

    /// Spawns a future (it need not be `Send`) to run on the host thread.
    ///
    /// It is first polled in the current batch, after the tasks already woken in it (or in the
    /// next run, if spawned outside a run). The returned [`JoinHandle`] awaits its output; dropping
    /// it detaches the task.
    pub fn spawn_local<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.local.spawn_local(future)
    }

    /// A `Send + Clone` handle for spawning `Send` futures from any thread.
    pub fn spawner(&self) -> Spawner {
        Spawner::new(self.local.shared.clone())
    }

    /// The guest clock. See [`now`](crate::now).
    pub fn now(&self) -> Instant {
        self.local.now()
    }

    /// The host's clock, read now (ahead of the guest clock while the host is late).
    pub fn host_now(&self) -> Instant {
        self.local.host.now()
    }

    /// Counters about this executor.
    pub fn stats(&self) -> ExecutorStats {
        let local = &self.local;
        ExecutorStats {
            runs: local.runs.get(),
            polls: local.polls.get(),
            spawned: local.spawned.get(),
            live_tasks: local.tasks.borrow().len(),
            pending_timers: local.timers.borrow().len(),
            run_soon_requests: local.shared.run_soon_requests.load(Ordering::Relaxed),
            timer_arms: local.timer_arms.get(),
        }
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle").field("now", &self.now()).finish()
    }
}
