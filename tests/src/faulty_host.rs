//! [`FaultyHost`]: a virtual-time host that can misbehave on purpose, and its loop.
//!
//! The executor's tests need hosts that do what real ones sometimes do: fire a timer early, keep
//! firing a deadline they were never told to forget, panic in a callback, or let time pass while
//! the guest works. [`TestHost`](guestloop::testing::TestHost) is a well-behaved host; this is the
//! other kind.

use guestloop::{Executor, Host, Instant, RunSoon};
use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// Which host callback panics (once).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PanicIn {
    /// [`Host::now`].
    Now,
    /// [`Host::set_timer`].
    SetTimer,
    /// The [`RunSoon`] handle.
    RunSoon,
}

/// How a [`FaultyHost`] misbehaves. The default is a punctual, well-behaved host.
#[derive(Clone, Copy, Debug, Default)]
pub struct Faults {
    /// Every read of the clock moves it this far: time passes while the guest works.
    pub clock_step: Duration,
    /// The timer fires this long before its deadline.
    pub fires_early: Duration,
    /// A timer that fired stays armed: the host runs the guest again and again until it is told
    /// another deadline (or `None`).
    pub keeps_fired_deadline: bool,
    /// A callback that panics the next time it is called (then behaves).
    pub panic_in: Option<PanicIn>,
    /// `set_timer(None)` is ignored: an armed timer stays armed.
    pub ignores_disarm: bool,
    /// A deadline earlier than the armed one is ignored: the timer keeps the later one.
    pub keeps_later_deadline: bool,
    /// The run-soon handle panics once the host is gone.
    pub run_soon_fails_once_gone: bool,
}

/// The state a [`FaultyHost`] shares with its loop and the test.
#[derive(Debug, Default)]
pub struct HostState {
    /// The host's clock.
    pub now: Cell<Instant>,
    /// The deadline the guest last set (`None`: disarmed).
    pub timer: Cell<Option<Instant>>,
    /// A run was requested and not yet made.
    pub requested: Arc<AtomicBool>,
    /// Calls of the run-soon handle, from any thread.
    pub run_soon_calls: Arc<AtomicUsize>,
    /// Calls of `set_timer`.
    pub timer_sets: Cell<usize>,
    /// Calls of `Executor::run` the loop made.
    pub runs: Cell<usize>,
    /// The misbehaviour.
    pub faults: Cell<Faults>,
    panic_next: Arc<AtomicBool>,
    /// Dropped with the host: its run-soon handle can tell.
    alive: Arc<()>,
}

impl HostState {
    fn panics_now(&self, callback: PanicIn) -> bool {
        self.faults.get().panic_in == Some(callback)
            && self.panic_next.swap(false, Ordering::SeqCst)
    }

    /// Arms the fault's panic for its callback's next call.
    pub fn panic_next_time(&self, callback: PanicIn) {
        let mut faults = self.faults.get();
        faults.panic_in = Some(callback);
        self.faults.set(faults);
        self.panic_next.store(true, Ordering::SeqCst);
    }

    /// Sets the clock (forward only).
    pub fn advance_to(&self, instant: Instant) {
        self.now.set(self.now.get().max(instant));
    }
}

/// The [`Host`] the executor sees.
#[derive(Debug)]
pub struct FaultyHost(pub Rc<HostState>);

impl Host for FaultyHost {
    fn now(&self) -> Instant {
        if self.0.panics_now(PanicIn::Now) {
            panic!("the host's clock failed");
        }
        let now = self.0.now.get();
        self.0
            .now
            .set(now.saturating_add(self.0.faults.get().clock_step));
        now
    }

    fn set_timer(&self, deadline: Option<Instant>) {
        if self.0.panics_now(PanicIn::SetTimer) {
            panic!("the host's timer failed");
        }
        self.0.timer_sets.set(self.0.timer_sets.get() + 1);
        let faults = self.0.faults.get();
        let ignored = match (self.0.timer.get(), deadline) {
            (Some(_), None) => faults.ignores_disarm,
            (Some(armed), Some(new)) => faults.keeps_later_deadline && new < armed,
            (None, _) => false,
        };
        if !ignored {
            self.0.timer.set(deadline);
        }
    }

    fn run_soon_handle(&self) -> RunSoon {
        let (requested, calls) = (self.0.requested.clone(), self.0.run_soon_calls.clone());
        let panic_next = self.0.panic_next.clone();
        let faults = self.0.faults.get();
        let panics = faults.panic_in == Some(PanicIn::RunSoon);
        let alive = Arc::downgrade(&self.0.alive);
        Arc::new(move || {
            if panics && panic_next.swap(false, Ordering::SeqCst) {
                panic!("the host's run-soon failed");
            }
            if faults.run_soon_fails_once_gone && alive.upgrade().is_none() {
                panic!("the host's run-soon was called after the host was gone");
            }
            calls.fetch_add(1, Ordering::SeqCst);
            requested.store(true, Ordering::SeqCst);
        })
    }
}

/// Why [`FaultyLoop::run_until`] gave up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gave {
    /// Nothing was requested and no timer was armed: the guest can never run again.
    Idle,
    /// The loop ran the guest `max_runs` times.
    TooManyRuns,
}

/// A host and its loop: it runs the guest when a run was requested or its timer fires, and
/// otherwise jumps its clock to the moment the timer fires.
#[derive(Debug)]
pub struct FaultyLoop {
    /// What the host and the test share.
    pub state: Rc<HostState>,
}

impl FaultyLoop {
    /// A loop whose host misbehaves as `faults` says; give [`host`](Self::host) to an executor.
    pub fn new(faults: Faults) -> FaultyLoop {
        let state = HostState::default();
        state.faults.set(faults);
        FaultyLoop {
            state: Rc::new(state),
        }
    }

    /// The host to build an executor on. Its run-soon panics only if `faults` said so when the
    /// loop was made.
    pub fn host(&self) -> FaultyHost {
        FaultyHost(self.state.clone())
    }

    /// When the host's timer fires: its deadline, minus how early it fires.
    fn fires_at(&self) -> Option<Instant> {
        let early = self.state.faults.get().fires_early;
        let deadline = self.state.timer.get()?;
        Some(Instant::from_nanos(
            deadline.as_nanos().saturating_sub(early.as_nanos() as u64),
        ))
    }

    /// Runs the loop until `done` holds (checked before each turn).
    pub fn run_until(
        &self,
        executor: &Executor,
        max_runs: usize,
        mut done: impl FnMut() -> bool,
    ) -> Result<(), Gave> {
        let state = &self.state;
        while !done() {
            if state.runs.get() >= max_runs {
                return Err(Gave::TooManyRuns);
            }
            let requested = state.requested.swap(false, Ordering::SeqCst);
            let fires_at = self.fires_at();
            let timer_fired = fires_at.is_some_and(|at| at <= state.now.get());
            if !requested && !timer_fired {
                let Some(at) = fires_at else {
                    return Err(Gave::Idle);
                };
                state.advance_to(at); // sleep until the timer fires
                continue;
            }
            if timer_fired && !state.faults.get().keeps_fired_deadline {
                state.timer.set(None); // one-shot
            }
            state.runs.set(state.runs.get() + 1);
            executor.run();
        }
        Ok(())
    }
}
