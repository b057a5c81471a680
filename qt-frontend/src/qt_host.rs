//! The Qt host: a [`guestloop::Host`] over Qt's event loop.
//!
//! Owns the executor of the Qt thread and the two ways Qt calls into it. Depends on Qt (through
//! cxx-qt) and `guestloop`'s public API only.
//!
//! # Design
//!
//! The executor lives in a **thread-local** of the Qt thread ([`install`] puts it there,
//! [`uninstall`] drops it). Both ways into the guest are `Send + 'static` closures that cannot
//! carry an `Rc`: the `QTimer::timeout` handler and the closures `CxxQtThread::queue` runs.
//! They run on the Qt thread, so they find the executor there. A run clones the `Rc` out of the
//! thread-local first, so nothing is borrowed while tasks run.
//!
//! - `now()`: a monotonic `std::time::Instant` taken at install, as nanoseconds.
//! - `set_timer(Some(d))`: one single-shot `Qt::PreciseTimer`, armed for the remaining time in
//!   whole milliseconds rounded up. Should Qt fire it while `now() < d`, it is re-armed for the
//!   rest: the executor never sees an early timer.
//! - `run_soon_handle()`: queues a closure on [`GuestWake`], a bare QObject that exists only as
//!   the target of `CxxQtThread::queue` (queued closures run under a lock of their object, so the
//!   target holds no state). Once it is destroyed, queuing fails, and the request is dropped.
//!
//! Nothing polls: with no timer armed and no wake, the Qt thread sleeps.

use cxx::UniquePtr;
use cxx_qt::{CxxQtThread, Threading};
use guestloop::{Builder, Executor, ExecutorStats, Handle, Host, Instant, RunSoon};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

/// The Qt side of the host: Qt's `QTimer`, and the `GuestWake` queue target.
#[cxx_qt::bridge]
pub mod ffi {
    unsafe extern "C++Qt" {
        include!(<QtCore/QTimer>);
        /// Qt's timer class (cxx-qt-lib 0.10 has no binding for it).
        #[qobject]
        type QTimer;

        /// (Re)starts the timer to fire after `msec` milliseconds.
        fn start(self: Pin<&mut QTimer>, msec: i32);

        /// Stops the timer; a pending `timeout` is not delivered.
        fn stop(self: Pin<&mut QTimer>);

        /// A private signal in Qt 6: declared `pub(self)` so cxx-qt still generates `on_timeout`.
        #[qsignal]
        pub(self) fn timeout(self: Pin<&mut QTimer>);
    }

    #[namespace = "qt_frontend"]
    unsafe extern "C++" {
        include!("qt_frontend/qtimer.h");

        /// A new single-shot timer of type `Qt::PreciseTimer`.
        fn precise_single_shot_timer() -> UniquePtr<QTimer>;
    }

    extern "RustQt" {
        /// The Qt-thread target of queued guest runs.
        #[qobject]
        type GuestWake = super::GuestWakeRust;
    }

    impl cxx_qt::Threading for GuestWake {}

    #[namespace = "rust::cxxqtlib1"]
    unsafe extern "C++" {
        include!("cxx-qt-lib/common.h");

        /// `std::make_unique<GuestWake>()`.
        #[rust_name = "guest_wake_new"]
        fn make_unique() -> UniquePtr<GuestWake>;
    }
}

use ffi::GuestWake;
pub use ffi::{QTimer, precise_single_shot_timer};

/// The (empty) Rust side of [`GuestWake`].
#[derive(Debug, Default)]
pub struct GuestWakeRust;

/// What the host keeps on the Qt thread: its clock, its timer and the queue target.
struct HostState {
    started: std::time::Instant,
    /// The deadline the timer is armed for; `None` when disarmed.
    deadline: Cell<Option<Instant>>,
    timer: RefCell<UniquePtr<QTimer>>,
    wake: UniquePtr<GuestWake>,
    early_fires: Cell<u64>,
}

impl HostState {
    fn now(&self) -> Instant {
        Instant::from_nanos(self.started.elapsed().as_nanos() as u64)
    }

    fn arm(&self, deadline: Instant) {
        let msec = timer_msec(deadline.saturating_duration_since(self.now()));
        self.deadline.set(Some(deadline));
        self.timer.borrow_mut().pin_mut().start(msec);
    }

    fn disarm(&self) {
        self.deadline.set(None);
        self.timer.borrow_mut().pin_mut().stop();
    }
}

/// `QTimer::start`'s argument for `remaining`: whole milliseconds, rounded up so that Qt is never
/// asked to fire before the deadline (and saturated at `i32::MAX`, about 24 days).
fn timer_msec(remaining: Duration) -> i32 {
    remaining
        .as_nanos()
        .div_ceil(1_000_000)
        .min(i32::MAX as u128) as i32
}

/// A [`Host`] over Qt's event loop. Made and owned by [`install`].
struct QtHost {
    state: Rc<HostState>,
}

impl Host for QtHost {
    fn now(&self) -> Instant {
        self.state.now()
    }

    fn set_timer(&self, deadline: Option<Instant>) {
        match deadline {
            Some(deadline) => self.state.arm(deadline),
            None => self.state.disarm(),
        }
    }

    fn run_soon_handle(&self) -> RunSoon {
        let wake: CxxQtThread<GuestWake> = self.state.wake.qt_thread();
        Arc::new(move || {
            // An error means the GuestWake object, hence the guest, is gone: nothing to run.
            let _ = wake.queue(|_| run_guest());
        })
    }
}

thread_local! {
    static GUEST: RefCell<Option<(Rc<HostState>, Rc<Executor>)>> = const { RefCell::new(None) };
}

fn guest() -> Option<(Rc<HostState>, Rc<Executor>)> {
    GUEST.with_borrow(Clone::clone)
}

/// A queued run arrived.
fn run_guest() {
    if let Some((_, executor)) = guest() {
        executor.run();
    }
}

/// The timer fired: run the guest, unless Qt was early.
fn timer_fired() {
    let Some((state, executor)) = guest() else {
        return;
    };
    if let Some(deadline) = state.deadline.get()
        && state.now() < deadline
    {
        state.early_fires.set(state.early_fires.get() + 1);
        state.arm(deadline);
        return;
    }
    state.deadline.set(None);
    executor.run();
}

/// Creates the guest executor on this (the Qt) thread with default settings.
///
/// # Panics
/// If a guest is already installed on this thread. Call it after `QGuiApplication::new()`.
pub fn install() -> Handle {
    install_with(Executor::builder())
}

/// Creates the guest executor on this (the Qt) thread from `builder`.
///
/// # Panics
/// If a guest is already installed on this thread. Call it after `QGuiApplication::new()`.
pub fn install_with(builder: Builder) -> Handle {
    assert!(
        guest().is_none(),
        "qt_host::install: a guest is already installed on this thread"
    );
    let state = Rc::new(HostState {
        started: std::time::Instant::now(),
        deadline: Cell::new(None),
        timer: RefCell::new(ffi::precise_single_shot_timer()),
        wake: ffi::guest_wake_new(),
        early_fires: Cell::new(0),
    });
    // The handler gets `Pin<&mut QTimer>` while `arm` may take another `&mut` to the same timer;
    // cxx's opaque types are `!Unpin` and hold an `UnsafeCell`, so the two do not assert
    // exclusive access. The connection lives as long as the timer, hence `release`.
    let _ = state
        .timer
        .borrow_mut()
        .pin_mut()
        .on_timeout(|_| timer_fired())
        .release();
    let executor = Rc::new(builder.build(QtHost {
        state: state.clone(),
    }));
    let handle = executor.handle();
    GUEST.with_borrow_mut(|guest| *guest = Some((state, executor)));
    handle
}

/// What the host saw while a guest was installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostReport {
    /// The executor's own counters.
    pub executor: ExecutorStats,
    /// Times Qt fired the timer before its deadline (it was re-armed; the guest never saw them).
    pub early_fires: u64,
}

/// Drops the guest: every task and timer, then the QTimer and the queue target. Call it after
/// `exec()` returns, while the QML objects the tasks use still exist.
pub fn uninstall() -> Option<HostReport> {
    let (state, executor) = GUEST.with_borrow_mut(Option::take)?;
    let report = HostReport {
        executor: executor.stats(),
        early_fires: state.early_fires.get(),
    };
    drop(executor); // drops the tasks; may disarm the timer, so `state` goes after
    drop(state);
    Some(report)
}

/// Posts closures to the Qt thread as queued events, exactly as "run soon" does: for measuring
/// the event loop's own rate against the guest's.
#[derive(Clone)]
pub struct QtPoster(CxxQtThread<GuestWake>);

impl QtPoster {
    /// Queues `action` to run on the Qt thread; `false` once the guest is gone.
    pub fn post(&self, action: impl FnOnce() + Send + 'static) -> bool {
        self.0.queue(move |_| action()).is_ok()
    }
}

impl std::fmt::Debug for QtPoster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("QtPoster")
    }
}

/// A poster to the installed guest's thread; `None` if no guest is installed.
pub fn poster() -> Option<QtPoster> {
    guest().map(|(state, _)| QtPoster(state.wake.qt_thread()))
}

/// A handle to the installed guest, to spawn on it.
///
/// # Panics
/// If no guest is installed on this thread ([`install`]).
#[track_caller]
pub fn handle() -> Handle {
    let (_, executor) = guest().expect("qt_host: no guest is installed on this thread");
    executor.handle()
}

#[cfg(test)]
mod tests {
    use super::timer_msec;
    use std::time::Duration;

    #[test]
    fn timer_msec_rounds_up_and_saturates() {
        assert_eq!(timer_msec(Duration::ZERO), 0);
        assert_eq!(timer_msec(Duration::from_nanos(1)), 1);
        assert_eq!(timer_msec(Duration::from_millis(100)), 100);
        assert_eq!(timer_msec(Duration::from_micros(100_001)), 101);
        assert_eq!(timer_msec(Duration::from_secs(u64::MAX)), i32::MAX);
    }
}
