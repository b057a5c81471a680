//! A host conformance kit: checks any [`Host`](crate::Host) implementation runs against itself.
//!
//! Owns the executable form of the [`Host`](crate::Host) contract. Each check is async code run
//! as a guest task on the host under test, through the small [`Harness`] trait, so the same
//! checks run on the virtual-time [`TestHost`](crate::testing::TestHost), a real Qt loop and a
//! terminal loop. Checks use short real durations (milliseconds).
//!
//! - [`CHECKS`] ([`run_all`]): what the executor promises, and what a host can get wrong (a
//!   timer that never stops firing, a loop that runs the guest on every turn, a replaced deadline
//!   it kept, a run-soon that runs the guest at once or fails once the guest is gone). Any host
//!   passes them, virtual-time ones included.
//! - [`REAL_TIME_CHECKS`] ([`run_real_time`]): what needs the host's clock to move while the guest
//!   works (a task that never stops yielding, a stall of the host thread). For hosts whose clock is
//!   real time.
//!
//! A check never waits on the timer it tests: every wait for something that might not happen is
//! bounded by a thread of the kit's own ([`PATIENCE`] for another thread, [`CHECK_LIMIT`] for a
//! whole check), so a broken host fails a check instead of hanging it, as long as it runs the
//! guest when asked to.
//!
//! ```
//! use guestloop::conformance::{self, Harness};
//! use guestloop::testing::TestHost;
//! use guestloop::Builder;
//! use std::future::Future;
//! use std::pin::Pin;
//! use std::time::Duration;
//!
//! struct TestHarness;
//!
//! impl Harness for TestHarness {
//!     fn run(&mut self, builder: Builder, main: Pin<Box<dyn Future<Output = ()>>>) {
//!         let mut host = TestHost::with_builder(builder, Duration::from_micros(300));
//!         // Virtual time stands still while a check waits for another thread: wait for real.
//!         host.set_patience(conformance::CHECK_LIMIT);
//!         let main = host.spawn_local(main);
//!         let _ = host.run_until(|| main.is_finished());
//!     } // the host, and its executor, are dropped here
//! }
//!
//! conformance::run_all(&mut TestHarness).assert_all_passed();
//! ```

mod guest;
mod host;
mod real_time;

use crate::Builder;
use std::cell::RefCell;
use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::task::{Poll, Waker};
use std::time::Duration;

/// How the kit drives a host.
pub trait Harness {
    /// Builds an executor from `builder` on a fresh instance of the host, spawns `main` on it,
    /// runs the host's event loop until that task has finished, then drops the executor before
    /// returning.
    ///
    /// `main` finishes within [`CHECK_LIMIT`] on any host that runs the guest when asked to.
    /// A harness may still give up after a generous limit of its own, for a host that does not
    /// even do that; it must not use a guest timer for it (a watchdog task's sleep would be a
    /// timer the checks do not expect), but a thread of its own.
    fn run(&mut self, builder: Builder, main: Pin<Box<dyn Future<Output = ()>>>);
}

/// One check of the kit.
#[derive(Clone, Copy)]
pub struct Check {
    /// What the check shows, as a sentence.
    pub name: &'static str,
    run: fn(&mut dyn Harness) -> Result<(), String>,
}

impl fmt::Debug for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl Check {
    /// Runs this check on `harness`.
    ///
    /// # Errors
    /// What went wrong, in a sentence.
    pub fn run(&self, harness: &mut dyn Harness) -> Result<(), String> {
        (self.run)(harness)
    }
}

macro_rules! checks {
    ($($module:ident::$function:ident: $name:literal,)+) => {
        &[$(Check { name: $name, run: $module::$function },)+]
    };
}

/// Every check any host must pass, in the order [`run_all`] runs them.
pub const CHECKS: &[Check] = checks![
    guest::timers_fire_in_order:
        "timers fire by deadline, then in arming order, each at its exact instant",
    guest::spawned_tasks_queue_behind_woken_ones:
        "a task spawned during a batch runs after those already woken, in the same batch",
    guest::sleeps_are_never_early:
        "sleeps never end early; past deadlines and yields complete without a timer",
    guest::timeouts: "timeout gives up at its deadline and lets a ready future win",
    guest::tick_clock_does_not_drift: "a tick clock does not drift",
    guest::cross_thread_spawn_and_wake:
        "futures spawned and tasks woken from other threads run on the host",
    guest::panics_are_contained: "a panicking task is reported and the others go on",
    guest::cancellation:
        "abort drops the future at once; a dropped handle detaches; a group aborts its children",
    guest::wakes_are_coalesced:
        "wakes are coalesced into few host runs, and big batches yield to the host",
    guest::drop_is_clean:
        "dropping the executor drops every task; later wakes and spawns are harmless",
    guest::unblock_comes_back:
        "work given to unblock runs off the host's thread and its result comes back to the task",
    host::sleeps_cost_few_runs:
        "a lone sleep costs a run or two: the host's timer does not fire early, nor keep firing",
    host::idle_means_no_runs:
        "once nothing is pending the host stops running the guest (it forgets a fired timer)",
    host::run_soon_runs_the_guest_later:
        "run-soon asks for a run on a later turn of the loop; it does not run the guest itself",
    host::an_earlier_deadline_replaces_a_later_one:
        "a new, earlier deadline replaces the one the host's timer holds",
    host::run_soon_after_the_guest_is_gone:
        "the run-soon handle, called after the guest is gone, is harmless on any thread",
];

/// The checks for hosts whose clock follows real time, in the order [`run_real_time`] runs them.
pub const REAL_TIME_CHECKS: &[Check] = checks![
    real_time::yielding_does_not_starve_timers:
        "a task that yields forever lets due timers fire",
    real_time::a_stall_past_the_bound_jumps:
        "a stall of the host thread past the catch-up bound makes the guest clock jump",
];

/// The outcome of every check.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Report {
    /// Each check's name and outcome.
    pub results: Vec<(&'static str, Result<(), String>)>,
}

impl Report {
    /// The checks that failed, with their reasons.
    pub fn failures(&self) -> Vec<(&'static str, &str)> {
        self.results
            .iter()
            .filter_map(|(name, result)| result.as_ref().err().map(|why| (*name, why.as_str())))
            .collect()
    }

    /// # Panics
    /// If any check failed, listing every failure.
    #[track_caller]
    pub fn assert_all_passed(&self) {
        let failures = self.failures();
        assert!(failures.is_empty(), "host conformance failures:\n{self}");
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, result) in &self.results {
            match result {
                Ok(()) => writeln!(f, "ok   {name}")?,
                Err(why) => writeln!(f, "FAIL {name}: {why}")?,
            }
        }
        Ok(())
    }
}

/// Runs every check in [`CHECKS`] on `harness`.
pub fn run_all(harness: &mut dyn Harness) -> Report {
    run_checks(CHECKS, harness)
}

/// Runs every check in [`REAL_TIME_CHECKS`] on `harness`, whose host's clock follows real time.
pub fn run_real_time(harness: &mut dyn Harness) -> Report {
    run_checks(REAL_TIME_CHECKS, harness)
}

fn run_checks(checks: &[Check], harness: &mut dyn Harness) -> Report {
    Report {
        results: checks
            .iter()
            .map(|check| (check.name, check.run(harness)))
            .collect(),
    }
}

type CheckResult = Result<(), String>;

macro_rules! ensure {
    ($condition:expr, $($message:tt)+) => {
        if !$condition {
            return Err(format!($($message)+));
        }
    };
}

pub(crate) use ensure;

/// Runs `body` as the main task of a fresh executor and returns what it concluded; gives up
/// after [`CHECK_LIMIT`].
fn run_check(
    harness: &mut dyn Harness,
    builder: Builder,
    body: impl Future<Output = CheckResult> + 'static,
) -> CheckResult {
    let outcome = Rc::new(RefCell::new(None));
    let slot = outcome.clone();
    harness.run(
        builder,
        Box::pin(async move {
            let result = within(CHECK_LIMIT, body).await.unwrap_or_else(|TimedOut| {
                Err(format!("the check did not finish within {CHECK_LIMIT:?}"))
            });
            *slot.borrow_mut() = Some(result);
        }),
    );
    let result = outcome.borrow_mut().take();
    result.unwrap_or_else(|| Err("the check's task never finished".to_owned()))
}

const MS: Duration = Duration::from_millis(1);
/// How long a check waits for another thread before calling it a failure.
pub const PATIENCE: Duration = Duration::from_secs(10);
/// How long a whole check may take before it is called a failure.
pub const CHECK_LIMIT: Duration = Duration::from_secs(30);

/// [`within`]'s time ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TimedOut;

/// Completes `future`, or gives up once `limit` of real time has passed, as measured by a thread
/// of its own (never by the host's timer, which is what the checks test).
async fn within<F: Future>(limit: Duration, future: F) -> Result<F::Output, TimedOut> {
    let (expired, expiry) = signal();
    let _watchdog = Watchdog::start(limit, move || fire(&expired));
    let mut future = pin!(future);
    let mut expiry = pin!(expiry);
    poll_fn(|cx| {
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Ok(output));
        }
        expiry.as_mut().poll(cx).map(|()| Err(TimedOut))
    })
    .await
}

/// Completes every future in `futures`, in order, or gives up once `limit` of real time has
/// passed for all of them together: one watchdog thread, however many futures (a check that
/// waits on a thousand tasks must not start a thousand threads).
async fn all_within<F: Future>(
    limit: Duration,
    futures: impl IntoIterator<Item = F>,
) -> Result<Vec<F::Output>, TimedOut> {
    within(limit, async {
        let mut outputs = Vec::new();
        for future in futures {
            outputs.push(future.await);
        }
        outputs
    })
    .await
}

/// A thread that calls a function once a limit of real time has passed, unless the watchdog is
/// dropped first (then the thread ends at once).
///
/// The kit bounds its own waits with these. A [`Harness`] may use one to give up on a host that
/// never runs its guest at all: a guest timer would be a timer the checks do not expect.
///
/// ```
/// use guestloop::conformance::Watchdog;
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::sync::Arc;
/// use std::time::Duration;
///
/// let barked = Arc::new(AtomicBool::new(false));
/// let flag = barked.clone();
/// let watchdog = Watchdog::start(Duration::from_secs(60), move || flag.store(true, Ordering::SeqCst));
/// drop(watchdog); // the work finished in time
/// assert!(!barked.load(Ordering::SeqCst));
/// ```
#[derive(Debug)]
pub struct Watchdog {
    cancel: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Watchdog {
    /// Calls `on_expiry` on a thread of its own once `limit` has passed, unless dropped before.
    pub fn start(limit: Duration, on_expiry: impl FnOnce() + Send + 'static) -> Watchdog {
        let (cancel, cancelled) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("guestloop-watchdog".into())
            .spawn(move || {
                if cancelled.recv_timeout(limit) == Err(mpsc::RecvTimeoutError::Timeout) {
                    on_expiry();
                }
            })
            .expect("a watchdog thread could be started");
        Watchdog {
            cancel: Some(cancel),
            thread: Some(thread),
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        drop(self.cancel.take()); // ends the thread's wait at once
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A flag another thread sets, and the waker to wake when it does.
type Signal = (AtomicBool, Mutex<Option<Waker>>);

/// A future that completes once another thread has set its flag and woken it.
fn signal() -> (Arc<Signal>, impl Future<Output = ()>) {
    let shared = Arc::new((AtomicBool::new(false), Mutex::new(None::<Waker>)));
    let waiting = shared.clone();
    let future = poll_fn(move |cx| {
        *waiting.1.lock().expect("no panics under this lock") = Some(cx.waker().clone());
        if waiting.0.load(Ordering::Acquire) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    });
    (shared, future)
}

fn fire(signal: &Signal) {
    signal.0.store(true, Ordering::Release);
    let waker = signal.1.lock().expect("no panics under this lock").take();
    if let Some(waker) = waker {
        waker.wake();
    }
}
