//! [`Greeter`]: a QObject with an async method. `greet(name)` returns at once; a task in the
//! object's [`TaskScope`] then waits (a guest timer, no thread), does slow work on a worker
//! thread (`unblock`) and writes the greeting straight into the object (`with_now`: the task
//! runs on the object's thread). A newer `greet` replaces an older one, and the window closing
//! ends it: neither writes anything afterwards.
//!
//! It also greets as you type: QML's `onTextEdited` hands each edit to `name_edited`, whose
//! [`SignalRelay`] a task of the object's life awaits; once typing pauses, the task greets.

use cxx_qt::CxxQtType;
use cxx_qt_lib::QString;
use guestloop_qt::guestloop::{sleep, timeout, unblock};
use guestloop_qt::{QObjectTasks, SignalRelay, TaskScope};
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

        /// The name was edited (QML's `onTextEdited`): greets it once typing pauses.
        #[qinvokable]
        fn name_edited(self: Pin<&mut Greeter>, name: QString);
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
    edits: SignalRelay<String>,
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

/// How long typing must pause before the name typed is greeted.
pub const TYPING_PAUSE: Duration = Duration::from_millis(500);

/// Makes the next Greeter greet `name` as soon as it exists.
pub fn greet_at_once(name: String) {
    GREET_AT_ONCE.set(Some(name));
}

/// Calls `then` with the first greeting a Greeter writes.
pub fn on_first_greeting(then: impl FnOnce(&str) + 'static) {
    ON_GREETED.set(Some(Box::new(then)));
}

impl cxx_qt::Initialize for qobject::Greeter {
    fn initialize(mut self: Pin<&mut Self>) {
        self.as_mut().greet_when_typing_pauses();
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

impl qobject::Greeter {
    fn name_edited(self: Pin<&mut Self>, name: QString) {
        self.rust_mut().get_mut().edits.emit(name.to_string());
    }

    /// Spawns the task, as long-lived as the object, that turns edits into greetings: one
    /// greeting per pause in the typing, of the name as it stands then.
    fn greet_when_typing_pauses(mut self: Pin<&mut Self>) {
        // Taken before the task is spawned: no edit in between is missed.
        let mut edits = self.as_mut().rust_mut().get_mut().edits.stream();
        self.spawn_task(|greeter| async move {
            while let Some(mut name) = edits.next().await {
                while let Ok(Some(newer)) = timeout(TYPING_PAUSE, edits.next()).await {
                    name = newer;
                }
                // `greet` is the invokable's code: the task reaches the object as QML would.
                let greeted = greeter.with_now(|greeter| greeter.greet(QString::from(&name)));
                if greeted.is_err() {
                    return; // the object is gone
                }
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
