//! [`TestHost`]: a single-threaded host with virtual time, for deterministic tests.
//!
//! Owns nothing but a virtual clock: no wall clock, no threads; it waits (never longer than its
//! patience) only for wakes from other threads. Like ratatui's `TestBackend`, it is a real
//! implementation of the seam ([`Host`]) that keeps everything in memory, so tests and snapshots
//! see exact, repeatable frames.

use crate::{Builder, Executor, Host, Instant, JoinHandle, RunSoon};
use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

/// What a [`TestHost`] received from its guest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TestHostStats {
    /// Calls of the [`RunSoon`] handle (from any thread).
    pub run_soon_requests: u64,
    /// Calls of [`Host::set_timer`] (arming, re-arming or disarming).
    pub timer_sets: u64,
    /// Calls of [`Executor::run`] the host made.
    pub guest_runs: u64,
}

/// A run request, and a way to wait for one from another thread.
#[derive(Default)]
struct Request {
    requested: AtomicBool,
    waiting: Mutex<()>,
    arrived: Condvar,
}

impl Request {
    fn set(&self) {
        self.requested.store(true, Ordering::Release);
        // Under the lock: a waiter checks the flag under it too, so no request slips between.
        let _waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
        self.arrived.notify_all();
    }

    fn is_set(&self) -> bool {
        self.requested.load(Ordering::Acquire)
    }

    /// Clears the request; returns whether there was one.
    fn take(&self) -> bool {
        // Load first: a swap is a full barrier, and most steps have nothing requested.
        self.is_set() && self.requested.swap(false, Ordering::AcqRel)
    }

    /// Waits until a request is set, for at most `patience`; returns whether one is.
    fn wait(&self, patience: Duration) -> bool {
        let waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
        let _waiting = self
            .arrived
            .wait_timeout_while(waiting, patience, |_| !self.is_set())
            .unwrap_or_else(PoisonError::into_inner);
        self.is_set()
    }
}

/// The host side of a [`TestHost`]: its virtual clock, its timer and its run requests.
struct VirtualLoop {
    now: Cell<Instant>,
    timer: Cell<Option<Instant>>,
    requested: Arc<Request>,
    run_soon_requests: Arc<AtomicU64>,
    timer_sets: Cell<u64>,
    guest_runs: Cell<u64>,
}

/// The [`Host`] the executor of a [`TestHost`] sees.
struct VirtualHost(Rc<VirtualLoop>);

impl Host for VirtualHost {
    fn now(&self) -> Instant {
        self.0.now.get()
    }

    fn set_timer(&self, deadline: Option<Instant>) {
        self.0.timer_sets.set(self.0.timer_sets.get() + 1);
        self.0.timer.set(deadline);
    }

    fn run_soon_handle(&self) -> RunSoon {
        let requested = self.0.requested.clone();
        let count = self.0.run_soon_requests.clone();
        Arc::new(move || {
            count.fetch_add(1, Ordering::Relaxed);
            requested.set();
        })
    }
}

/// The guest never became able to make progress: no timer armed, no run requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the guest is idle (no timer armed, no run requested) and the condition never held")]
pub struct Stalled;

/// A host with virtual time that moves only when told to, in fixed steps.
///
/// Each [`step`](Self::step) advances the clock by the step size and then runs the guest as a
/// real host would: if its timer is due or a run was requested. Time moves in whole steps, so a
/// timer at 35 ms on a 10 ms host runs at 40 ms (late, like a real host), and the guest still
/// processes it at exactly 35 ms.
///
/// ```
/// use guestloop::testing::TestHost;
/// use std::time::Duration;
///
/// let mut host = TestHost::new(Duration::from_millis(100));
/// let task = host.spawn_local(async {
///     guestloop::sleep(Duration::from_millis(250)).await;
/// });
/// host.step();
/// host.step();
/// assert!(!task.is_finished());
/// host.step();
/// assert!(task.is_finished());
/// assert_eq!(host.now(), guestloop::Instant::from_nanos(300_000_000));
/// ```
pub struct TestHost {
    state: Rc<VirtualLoop>,
    step: Duration,
    /// `step` in nanoseconds (saturated), for the arithmetic of every step.
    step_nanos: u64,
    /// How long [`run_until`](Self::run_until) waits for a wake from another thread.
    patience: Duration,
    // Declared last: dropped first, while the host state it calls is still alive.
    executor: Executor,
}

impl Default for TestHost {
    /// A test host stepping 1 ms at a time.
    fn default() -> Self {
        TestHost::new(Duration::from_millis(1))
    }
}

impl TestHost {
    /// A test host whose [`step`](Self::step) advances `step`, with a default executor.
    ///
    /// # Panics
    /// If `step` is zero.
    pub fn new(step: Duration) -> TestHost {
        TestHost::with_builder(Executor::builder(), step)
    }

    /// A test host whose executor is built by `builder`.
    ///
    /// # Panics
    /// If `step` is zero.
    pub fn with_builder(builder: Builder, step: Duration) -> TestHost {
        assert!(!step.is_zero(), "a TestHost step must be longer than zero");
        let state = Rc::new(VirtualLoop {
            now: Cell::new(Instant::ZERO),
            timer: Cell::new(None),
            requested: Arc::default(),
            run_soon_requests: Arc::new(AtomicU64::new(0)),
            timer_sets: Cell::new(0),
            guest_runs: Cell::new(0),
        });
        let executor = builder.build(VirtualHost(state.clone()));
        TestHost {
            state,
            step,
            step_nanos: u64::try_from(step.as_nanos()).unwrap_or(u64::MAX),
            patience: Duration::ZERO,
            executor,
        }
    }

    /// The executor this host drives.
    pub fn executor(&self) -> &Executor {
        &self.executor
    }

    /// Spawns a future on the executor (first polled at the next run).
    pub fn spawn_local<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.executor.spawn_local(future)
    }

    /// The host's virtual clock.
    pub fn now(&self) -> Instant {
        self.state.now.get()
    }

    /// How far one [`step`](Self::step) moves the clock.
    pub fn step_size(&self) -> Duration {
        self.step
    }

    /// The deadline the guest's timer is armed for.
    pub fn timer(&self) -> Option<Instant> {
        self.state.timer.get()
    }

    /// Whether a run was requested and not yet made.
    pub fn run_requested(&self) -> bool {
        self.state.requested.is_set()
    }

    /// How long [`run_until`](Self::run_until) and [`block_on`](Self::block_on) wait, in real
    /// time, for a wake from another thread (a worker of [`unblock`](fn@crate::unblock), another
    /// runtime) before they call the guest stalled. Virtual time stands still meanwhile.
    /// Default: zero, so a deadlock is reported at once.
    ///
    /// ```
    /// use guestloop::testing::TestHost;
    /// use std::time::Duration;
    ///
    /// let mut host = TestHost::default();
    /// host.set_patience(Duration::from_secs(10)); // a worker thread's wake takes a moment
    /// let answer = host.block_on(async { guestloop::unblock(|| 6 * 7).await });
    /// assert_eq!(answer.unwrap(), 42);
    /// ```
    pub fn set_patience(&mut self, patience: Duration) {
        self.patience = patience;
    }

    /// Waits, in real time, until a run is requested (by a wake from another thread) or
    /// `patience` has passed; returns whether a run is requested.
    pub fn wait_for_wake(&self, patience: Duration) -> bool {
        self.state.requested.wait(patience)
    }

    /// What the host has received from its guest so far.
    pub fn stats(&self) -> TestHostStats {
        TestHostStats {
            run_soon_requests: self.state.run_soon_requests.load(Ordering::Relaxed),
            timer_sets: self.state.timer_sets.get(),
            guest_runs: self.state.guest_runs.get(),
        }
    }

    /// Runs the guest for as long as it has a run requested or its timer due; time stands still.
    pub fn run_pending(&mut self) {
        loop {
            let timer_due = self.state.timer.get().is_some_and(|d| d <= self.now());
            let requested = self.state.requested.take();
            if !timer_due && !requested {
                return;
            }
            if timer_due {
                self.state.timer.set(None); // one-shot
            }
            self.state.guest_runs.set(self.state.guest_runs.get() + 1);
            self.executor.run();
        }
    }

    /// Advances the clock by one step, then runs what is due.
    pub fn step(&mut self) {
        self.advance(self.step);
    }

    /// Advances the clock by `duration` in one jump (a host that woke late), then runs what is
    /// due. The guest processes every deadline it jumped over, in order, at its own instant.
    pub fn advance(&mut self, duration: Duration) {
        self.run_pending();
        self.state.now.set(self.now() + duration);
        self.run_pending();
    }

    /// Steps until `condition` holds (checked before each step) and returns `Ok`; or returns
    /// [`Stalled`] once the guest can no longer make progress (no timer armed, no run requested,
    /// and none requested from another thread within the [patience](Self::set_patience)). Steps
    /// in which nothing is due are skipped over (the guest cannot tell), so long sleeps cost
    /// nothing.
    pub fn run_until(&mut self, condition: impl FnMut() -> bool) -> Result<(), Stalled> {
        self.run_until_with(self.patience, condition)
    }

    fn run_until_with(
        &mut self,
        patience: Duration,
        mut condition: impl FnMut() -> bool,
    ) -> Result<(), Stalled> {
        loop {
            self.run_pending();
            if condition() {
                return Ok(());
            }
            let Some(deadline) = self.state.timer.get() else {
                if !patience.is_zero() && self.wait_for_wake(patience) {
                    continue;
                }
                return Err(Stalled);
            };
            // Wake at the first step boundary at or after the deadline, as fixed steps would.
            // In integers, and without a division in the usual case (the deadline within a step).
            let step = self.step_nanos;
            let wait = deadline.as_nanos().saturating_sub(self.now().as_nanos());
            let jump = if wait <= step {
                step
            } else {
                wait.div_ceil(step).saturating_mul(step)
            };
            let now = self.now().as_nanos().saturating_add(jump);
            self.state.now.set(Instant::from_nanos(now));
        }
    }

    /// Steps until no timer is armed and no run is requested (without waiting for other
    /// threads). A guest with an endless timer (an interval nobody stops) never becomes idle:
    /// use [`run_until`](Self::run_until) then.
    pub fn run_until_idle(&mut self) {
        let _ = self.run_until_with(Duration::ZERO, || false);
    }

    /// Spawns `future`, steps until it finishes, and returns its output.
    ///
    /// # Panics
    /// If the future panics, or if the guest stalls before it finishes (it waits for something
    /// that can never happen, a deadlock, or for another thread for longer than the
    /// [patience](Self::set_patience)).
    #[track_caller]
    pub fn block_on<F>(&mut self, future: F) -> F::Output
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        // Whether the future is gone (done, panicked or dropped), told by a flag its task drops:
        // a `Cell` read per step instead of the join state's lock.
        struct SetOnDrop(Rc<Cell<bool>>);
        impl Drop for SetOnDrop {
            fn drop(&mut self) {
                self.0.set(true);
            }
        }
        let gone = Rc::new(Cell::new(false));
        let guard = SetOnDrop(gone.clone());
        let mut task = self.spawn_local(async move {
            let _guard = guard;
            future.await
        });
        if self.run_until(|| gone.get()).is_err() {
            panic!("TestHost::block_on: the future can never finish (the guest is idle)");
        }
        match task.try_take().expect("the task finished") {
            Ok(output) => output,
            Err(error) => panic!("TestHost::block_on: {error}"),
        }
    }
}

impl fmt::Debug for TestHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestHost")
            .field("now", &self.now())
            .field("step", &self.step)
            .field("timer", &self.timer())
            .field("stats", &self.stats())
            .finish()
    }
}
