//! [`Lookup`]: a QObject whose async methods run in its own [`TaskScope`]. `load()` waits, then
//! works for half a second on a worker thread, reporting progress; `cancel()` stops it, worker
//! included. `search(query)` looks words up on a worker; each call replaces the one before, whose
//! result is never shown. Destroying the object ends all of it.

use crate::words::find_words;
use cxx_qt::CxxQtType;
use cxx_qt_lib::QString;
use guestloop_qt::guestloop::{sleep, unblock};
use guestloop_qt::{QObjectHandle, QObjectTasks, TaskScope};
use std::pin::Pin;
use std::time::Duration;

/// The `Lookup` QObject.
#[cxx_qt::bridge]
pub mod qobject {
    unsafe extern "C++" {
        include!("cxx-qt-lib/qstring.h");
        /// A QString.
        type QString = cxx_qt_lib::QString;
    }

    extern "RustQt" {
        /// A load with progress, and a search.
        #[qobject]
        #[qml_element]
        #[qproperty(bool, loading)]
        #[qproperty(f64, progress)]
        #[qproperty(QString, status)]
        #[qproperty(QString, results)]
        type Lookup = super::LookupRust;

        /// Starts loading, unless a load is running.
        #[qinvokable]
        fn load(self: Pin<&mut Lookup>);

        /// Stops the load, and its worker.
        #[qinvokable]
        fn cancel(self: Pin<&mut Lookup>);

        /// Looks `query` up; replaces the search before it.
        #[qinvokable]
        fn search(self: Pin<&mut Lookup>, query: QString);

        /// Cancels every task, gives them half a second to wind down, then quits; the exit
        /// code is the number of tasks that had to be aborted.
        #[qinvokable]
        fn quit_gracefully(self: Pin<&mut Lookup>);
    }

    impl cxx_qt::Threading for Lookup {}

    #[namespace = "rust::cxxqtlib1"]
    unsafe extern "C++" {
        include!("cxx-qt-lib/common.h");

        /// `std::make_unique<Lookup>()`: a Lookup without QML, for tests.
        #[rust_name = "lookup_new"]
        fn make_unique() -> UniquePtr<Lookup>;
    }
}

pub use qobject::{Lookup, lookup_new};

/// The Rust side of [`Lookup`].
#[derive(Debug, Default)]
pub struct LookupRust {
    loading: bool,
    progress: f64,
    status: QString,
    results: QString,
    tasks: TaskScope,
}

impl QObjectTasks for Lookup {
    fn task_scope(self: Pin<&mut Self>) -> &mut TaskScope {
        &mut self.rust_mut().get_mut().tasks
    }
}

impl Lookup {
    /// The `load` invokable.
    pub fn load(mut self: Pin<&mut Self>) {
        let started = self.as_mut().spawn_if_idle("load", |lookup| async move {
            sleep(Duration::from_millis(300)).await;
            let worker = lookup.clone();
            let total = unblock(move || slow_sum(&worker)).await;
            let status = match total {
                Ok(Some(total)) => format!("loaded: {total}"),
                Ok(None) => "cancelled".to_owned(),
                Err(error) => format!("failed: {error}"),
            };
            // In the task, on the Qt thread: straight into the object. (The worker queues.)
            let _ = lookup.with_now(|mut lookup| {
                lookup.as_mut().set_status(QString::from(&status));
                lookup.set_loading(false);
            });
        });
        if started {
            self.as_mut().set_progress(0.0);
            self.as_mut().set_status(QString::from("loading…"));
            self.set_loading(true);
        }
    }

    /// The `cancel` invokable.
    pub fn cancel(mut self: Pin<&mut Self>) {
        if self.as_mut().task_scope().cancel("load") > 0 {
            self.as_mut().set_status(QString::from("cancelled"));
            self.set_loading(false);
        }
    }

    /// The `search` invokable.
    pub fn search(self: Pin<&mut Self>, query: QString) {
        let query = query.to_string();
        self.spawn_latest("search", |lookup| async move {
            let found = unblock(move || find_words(&query))
                .await
                .unwrap_or_default();
            let _ = lookup.with_now(|lookup| lookup.set_results(QString::from(&found)));
        });
    }

    /// The `quit_gracefully` invokable.
    pub fn quit_gracefully(self: Pin<&mut Self>) {
        let closing = self.task_scope().close(Duration::from_millis(500));
        // Not on the scope being closed: a task of its own.
        drop(guestloop_qt::handle().spawn_local(async move {
            let aborted = closing.await;
            guestloop_qt::exit_event_loop(aborted as i32);
        }));
    }
}

/// Half a second of work in 50 steps, with progress written back from the worker thread; `None`
/// once the task that asked is cancelled.
fn slow_sum(lookup: &QObjectHandle<Lookup>) -> Option<u64> {
    let mut total = 0;
    for step in 1..=50u64 {
        if lookup.is_cancelled() {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
        total += step * step;
        let _ = lookup.update(move |lookup| lookup.set_progress(step as f64 / 50.0));
    }
    Some(total)
}
