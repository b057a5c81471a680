//! [`run`]: a Qt application's life with the guest, from `exec()` to teardown, in the one order
//! that is right: the guest (its tasks' destructors may use QML objects), then what `setup`
//! built (the QML engine, and the QObjects it made), then the application; and [`load_qml`],
//! the `setup` of a QML application, which says when the QML failed to load.
//!
//! Owns that order, [`Exit`], and [`QtApplication`], the one method of an application it needs.

use crate::host::{install_with, uninstall};
use cxx::UniquePtr;
use cxx::memory::UniquePtrTarget;
use guestloop::{Builder, Executor, ExecutorStats};
use std::pin::Pin;
use std::process::{ExitCode, Termination};

/// An application object whose `exec()` runs Qt's event loop. Implemented for cxx-qt-lib's
/// `QCoreApplication` and (with the default `gui` feature) `QGuiApplication`; implement it for
/// another (a `QApplication` binding of your own) by calling its `exec`.
pub trait QtApplication {
    /// Runs the event loop until it is asked to quit; returns the exit code.
    fn exec(self: Pin<&mut Self>) -> i32;
}

impl QtApplication for cxx_qt_lib::QCoreApplication {
    fn exec(self: Pin<&mut Self>) -> i32 {
        cxx_qt_lib::QCoreApplication::exec(self)
    }
}

#[cfg(feature = "gui")]
impl QtApplication for cxx_qt_lib::QGuiApplication {
    fn exec(self: Pin<&mut Self>) -> i32 {
        cxx_qt_lib::QGuiApplication::exec(self)
    }
}

/// How a [`run`] ended: `exec()`'s exit code, and the guest's counters when it was dropped.
///
/// It is a [`Termination`], so `main` can return it (or `Result<Exit, E>`): the process exits
/// with the code, as `std::process::exit` would (the low 8 bits on Unix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "an Exit carries the application's exit code"]
pub struct Exit {
    code: i32,
    guest: Option<ExecutorStats>,
}

impl Exit {
    /// What `exec()` returned: the code given to `exit_event_loop` or `QCoreApplication::exit`,
    /// 0 after `quit()` or the last window closed.
    pub fn code(&self) -> i32 {
        self.code
    }

    /// The guest's counters as it was dropped (`live_tasks`: the tasks still alive then, whose
    /// destructors ran at teardown); `None` if the application uninstalled it itself.
    pub fn guest_stats(&self) -> Option<ExecutorStats> {
        self.guest
    }
}

impl Termination for Exit {
    fn report(self) -> ExitCode {
        // What the process would exit with after `std::process::exit(code)`.
        ExitCode::from(self.code as u8)
    }
}

/// Runs `app` with a guest installed: installs the guest, calls `setup` (load your QML there
/// with [`load_qml`], or build your objects: their code may spawn at once), runs `exec()`, then
/// tears down in order — the guest, then what `setup` returned, then `app` — also if `setup` or
/// the event loop panics.
///
/// If `setup` fails, `exec()` is not run (a QML file that did not load would leave a process
/// with no window): the guest and `app` are torn down and the error comes back.
///
/// ```rust,ignore
/// fn main() -> Result<guestloop_qt::Exit, guestloop_qt::QmlLoadError> {
///     guestloop_qt::run(QGuiApplication::new(), || {
///         guestloop_qt::load_qml("qrc:/qt/qml/my/app/qml/main.qml")
///     })
/// }
/// ```
///
/// # Errors
/// What `setup` returned, if it failed.
///
/// # Panics
/// If a guest is already installed on this thread.
pub fn run<A, W, E>(app: UniquePtr<A>, setup: impl FnOnce() -> Result<W, E>) -> Result<Exit, E>
where
    A: QtApplication + UniquePtrTarget,
{
    run_with(Executor::builder(), app, setup)
}

/// [`run`] with the guest built from `builder` (a poll budget, a catch-up bound, a panic hook).
///
/// # Errors
/// What `setup` returned, if it failed.
///
/// # Panics
/// If a guest is already installed on this thread.
pub fn run_with<A, W, E>(
    builder: Builder,
    mut app: UniquePtr<A>,
    setup: impl FnOnce() -> Result<W, E>,
) -> Result<Exit, E>
where
    A: QtApplication + UniquePtrTarget,
{
    // After a return or during a panic, `running` drops before the parameter `app`, and its
    // fields in the order they are declared: the guest, then what `setup` built.
    let mut running = Running {
        guest: Installed::new(builder),
        built: None,
    };
    running.built = Some(setup()?);
    let code = app.pin_mut().exec();
    let guest = running.guest.uninstall();
    Ok(Exit { code, guest })
}

/// The guest and what `setup` built, dropped in this order.
struct Running<W> {
    guest: Installed,
    built: Option<W>,
}

/// Uninstalls the guest when dropped, unless [`uninstall`](Installed::uninstall)ed already.
struct Installed {
    installed: bool,
}

impl Installed {
    fn new(builder: Builder) -> Installed {
        install_with(builder);
        Installed { installed: true }
    }

    fn uninstall(&mut self) -> Option<ExecutorStats> {
        self.installed = false;
        uninstall()
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        if self.installed {
            uninstall();
        }
    }
}

/// The QML at `url` could not be loaded (Qt has printed why on stderr).
#[cfg(feature = "qml")]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("failed to load the QML at {url} (Qt's messages above say why)")]
pub struct QmlLoadError {
    /// The URL given to [`load_qml`].
    pub url: String,
}

/// A `QQmlApplicationEngine` with the QML at `url` loaded (`qrc:/qt/qml/<uri>/<path>` for a
/// file that `cxx-qt-build`'s `qml_module` compiled in): the `setup` of a QML application's
/// [`run`]. Call it with a guest installed (inside `run`'s `setup`): QML creates your QObjects
/// as it loads, and their code may spawn tasks at once.
///
/// # Errors
/// [`QmlLoadError`] if the QML could not be loaded or its root object not created (a missing
/// file, a syntax error, an unknown type).
#[cfg(feature = "qml")]
pub fn load_qml(url: &str) -> Result<UniquePtr<cxx_qt_lib::QQmlApplicationEngine>, QmlLoadError> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    let mut engine = cxx_qt_lib::QQmlApplicationEngine::new();
    let failed = Arc::new(AtomicBool::new(false));
    let seen = failed.clone();
    // Qt 6.4's signal for a root object that was not created; the connection dies with the
    // engine (released: not disconnected when the guard would drop).
    let _ = engine
        .pin_mut()
        .on_object_creation_failed(move |_, _| seen.store(true, Ordering::Relaxed))
        .release();
    engine.pin_mut().load(&cxx_qt_lib::QUrl::from(url));
    if failed.load(Ordering::Relaxed) {
        return Err(QmlLoadError {
            url: url.to_owned(),
        });
    }
    Ok(engine)
}
