//! Tasks: the table of an executor's live tasks, and the pieces a task is made of.
//!
//! Owns the [`TaskTable`] (a slab with generations, so a stale id never reaches a newer task) and
//! what a poll reports. A task itself is one allocation ([`cell`]: header, join state, future;
//! the crate's only `unsafe`); [`join`] owns the handover of its result to the [`JoinHandle`].
//! Futures stay on the host thread; only the header (the waker) and the join state are reached
//! from other threads.

mod cell;
mod join;

pub(crate) use cell::{Header, Polled, RemoteTask, Task};
pub use join::{JoinError, JoinHandle};

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// A task's slot in the [`TaskTable`]: index and generation, so a stale waker never wakes a newer
/// task that reused the slot.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct TaskId(u64);

impl TaskId {
    fn new(index: u32, generation: u32) -> TaskId {
        TaskId(u64::from(generation) << 32 | u64::from(index))
    }
    #[cfg(test)]
    pub(crate) fn for_tests(index: u32) -> TaskId {
        TaskId::new(index, 0)
    }

    /// The id as one number, for packing (see [`Wakeup`](crate::batch::Wakeup)).
    pub(crate) fn to_bits(self) -> u64 {
        self.0
    }
    pub(crate) fn from_bits(bits: u64) -> TaskId {
        TaskId(bits)
    }

    fn index(self) -> usize {
        (self.0 & u64::from(u32::MAX)) as usize
    }
    fn generation(self) -> u32 {
        (self.0 >> 32) as u32
    }
}

/// How a task's future ended, as the executor sees it. The messages are boxed so that a poll's
/// result fits in two registers.
pub(crate) enum Outcome {
    Finished,
    /// The future panicked, or waking whoever awaits its handle did (or both): the messages to
    /// report, in order.
    Panicked(Box<[String]>),
}

/// The generation of a slot that is never used again: no id has it.
const RETIRED: u32 = u32::MAX;

/// One slot of the [`TaskTable`]. A live task's id matches the slot's generation; freeing the
/// slot moves the generation on, so no id of a gone task matches again.
struct Entry {
    /// The task while it is idle; `None` while it is taken out for a poll (or the slot is free).
    task: Option<Task>,
    generation: u32,
    /// Whether the task's id is in the ready queue: a task is queued at most once.
    queued: bool,
}

/// Every live task of one executor, by [`TaskId`]: a slab with generations.
#[derive(Default)]
pub(crate) struct TaskTable {
    entries: Vec<Entry>,
    free: Vec<u32>,
    live: usize,
}

impl TaskTable {
    /// Stores the task made by `make` (which learns its id first) and returns that id. The task
    /// is not queued yet.
    pub(crate) fn insert(&mut self, make: impl FnOnce(TaskId) -> Task) -> TaskId {
        let index = self.free.pop().unwrap_or_else(|| {
            self.entries.push(Entry {
                task: None,
                generation: 0,
                queued: false,
            });
            // Index `u32::MAX` is never handed out: a packed `Wakeup` uses it for wakers.
            u32::try_from(self.entries.len() - 1)
                .ok()
                .filter(|&index| index != u32::MAX)
                .expect("more than 2^32 - 1 live tasks")
        });
        let entry = &mut self.entries[index as usize];
        let id = TaskId::new(index, entry.generation);
        entry.task = Some(make(id));
        entry.queued = false;
        self.live += 1;
        id
    }

    /// The slot of a live task (idle or being polled).
    #[inline]
    fn entry(&mut self, id: TaskId) -> Option<&mut Entry> {
        let entry = self.entries.get_mut(id.index())?;
        if entry.generation != id.generation() {
            return None;
        }
        Some(entry)
    }

    /// Marks a live task queued; returns whether it was not already (so the caller queues it).
    #[inline]
    pub(crate) fn mark_queued(&mut self, id: TaskId) -> bool {
        match self.entry(id) {
            Some(entry) if !entry.queued => {
                entry.queued = true;
                true
            }
            _ => false,
        }
    }

    /// The header of an idle task.
    pub(crate) fn header(&self, id: TaskId) -> Option<&Header> {
        let entry = self.entries.get(id.index())?;
        let task = entry.task.as_ref()?;
        (entry.generation == id.generation()).then(|| task.header())
    }

    /// Takes a queued, idle task out for a poll; `None` for a stale id.
    #[inline]
    pub(crate) fn start_poll(&mut self, id: TaskId) -> Option<Task> {
        let entry = self.entry(id).filter(|entry| entry.queued)?;
        let task = entry.task.take()?;
        entry.queued = false; // a wake during the poll queues it again
        Some(task)
    }

    /// Puts a task back after a poll that left it pending; gives it back if its slot was freed
    /// meanwhile (it aborted itself), for the caller to drop outside the table's borrow.
    #[inline]
    pub(crate) fn end_poll(&mut self, id: TaskId, task: Task) -> Option<Task> {
        match self.entry(id) {
            Some(entry) => entry.task.replace(task), // `None`: the slot was empty while polled
            None => Some(task),
        }
    }

    /// Frees a slot whose task was taken out (running) or takes an idle task out to be dropped.
    ///
    /// A slot whose generation has run out is retired instead of freed: it is never handed out
    /// again, so no id of a task long gone can reach a newer one (24 bytes kept per 2³² - 1
    /// tasks that lived in one slot).
    pub(crate) fn remove(&mut self, id: TaskId) -> Option<Task> {
        let index = id.index();
        let entry = self.entry(id)?;
        entry.generation += 1; // ids have generations below `RETIRED`
        entry.queued = false;
        let task = entry.task.take();
        if entry.generation != RETIRED {
            self.free.push(index as u32);
        }
        self.live -= 1;
        task
    }

    /// Takes out every idle task, for shutdown.
    pub(crate) fn drain(&mut self) -> Vec<Task> {
        let ids: Vec<TaskId> = (0..self.entries.len())
            .filter(|&i| self.entries[i].task.is_some())
            .map(|i| TaskId::new(i as u32, self.entries[i].generation))
            .collect();
        ids.into_iter().filter_map(|id| self.remove(id)).collect()
    }

    pub(crate) fn len(&self) -> usize {
        self.live
    }
}

/// What an executor's panic hook is told about a task that panicked.
///
/// See [`Builder::on_task_panic`](crate::Builder::on_task_panic).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskPanic {
    message: String,
}

impl TaskPanic {
    pub(crate) fn new(message: String) -> TaskPanic {
        TaskPanic { message }
    }

    /// The panic's message (its `&str` or `String` payload).
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// The text of a caught panic, whose payload is then dropped where no panic escapes.
pub(crate) fn take_panic_message(payload: Box<dyn Any + Send>) -> String {
    let message = panic_message(&*payload);
    drop_panic_payload(payload);
    message
}

/// Drops a caught panic's payload; a payload whose destructor panics too is dropped the same
/// way, and a chain of them that does not end is leaked after a few rounds rather than unwound.
pub(crate) fn drop_panic_payload(payload: Box<dyn Any + Send>) {
    let mut payload = payload;
    for _ in 0..8 {
        match catch_unwind(AssertUnwindSafe(move || drop(payload))) {
            Ok(()) => return,
            Err(next) => payload = next,
        }
    }
    std::mem::forget(payload);
}

/// The text of a panic payload: its `&str` or `String`, or a placeholder.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    string_payload(payload)
        .unwrap_or("a panic with a non-string payload")
        .to_owned()
}

/// The `&str` or `String` that `panic!` makes, if the payload is one.
fn string_payload(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::Shared;
    use std::sync::Arc;

    fn task(shared: &Arc<Shared>) -> Task {
        Task::new(std::future::pending::<()>(), shared.clone()).0
    }

    #[test]
    fn a_slot_whose_generation_runs_out_is_retired_so_a_stale_id_reaches_no_newer_task() {
        let shared = Arc::new(Shared::new(Arc::new(|| {})));
        let mut table = TaskTable::default();
        let first = table.insert(|_| task(&shared));
        assert_eq!((first.index(), first.generation()), (0, 0));
        table.remove(first);
        // As if 2³² - 3 more tasks had lived in slot 0 since (the test's shortcut to the wrap).
        table.entries[0].generation = RETIRED - 2;
        let mut ids = Vec::new();
        for _ in 0..2 {
            let id = table.insert(|_| task(&shared));
            assert_eq!(
                id.index(),
                0,
                "the slot is reused while it has generations left"
            );
            ids.push(id);
            table.remove(id);
        }
        assert_eq!(ids[1].generation(), RETIRED - 1, "the last generation");
        let next = table.insert(|_| task(&shared));
        assert_ne!(next.index(), 0, "slot 0 is retired, not reused");
        for stale in [first, ids[0], ids[1]] {
            assert!(!table.mark_queued(stale), "{stale:?} reaches nothing");
            assert!(table.header(stale).is_none());
            assert!(table.remove(stale).is_none());
        }
        assert_eq!(table.len(), 1);
        assert!(table.mark_queued(next));
        assert!(table.start_poll(next).is_some());
    }
}
