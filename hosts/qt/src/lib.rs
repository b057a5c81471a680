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
//! This assumes an application built with cxx-qt 0.10 (QML through a `CxxQtBuilder` QML module;
//! `cargo run -p guestloop-qt-hello` in this repository is one, and every snippet below comes
//! from it). Each step names what to add.
//!
//! **1. Depend on it**, with the same cxx-qt version as this crate (two cxx-qt versions in one
//! binary do not link). `cxx` is there because the code `#[cxx_qt::bridge]` generates names it.
//!
//! ```toml
//! [dependencies]
//! guestloop = "0.1"
//! guestloop-qt = "0.1"
//! cxx = "1.0"
//! cxx-qt = "0.10"
//! cxx-qt-lib = { version = "0.10", features = ["qt_gui", "qt_qml"] }
//!
//! [build-dependencies]
//! cxx-qt-build = "0.10"
//! ```
//!
//! Your `build.rs` stays what cxx-qt asks for; it needs nothing for this crate, whose C++ side
//! cxx-qt-build finds by itself:
//!
//! ```text
//! CxxQtBuilder::new_qml_module(QmlModule::new("my.app").qml_file("qml/main.qml"))
//!     .files(["src/greeter.rs"])
//!     .build();
//! ```
//!
//! **2. Install the guest** in `main`, after the application object exists and **before** the
//! QML is loaded: QML creates your QObjects, and their code may spawn at once. ([`handle`] with
//! no guest installed panics, and a panic inside a Qt callback aborts the process.) The QML
//! file's URL is `qrc:/qt/qml/` + the module's URI as a path + the file's path in the module:
//!
//! ```text
//! let mut app = QGuiApplication::new();
//! let mut engine = QQmlApplicationEngine::new();
//! guestloop_qt::install();
//! engine.pin_mut().load(&QUrl::from("qrc:/qt/qml/my/app/qml/main.qml"));
//! ```
//!
//! **3. Spawn tasks from a QObject's Rust code**: from a `#[qinvokable]` method, or from
//! `cxx_qt::Initialize::initialize` for work that starts with the object. A task runs after the
//! method has returned, so it must not hold `self`; it writes back through a [`QObjectHandle`],
//! which queues each change on the Qt thread and drops it, safely, once the object is gone. That
//! needs `impl cxx_qt::Threading for Greeter {}` in the bridge and `use cxx_qt::Threading;` in
//! the Rust code (for `qt_thread()`).
//!
//! ```text
//! impl qobject::Greeter {
//!     fn greet(mut self: Pin<&mut Self>, name: QString) {
//!         self.as_mut().set_busy(true);
//!         let greeter = guestloop_qt::QObjectHandle::new(self.qt_thread());
//!         let name = name.to_string();
//!         // Dropping the JoinHandle detaches the task: it runs on, on its own.
//!         drop(guestloop_qt::handle().spawn_local(async move {
//!             guestloop::sleep(Duration::from_millis(200)).await;       // a guest timer: no thread
//!             let greeting = guestloop::unblock(move || slow_greeting(&name)).await; // a worker thread
//!             let greeting = greeting.unwrap_or_else(|error| format!("no greeting: {error}"));
//!             // Err(ObjectGone) if the window closed meanwhile: then nothing is written.
//!             let _ = greeter.update(move |mut greeter| {
//!                 greeter.as_mut().set_greeting(QString::from(&greeting));
//!                 greeter.set_busy(false);
//!             });
//!         }));
//!     }
//! }
//! ```
//!
//! [`guestloop::unblock`] returns a `JoinHandle`: its output is `Err` if the work panicked.
//!
//! **4. Await signals** as streams, or one emission at a time ([`next_emission`]). Connect where
//! the object is at hand (an invokable, or `initialize`); the closure cxx-qt's `on_<signal>`
//! takes receives the object and the signal's arguments, `|object, arg1, arg2|`:
//!
//! ```text
//! let mut clicks = guestloop_qt::signal_stream(|send| self.as_mut().on_clicked(move |_| send.send(())));
//! let mut edits = guestloop_qt::signal_stream(|send| self.as_mut().on_edited(move |_, text| send.send(text.to_string())));
//! drop(guestloop_qt::handle().spawn_local(async move {
//!     while clicks.next().await.is_some() { /* each click */ }
//! }));
//! ```
//!
//! The stream ends (`None`) when the object is destroyed; dropping it disconnects.
//!
//! **5. End and tear down in order.** A task that decides the application is done calls
//! [`exit_event_loop`]`(code)`, which makes `exec()` return `code`. Then: the guest first (its
//! tasks' destructors may still use QML objects), then the engine, then the application; then
//! exit with the code. [`uninstall`] drops every task and the host's Qt objects, whatever
//! handles are still around.
//!
//! ```text
//! let code = app.pin_mut().exec();
//! guestloop_qt::uninstall();
//! drop(engine);
//! drop(app);
//! std::process::exit(code);
//! ```
//!
//! The example application, `hosts/qt/examples/hello/`, is these five steps with a QML window;
//! its test runs it offscreen.
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

pub use host::{
    QTimer, QtPoster, exec_nested_event_loop, exit_event_loop, guest_now, handle, install,
    install_with, poster, precise_single_shot_timer, try_handle, uninstall,
};
pub use in_host::{InHost, run_in_host};
pub use object::{ObjectGone, QObjectHandle};
pub use run::{QtApplication, run, run_with};
pub use scope::{CancelToken, QObjectTasks, TaskScope};
pub use signal::{NextEmission, SignalSender, SignalStream, next_emission, signal_stream};
