//! The executor's public face: [`Executor`], [`Handle`], [`Builder`] and [`ExecutorStats`].
//!
//! Owns the API users hold, and nothing of the machinery: every call goes to the host-thread state
//! in [`local`](crate::local), where runs, batches and timers are.

use crate::local::{Local, PanicHook, current};
use crate::task::{JoinHandle, TaskPanic};
use crate::{Host, Instant, Spawner};
use std::fmt;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

/// How many tasks one [`Executor::run`] polls before it yields to the host, by default.
pub const DEFAULT_POLL_BUDGET: usize = 1024;

/// How far behind the host's clock the guest clock may fall and still replay every missed
/// deadline exactly, by default (see [`Builder::max_catch_up`]).
pub const DEFAULT_MAX_CATCH_UP: Duration = Duration::from_secs(1);

/// Counters an executor keeps about itself, for tests, benchmarks and diagnostics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
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
    /// Times the executor called the host's [`RunSoon`](crate::RunSoon) handle.
    pub run_soon_requests: u64,
    /// Times the executor called [`Host::set_timer`].
    pub timer_arms: u64,
    /// Times the guest clock jumped to the host's, skipping deadlines, because the host was
    /// later than [`Builder::max_catch_up`].
    pub clock_jumps: u64,
    /// Calls to [`Executor::run`] made from inside the executor's own call of the host's
    /// [`RunSoon`](crate::RunSoon) handle: a run-soon that runs the guest at once instead of
    /// later. Each such run happens right after the handle returns, not inside it (see
    /// [`Host`]'s "Run soon").
    pub runs_inside_run_soon: u64,
}

/// Builds an [`Executor`] with non-default settings.
///
/// ```
/// use guestloop::{Executor, testing::TestHost};
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use std::time::Duration;
///
/// let panics = Rc::new(RefCell::new(Vec::new()));
/// let seen = panics.clone();
/// let builder = Executor::builder()
///     .poll_budget(64)
///     .max_catch_up(Duration::from_millis(250))
///     .on_task_panic(move |panic| seen.borrow_mut().push(panic.message().to_owned()));
/// let mut host = TestHost::with_builder(builder, Duration::from_millis(1));
/// let task = host.spawn_local(async { panic!("boom") });
/// assert!(host.block_on(task).is_err());
/// assert_eq!(*panics.borrow(), ["boom"]);
/// ```
pub struct Builder {
    poll_budget: usize,
    max_catch_up: Duration,
    panic_hook: Option<PanicHook>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            poll_budget: DEFAULT_POLL_BUDGET,
            max_catch_up: DEFAULT_MAX_CATCH_UP,
            panic_hook: None,
        }
    }
}

impl Builder {
    /// How many tasks one [`Executor::run`] may poll before it yields to the host (default
    /// [`DEFAULT_POLL_BUDGET`]). It is also how many fired timers and tasks from other threads
    /// one run takes in, and how many tasks woken during a batch may run before the executor
    /// looks whether a timer is due.
    ///
    /// # Panics
    /// If `polls` is zero: a run must make progress.
    #[must_use = "a Builder method returns the changed builder"]
    pub fn poll_budget(mut self, polls: usize) -> Builder {
        assert!(
            polls > 0,
            "a guestloop poll budget must be at least 1, got 0"
        );
        self.poll_budget = polls;
        self
    }

    /// How far the guest clock may fall behind the host's and still replay every missed
    /// deadline, one batch each at its exact instant (default [`DEFAULT_MAX_CATCH_UP`]).
    ///
    /// When a batch starts and the earliest due deadline is further behind the host's clock than
    /// this (after a suspend, a debugger, a long blocking call on the host thread), the guest
    /// clock **jumps** to the host's time instead: every due timer fires in that one batch, in
    /// deadline order, and each waiting task sees the host's time. An [`Interval`](crate::Interval)
    /// then deals with the ticks it skipped as its [`MissedTicks`](crate::MissedTicks) says.
    /// [`ExecutorStats::clock_jumps`] counts the jumps.
    ///
    /// `Duration::ZERO` jumps whenever the host is late at all (as tokio's timers behave);
    /// `Duration::MAX` always replays.
    #[must_use = "a Builder method returns the changed builder"]
    pub fn max_catch_up(mut self, bound: Duration) -> Builder {
        self.max_catch_up = bound;
        self
    }

    /// Calls `hook` on the host thread, during a run, whenever a task panics (the panic is
    /// caught; the task's [`JoinHandle`] yields a [`JoinError`](crate::JoinError) with the payload and every
    /// other task goes on). Like trio's `done_callback`, this is where a host reports errors.
    /// Rust's own panic hook still prints the panic as usual.
    #[must_use = "a Builder method returns the changed builder"]
    pub fn on_task_panic(mut self, hook: impl FnMut(&TaskPanic) + 'static) -> Builder {
        self.panic_hook = Some(Box::new(hook));
        self
    }

    /// Builds the executor on `host`.
    pub fn build(self, host: impl Host) -> Executor {
        let local = Local::new(
            Box::new(host),
            self.poll_budget,
            self.max_catch_up,
            self.panic_hook,
        );
        Executor {
            handle: Handle { local },
        }
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("poll_budget", &self.poll_budget)
            .field("max_catch_up", &self.max_catch_up)
            .field("panic_hook", &self.panic_hook.is_some())
            .finish()
    }
}

/// A guest executor: runs futures on the host's thread whenever the host calls [`run`](Self::run).
///
/// Dropping it drops every task (their destructors run, on this thread) and every timer, and
/// disarms the host's timer; wakes and [`Spawner`]s used afterwards do nothing and fail with
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
/// assert_eq!(host.block_on(task).unwrap(), Duration::from_millis(250));
/// ```
pub struct Executor {
    handle: Handle,
}

impl Executor {
    /// An executor on `host` with default settings.
    pub fn new(host: impl Host) -> Executor {
        Builder::default().build(host)
    }

    /// Settings for an executor: poll budget, catch-up bound, panic hook.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// The guest's run entry: the host calls it on its thread when its timer fired or a run was
    /// requested (see [`Host`]). Polls due work within the poll budget, then sets the host's
    /// timer and, if work is left, asks for another run. Cheap when nothing is due; a nested
    /// call returns at once, and so does a call from inside the host's run-soon at the end of a
    /// run (that run is made as soon as the run-soon returns).
    ///
    /// # Panics
    /// Only if the host's own [`now`](Host::now), [`set_timer`](Host::set_timer) or run-soon
    /// panics; the executor stays usable, has asked for another run if work is left, and the
    /// next wake asks the host for a run again.
    pub fn run(&self) {
        self.handle.local.run();
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

    /// The executor whose task is running on this thread, or `None` outside one: for code that
    /// may run in a task or not (a library's callback).
    ///
    /// ```
    /// use guestloop::Handle;
    /// use guestloop::testing::TestHost;
    ///
    /// assert!(Handle::try_current().is_none());
    /// let mut host = TestHost::default();
    /// let inside = host.block_on(async { Handle::try_current().is_some() });
    /// assert!(inside);
    /// ```
    pub fn try_current() -> Option<Handle> {
        crate::context::try_current().map(|local| Handle { local })
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
        self.local.spawner()
    }

    /// The guest clock. See [`now`](crate::now).
    pub fn now(&self) -> Instant {
        self.local.now()
    }

    /// The host's clock, read now (ahead of the guest clock while the host is late, and while a
    /// long batch runs: this is the clock to measure a task's own work with).
    pub fn host_now(&self) -> Instant {
        self.local.host_now()
    }

    /// Counters about this executor.
    pub fn stats(&self) -> ExecutorStats {
        self.local.stats()
    }

    /// The host's run-soon handle, for the conformance kit's "called after the guest is gone".
    #[cfg(feature = "conformance")]
    pub(crate) fn run_soon(&self) -> crate::RunSoon {
        self.local.run_soon()
    }

    /// What other threads reach of the executor, which outlives it: for the conformance kit's
    /// "a wake after the drop asks the host for nothing".
    #[cfg(feature = "conformance")]
    pub(crate) fn shared(&self) -> std::sync::Arc<crate::shared::Shared> {
        self.local.shared()
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle").field("now", &self.now()).finish()
    }
}
