//! The Qt host: a [`guestloop::Host`] over Qt's event loop, and the guest it runs.
//!
//! Owns the executor of the Qt thread and the two ways Qt calls into it.
//!
//! # Design
//!
//! The executor lives in a **thread-local** of the Qt thread ([`install`] puts it there,
//! [`uninstall`] drops it). Both ways into the guest are Qt callbacks that cannot carry an `Rc`:
//! the `QTimer::timeout` connection (a plain Rust `fn`, connected in C++, so that no
//! `Pin<&mut QTimer>` is alive while the guest re-arms that timer) and the closures
//! `CxxQtThread::queue` runs. They run on the Qt thread, so they find the executor there. A run
//! clones the `Rc` out of the thread-local first, so nothing is borrowed while tasks run.
//!
//! - `now()`: a monotonic `std::time::Instant` taken at install, as nanoseconds.
//! - `set_timer(Some(d))`: one single-shot `Qt::PreciseTimer`, armed for the remaining time in
//!   whole milliseconds rounded up, so that it never fires before `d`. (Should Qt fire early all
//!   the same, the executor finds nothing due and arms the timer again.)
//! - `run_soon_handle()`: queues a closure on [`GuestWake`], a bare QObject that exists only as
//!   the target of `CxxQtThread::queue` (queued closures run under a lock of their object, so the
//!   target holds no state). Once it is destroyed, queuing fails, and the request is dropped.
//!
//! The `QTimer` and the `GuestWake` belong to the thread-local, not to the executor's host: a
//! [`Handle`] kept past [`uninstall`] keeps neither alive, so both are gone before
//! `QGuiApplication` is (the host then ignores the executor's last `set_timer`).
//!
//! Nothing polls: with no timer armed and no wake, the Qt thread sleeps.

use cxx::UniquePtr;
use cxx_qt::{CxxQtThread, Threading};
use guestloop::{Builder, Executor, ExecutorStats, Handle, Host, Instant, RunSoon};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::time::Duration;

/// The Qt side of the host: Qt's `QTimer`, and the `GuestWake` queue target.
#[cxx_qt::bridge]
pub mod ffi {
    unsafe extern "C++Qt" {
        include!(<QtCore/QTimer>);
        /// Qt's timer class (cxx-qt-lib 0.10 has no binding for it): the host's own timer, and
        /// yours if you want a Qt timer beside guest timers (to measure them, say). Made by
        /// [`precise_single_shot_timer`]; its `timeout` signal works with [`signal_stream`].
        ///
        /// [`signal_stream`]: crate::signal_stream
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

    #[namespace = "guestloop_qt"]
    unsafe extern "C++" {
        include!("guestloop_qt/qt_host.h");

        /// A new single-shot timer of type `Qt::PreciseTimer`, as the host's own. Not needed to
        /// sleep in a task ([`guestloop::sleep`] is cheaper); for Qt code that wants a timer.
        fn precise_single_shot_timer() -> UniquePtr<QTimer>;

        /// Calls `on_timeout` whenever `timer` fires (for as long as the timer lives).
        fn connect_timeout(timer: Pin<&mut QTimer>, on_timeout: fn());

        /// Whether a `QCoreApplication` exists.
        fn application_exists() -> bool;

        /// Runs a nested `QEventLoop` for `msec` milliseconds.
        fn exec_nested_event_loop(msec: i32);

        /// How many event loops this thread runs, one inside another (`QThread::loopLevel`).
        fn event_loop_level() -> i32;

        /// Makes `exec()` return `code` (`QCoreApplication::exit`): for a task, or any code, that
        /// decides the application is done. On the Qt thread it acts at once, and does nothing
        /// before `exec()` has started; from any other thread it is queued to the Qt thread (so
        /// it ends an `exec()` that starts later, too). Does nothing without an application.
        pub fn exit_event_loop(code: i32);
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

pub(crate) use ffi::GuestWake;
pub use ffi::{QTimer, exit_event_loop, precise_single_shot_timer};

/// The (empty) Rust side of [`GuestWake`].
#[derive(Debug, Default)]
pub struct GuestWakeRust;

/// The host's Qt objects: its timer and the queue target. Owned by the thread-local.
struct QtObjects {
    timer: RefCell<UniquePtr<QTimer>>,
    wake: UniquePtr<GuestWake>,
}

impl Drop for QtObjects {
    fn drop(&mut self) {
        if !ffi::application_exists() {
            // Qt objects destroyed after their application: a teardown order bug in the caller.
            eprintln!(
                "warning: the Qt host's objects outlived QGuiApplication; call guestloop_qt::uninstall() before dropping it"
            );
        }
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

/// A [`Host`] over Qt's event loop. Made by [`install`]; its executor owns it.
struct QtHost {
    started: std::time::Instant,
    objects: Weak<QtObjects>,
}

impl QtHost {
    fn now(&self) -> Instant {
        Instant::from_nanos(self.started.elapsed().as_nanos() as u64)
    }
}

impl Host for QtHost {
    fn now(&self) -> Instant {
        QtHost::now(self)
    }

    fn set_timer(&self, deadline: Option<Instant>) {
        let Some(objects) = self.objects.upgrade() else {
            return; // uninstalled: the timer is gone
        };
        let mut timer = objects.timer.borrow_mut();
        match deadline {
            Some(deadline) => {
                let msec = timer_msec(deadline.saturating_duration_since(self.now()));
                timer.pin_mut().start(msec);
            }
            None => timer.pin_mut().stop(),
        }
    }

    fn run_soon_handle(&self) -> RunSoon {
        let objects = self
            .objects
            .upgrade()
            .expect("the host is made with its objects");
        let wake: CxxQtThread<GuestWake> = objects.wake.qt_thread();
        Arc::new(move || {
            // An error means the GuestWake object, hence the guest, is gone: nothing to run.
            let _ = wake.queue(|_| run_guest());
        })
    }
}

/// What the thread-local holds while a guest is installed.
struct Guest {
    objects: Rc<QtObjects>,
    executor: Rc<Executor>,
}

thread_local! {
    static GUEST: RefCell<Option<Guest>> = const { RefCell::new(None) };
}

fn executor() -> Option<Rc<Executor>> {
    GUEST.with_borrow(|guest| guest.as_ref().map(|guest| guest.executor.clone()))
}

/// A queued run arrived, or the timer fired. (A timer that fires early costs a run that finds
/// nothing due; the executor then arms it again.)
fn run_guest() {
    if let Some(executor) = executor() {
        /// Puts back what the run found: a run refused as re-entrant (from a nested event loop
        /// inside a task) must not end the outer run's mark.
        struct Leave(Option<i32>);
        impl Drop for Leave {
            fn drop(&mut self) {
                DISPATCHED_AT.set(self.0);
            }
        }
        let _leave = Leave(DISPATCHED_AT.replace(Some(ffi::event_loop_level())));
        executor.run();
    }
}

thread_local! {
    /// The event loop level at which this thread is inside a guest run that Qt's event loop
    /// started (a queued run or the timer), if it is.
    static DISPATCHED_AT: Cell<Option<i32>> = const { Cell::new(None) };
}

/// Whether the caller runs inside a guest run that Qt's event loop started on this thread.
/// Not when a nested event loop runs inside the run (a task that ran `QDialog::exec`): an
/// invokable may hold its object there.
pub(crate) fn in_dispatched_run() -> bool {
    DISPATCHED_AT.get() == Some(ffi::event_loop_level())
}

/// Creates the guest executor on this (the Qt) thread with default settings, and returns a
/// handle to spawn on it. Call it after `QGuiApplication::new()` and before the QML that spawns
/// tasks is loaded; the guest lives until [`uninstall`].
///
/// # Panics
/// If a guest is already installed on this thread.
pub fn install() -> Handle {
    install_with(Executor::builder())
}

/// Creates the guest executor on this (the Qt) thread from `builder` (a poll budget, a
/// catch-up bound, a panic hook: see [`guestloop::Builder`]); otherwise as [`install`].
///
/// # Panics
/// If a guest is already installed on this thread.
pub fn install_with(builder: Builder) -> Handle {
    assert!(
        executor().is_none(),
        "guestloop_qt::install: a guest is already installed on this thread"
    );
    let objects = Rc::new(QtObjects {
        timer: RefCell::new(ffi::precise_single_shot_timer()),
        wake: ffi::guest_wake_new(),
    });
    ffi::connect_timeout(objects.timer.borrow_mut().pin_mut(), run_guest);
    let executor = Rc::new(builder.build(QtHost {
        started: std::time::Instant::now(),
        objects: Rc::downgrade(&objects),
    }));
    let handle = executor.handle();
    GUEST.set(Some(Guest { objects, executor }));
    handle
}

/// Drops the guest: every task (their destructors run now, on this thread) and every timer, then
/// the host's `QTimer` and queue target, whatever [`Handle`]s are still around. Returns the
/// executor's counters, if a guest was installed.
///
/// The order of teardown: after `exec()` returns, call this first, while the QML objects the
/// tasks write to still exist; then drop the QML engine; then `QGuiApplication`. A wake or a
/// [`QtPoster::post`] from another thread afterwards does nothing.
pub fn uninstall() -> Option<ExecutorStats> {
    let Guest { objects, executor } = GUEST.take()?;
    let stats = executor.stats();
    drop(executor); // drops the tasks; disarms the timer, so `objects` go after
    drop(objects);
    Some(stats)
}

/// Posts closures to the Qt thread as plain queued events, as the guest's "run soon" does: from
/// any thread, in order. `Send + Clone`.
///
/// Most code needs none of this: to get work back to the Qt thread, await it in a task
/// ([`guestloop::unblock`], a channel) or write to an object with [`QObjectHandle`]. A poster is
/// for code outside any task (a callback of a C library on its own thread, say) that must run
/// something on the Qt thread, and for measuring the event loop's latency.
///
/// [`QObjectHandle`]: crate::QObjectHandle
#[derive(Clone)]
pub struct QtPoster(CxxQtThread<GuestWake>);

impl QtPoster {
    /// Queues `action` to run on the Qt thread from its event loop, outside any guest run (unless
    /// a task runs a nested event loop); `false` once the guest is gone (then `action` is
    /// dropped here).
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
    GUEST.with_borrow(|guest| {
        guest
            .as_ref()
            .map(|guest| QtPoster(guest.objects.wake.qt_thread()))
    })
}

/// The installed guest's clock (see [`Handle::now`]): the current instant inside a task, the
/// instant of the guest's last run from a plain Qt callback. `None` if no guest is installed.
pub fn guest_now() -> Option<Instant> {
    executor().map(|executor| executor.now())
}

/// A handle to the installed guest, to spawn on it from any QObject's Rust code (on the Qt
/// thread).
///
/// # Panics
/// If no guest is installed on this thread ([`install`]).
#[track_caller]
pub fn handle() -> Handle {
    try_handle().expect("guestloop_qt: no guest is installed on this thread")
}

/// A handle to the installed guest, if there is one on this thread.
pub fn try_handle() -> Option<Handle> {
    executor().map(|executor| executor.handle())
}

/// Runs a nested `QEventLoop` for `timeout` (rounded up to whole milliseconds), as
/// `QDialog::exec` and `QMessageBox` run one until their dialog closes. What that does to the
/// guest depends on where it is called: see the crate docs, "Modal dialogs and nested event
/// loops".
pub fn exec_nested_event_loop(timeout: Duration) {
    ffi::exec_nested_event_loop(timer_msec(timeout));
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
