//! [`LookupByHand`]: the same `load`, `cancel` and `search` as [`Lookup`](crate::lookup::Lookup),
//! written without a [`TaskScope`](guestloop_qt::TaskScope), on `guestloop-qt`'s lower-level
//! API. Kept, and compiled, to compare: the lines marked `// by hand` are what the scope does,
//! and so is most of `quit_gracefully`. (Its QML window is the same; only `Lookup` is
//! registered.) `tests/model_lines.rs` counts both.

use crate::words::find_words;
use cxx_qt::{CxxQtType, Threading};
use cxx_qt_lib::QString;
use guestloop_qt::QObjectHandle;
use guestloop_qt::guestloop::{JoinHandle, now, sleep, timeout, unblock};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The `LookupByHand` QObject.
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
        #[qproperty(bool, loading)]
        #[qproperty(f64, progress)]
        #[qproperty(QString, status)]
        #[qproperty(QString, results)]
        type LookupByHand = super::LookupByHandRust;

        /// Starts loading, unless a load is running.
        #[qinvokable]
        fn load(self: Pin<&mut LookupByHand>);

        /// Stops the load, and its worker.
        #[qinvokable]
        fn cancel(self: Pin<&mut LookupByHand>);

        /// Looks `query` up; replaces the search before it.
        #[qinvokable]
        fn search(self: Pin<&mut LookupByHand>, query: QString);

        /// Cancels every task, gives them half a second to wind down, then quits; the exit
        /// code is the number of tasks that had to be aborted.
        #[qinvokable]
        fn quit_gracefully(self: Pin<&mut LookupByHand>);
    }

    impl cxx_qt::Threading for LookupByHand {}
}

pub use qobject::LookupByHand;

/// The Rust side of [`LookupByHand`].
#[derive(Debug, Default)]
pub struct LookupByHandRust {
    loading: bool,
    progress: f64,
    status: QString,
    results: QString,
    load: Option<(JoinHandle<()>, Arc<AtomicBool>)>, // by hand
    search: Option<JoinHandle<()>>,                  // by hand
    load_generation: u64,                            // by hand
    search_generation: u64,                          // by hand
}

impl Drop for LookupByHandRust {
    fn drop(&mut self) {
        if let Some((task, cancelled)) = self.load.take() {
            cancelled.store(true, Ordering::Release); // by hand
            task.abort(); // by hand
        }
        if let Some(task) = self.search.take() {
            task.abort(); // by hand
        }
    }
}

/// Sets the flag when the task holding it is dropped (aborted): stops its worker. By hand.
struct SetOnDrop(Arc<AtomicBool>);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

impl LookupByHand {
    /// The `load` invokable.
    pub fn load(mut self: Pin<&mut Self>) {
        if *self.loading() {
            return;
        }
        let rust = self.as_mut().rust_mut().get_mut();
        rust.load_generation += 1; // by hand
        let generation = rust.load_generation; // by hand
        let cancelled = Arc::new(AtomicBool::new(false)); // by hand
        let flag = cancelled.clone(); // by hand
        let lookup = QObjectHandle::new(self.qt_thread()); // by hand
        let task = guestloop_qt::handle().spawn_local(async move {
            let _stop_worker = SetOnDrop(flag.clone()); // by hand
            sleep(Duration::from_millis(300)).await;
            let worker = lookup.clone();
            let total = unblock(move || slow_sum(&worker, &flag, generation)).await;
            let status = match total {
                Ok(Some(total)) => format!("loaded: {total}"),
                Ok(None) => "cancelled".to_owned(),
                Err(error) => format!("failed: {error}"),
            };
            let _ = lookup.update(move |mut lookup| {
                if lookup.rust().load_generation != generation {
                    return; // by hand
                }
                lookup.as_mut().set_status(QString::from(&status));
                lookup.set_loading(false);
            });
        });
        self.as_mut().rust_mut().get_mut().load = Some((task, cancelled)); // by hand
        self.as_mut().set_progress(0.0);
        self.as_mut().set_status(QString::from("loading…"));
        self.set_loading(true);
    }

    /// The `cancel` invokable.
    pub fn cancel(mut self: Pin<&mut Self>) {
        if !*self.loading() {
            return;
        }
        let rust = self.as_mut().rust_mut().get_mut();
        let Some((task, cancelled)) = rust.load.take() else {
            return;
        };
        rust.load_generation += 1; // by hand
        cancelled.store(true, Ordering::Release); // by hand
        task.abort();
        self.as_mut().set_status(QString::from("cancelled"));
        self.set_loading(false);
    }

    /// The `search` invokable.
    pub fn search(mut self: Pin<&mut Self>, query: QString) {
        let query = query.to_string();
        let rust = self.as_mut().rust_mut().get_mut();
        rust.search_generation += 1; // by hand
        let generation = rust.search_generation; // by hand
        if let Some(older) = rust.search.take() {
            older.abort(); // by hand
        }
        let lookup = QObjectHandle::new(self.qt_thread()); // by hand
        let task = guestloop_qt::handle().spawn_local(async move {
            let found = unblock(move || find_words(&query))
                .await
                .unwrap_or_default();
            let _ = lookup.update(move |lookup| {
                if lookup.rust().search_generation == generation {
                    // by hand
                    lookup.set_results(QString::from(&found));
                }
            });
        });
        self.as_mut().rust_mut().get_mut().search = Some(task); // by hand
    }
}

impl LookupByHand {
    /// The `quit_gracefully` invokable.
    pub fn quit_gracefully(mut self: Pin<&mut Self>) {
        let rust = self.as_mut().rust_mut().get_mut();
        rust.load_generation += 1; // by hand: their queued writes are dropped
        rust.search_generation += 1; // by hand
        let load = rust.load.take();
        let search = rust.search.take();
        drop(guestloop_qt::handle().spawn_local(async move {
            let deadline = now() + Duration::from_millis(500); // by hand, from here on
            let mut tasks = Vec::new();
            if let Some((task, cancelled)) = load {
                cancelled.store(true, Ordering::Release);
                tasks.push(task);
            }
            tasks.extend(search);
            let mut aborted = 0;
            for mut task in tasks {
                let left = deadline.saturating_duration_since(now());
                if timeout(left, &mut task).await.is_err() {
                    task.abort();
                    aborted += 1;
                }
            }
            guestloop_qt::exit_event_loop(aborted);
        }));
    }
}

/// Half a second of work in 50 steps, with progress written back; `None` once cancelled.
fn slow_sum(
    lookup: &QObjectHandle<LookupByHand>,
    cancelled: &AtomicBool,
    generation: u64,
) -> Option<u64> {
    let mut total = 0;
    for step in 1..=50u64 {
        if cancelled.load(Ordering::Acquire) {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
        total += step * step;
        let _ = lookup.update(move |lookup| {
            if lookup.rust().load_generation == generation {
                // by hand
                lookup.set_progress(step as f64 / 50.0);
            }
        });
    }
    Some(total)
}
