//! `guestloop-qt`: async Rust on the Qt thread of a [cxx-qt](https://kdab.github.io/cxx-qt/)
//! application. Qt keeps its event loop; [`guestloop`]'s executor runs as its guest, so tasks
//! can hold `Rc`s and QObject handles, sleep, await signals, and hand slow work to other threads,
//! while the window stays live.
//!
//! Owns the Qt host ([`run`], [`install`], [`uninstall`]), and what an application needs around
//! it: tasks a QObject owns ([`TaskScope`], [`QObjectTasks`]), signals as streams
//! ([`signal_stream`], [`next_emission`]), safe write-back to QObjects ([`QObjectHandle`]) and
//! functions run from a plain Qt event ([`run_in_host`], for modal dialogs). It knows nothing of
//! any particular application.
//!
//! # Async in your cxx-qt app in five steps
//!
//! This assumes an application built with cxx-qt 0.10 (QML through a `CxxQtBuilder` QML module;
//! `cargo run -p guestloop-qt-hello` in this repository is one, and every snippet below comes
//! from it; `guestloop-qt-lookup` adds Cancel, search-as-you-type and closing while busy).
//!
//! **1. Depend on it**, with the same cxx-qt version as this crate (two cxx-qt versions in one
//! binary do not link). `cxx` is there because the code `#[cxx_qt::bridge]` generates names it.
//! The executor comes with it, as [`guestloop`] (`guestloop_qt::guestloop::sleep`, …): one
//! version, the one this crate was built with.
//!
//! ```toml
//! [dependencies]
//! guestloop-qt = "0.1"
//! cxx = "1.0"
//! cxx-qt = "0.10"
//! cxx-qt-lib = { version = "0.10", features = ["qt_gui", "qt_qml"] }
//!
//! [build-dependencies]
//! cxx-qt-build = "0.10"
//! ```
//!
//! `build.rs` stays what cxx-qt asks for; this crate's C++ side is found by itself:
//!
//! ```text
//! CxxQtBuilder::new_qml_module(QmlModule::new("my.app").qml_file("qml/main.qml"))
//!     .files(["src/greeter.rs"])
//!     .build();
//! ```
//!
//! **2. Run the application through [`run`]**: it installs the guest before `setup` loads the
//! QML (whose objects may spawn at once), and tears down in the only right order — the guest,
//! then the engine, then the application — whatever happens. [`load_qml`] is that `setup`: a
//! QML file that fails to load is an error, not a process without a window. The URL is
//! `qrc:/qt/qml/` + the module's URI as a path + the file's path in the module; `main` returns
//! the [`Exit`], whose code the process exits with:
//!
//! ```text
//! fn main() -> Result<guestloop_qt::Exit, guestloop_qt::QmlLoadError> {
//!     guestloop_qt::run(QGuiApplication::new(), || {
//!         guestloop_qt::load_qml("qrc:/qt/qml/my/app/qml/main.qml")
//!     })
//! }
//! ```
//!
//! **3. Give the QObject a [`TaskScope`]**: a field of its Rust struct, and [`QObjectTasks`]'s
//! one method to find it. The bridge needs `impl cxx_qt::Threading for Greeter {}`.
//!
//! ```text
//! use cxx_qt::CxxQtType; // rust_mut
//! use guestloop_qt::guestloop::{sleep, unblock};
//! use guestloop_qt::{QObjectTasks, TaskScope}; // QObjectTasks: spawn_latest and the others
//! use std::pin::Pin;
//!
//! #[derive(Default)]
//! pub struct GreeterRust {
//!     greeting: QString,
//!     tasks: guestloop_qt::TaskScope, // its tasks end when the object does
//! }
//!
//! impl guestloop_qt::QObjectTasks for qobject::Greeter {
//!     fn task_scope(self: Pin<&mut Self>) -> &mut guestloop_qt::TaskScope {
//!         &mut self.rust_mut().get_mut().tasks
//!     }
//! }
//! ```
//!
//! **4. Spawn from invokables**, in one line: [`spawn_task`](QObjectTasks::spawn_task),
//! [`spawn_latest`](QObjectTasks::spawn_latest) (a newer call aborts the older: search as you
//! type), [`spawn_if_idle`](QObjectTasks::spawn_if_idle) (ignore clicks while busy). Each
//! returns at once; the task first runs after the invokable has returned. It gets a handle to
//! write back with (from the task, or from a worker thread: it is `Send`, so a worker can
//! report progress itself); a write queued by a task that has since been aborted, or whose
//! object is gone, is dropped, never applied.
//!
//! [`TaskScope::cancel`]`("key")` aborts that task at once: it runs no further, and the writes
//! it queued are dropped, so the invokable that cancels writes what the window shows next
//! ("cancelled", not busy). Its workers see it through the handle
//! ([`is_cancelled`](QObjectHandle::is_cancelled), or its
//! [`cancel_token`](QObjectHandle::cancel_token), a [`CancelToken`] to clone into them) and
//! return early.
//!
//! ```text
//! fn greet(self: Pin<&mut Self>, name: QString) {
//!     let name = name.to_string();
//!     self.spawn_latest("greet", |greeter| async move {
//!         sleep(Duration::from_millis(200)).await;                  // a guest timer: no thread
//!         let greeting = unblock(move || slow_greeting(&name)).await; // a worker thread
//!         let greeting = greeting.unwrap_or_else(|error| format!("no greeting: {error}"));
//!         let _ = greeter.update(move |greeter| greeter.set_greeting(QString::from(&greeting)));
//!     });
//! }
//! ```
//!
//! A panic in a task goes to the executor's panic hook ([`run_with`] and
//! [`guestloop::Builder::on_task_panic`] set one); the other tasks go on. A task that decides
//! the application is done calls [`exit_event_loop`]`(code)`.
//!
//! To close a window while tasks run, [`TaskScope::close`] sets their tokens, gives them a
//! bounded time to end by themselves (a task can `select` its work against
//! [`CancelToken::cancelled`] and clean up), then aborts the rest. In QML, refuse the close and ask
//! the object to quit (`Window { onClosing: (close) => { close.accepted = false;
//! greeter.quit_gracefully() } }`), whose invokable awaits the close in a task outside the
//! scope and then calls [`exit_event_loop`]: the application quits, and the window goes with
//! it (the `TaskScope::close` docs show the invokable; a second close request closes an empty
//! scope at once).
//!
//! **5. Await signals** as streams, or one emission at a time ([`next_emission`]). Connect where
//! the object is at hand; the closure cxx-qt's `on_<signal>` takes receives the object and the
//! signal's arguments. The stream ends (`None`) when the object is destroyed.
//!
//! ```text
//! let mut clicks = guestloop_qt::signal_stream(|send| self.as_mut().on_clicked(move |_| send.send(())));
//! self.spawn_task(|_| async move {
//!     while clicks.next().await.is_some() { /* each click */ }
//! });
//! ```
//!
//! Without [`run`]: [`install`] after `QGuiApplication::new()` and before the QML loads;
//! after `exec()`, [`uninstall`], then drop the engine, then the application. A task outside
//! any scope (`guestloop_qt::handle().spawn_local(..)`) lives until it ends or [`uninstall`].
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
mod run;
mod scope;
mod signal;

// The C++ side includes cxx-qt-lib's headers, and every binary that links this crate needs
// cxx-qt-lib's initialiser: make sure its library is linked.
use cxx_qt_lib as _;

/// The `guestloop` this crate was built with: depend on it through here to keep one version.
pub use guestloop;

pub use guestloop::CancelToken;
pub use host::{
    QTimer, QtPoster, exec_nested_event_loop, exit_event_loop, guest_now, handle, install,
    install_with, poster, precise_single_shot_timer, try_handle, uninstall,
};
pub use in_host::{InHost, run_in_host};
pub use object::{ObjectGone, QObjectHandle};
pub use run::{Exit, QtApplication, run, run_with};
#[cfg(feature = "qml")]
pub use run::{QmlLoadError, load_qml};
pub use scope::{QObjectTasks, TaskScope};
pub use signal::{NextEmission, SignalSender, SignalStream, next_emission, signal_stream};
