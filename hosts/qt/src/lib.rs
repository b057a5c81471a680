//! `guestloop-qt`: async Rust on the Qt thread of a [cxx-qt](https://kdab.github.io/cxx-qt/)
//! application. Qt keeps its event loop; [`guestloop`]'s executor runs as its guest, so tasks
//! can hold `Rc`s and QObject handles, sleep, await signals, and hand slow work to other threads,
//! while the window stays live.
//!
//! Owns the Qt host ([`run`], [`install`], [`uninstall`]), and what an application needs around
//! it: tasks a QObject owns ([`TaskScope`], [`QObjectTasks`]), signals as streams
//! ([`signal_stream`], [`next_emission`], and QML's through [`SignalRelay`]), safe access to
//! QObjects from tasks and threads ([`QObjectHandle`]) and functions run from a plain Qt event
//! ([`run_in_host`], for modal dialogs). It knows nothing of any particular application.
//!
//! # Async in your cxx-qt app in five steps
//!
//! This assumes an application built with cxx-qt 0.10 (QML through a `CxxQtBuilder` QML module;
//! `cargo run -p guestloop-qt-hello` in this repository is one, and the snippets below are its
//! code, shortened, or `guestloop-qt-lookup`'s, which adds Cancel, search-as-you-type and
//! closing while busy).
//!
//! **1. Depend on it**, with the same cxx-qt version as this crate (two cxx-qt versions in one
//! binary do not link). `cxx` is there because the code `#[cxx_qt::bridge]` generates names it.
//! The executor comes with it, as [`guestloop`] (`guestloop_qt::guestloop::sleep`, …): one
//! version, the one this crate was built with.
//!
//! ```toml
//! [dependencies]
//! guestloop-qt = "0.1"  # or, until it is published, { path = "…/guestloop/hosts/qt" }
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
//! ```rust,ignore
//! use cxx_qt_build::{CxxQtBuilder, QmlModule};
//!
//! fn main() {
//!     CxxQtBuilder::new_qml_module(QmlModule::new("my.app").qml_file("qml/main.qml"))
//!         .files(["src/greeter.rs"])
//!         // Else the crate folder, `target/` too, is an include folder: every build of a
//!         // crate that stands alone reruns this script (7.7 s a build against 0.06 s).
//!         .crate_include_root(None)
//!         .build();
//! }
//! ```
//!
//! **2. Run the application through [`run`]**: it installs the guest before `setup` loads the
//! QML (whose objects may spawn at once), and tears down in the only right order — the guest,
//! then the engine, then the application — whatever happens. [`load_qml`] is that `setup`: a
//! QML file that fails to load is an error, not a process without a window. The URL is
//! `qrc:/qt/qml/` + the module's URI as a path + the file's path in the module; `main` returns
//! the [`Exit`], whose code the process exits with:
//!
//! ```rust,ignore
//! mod greeter; // step 3
//!
//! use cxx_qt_lib::QGuiApplication;
//!
//! fn main() -> Result<guestloop_qt::Exit, guestloop_qt::QmlLoadError> {
//!     guestloop_qt::run(QGuiApplication::new(), || {
//!         guestloop_qt::load_qml("qrc:/qt/qml/my/app/qml/main.qml")
//!     })
//! }
//! ```
//!
//! **3. Give the QObject a [`TaskScope`]**: a field of its Rust struct, and [`QObjectTasks`]'s
//! one method to find it. The bridge needs `impl cxx_qt::Threading for Greeter {}` (the tasks
//! write back through the object's Qt thread). cxx-qt 0.10 keeps Rust's names in QML:
//! `greeter.greet(name)`, `greeter.greeting`.
//!
//! ```rust,ignore
//! use cxx_qt::CxxQtType; // rust_mut
//! use cxx_qt_lib::QString;
//! use guestloop_qt::guestloop::{sleep, unblock};
//! use guestloop_qt::{QObjectTasks, TaskScope}; // QObjectTasks: spawn_latest and the others
//! use std::pin::Pin;
//! use std::time::Duration;
//!
//! #[cxx_qt::bridge]
//! pub mod qobject {
//!     unsafe extern "C++" {
//!         include!("cxx-qt-lib/qstring.h");
//!         type QString = cxx_qt_lib::QString;
//!     }
//!
//!     extern "RustQt" {
//!         #[qobject]
//!         #[qml_element]
//!         #[qproperty(QString, greeting)]
//!         type Greeter = super::GreeterRust;
//!
//!         #[qinvokable]
//!         fn greet(self: Pin<&mut Greeter>, name: QString);
//!     }
//!
//!     impl cxx_qt::Threading for Greeter {}
//! }
//!
//! #[derive(Default)]
//! pub struct GreeterRust {
//!     greeting: QString,
//!     tasks: TaskScope, // its tasks end when the object does
//! }
//!
//! impl QObjectTasks for qobject::Greeter {
//!     fn task_scope(self: Pin<&mut Self>) -> &mut TaskScope {
//!         &mut self.rust_mut().get_mut().tasks
//!     }
//! }
//! ```
//!
//! QML imports the module by its URI and makes the object as any item:
//!
//! ```qml
//! import QtQuick
//! import QtQuick.Controls
//! import my.app
//!
//! Window {
//!     visible: true; width: 300; height: 100
//!     Greeter { id: greeter }
//!     Button { text: "Greet"; onClicked: greeter.greet("Ada") }
//!     Label { y: 50; text: greeter.greeting }
//! }
//! ```
//!
//! **4. Spawn from invokables**, in one line: [`spawn_task`](QObjectTasks::spawn_task),
//! [`spawn_latest`](QObjectTasks::spawn_latest) (a newer call aborts the older: search as you
//! type), [`spawn_if_idle`](QObjectTasks::spawn_if_idle) (ignore clicks while busy). Each
//! returns at once; the task first runs after the invokable has returned. It gets a handle to
//! the object, two ways to write with:
//!
//! - [`with_now`](QObjectHandle::with_now), in the task: the task runs on the Qt thread, so the
//!   closure gets the object itself, at once. The task reads back what it wrote, reads without
//!   an `await`, and its writes happen in order with its awaits. It says
//!   [`NotNow::Gone`] instead of running when the object is destroyed or the task aborted.
//! - [`update`](QObjectHandle::update), from any thread (the handle is `Send`, so a worker can
//!   report progress itself): the change is queued to the Qt thread, and dropped, never
//!   applied, if by then the task has been aborted or the object is gone. Where `with_now`
//!   cannot be sound (another thread, an invokable, a destructor), it says
//!   [`NotNow::NotInTask`]: use `update` there.
//!
//! ```rust,ignore
//! impl qobject::Greeter {
//!     fn greet(self: Pin<&mut Self>, name: QString) {
//!         let name = name.to_string();
//!         self.spawn_latest("greet", |greeter| async move {
//!             sleep(Duration::from_millis(200)).await; // a guest timer: no thread
//!             let greeting = unblock(move || slow_greeting(&name)).await; // a worker thread
//!             let greeting = greeting.unwrap_or_else(|error| format!("no greeting: {error}"));
//!             // Err(NotNow::Gone) if the window closed meanwhile: nobody to greet.
//!             let _ = greeter.with_now(|greeter| greeter.set_greeting(QString::from(&greeting)));
//!         });
//!     }
//! }
//!
//! fn slow_greeting(name: &str) -> String {
//!     std::thread::sleep(Duration::from_millis(100)); // blocking work, off the Qt thread
//!     format!("Hello, {name}!")
//! }
//! ```
//!
//! **Cancel** with [`TaskScope::cancel`]`("key")`: it aborts that task at once (it runs no
//! further; code after its current `await` never runs), and the writes it queued are dropped, so
//! the invokable that cancels writes what the window shows next. Its workers see it through the
//! handle ([`is_cancelled`](QObjectHandle::is_cancelled) between steps, or its
//! [`cancel_token`](QObjectHandle::cancel_token), a [`CancelToken`] to clone into them) and
//! return early. A setter before or after the scope call needs `as_mut()`. This is the lookup
//! example's (its key `"load"`, its properties `status` and `loading`); `cancel` is a
//! `#[qinvokable]` in the bridge, as `greet` is:
//!
//! ```rust,ignore
//! fn cancel(mut self: Pin<&mut Self>) {
//!     if self.as_mut().task_scope().cancel("load") > 0 {
//!         self.as_mut().set_status(QString::from("cancelled"));
//!         self.set_loading(false);
//!     }
//! }
//!
//! // On the worker, given a clone of the task's handle:
//! fn slow_sum(lookup: &QObjectHandle<Lookup>) -> Option<u64> {
//!     let mut total = 0;
//!     for step in 1..=50u64 {
//!         if lookup.is_cancelled() {
//!             return None;
//!         }
//!         total += slow_step(step);
//!         let _ = lookup.update(move |lookup| lookup.set_progress(step as f64 / 50.0));
//!     }
//!     Some(total)
//! }
//! ```
//!
//! **Close gracefully** when the window is asked to close while tasks run:
//! [`TaskScope::close`] sets every task's token without aborting it, waits a bounded time for
//! the tasks to end by themselves, then aborts the rest. So clean-up that must run (a file to
//! finish, a connection to close) belongs where the token is seen: a worker that returns early,
//! or a task that races its work against [`CancelToken::cancelled`] (with `futures-lite`'s
//! `or`, say; guestloop has no `select` of its own). In QML, refuse the close and ask the
//! object to quit, in a task outside the scope:
//!
//! ```rust,ignore
//! // Window { onClosing: (close) => { close.accepted = false; lookup.quit_gracefully() } }
//! fn quit_gracefully(self: Pin<&mut Self>) {
//!     let closing = self.task_scope().close(Duration::from_millis(500));
//!     drop(guestloop_qt::handle().spawn_local(async move {
//!         let aborted = closing.await;
//!         guestloop_qt::exit_event_loop(aborted as i32);
//!     }));
//! }
//! ```
//!
//! The application quits, and the window goes with it; a second close request closes an empty
//! scope at once. These snippets are the examples' code (`hosts/qt/examples/hello` and
//! `lookup`, in the repository), which CI builds and drives offscreen.
//!
//! **5. Await signals** as streams, or one emission at a time ([`next_emission`]). Connect where
//! the object is at hand; the closure cxx-qt's `on_<signal>` takes receives the object and the
//! signal's arguments. The stream ends (`None`) when the object is destroyed.
//!
//! ```rust,ignore
//! let mut clicks = guestloop_qt::signal_stream(|send| self.as_mut().on_clicked(move |_| send.send(())));
//! self.spawn_task(|_| async move {
//!     while clicks.next().await.is_some() { /* each click */ }
//! });
//! ```
//!
//! A QML item's signal (a `TextField`'s `textEdited`) has no `on_<signal>` in Rust: relay it.
//! QML's handler calls an invokable, which hands the value to a [`SignalRelay`], a field of
//! the Rust struct (`edits: SignalRelay<String>`); a task awaits a stream taken from it. The
//! hello example greets this way once typing pauses:
//!
//! ```rust,ignore
//! // In the bridge:  #[qinvokable] fn name_edited(self: Pin<&mut Greeter>, name: QString);
//! // In GreeterRust: edits: SignalRelay<String>, (use guestloop_qt::SignalRelay;)
//! // In QML:         TextField { onTextEdited: greeter.name_edited(text) }
//! fn name_edited(self: Pin<&mut Self>, name: QString) {
//!     self.rust_mut().get_mut().edits.emit(name.to_string());
//! }
//!
//! // A task as long-lived as the object, started when it is made: the bridge says
//! // `impl cxx_qt::Initialize for Greeter {}`, and Rust implements it.
//! const TYPING_PAUSE: Duration = Duration::from_millis(500);
//!
//! impl cxx_qt::Initialize for qobject::Greeter {
//!     fn initialize(mut self: Pin<&mut Self>) {
//!         let mut edits = self.as_mut().rust_mut().get_mut().edits.stream();
//!         self.spawn_task(|greeter| async move {
//!             while let Some(mut name) = edits.next().await {
//!                 // guestloop_qt::guestloop::timeout: Err once the pause has passed.
//!                 while let Ok(Some(newer)) = timeout(TYPING_PAUSE, edits.next()).await {
//!                     name = newer; // typed again within the pause
//!                 }
//!                 if greeter.with_now(|greeter| greeter.greet(QString::from(&name))).is_err() {
//!                     return; // the object is gone
//!                 }
//!             }
//!         });
//!     }
//! }
//! ```
//!
//! Without [`run`]: [`install`] after `QGuiApplication::new()` and before the QML loads;
//! after `exec()`, [`uninstall`], then drop the engine, then the application. A task outside
//! any scope (`guestloop_qt::handle().spawn_local(..)`) lives until it ends or [`uninstall`].
//!
//! # Where panics go
//!
//! A task that panics ends there: its [`JoinHandle`](guestloop::JoinHandle) yields a
//! [`JoinError`](guestloop::JoinError) that keeps the panic's payload, Rust's panic hook prints it to stderr as for any
//! panic, and the executor's panic hook hears of it (set one with [`run_with`] and
//! [`guestloop::Builder::on_task_panic`], to log it or show it). Every other task, and Qt's
//! event loop, go on. So a
//! detached or scoped task's panic is never lost silently, and never takes the application
//! down. A panic inside a QObject's invokable (outside any task) is cxx-qt's: it aborts.
//!
//! # From qasync and qtrio
//!
//! | qasync / qtrio | guestloop-qt |
//! |---|---|
//! | `QEventLoop(app)`, `asyncio.set_event_loop`, `loop.run_forever()` / `qtrio.run` | [`run`] (or [`install`] … `exec()` … [`uninstall`]) |
//! | `@asyncSlot` (a slot that starts a task, errors reported) | an invokable calling [`spawn_task`](QObjectTasks::spawn_task), which QML's handler calls; panics go to the hook |
//! | a task awaiting a QML item's signal | [`SignalRelay`], fed by such an invokable |
//! | cancel the previous call of a slot | [`spawn_latest`](QObjectTasks::spawn_latest) |
//! | `@asyncClose` (await clean-up before the window closes) | [`TaskScope::close`] from `onClosing` |
//! | `asyncio.create_task` outside any widget | `guestloop_qt::handle().spawn_local` |
//! | `loop.run_in_executor(None, f)` | [`guestloop::unblock`] |
//! | qtrio's `wait_signal` | [`next_emission`] |
//! | qtrio's `enter_emissions_channel` | [`signal_stream`] |
//! | `asyncWrap` (run a blocking Qt call such as `QDialog.exec()` outside the loop's callback) | [`run_in_host`] |
//! | `asyncio.sleep` | [`guestloop::sleep`] |
//!
//! # Supported setups
//!
//! cxx-qt 0.10 and Qt 6, built with Cargo (cxx-qt-build); CI tests Qt 6.4.2 (Debian 12) on
//! Linux, offscreen and on X11 (Xvfb). A CMake build through Corrosion has not been tried.
//! Other platforms are untested: the host uses only `QTimer`, queued events and
//! `QCoreApplication`, nothing platform-specific. Qt is licensed separately (LGPL-3.0, GPL or
//! commercial): an application linking Qt dynamically, as cxx-qt builds do, meets the LGPL's
//! terms for Qt; this crate itself is MIT or Apache-2.0.
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
//! This crate's tests (`hosts/qt/tests/qt.rs`) run a nested loop for a given time, as a dialog
//! would, to show both behaviours above.

// The host's bridge holds cxx-qt's `unsafe extern "C++"` blocks: our promise that each declared
// signature is the one in the C++ header. The bridge also generates signal-handler types without
// `Debug`, which we cannot derive it for.
// SAFETY: `QTimer`'s methods, the shims in `guestloop_qt/qt_host.h` and `make_unique` are
// declared as in Qt's, our and cxx-qt-lib's headers.
#[allow(unsafe_code, missing_debug_implementations)]
mod host;
mod in_host;
// `QObjectHandle::with_now` turns the object's address back into a reference, where the module
// shows that no other one is live; every block says why it is sound.
#[allow(unsafe_code)]
mod object;
mod relay;
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
    QtPoster, exit_event_loop, guest_now, handle, install, install_with, poster, try_handle,
    uninstall,
};
// For this crate's tests and the demos' measurements (a nested loop standing in for a modal
// dialog, a Qt timer to measure guest timers against): public, not part of the documented API.
#[doc(hidden)]
pub use host::{QTimer, exec_nested_event_loop, precise_single_shot_timer};
pub use in_host::{InHost, run_in_host};
pub use object::{NotNow, ObjectGone, QObjectHandle};
pub use relay::SignalRelay;
pub use run::{Exit, QtApplication, run, run_with};
#[cfg(feature = "qml")]
pub use run::{QmlLoadError, load_qml};
pub use scope::{QObjectTasks, TaskScope};
pub use signal::{NextEmission, SignalSender, SignalStream, next_emission, signal_stream};
