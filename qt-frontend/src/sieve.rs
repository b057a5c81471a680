//! The eratosthenes window's guest side: `guestloop`'s sieve model, drawn on a [`GridCanvas`].
//!
//! Owns the task that runs the sieve for the window and the [`SieveView`] that turns its events
//! into batched grid changes (at most one apply per Qt event-loop turn, whatever the number of
//! marks). Also writes the trace and quits when asked to.
//!
//! [`GridCanvas`]: crate::grid_canvas::GridCanvas

use crate::grid_changes::{GridHandle, GridTarget, PendingChanges};
use guestloop::sieve::{SieveConfig, SieveEvent, SieveView};
use guestloop_demo_cli::{TraceFile, run_traced_sieve};
use std::cell::RefCell;
use std::pin::Pin;
use std::sync::Arc;

/// What the window runs: the sieve's configuration, where to write its trace, whether to quit.
#[derive(Debug)]
pub struct SievePlan {
    /// The grid, tick and seed.
    pub config: SieveConfig,
    /// An open trace file, if the trace was asked for.
    pub trace: Option<TraceFile>,
    /// Exit the application (code 0) once the sieve is done.
    pub quit_when_done: bool,
}

thread_local! {
    static PLAN: RefCell<Option<SievePlan>> = const { RefCell::new(None) };
}

/// Sets what the next eratosthenes window runs (before its QML is loaded).
pub fn set_plan(plan: SievePlan) {
    PLAN.set(Some(plan));
}

/// Called when QML creates the grid: sizes it at once (so the window opens at its size) and
/// starts the sieve's task.
pub(crate) fn start<T: GridTarget>(mut grid: Pin<&mut T>) {
    let plan = PLAN.take().unwrap_or(SievePlan {
        config: SieveConfig::default(),
        trace: None,
        quit_when_done: false,
    });
    grid.as_mut().resize(plan.config.rows(), plan.config.cols());
    let grid = GridHandle::new(grid.qt_thread());
    // Detached: it ends with the sieve, or is dropped with the guest when the app exits.
    drop(guestloop_qt::handle().spawn_local(run(plan, grid)));
}

async fn run<T: GridTarget>(plan: SievePlan, grid: GridHandle<T>) {
    let view = BatchingView {
        grid,
        pending: Arc::default(),
    };
    crate::test_log!("sieve started");
    #[cfg(feature = "test-hooks")]
    crate::measure::start_loop_meter(); // if asked for: measures while the sieve runs
    match run_traced_sieve(plan.config, view, plan.trace).await {
        Ok(summary) => {
            crate::test_log!("sieve done at tick {}", summary.done_tick);
            if plan.quit_when_done {
                guestloop_qt::exit_event_loop(0);
            }
        }
        Err(trace_failed) => {
            eprintln!("error: {trace_failed}");
            guestloop_qt::exit_event_loop(1);
        }
    }
}

/// Draws sieve events on a grid, batched.
struct BatchingView<T: GridTarget> {
    grid: GridHandle<T>,
    pending: Arc<PendingChanges>,
}

impl<T: GridTarget> SieveView for BatchingView<T> {
    fn show(&mut self, event: &SieveEvent) {
        // Once the window is gone there is nothing to draw on; the app is closing.
        let _ = match *event {
            SieveEvent::Marked { number, colour, .. } => {
                self.grid.batch(&self.pending, |changes| {
                    changes.marks.push((number, colour))
                })
            }
            SieveEvent::Status { status, .. } => self.grid.batch(&self.pending, |changes| {
                changes.status = Some(status.text())
            }),
            SieveEvent::Done { .. } => Ok(()),
        };
    }
}
