//! Tasks: the cell a spawned future lives in, its waker, and the [`JoinHandle`] that awaits it.
//!
//! Owns the per-task state machine. Futures stay on the host thread in a [`TaskTable`]; only a
//! small thread-safe [`Header`] (the waker) and the join state travel. No `unsafe`: a waker carries
//! a task *id*, never a pointer to the future.

use crate::local;
use crate::shared::{RemoteWakeFlag, Shared};
use pin_project_lite::pin_project;
use std::any::Any;
use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, RawWakerVTable, Wake, Waker};

/// A task's slot in the [`TaskTable`]: index and generation, so a stale waker never wakes a newer
/// task that reused the slot.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct TaskId(u64);

impl TaskId {
    const UNASSIGNED: u64 = u64::MAX;

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

/// The thread-safe part of a task: it is the task's [`Waker`] and what [`JoinHandle::abort`] flags.
///
/// Whether a task is queued is host-thread state (the `queued` flag of its table slot). Only a
/// wake that cannot reach that state, from another thread or from outside a run, goes through
/// the shared ready inbox, and `remote_wake` keeps it there at most once.
pub(crate) struct Header {
    /// The task's [`TaskId`], or `UNASSIGNED` while a remote spawn waits to be adopted.
    id: AtomicU64,
    /// Claimed while the task's id waits in the shared inbox, and forever once the task is gone.
    pub(crate) remote_wake: RemoteWakeFlag,
    aborted: AtomicBool,
    pub(crate) shared: Arc<Shared>,
}

impl Header {
    pub(crate) fn new(shared: Arc<Shared>) -> Arc<Header> {
        Arc::new(Header {
            id: AtomicU64::new(TaskId::UNASSIGNED),
            remote_wake: RemoteWakeFlag::new(),
            aborted: AtomicBool::new(false),
            shared,
        })
    }

    pub(crate) fn assign(&self, id: TaskId) {
        self.id.store(id.0, Ordering::Release);
    }

    pub(crate) fn id(&self) -> Option<TaskId> {
        let id = self.id.load(Ordering::Acquire);
        (id != TaskId::UNASSIGNED).then_some(TaskId(id))
    }

    pub(crate) fn is_aborted(&self) -> bool {
        self.aborted.load(Ordering::Acquire)
    }

    /// Called once the task is gone: later wakes do nothing.
    pub(crate) fn retire(&self) {
        self.remote_wake.retire();
    }

    fn schedule(&self) {
        let Some(id) = self.id() else {
            return; // a remote spawn not adopted yet: adoption queues it
        };
        if local::queue_in_running_batch(&self.shared, id) {
            return;
        }
        if self.remote_wake.claim() {
            self.shared.push_ready(id);
        }
    }
}

impl Wake for Header {
    fn wake(self: Arc<Self>) {
        self.schedule();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.schedule();
    }
}

/// How a task's future ended, as the executor sees it. The message is boxed so that a poll's
/// result fits in two registers.
pub(crate) enum Outcome {
    Finished,
    Panicked(Box<str>),
}

/// A spawned future as the executor stores it: boxed once together with its waker, so that
/// taking it out of the [`TaskTable`] for a poll moves one pointer.
pub(crate) type Task = Pin<Box<dyn RawTask>>;

/// A task made on another thread by a [`Spawner`](crate::Spawner), on its way to the executor.
pub(crate) type RemoteTask = Pin<Box<dyn RawTask + Send>>;

/// The task being polled, as a timer it arms needs to know it: its id and its waker's identity.
#[derive(Clone, Copy)]
pub(crate) struct Polled {
    pub(crate) id: TaskId,
    data: *const (),
    vtable: *const RawWakerVTable,
}

impl Polled {
    /// Whether `waker` is this task's own waker (then waking the task by id is the same thing).
    pub(crate) fn is_waker_of(&self, waker: &Waker) -> bool {
        waker.data() == self.data && std::ptr::eq(waker.vtable(), self.vtable)
    }
}

/// What the executor does with a task, whatever its future's type.
pub(crate) trait RawTask {
    /// Polls the future with the task's own waker, telling `polling` which task runs meanwhile.
    /// A panic is caught: it completes the task with [`Outcome::Panicked`].
    fn poll(self: Pin<&mut Self>, id: TaskId, polling: &Cell<Option<Polled>>) -> Poll<Outcome>;

    /// The task's shared header (its waker's target).
    fn header(&self) -> &Arc<Header>;
}

pin_project! {
    /// A user's future with its waker and the sender that gives its result, or its panic, to
    /// the [`JoinHandle`].
    pub(crate) struct TaskCell<F: Future> {
        #[pin]
        future: F,
        // Declared after `future` so the future's destructors have run before a joiner wakes.
        sender: JoinSender<F::Output>,
        waker: Waker,
        header: Arc<Header>,
    }
}

impl<F: Future> TaskCell<F> {
    pub(crate) fn new(
        future: F,
        join: Arc<JoinState<F::Output>>,
        header: Arc<Header>,
    ) -> TaskCell<F> {
        TaskCell {
            future,
            sender: JoinSender(join),
            waker: Waker::from(header.clone()),
            header,
        }
    }
}

impl<F: Future> RawTask for TaskCell<F> {
    fn poll(self: Pin<&mut Self>, id: TaskId, polling: &Cell<Option<Polled>>) -> Poll<Outcome> {
        let this = self.project();
        let waker = &*this.waker;
        polling.set(Some(Polled {
            id,
            data: waker.data(),
            vtable: waker.vtable(),
        }));
        let mut cx = Context::from_waker(waker);
        let poll = catch_unwind(AssertUnwindSafe(|| this.future.poll(&mut cx)));
        polling.set(None);
        match poll {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => {
                this.sender.0.complete(Ok(output));
                Poll::Ready(Outcome::Finished)
            }
            Err(payload) => {
                let message = panic_message(&*payload);
                this.sender
                    .0
                    .complete(Err(JoinError::Panicked(message.clone())));
                Poll::Ready(Outcome::Panicked(message.into()))
            }
        }
    }

    fn header(&self) -> &Arc<Header> {
        &self.header
    }
}

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
    pub(crate) fn header(&self, id: TaskId) -> Option<&Arc<Header>> {
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
    pub(crate) fn remove(&mut self, id: TaskId) -> Option<Task> {
        let index = id.index();
        let entry = self.entry(id)?;
        entry.generation = entry.generation.wrapping_add(1);
        entry.queued = false;
        let task = entry.task.take();
        self.free.push(index as u32);
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

/// Why a task gave no output.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JoinError {
    /// [`JoinHandle::abort`] was called, or the executor was dropped, before the task finished.
    #[error("the task was cancelled before it finished")]
    Cancelled,
    /// The task panicked; the panic's message is kept.
    #[error("the task panicked: {0}")]
    Panicked(String),
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

enum JoinSlot<T> {
    /// Still running; the waker of whoever awaits the handle.
    Waiting(Option<Waker>),
    /// Finished; the result until it is taken.
    Done(Option<Result<T, JoinError>>),
}

/// Where a task leaves its result for its [`JoinHandle`].
pub(crate) struct JoinState<T> {
    slot: Mutex<JoinSlot<T>>,
}

impl<T> JoinState<T> {
    pub(crate) fn new() -> Arc<JoinState<T>> {
        Arc::new(JoinState {
            slot: Mutex::new(JoinSlot::Waiting(None)),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, JoinSlot<T>> {
        // A panic never happens while the lock is held, but a poisoned lock is still consistent.
        self.slot.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records the first result (later ones are ignored) and wakes whoever awaits it.
    fn complete(&self, result: Result<T, JoinError>) {
        let waiter = {
            let mut slot = self.lock();
            match std::mem::replace(&mut *slot, JoinSlot::Done(Some(result))) {
                JoinSlot::Waiting(waiter) => waiter,
                done => {
                    *slot = done; // the first result stands
                    return;
                }
            }
        };
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    }
}

/// Completes the join state with [`JoinError::Cancelled`] if the task is dropped unfinished.
struct JoinSender<T>(Arc<JoinState<T>>);

impl<T> Drop for JoinSender<T> {
    fn drop(&mut self) {
        self.0.complete(Err(JoinError::Cancelled));
    }
}

/// The text of a panic payload: its `&str` or `String`, or a placeholder.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic with a non-string payload".to_owned()
    }
}

/// An owned permission to await a task's output, or to abort it.
///
/// Awaiting it yields `Ok(output)`, or a [`JoinError`] if the task panicked or was cancelled.
/// Dropping it **detaches** the task: it runs on, and its output is dropped when it finishes.
///
/// ```
/// use guestloop::{JoinError, testing::TestHost};
///
/// let mut host = TestHost::default();
/// let task = host.spawn_local(async {
///     guestloop::sleep(std::time::Duration::from_secs(3600)).await;
///     "never"
/// });
/// task.abort();
/// assert_eq!(host.block_on(task), Err(JoinError::Cancelled));
/// ```
pub struct JoinHandle<T> {
    join: Arc<JoinState<T>>,
    header: Arc<Header>,
}

impl<T> JoinHandle<T> {
    pub(crate) fn new(join: Arc<JoinState<T>>, header: Arc<Header>) -> JoinHandle<T> {
        JoinHandle { join, header }
    }

    /// Cancels the task.
    ///
    /// On the executor's thread the future is dropped before `abort` returns, so its destructors
    /// have run; if the task aborts itself, that happens as soon as its current poll returns.
    /// From another thread the future is dropped at the executor's next run. A task that already
    /// finished keeps its result. Awaiting an aborted task yields [`JoinError::Cancelled`].
    pub fn abort(&self) {
        self.header.aborted.store(true, Ordering::Release);
        local::abort(&self.header);
    }

    /// Whether the task has finished: it returned, panicked, or was cancelled.
    pub fn is_finished(&self) -> bool {
        matches!(*self.join.lock(), JoinSlot::Done(_))
    }

    /// Takes the result if the task has finished, without waiting.
    ///
    /// # Panics
    /// If the result was already taken (by an earlier call or by awaiting the handle).
    pub fn try_take(&mut self) -> Option<Result<T, JoinError>> {
        match &mut *self.join.lock() {
            JoinSlot::Waiting(_) => None,
            JoinSlot::Done(result) => Some(
                result
                    .take()
                    .expect("a JoinHandle's result was taken twice"),
            ),
        }
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut *self.join.lock() {
            JoinSlot::Done(result) => Poll::Ready(
                result
                    .take()
                    .expect("a JoinHandle was polled after it completed"),
            ),
            JoinSlot::Waiting(Some(waiter)) if waiter.will_wake(cx.waker()) => Poll::Pending,
            JoinSlot::Waiting(waiter) => {
                *waiter = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.header.id())
            .field("finished", &self.is_finished())
            .finish()
    }
}
