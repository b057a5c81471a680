//! [`PrimesDemo`]: the primes window's QObject: what is counted, how far the count is, Start and
//! Cancel.
//!
//! Owns the QML-facing side of the primes demo: the task that runs `guestloop`'s [`count_primes`]
//! for the window, in the object's [`TaskScope`] (Start spawns it, Cancel aborts it, and with it
//! the count's events still queued), and the [`PrimesView`] that writes the count's events back
//! through the task's [`QObjectHandle`]. Also prints the result and quits when asked to.

use cxx_qt::CxxQtType;
use cxx_qt_lib::QString;
use guestloop::primes::{DEFAULT_LIMIT, PrimesConfig, PrimesEvent, PrimesView, count_primes};
use guestloop_demo_cli::primes_line;
use guestloop_qt::{QObjectHandle, QObjectTasks, TaskScope};
use std::cell::Cell;
use std::io::Write;
use std::pin::Pin;
use std::time::Duration;

/// The `PrimesDemo` QObject.
#[cxx_qt::bridge]
pub mod qobject {
    unsafe extern "C++" {
        include!("cxx-qt-lib/qstring.h");
        /// A QString.
        type QString = cxx_qt_lib::QString;
    }

    extern "RustQt" {
        /// The primes demo's state, as the window shows it: the limit and workers (fixed by the
        /// flags), whether a count runs, its progress (0 to 1), the primes counted so far, the
        /// seconds it has taken and a status line.
        #[qobject]
        #[qml_element]
        #[qproperty(i64, limit, READ, CONSTANT)]
        #[qproperty(i32, workers, READ, CONSTANT)]
        #[qproperty(bool, running)]
        #[qproperty(f64, progress)]
        #[qproperty(i64, primes_so_far, cxx_name = "primesSoFar")]
        #[qproperty(f64, elapsed)]
        #[qproperty(QString, status)]
        type PrimesDemo = super::PrimesDemoRust;

        /// Starts a count, unless one is running.
        #[qinvokable]
        fn start(self: Pin<&mut PrimesDemo>);

        /// Asks whether to stop the running count (the window's "Stop counting?" dialog), and
        /// cancels it if the answer is yes. The count goes on while the question is open.
        #[qinvokable]
        fn cancel(self: Pin<&mut PrimesDemo>);

        /// Asks the window to show the "Stop counting?" dialog.
        #[qsignal]
        #[cxx_name = "askStop"]
        fn ask_stop(self: Pin<&mut PrimesDemo>);

        /// The dialog's answer (QML emits it): `true` to stop.
        #[qsignal]
        #[cxx_name = "stopAnswered"]
        fn stop_answered(self: Pin<&mut PrimesDemo>, stop: bool);
    }

    impl cxx_qt::Threading for PrimesDemo {}
    impl cxx_qt::Initialize for PrimesDemo {}
}

pub use qobject::PrimesDemo;

/// What the primes window counts, and whether the app quits once the count is final.
#[derive(Debug, Clone, Copy)]
pub struct PrimesPlan {
    /// The limit and the number of workers.
    pub config: PrimesConfig,
    /// Start at once; when the count is final, print `primes <= N: COUNT` on stdout and exit
    /// the application with code 0.
    pub quit_when_done: bool,
}

impl Default for PrimesPlan {
    /// The demo's defaults: up to [`DEFAULT_LIMIT`] on every core, started by the Start button.
    fn default() -> PrimesPlan {
        PrimesPlan {
            config: PrimesConfig::new(DEFAULT_LIMIT).expect("the default limit is valid"),
            quit_when_done: false,
        }
    }
}

thread_local! {
    static PLAN: Cell<Option<PrimesPlan>> = const { Cell::new(None) };
}

/// Sets what the next primes window counts (before its QML is loaded).
pub fn set_plan(plan: PrimesPlan) {
    PLAN.set(Some(plan));
}

/// The Rust side of [`PrimesDemo`].
#[derive(Debug, Default)]
pub struct PrimesDemoRust {
    limit: i64,
    workers: i32,
    running: bool,
    progress: f64,
    primes_so_far: i64,
    elapsed: f64,
    status: QString,
    plan: PrimesPlan,
    /// The count (`"count"`) and the question whether to stop it (`"ask"`). Cancelling the
    /// count drops its events still queued, so the window never shows an old count's progress.
    tasks: TaskScope,
}

impl QObjectTasks for PrimesDemo {
    fn task_scope(self: Pin<&mut Self>) -> &mut TaskScope {
        &mut self.rust_mut().get_mut().tasks
    }
}

impl cxx_qt::Initialize for qobject::PrimesDemo {
    fn initialize(mut self: Pin<&mut Self>) {
        let plan = PLAN.take().unwrap_or_default();
        let rust = self.as_mut().rust_mut().get_mut();
        rust.limit = i64::try_from(plan.config.limit()).unwrap_or(i64::MAX);
        rust.workers = i32::try_from(plan.config.workers()).unwrap_or(i32::MAX);
        rust.plan = plan;
        if plan.quit_when_done {
            self.start();
        } else {
            self.show_status("Press Start".to_owned());
        }
    }
}

impl qobject::PrimesDemo {
    fn start(mut self: Pin<&mut Self>) {
        if *self.running() {
            return;
        }
        let plan = self.rust().plan;
        // A question about an earlier count no longer applies.
        self.as_mut().task_scope().cancel("ask");
        self.as_mut().spawn_latest("count", move |demo| {
            let limit = plan.config.limit();
            count_task(plan, Shown { demo, limit })
        });
        self.as_mut().set_running(true);
        self.as_mut().set_progress(0.0);
        self.as_mut().set_primes_so_far(0);
        self.as_mut().set_elapsed(0.0);
        self.show_status("Counting…".to_owned());
    }

    fn cancel(mut self: Pin<&mut Self>) {
        if !*self.running() {
            return;
        }
        // A QML dialog opened with open(), its answer awaited: no nested event loop, so the
        // count, the progress bar and every other task go on while the question is open.
        // Connected before the dialog opens, so that no answer can come before we listen.
        let answer = guestloop_qt::next_emission(|send| {
            self.as_mut()
                .on_stop_answered(move |_, stop| send.send(stop))
        });
        self.as_mut().ask_stop();
        self.as_mut().spawn_latest("ask", |demo| async move {
            if answer.await == Some(true) {
                // The window may be gone by now: then nothing.
                let _ = demo.update(|demo| demo.stop());
            }
        });
    }

    /// Stops the running count at once, if there is one.
    fn stop(mut self: Pin<&mut Self>) {
        if !*self.running() {
            return;
        }
        // On the Qt thread the count's future is dropped before `cancel` returns, and with it
        // the segments in flight.
        self.as_mut().task_scope().cancel("count");
        self.as_mut().set_running(false);
        self.show_status("Cancelled".to_owned());
    }

    /// Shows one event of the running count (a cancelled count's events never get here).
    /// Runs in a queued closure, where a panic would abort the process: nothing here panics.
    fn show_event(mut self: Pin<&mut Self>, limit: u64, event: PrimesEvent) {
        match event {
            PrimesEvent::Progress {
                segments_done,
                segments_total,
                primes_so_far,
                elapsed,
            } => {
                self.as_mut()
                    .set_progress(fraction(segments_done, segments_total));
                self.as_mut().set_primes_so_far(to_i64(primes_so_far));
                self.as_mut().set_elapsed(elapsed.as_secs_f64());
            }
            PrimesEvent::Done { count, elapsed } => {
                self.as_mut().set_progress(1.0);
                self.as_mut().set_primes_so_far(to_i64(count));
                self.as_mut().set_elapsed(elapsed.as_secs_f64());
                self.as_mut().set_running(false);
                self.show_status(result_text(limit, count, elapsed));
            }
        }
    }

    fn show_status(self: Pin<&mut Self>, text: String) {
        crate::test_log!("status: {text}");
        self.set_status(QString::from(&text));
    }
}

/// The count's task: counts, and with `--quit-when-done` prints the result and quits.
async fn count_task(plan: PrimesPlan, view: Shown) {
    #[cfg(feature = "test-hooks")]
    crate::measure::start_loop_meter(); // if asked for: measures while the count runs
    let count = count_primes(plan.config, view).await;
    if plan.quit_when_done {
        let line = primes_line(plan.config.limit(), count);
        let code = match writeln!(std::io::stdout(), "{line}") {
            Ok(()) => 0,
            Err(error) => {
                eprintln!("error: cannot print the count: {error}");
                1
            }
        };
        guestloop_qt::exit_event_loop(code);
    }
}

/// Passes a count's events to its [`PrimesDemo`], on the Qt thread's next event-loop turn.
struct Shown {
    demo: QObjectHandle<PrimesDemo>,
    limit: u64,
}

impl PrimesView for Shown {
    fn show(&mut self, event: &PrimesEvent) {
        let (limit, event) = (self.limit, *event);
        // An error means the window is gone or the count cancelled: nothing to show.
        let _ = self.demo.update(move |demo| demo.show_event(limit, event));
    }
}

/// The status line of a final count.
fn result_text(limit: u64, count: u64, elapsed: Duration) -> String {
    format!(
        "{} in {:.2} s",
        primes_line(limit, count),
        elapsed.as_secs_f64()
    )
}

/// `done / total`, 0 to 1 (0 for an empty count).
fn fraction(done: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        (done as f64 / total as f64).clamp(0.0, 1.0)
    }
}

/// A count as a QML number (counts up to 10¹¹ fit with room to spare).
fn to_i64(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::{fraction, result_text};
    use std::time::Duration;

    #[test]
    fn progress_is_a_fraction_even_of_nothing() {
        assert_eq!(fraction(0, 0), 0.0);
        assert_eq!(fraction(0, 4), 0.0);
        assert_eq!(fraction(1, 4), 0.25);
        assert_eq!(fraction(4, 4), 1.0);
        assert_eq!(fraction(5, 4), 1.0);
    }

    #[test]
    fn the_result_says_limit_count_and_seconds() {
        assert_eq!(
            result_text(1_000_000, 78_498, Duration::from_millis(1234)),
            "primes <= 1000000: 78498 in 1.23 s"
        );
    }
}
