//! [`Greeter`]: a QObject with an async method. `greet(name)` returns at once; a task in the
//! object's [`TaskScope`] then waits (a guest timer, no thread), does slow work on a worker
//! thread (`unblock`) and writes the greeting straight into the object (`with_now`: the task
//! runs on the object's thread). A newer `greet` replaces an older one, and the window closing
//! ends it: neither writes anything afterwards.

use cxx_qt::CxxQtType;
use cxx_qt_lib::QString;
use guestloop_qt::guestloop::{sleep, unblock};
use guestloop_qt::{QObjectTasks, TaskScope};
use std::cell::RefCell;
use std::pin::Pin;
use std::time::Duration;

/// The `Greeter` QObject.
#[cxx_qt::bridge]
pub mod qobject {
    unsafe extern "C++" {
        include!("cxx-qt-lib/qstring.h");
        /// A QString.
        type QString = cxx_qt_lib::QString;
    }

    extern "RustQt" {
        /// Greets whoever asks, after some thought.
        #[qobject]
        #[qml_element]
        #[qproperty(QString, greeting)]
        #[qproperty(bool, busy)]
        type Greeter = super::GreeterRust;

        /// Starts greeting `name`; the greeting comes a little later.
        #[qinvokable]
        fn greet(self: Pin<&mut Greeter>, name: QString);
    }

    impl cxx_qt::Threading for Greeter {}
    impl cxx_qt::Initialize for Greeter {}

    #[namespace = "rust::cxxqtlib1"]
    unsafe extern "C++" {
        include!("cxx-qt-lib/common.h");

        /// `std::make_unique<Greeter>()`: a Greeter without QML, for tests.
        #[rust_name = "greeter_new"]
        fn make_unique() -> UniquePtr<Greeter>;
    }
}

pub use qobject::{Greeter, greeter_new};

/// The Rust side of [`Greeter`].
#[derive(Debug, Default)]
pub struct GreeterRust {
    greeting: QString,
    busy: bool,
    tasks: TaskScope,
}

impl QObjectTasks for qobject::Greeter {
    fn task_scope(self: Pin<&mut Self>) -> &mut TaskScope {
        &mut self.rust_mut().get_mut().tasks
    }
}

/// What to do with a greeting once it is shown.
type OnGreeted = Box<dyn FnOnce(&str)>;

thread_local! {
    /// What to do once a greeting is written, if anything (the binary's `--greet`).
    static ON_GREETED: RefCell<Option<OnGreeted>> = const { RefCell::new(None) };
    /// A name to greet as soon as the window's Greeter exists (the binary's `--greet`).
    static GREET_AT_ONCE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Makes the next Greeter greet `name` as soon as it exists, and call `then` with the greeting.
pub fn greet_at_once(name: String, then: impl FnOnce(&str) + 'static) {
    GREET_AT_ONCE.set(Some(name));
    ON_GREETED.set(Some(Box::new(then)));
}

impl cxx_qt::Initialize for qobject::Greeter {
    fn initialize(self: Pin<&mut Self>) {
        if let Some(name) = GREET_AT_ONCE.take() {
            self.greet(QString::from(&name));
        }
    }
}

impl qobject::Greeter {
    fn greet(mut self: Pin<&mut Self>, name: QString) {
        self.as_mut().set_busy(true);
        let name = name.to_string();
        // The task outlives this call: it holds a handle to the object, never the object.
        self.spawn_latest("greet", |greeter| async move {
            sleep(Duration::from_millis(200)).await; // a guest timer: no thread
            let greeting = unblock(move || slow_greeting(&name)).await;
            let greeting = greeting.unwrap_or_else(|error| format!("no greeting: {error}"));
            // The task runs on the Qt thread: it writes at once, not through a queued event.
            let written = greeter.with_now(|mut greeter| {
                greeter.as_mut().set_greeting(QString::from(&greeting));
                greeter.set_busy(false);
            });
            // The window may be gone by now: then there is nobody to greet.
            if written.is_ok()
                && let Some(then) = ON_GREETED.take()
            {
                then(&greeting);
            }
        });
    }
}

/// Work too slow for the UI thread: it runs on a worker thread.
fn slow_greeting(name: &str) -> String {
    std::thread::sleep(Duration::from_millis(100));
    let letters = name.chars().filter(|c| c.is_alphabetic()).count();
    format!("Hello, {name}! ({letters} letters)")
}
