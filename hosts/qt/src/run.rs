//! [`run`]: a Qt application's life with the guest, from `exec()` to teardown, in the one order
//! that is right: the guest (its tasks' destructors may use QML objects), then what `setup`
//! built (the QML engine, and the QObjects it made), then the application.
//!
//! Owns that order, and [`QtApplication`], the one method of an application it needs.

use crate::host::{install_with, uninstall};
use cxx::UniquePtr;
use cxx::memory::UniquePtrTarget;
use guestloop::{Builder, Executor};
use std::pin::Pin;

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

/// Runs `app` with a guest installed and returns its exit code: installs the guest, calls
/// `setup` (load your QML there, and return the engine: QML creates your QObjects, and their
/// code may spawn at once), runs `exec()`, then tears down in order — the guest, then what
/// `setup` returned, then `app` — also if `setup` or the event loop panics.
///
/// ```text
/// fn main() {
///     let code = guestloop_qt::run(QGuiApplication::new(), || {
///         let mut engine = QQmlApplicationEngine::new();
///         engine.pin_mut().load(&QUrl::from("qrc:/qt/qml/my/app/qml/main.qml"));
///         engine
///     });
///     std::process::exit(code);
/// }
/// ```
///
/// # Panics
/// If a guest is already installed on this thread.
pub fn run<A, W>(app: UniquePtr<A>, setup: impl FnOnce() -> W) -> i32
where
    A: QtApplication + UniquePtrTarget,
{
    run_with(Executor::builder(), app, setup)
}

/// [`run`] with the guest built from `builder` (a poll budget, a catch-up bound, a panic hook).
///
/// # Panics
/// If a guest is already installed on this thread.
pub fn run_with<A, W>(builder: Builder, mut app: UniquePtr<A>, setup: impl FnOnce() -> W) -> i32
where
    A: QtApplication + UniquePtrTarget,
{
    // After a return or during a panic, `running` drops before the parameter `app`, and its
    // fields in the order they are declared: the guest, then what `setup` built.
    let mut running = Running {
        _guest: Installed::new(builder),
        built: None,
    };
    running.built = Some(setup());
    app.pin_mut().exec()
}

/// The guest and what `setup` built, dropped in this order.
struct Running<W> {
    _guest: Installed,
    built: Option<W>,
}

/// Uninstalls the guest when dropped.
struct Installed;

impl Installed {
    fn new(builder: Builder) -> Installed {
        install_with(builder);
        Installed
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        uninstall();
    }
}
