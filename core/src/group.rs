//! [`TaskGroup`]: a nursery that waits for all its children and aborts the rest when dropped.
//!
//! Owns structured concurrency for the host thread: children cannot outlive the group.

use crate::{JoinError, JoinHandle, spawn_local};
use std::future::{Future, poll_fn};
use std::task::Poll;

/// A set of child tasks that live no longer than the group (trio's nursery).
///
/// [`join`](Self::join) waits for every child; if one panics, the others are aborted and the
/// panic is returned. Dropping the group, or its `join` future, aborts every child still running.
///
/// ```
/// use guestloop::{TaskGroup, testing::TestHost};
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use std::time::Duration;
///
/// let mut host = TestHost::default();
/// let done = Rc::new(Cell::new(0));
/// let counter = done.clone();
/// let task = host.spawn_local(async move {
///     let mut group = TaskGroup::new();
///     for ms in [30, 10, 20] {
///         let counter = counter.clone();
///         group.spawn_local(async move {
///             guestloop::sleep(Duration::from_millis(ms)).await;
///             counter.set(counter.get() + 1);
///         });
///     }
///     group.join().await
/// });
/// assert_eq!(host.block_on(task), Ok(Ok(())));
/// assert_eq!(done.get(), 3);
/// ```
#[derive(Debug, Default)]
pub struct TaskGroup {
    children: Vec<JoinHandle<()>>,
    /// The first failure among children already reaped.
    failure: Option<JoinError>,
    /// Finished children are reaped when the group reaches this size, keeping memory bounded
    /// for groups that spawn many short children.
    reap_at: usize,
}

impl TaskGroup {
    /// An empty group.
    pub fn new() -> TaskGroup {
        TaskGroup::default()
    }

    /// Spawns a child on the current executor.
    ///
    /// # Panics
    /// Outside a task running on a guestloop executor.
    #[track_caller]
    pub fn spawn_local(&mut self, future: impl Future<Output = ()> + 'static) {
        if self.children.len() >= self.reap_at {
            self.reap();
            self.reap_at = (self.children.len() * 2).max(16);
        }
        self.children.push(spawn_local(future));
    }

    /// Children not yet known to have finished.
    pub fn len(&self) -> usize {
        self.children.len()
    }

    /// Whether no child is known to be running.
    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }

    fn reap(&mut self) {
        let failure = &mut self.failure;
        self.children.retain_mut(|child| match child.try_take() {
            None => true,
            Some(Ok(())) => false,
            Some(Err(error)) => {
                failure.get_or_insert(error);
                false
            }
        });
    }

    /// Waits for every child. On the first child that panicked or was cancelled, aborts the rest
    /// and returns that error.
    pub async fn join(mut self) -> Result<(), JoinError> {
        poll_fn(|cx| {
            let failure = &mut self.failure;
            self.children
                .retain_mut(|child| match std::pin::Pin::new(child).poll(cx) {
                    Poll::Pending => true,
                    Poll::Ready(Ok(())) => false,
                    Poll::Ready(Err(error)) => {
                        failure.get_or_insert(error);
                        false
                    }
                });
            if self.failure.is_some() || self.children.is_empty() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
        self.abort_all();
        self.failure.take().map_or(Ok(()), Err)
    }

    /// Aborts every child still running. A child that already failed is still reported by
    /// [`join`](Self::join).
    pub fn abort_all(&mut self) {
        self.reap();
        for child in self.children.drain(..) {
            child.abort();
        }
    }
}

impl Drop for TaskGroup {
    fn drop(&mut self) {
        self.abort_all();
    }
}
