//! [`Spawner`]: spawn `Send` futures onto a guest executor from any thread.
//!
//! Owns the cross-thread entry for new tasks. Like calloop's futures `Scheduler`, it fails with a
//! named error once the executor is gone instead of panicking.

use crate::shared::Shared;
use crate::task::{JoinHandle, Task};
use std::fmt;
use std::future::Future;
use std::sync::Arc;

/// The executor a [`Spawner`] points at was dropped; the future was dropped too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the guestloop executor was destroyed")]
pub struct ExecutorDestroyed;

/// A `Send + Clone` handle that spawns `Send` futures onto an executor from any thread.
///
/// The future is moved to the host thread and first polled in the executor's next run; the host
/// is asked for that run (several spawns share one request).
///
/// ```
/// use guestloop::testing::TestHost;
///
/// let mut host = TestHost::default();
/// let spawner = host.executor().spawner();
/// let task = std::thread::spawn(move || spawner.spawn(async { 6 * 7 }).unwrap())
///     .join()
///     .unwrap();
/// assert_eq!(host.block_on(task).unwrap(), 42);
/// ```
#[derive(Clone)]
pub struct Spawner {
    shared: Arc<Shared>,
}

impl Spawner {
    pub(crate) fn new(shared: Arc<Shared>) -> Spawner {
        Spawner { shared }
    }

    /// Sends `future` to the executor's thread to run there.
    ///
    /// # Errors
    /// [`ExecutorDestroyed`] if the executor was dropped; the future is dropped on this thread.
    pub fn spawn<F>(&self, future: F) -> Result<JoinHandle<F::Output>, ExecutorDestroyed>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (task, handle) = Task::new_remote(future, self.shared.clone());
        match self.shared.push_remote(task) {
            Ok(()) => Ok(JoinHandle::new(handle)),
            Err(_rejected) => Err(ExecutorDestroyed),
        }
    }
}

impl fmt::Debug for Spawner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spawner").finish_non_exhaustive()
    }
}
