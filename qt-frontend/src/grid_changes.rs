//! How the sieve's task changes the grid a window draws: [`GridChanges`] batched in
//! [`PendingChanges`] and applied through a [`GridHandle`], at most once per Qt event-loop turn.
//!
//! Owns the batching, not the drawing: any QObject that can size itself and apply a batch
//! ([`GridTarget`]) can be fed.

use cxx_qt::{CxxQtThread, Threading};
use guestloop::sieve::Rgb;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A batch of changes, applied at once.
#[derive(Debug, Clone, Default)]
pub struct GridChanges {
    /// A new status text, if it changed.
    pub status: Option<&'static str>,
    /// Cells to mark: `(number, colour)`; numbers start at 1.
    pub marks: Vec<(u32, Rgb)>,
}

/// A QObject that draws the grid: sized once, then changed a batch at a time, on the Qt thread.
pub trait GridTarget: Threading + Sized + 'static {
    /// Sizes the grid, all cells unmarked.
    fn resize(self: Pin<&mut Self>, rows: u32, cols: u32);
    /// Applies a batch. Runs inside a queued Qt closure, where a panic would abort the process:
    /// numbers outside the grid must be ignored, never indexed.
    fn apply(self: Pin<&mut Self>, changes: GridChanges);
}

/// Changes waiting to be applied, and whether an apply is already queued: any number of
/// [`GridHandle::batch`] calls between two Qt event-loop turns become one apply.
#[derive(Debug, Default)]
pub struct PendingChanges {
    changes: Mutex<GridChanges>,
    apply_queued: AtomicBool,
}

/// A `Send + Clone` handle through which a task changes a grid.
pub struct GridHandle<T: GridTarget>(CxxQtThread<T>);

impl<T: GridTarget> Clone for GridHandle<T> {
    fn clone(&self) -> Self {
        GridHandle(self.0.clone())
    }
}

/// The grid's QML object has been destroyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GridGone;

impl<T: GridTarget> GridHandle<T> {
    /// A handle to the grid behind `thread` (its `self.qt_thread()`).
    pub fn new(thread: CxxQtThread<T>) -> GridHandle<T> {
        GridHandle(thread)
    }

    /// Adds changes to `pending`, queueing one apply for all of them unless one is queued.
    pub fn batch(
        &self,
        pending: &Arc<PendingChanges>,
        change: impl FnOnce(&mut GridChanges),
    ) -> Result<(), GridGone> {
        change(&mut lock(&pending.changes));
        if pending.apply_queued.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        let pending = pending.clone();
        self.0
            .queue(move |grid| {
                pending.apply_queued.store(false, Ordering::Release);
                let changes = std::mem::take(&mut *lock(&pending.changes));
                grid.apply(changes);
            })
            .map_err(|_| GridGone)
    }
}

impl<T: GridTarget> std::fmt::Debug for GridHandle<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GridHandle")
    }
}

/// The index of the cell showing `number` (numbers start at 1) in a grid of `cells` cells.
pub fn cell_index(number: u32, cells: usize) -> Option<usize> {
    let index = usize::try_from(number).ok()?.checked_sub(1)?;
    (index < cells).then_some(index)
}

#[cfg(test)]
mod tests {
    use super::cell_index;

    #[test]
    fn numbers_outside_the_grid_have_no_cell() {
        assert_eq!(
            cell_index(0, 100),
            None,
            "0 has no cell (it used to underflow)"
        );
        assert_eq!(cell_index(1, 100), Some(0));
        assert_eq!(cell_index(100, 100), Some(99));
        assert_eq!(cell_index(101, 100), None);
        assert_eq!(cell_index(u32::MAX, 100), None);
        assert_eq!(cell_index(1, 0), None);
    }
}
