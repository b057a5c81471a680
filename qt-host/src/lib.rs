//! `guestloop-qt`: async Rust on the Qt thread of a [cxx-qt](https://kdab.github.io/cxx-qt/)
//! application. Qt keeps its event loop; [`guestloop`]'s executor runs as its guest, so tasks
//! can hold `Rc`s and QObject handles, sleep, await signals, and hand slow work to other threads,
//! while the window stays live.
//!
//! Owns the Qt host ([`install`], [`uninstall`]), and what an application needs around it:
//! signals as streams ([`signal_stream`], [`next_emission`]), safe write-back to QObjects
//! ([`QObjectHandle`]) and functions run from a plain Qt event ([`run_in_host`], for modal
//! dialogs). Depends on Qt (through cxx-qt) and guestloop's public API; knows nothing of any
//! particular application.
//!
//! # Async in your cxx-qt app in five steps
//!
//! **1. Depend on it.** Next to cxx-qt in your `Cargo.toml`:
//!
//! ```toml
//! [dependencies]
//! guestloop = "0.1"
//! guestloop-qt = "0.1"
//! cxx = "1.0"
//! cxx-qt = "0.10"
//! cxx-qt-lib = { version = "0.10", features = ["qt_gui", "qt_qml"] }
//! ```
//!
//! Nothing changes in your `build.rs`: cxx-qt-build finds this crate's C++ side by itself.
//!
//! **2. Install the guest** once the application object exists, before the QML that spawns tasks
//! is loaded:
//!
//! ```text
//! let mut app = QGuiApplication::new();
//! let mut engine = QQmlApplicationEngine::new();
//! guestloop_qt::install();
//! engine.pin_mut().load(&QUrl::from("qrc:/qt/qml/my/app/qml/main.qml"));
//! ```
//!
//! **3. Spawn tasks from a QObject's Rust code**, and write back through a [`QObjectHandle`]:
//! a task runs after the invokable has returned, so it must not hold `self`; the handle queues
//! each change on the Qt thread and drops it, safely, once the object is gone.
//!
//! ```text
//! impl qobject::Greeter {
//!     fn greet(self: Pin<&mut Self>, name: QString) {
//!         let greeter = guestloop_qt::QObjectHandle::new(self.qt_thread());
//!         guestloop_qt::handle().spawn_local(async move {
//!             guestloop::sleep(Duration::from_millis(300)).await;         // a timer, no thread
//!             let text = guestloop::unblock(move || lookup(name)).await;  // slow work, off the UI
//!             let _ = greeter.update(move |g| g.set_greeting(QString::from(&text.unwrap())));
//!         });
//!     }
//! }
//! ```
//!
//! **4. Await signals** as streams, or one emission at a time:
//!
//! ```text
//! let mut clicks = guestloop_qt::signal_stream(|send| self.as_mut().on_clicked(move |_| send.send(())));
//! guestloop_qt::handle().spawn_local(async move {
//!     while clicks.next().await.is_some() { /* each click */ }
//! });
//! ```
//!
//! **5. Tear down in order** when `exec()` returns: the guest first (its tasks' destructors may
//! still use QML objects), then the engine, then the application. [`uninstall`] drops every task
//! and the host's Qt objects, whatever handles are still around.
//!
//! ```text
//! let code = app.pin_mut().exec();
//! guestloop_qt::uninstall();
//! drop(engine);
//! drop(app);
//! ```
//!
//! The example application in `qt-host/examples/hello/` is these five steps, with QML.
//!
//! # How the host works
//!
//! The executor lives in a thread-local of the Qt thread. Its one timer is a single-shot
//! `Qt::PreciseTimer`, armed for the next deadline in whole milliseconds rounded up; "run soon"
//! is a closure queued with `CxxQtThread::queue`, which any thread may call. With no timer and no
//! wake, the Qt thread sleeps: an idle window costs no CPU. Everything guestloop promises holds
//! here (see its crate docs, "What the executor promises"): the conformance kit runs against
//! this crate on a real `QGuiApplication`.
//!
//! # Modal dialogs and nested event loops
//!
//! `QDialog::exec`, `QMessageBox` and `QEventLoop::exec` run a *nested* event loop until the
//! dialog closes. Where that happens decides what the guest does meanwhile:
//!
//! - **Directly inside a task** (`dialog.exec()` in an `async` block): the nested loop runs
//!   inside the guest's run, and a run does not start again inside itself. Every task waits
//!   until the dialog closes. Nothing is lost: wakes, timers and spawns from other threads that
//!   came meanwhile run right after, and a late timer is caught up exactly, as after any late
//!   host. Cost: every task, timers included, stalls for as long as the dialog is open.
//! - **Through [`run_in_host`]**: the function runs from a plain Qt event, outside any run, so
//!   the nested loop runs the guest as the main loop does, and every other task goes on; the
//!   task that asked awaits the dialog's answer. Cost: one queued event there and back.
//! - **A QML `Dialog` opened with `open()`**, its `accepted` / `rejected` signals awaited with
//!   [`next_emission`] (connect first, then open): no nested loop at all, nothing stalls. This is
//!   the pattern to prefer; the primes demo's "Stop counting?" question is done this way.
//!
//! [`exec_nested_event_loop`] runs a nested loop for a given time, as a dialog would: the tests
//! use it to show both behaviours above.

// The host's bridge holds cxx-qt's `unsafe extern "C++"` blocks: our promise that each declared
// signature is the one in the C++ header. That is the only `unsafe` here. The bridge also
// generates signal-handler types without `Debug`, which we cannot derive it for.
// SAFETY: `QTimer`'s methods, the shims in `guestloop_qt/qt_host.h` and `make_unique` are
// declared as in Qt's, our and cxx-qt-lib's headers.
#[allow(unsafe_code, missing_debug_implementations)]
mod host;
mod in_host;
mod object;
mod signal;

// The C++ side includes cxx-qt-lib's headers, and every binary that links this crate needs
// cxx-qt-lib's initialiser: make sure its library is linked.
use cxx_qt_lib as _;

pub use host::{
    QTimer, QtPoster, exec_nested_event_loop, exit_event_loop, guest_now, handle, install,
    install_with, poster, precise_single_shot_timer, try_handle, uninstall,
};
pub use in_host::{InHost, run_in_host};
pub use object::{ObjectGone, QObjectHandle};
pub use signal::{NextEmission, SignalSender, SignalStream, next_emission, signal_stream};
