//! [`TaskGroup`]: a nursery that waits for all its children and aborts the rest when dropped.
//!
//! Owns structured concurrency for the host thread: children cannot outlive the group.

use crate::{JoinError, JoinHandle, spawn_local};
use pin_project_lite::pin_project;
use std::cell::RefCell;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};

/// A set of child tasks that live no longer than the group (trio's nursery).
///
/// [`join`](Self::join) waits for every child; if one panics, the others are aborted and the
/// panic is returned. Dropping the group, or its `join` future, aborts every child still running.
/// Each child tells the group when it ends, so joining costs the same for each child whatever
/// their number, and the slots of finished children are reused as new ones are spawned.
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
/// host.block_on(task).unwrap().expect("no child panicked");
/// assert_eq!(done.get(), 3);
/// ```
#[derive(Debug, Default)]
pub struct TaskGroup {
    /// The children by slot; `None` for a free slot.
    children: Vec<Slot>,
    free: Vec<usize>,
    running: usize,
    /// What the children tell the group as they end.
    finished: Rc<Finished>,
    /// Where [`reap`](Self::reap) takes `finished`'s list to.
    reaping: Vec<(usize, u32)>,
    /// The first failure among children already reaped.
    failure: Option<JoinError>,
}

#[derive(Debug, Default)]
struct Slot {
    handle: Option<JoinHandle<()>>,
    /// Moves on when the slot is freed: a late word from an earlier child finds no match.
    generation: u32,
}

/// The children that have ended (returned, panicked or been dropped), in the order they did,
/// and the waker of the group's `join`: what makes `join` linear in the number of children.
#[derive(Debug, Default)]
struct Finished {
    slots: RefCell<Vec<(usize, u32)>>,
    joiner: RefCell<Option<Waker>>,
}

/// Lives in a child's future: when the future is dropped (the child returned, panicked or was
/// aborted), the child's slot goes on the group's finished list.
struct Notify {
    finished: Weak<Finished>,
    slot: (usize, u32),
}

impl Drop for Notify {
    fn drop(&mut self) {
        let Some(finished) = self.finished.upgrade() else {
            return; // the group is gone
        };
        finished.slots.borrow_mut().push(self.slot);
        let joiner = finished.joiner.borrow_mut().take();
        if let Some(joiner) = joiner {
            joiner.wake();
        }
    }
}

pin_project! {
    /// A child's future, and what tells the group when it is dropped (after the future, as the
    /// executor drops a finished task: a child's own destructor does not count as its poll).
    struct Child<F> {
        #[pin]
        future: F,
        _notify: Notify,
    }
}

impl<F: Future<Output = ()>> Future for Child<F> {
    type Output = ();

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.project().future.poll(cx)
    }
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
        self.reap(); // the finished children's slots are free again: memory stays bounded
        let slot = self.free.pop().unwrap_or_else(|| {
            self.children.push(Slot::default());
            self.children.len() - 1
        });
        let notify = Notify {
            finished: Rc::downgrade(&self.finished),
            slot: (slot, self.children[slot].generation),
        };
        let handle = spawn_local(Child {
            future,
            _notify: notify,
        });
        self.children[slot].handle = Some(handle);
        self.running += 1;
    }

    /// Children not yet known to have finished.
    pub fn len(&self) -> usize {
        self.running
    }

    /// Whether no child is known to be running.
    pub fn is_empty(&self) -> bool {
        self.running == 0
    }

    /// Takes the results of the children that have ended since the last look, in the order they
    /// ended; frees their slots. Keeps the first failure.
    fn reap(&mut self) {
        // Swapped with a vector of the group's own, so that neither loses its capacity.
        let mut ended = std::mem::take(&mut self.reaping);
        std::mem::swap(&mut *self.finished.slots.borrow_mut(), &mut ended);
        for &(slot, generation) in &ended {
            let child = &mut self.children[slot];
            if child.generation != generation {
                continue; // the slot was freed since (every child was aborted)
            }
            let Some(mut handle) = child.handle.take() else {
                continue;
            };
            // A child's future is dropped before its handle gets the result only while it is
            // aborted, and that completes before anything else runs.
            let result = handle
                .try_take()
                .unwrap_or_else(|| Err(JoinError::cancelled()));
            self.free_slot(slot);
            if let Err(error) = result {
                self.failure.get_or_insert(error);
            }
        }
        ended.clear();
        self.reaping = ended;
    }

    fn free_slot(&mut self, slot: usize) {
        let child = &mut self.children[slot];
        child.generation = child.generation.wrapping_add(1);
        self.free.push(slot);
        self.running -= 1;
    }

    /// Waits for every child. On the first child that panicked or was cancelled, aborts the rest
    /// and returns that error.
    ///
    /// Each child that ends costs the group's task one poll, whatever the number of children.
    pub async fn join(mut self) -> Result<(), JoinError> {
        poll_fn(|cx| {
            self.reap();
            if self.failure.is_some() || self.running == 0 {
                return Poll::Ready(());
            }
            // Children end on this thread, so none can between the look above and this.
            *self.finished.joiner.borrow_mut() = Some(cx.waker().clone());
            Poll::Pending
        })
        .await;
        self.abort_all();
        self.failure.take().map_or(Ok(()), Err)
    }

    /// Aborts every child still running. A child that already failed is still reported by
    /// [`join`](Self::join).
    pub fn abort_all(&mut self) {
        self.reap();
        let joiner = self.finished.joiner.borrow_mut().take();
        drop(joiner);
        for slot in 0..self.children.len() {
            if let Some(handle) = self.children[slot].handle.take() {
                self.free_slot(slot);
                handle.abort(); // may drop the child's future here, which tells `finished`
            }
        }
        self.finished.slots.borrow_mut().clear();
    }
}

impl Drop for TaskGroup {
    fn drop(&mut self) {
        self.abort_all();
    }
}
