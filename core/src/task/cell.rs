//! The task cell: **one allocation per task** holding its header (what its wakers touch), its join
//! state (what its [`JoinHandle`](crate::JoinHandle) reads) and its future, freed when the last
//! reference to it goes.
//!
//! Owns the crate's only `unsafe` code: the cell's layout, its reference count, the wakers' vtable,
//! and the type-erased calls through which the executor polls and drops a future whose type it no
//! longer knows. Around it everything is safe: [`Task`] (the executor's reference, the only one
//! that reaches the future), [`JoinRef`] (the join handle's), and the wakers. It knows nothing of
//! the task table.
//!
//! # Why `unsafe`
//! A future that is not `Send` cannot sit in an `Arc` that a `Send` waker points at, so in safe
//! code a task is three allocations (the waker's header, the join state, the boxed future):
//! 196.5 bytes a sleeping task. One allocation saves the two others and their reference counts:
//! 138 bytes (BENCHMARKS.md, "One allocation per task").
//!
//! # What keeps it sound
//! - The future is reached only through the [`Task`], which is never cloned: the executor polls
//!   and drops it on its own thread. A `Task` crosses threads only as a [`RemoteTask`], which
//!   only a `Send` future makes.
//! - Other threads reach only the [`Header`] (atomics and an `Arc<Shared>`) and, through a
//!   [`JoinRef`], the join state (behind a mutex). A handle reaches the join state by a cast of
//!   the cell's pointer: both structs are `repr(C)`, so the header and the join state sit at the
//!   same offsets whatever the future's type.
//! - The output is never in the cell when the last reference goes, which may happen on any
//!   thread: the handle takes it or drops it on its own thread, and the output of a detached task
//!   is dropped by the executor on its thread, when it drops the task.
//! - The cell is freed by whichever of the task, the handle and the wakers lets go last.

#![allow(unsafe_code)]

use super::join::{HandleGone, JoinError, JoinState};
use super::{Outcome, TaskId, drop_panic_payload, panic_message, take_panic_message};
use crate::local;
use crate::shared::{RemoteWakeFlag, Shared};
use crate::sync::{AtomicUsize, fence};
use std::cell::{Cell, UnsafeCell};
use std::future::Future;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::ptr::NonNull;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

/// The part of a task every reference may touch, from any thread. First in every cell.
pub(crate) struct Header {
    /// References: the [`Task`], the [`JoinRef`] and every waker.
    refs: AtomicUsize,
    /// The task's [`TaskId`], or `UNASSIGNED` while a remote spawn waits to be adopted.
    id: AtomicU64,
    /// Claimed while the task's id waits in the shared inbox, and forever once the task is gone.
    pub(crate) remote_wake: RemoteWakeFlag,
    aborted: AtomicBool,
    handle_gone: HandleGone,
    pub(crate) shared: Arc<Shared>,
    vtable: &'static TaskVTable,
}

/// The executor's record of the task being polled (see [`Polled`]).
type Polling = Cell<Option<Polled>>;

// Wakers on any thread share the header: it must stay `Send + Sync` whatever is added to it.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Header>();
};

/// What only the future's type knows how to do.
struct TaskVTable {
    /// Polls the future; see [`Task::poll`].
    poll: unsafe fn(NonNull<Header>, TaskId, &Polling) -> Poll<Outcome>,
    /// Drops the future in place and then a detached task's output; see [`Task`]'s `Drop`.
    drop_future: unsafe fn(NonNull<Header>),
    /// Frees the cell (whose future is gone).
    dealloc: unsafe fn(NonNull<Header>),
}

/// The part of a cell that the join handle, which knows the output's type, reaches.
#[repr(C)]
struct Joinable<T> {
    header: Header,
    join: JoinState<T>,
}

/// A task's allocation.
#[repr(C)]
struct TaskCell<F: Future> {
    joinable: Joinable<F::Output>,
    /// Pinned here until dropped in place; dropped by [`Task`], never by the cell.
    future: UnsafeCell<ManuallyDrop<F>>,
}

impl<F: Future> TaskCell<F> {
    const VTABLE: TaskVTable = TaskVTable {
        poll: poll::<F>,
        drop_future: drop_future::<F>,
        dealloc: dealloc::<F>,
    };
}

impl Header {
    const UNASSIGNED: u64 = u64::MAX;

    pub(crate) fn assign(&self, id: TaskId) {
        self.id.store(id.to_bits(), Ordering::Release);
    }

    pub(crate) fn id(&self) -> Option<TaskId> {
        let id = self.id.load(Ordering::Acquire);
        (id != Header::UNASSIGNED).then(|| TaskId::from_bits(id))
    }

    pub(crate) fn abort(&self) {
        self.aborted.store(true, Ordering::Release);
    }

    pub(crate) fn is_aborted(&self) -> bool {
        self.aborted.load(Ordering::Acquire)
    }

    /// Called once the task is gone: later wakes do nothing.
    pub(crate) fn retire(&self) {
        self.remote_wake.retire();
    }

    /// What a wake does: into the running batch on the executor's thread, else into the shared
    /// inbox (at most once).
    pub(crate) fn schedule(&self) {
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

    fn acquire(&self) {
        // As `Arc` does: a count that could overflow means references are being leaked wholesale.
        if self.refs.fetch_add(1, Ordering::Relaxed) > isize::MAX as usize {
            std::process::abort();
        }
    }
}

/// Gives up one reference to the cell of `header`, freeing it if that was the last.
///
/// # Safety
/// The caller owns a reference to a live cell and uses neither it nor `header` afterwards.
unsafe fn release(header: NonNull<Header>) {
    // SAFETY: the caller's reference keeps the cell alive until the decrement below.
    let vtable = unsafe { header.as_ref() }.vtable;
    // SAFETY: as above.
    if unsafe { header.as_ref() }
        .refs
        .fetch_sub(1, Ordering::Release)
        != 1
    {
        return;
    }
    // Pairs with the other references' releases: their uses of the cell happen before the free.
    fence(Ordering::Acquire);
    // SAFETY: that was the last reference, and the `Task` (which drops the future first) is gone.
    unsafe { (vtable.dealloc)(header) }
}

/// The task being polled, as a timer it arms needs to know it: its id and its waker's identity.
#[derive(Clone, Copy)]
pub(crate) struct Polled {
    pub(crate) id: TaskId,
    header: *const Header,
}

impl Polled {
    /// Whether `waker` is this task's own waker (then waking the task by id is the same thing).
    pub(crate) fn is_waker_of(&self, waker: &Waker) -> bool {
        waker.data() == self.header.cast() && std::ptr::eq(waker.vtable(), &WAKER_VTABLE)
    }
}

/// A task's waker: its data is the cell's header, and each waker holds a reference.
static WAKER_VTABLE: RawWakerVTable =
    RawWakerVTable::new(clone_waker, wake, wake_by_ref, drop_waker);

/// # Safety (of the four functions below)
/// `data` is the header of a live cell, on which the waker holds a reference.
unsafe fn clone_waker(data: *const ()) -> RawWaker {
    // SAFETY: see above.
    unsafe { &*data.cast::<Header>() }.acquire();
    RawWaker::new(data, &WAKER_VTABLE)
}

unsafe fn wake(data: *const ()) {
    // SAFETY: the waker's reference is used, then given up.
    unsafe {
        wake_by_ref(data);
        drop_waker(data);
    }
}

unsafe fn wake_by_ref(data: *const ()) {
    // SAFETY: the waker's reference keeps the header alive.
    unsafe { &*data.cast::<Header>() }.schedule();
}

unsafe fn drop_waker(data: *const ()) {
    // SAFETY: a waker's data is never null; the waker gives up its reference.
    unsafe { release(NonNull::new_unchecked(data.cast_mut().cast())) }
}

/// The executor's reference to a task: the only way to its future, so polling and dropping the
/// future need no lock. Not `Send`: the future may not be.
pub(crate) struct Task {
    cell: NonNull<Header>,
}

/// A task made on another thread by a [`Spawner`](crate::Spawner), on its way to the executor.
pub(crate) struct RemoteTask(Task);

// SAFETY: only `Task::new_remote` makes one, from a `Send` future with a `Send` output: the
// future may move to the executor's thread, and the output back to the handle's.
unsafe impl Send for RemoteTask {}

impl RemoteTask {
    pub(crate) fn header(&self) -> &Header {
        self.0.header()
    }

    /// Arrived on the executor's thread.
    pub(crate) fn into_local(self) -> Task {
        self.0
    }
}

impl Task {
    /// A task for `future` of the executor behind `shared`, and the reference its join handle
    /// keeps.
    pub(crate) fn new<F>(future: F, shared: Arc<Shared>) -> (Task, JoinRef<F::Output>)
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let cell = Box::new(TaskCell {
            joinable: Joinable {
                header: Header {
                    refs: AtomicUsize::new(2), // the task's and the handle's
                    id: AtomicU64::new(Header::UNASSIGNED),
                    remote_wake: RemoteWakeFlag::new(),
                    aborted: AtomicBool::new(false),
                    handle_gone: HandleGone::new(),
                    shared,
                    vtable: &TaskCell::<F>::VTABLE,
                },
                join: JoinState::new(),
            },
            future: UnsafeCell::new(ManuallyDrop::new(future)),
        });
        // `repr(C)`: the header is at the start of the cell.
        let cell = NonNull::from(Box::leak(cell)).cast::<Header>();
        let handle = JoinRef {
            cell,
            output: PhantomData,
        };
        (Task { cell }, handle)
    }

    /// [`Task::new`] for a future that is `Send`, so that it can travel to the executor.
    pub(crate) fn new_remote<F>(future: F, shared: Arc<Shared>) -> (RemoteTask, JoinRef<F::Output>)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (task, handle) = Task::new(future, shared);
        (RemoteTask(task), handle)
    }

    pub(crate) fn header(&self) -> &Header {
        // SAFETY: the task's reference keeps the cell alive.
        unsafe { self.cell.as_ref() }
    }

    /// Polls the future with the task's own waker, telling `polling` which task runs meanwhile.
    /// A panic is caught: it completes the task with [`Outcome::Panicked`]. Once the future is
    /// ready its output waits in the join state; the task is then only dropped.
    pub(crate) fn poll(&mut self, id: TaskId, polling: &Polling) -> Poll<Outcome> {
        // SAFETY: the cell holds the future type the vtable was made for, and `&mut self` is the
        // only way to it.
        unsafe { (self.header().vtable.poll)(self.cell, id, polling) }
    }
}

impl Drop for Task {
    /// Drops the future, then completes the handle with [`JoinError::cancelled`] if it had no
    /// result yet, then gives up the task's reference: also when a destructor panics.
    fn drop(&mut self) {
        struct Release(NonNull<Header>);
        impl Drop for Release {
            fn drop(&mut self) {
                // SAFETY: the task's reference, given up once, as the task goes.
                unsafe { release(self.0) }
            }
        }
        let release = Release(self.cell);
        // SAFETY: the task owns the future; it is dropped here, once.
        unsafe { (self.header().vtable.drop_future)(self.cell) };
        drop(release);
    }
}

/// # Safety
/// `cell` is a live `TaskCell<F>` and the caller owns its [`Task`].
unsafe fn poll<F: Future>(cell: NonNull<Header>, id: TaskId, polling: &Polling) -> Poll<Outcome> {
    // SAFETY: see above.
    let cell = unsafe { cell.cast::<TaskCell<F>>().as_ref() };
    let header: *const Header = &cell.joinable.header;
    // SAFETY: the data is the cell's header, and the waker is never dropped (`ManuallyDrop`), so
    // it needs no reference of its own: the task's keeps the cell alive during the poll, and a
    // clone takes its own.
    let waker = ManuallyDrop::new(unsafe { Waker::new(header.cast(), &WAKER_VTABLE) });
    // SAFETY: only the task reaches the future, and the future never moves: it lives in the
    // cell until `drop_future` drops it in place.
    let future = unsafe { Pin::new_unchecked(&mut **cell.future.get()) };
    polling.set(Some(Polled { id, header }));
    let mut cx = Context::from_waker(&waker);
    let poll = catch_unwind(AssertUnwindSafe(|| future.poll(&mut cx)));
    polling.set(None);
    let mut panics = Vec::new();
    let result = match poll {
        Ok(Poll::Pending) => return Poll::Pending,
        Ok(Poll::Ready(output)) => Ok(output),
        Err(payload) => {
            panics.push(panic_message(&*payload));
            Err(JoinError::from_panic(payload))
        }
    };
    if let Some(joiner) = cell.joinable.join.complete(result) {
        // Whoever awaits the handle may have given it a waker of its own, which may panic.
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| joiner.wake())) {
            let message = take_panic_message(payload);
            panics.push(format!("a waker panicked: {message}"));
        }
    }
    if panics.is_empty() {
        Poll::Ready(Outcome::Finished)
    } else {
        Poll::Ready(Outcome::Panicked(panics.into_boxed_slice()))
    }
}

/// # Safety
/// `cell` is a live `TaskCell<F>`, the caller owns its [`Task`], and it calls this once.
unsafe fn drop_future<F: Future>(cell: NonNull<Header>) {
    // SAFETY: see above.
    let cell = unsafe { cell.cast::<TaskCell<F>>().as_ref() };
    /// Runs after the future's destructor, also when it panics (as a struct's drop glue drops
    /// its other fields).
    struct Finish<'a, T>(&'a Joinable<T>);
    impl<T> Drop for Finish<'_, T> {
        fn drop(&mut self) {
            let Joinable { header, join } = self.0;
            let joiner = join.complete(Err(JoinError::cancelled())); // unless it has a result
            drop(join.take_orphan(&header.handle_gone));
            if let Some(joiner) = joiner {
                // A foreign waker may panic. Out of a destructor that is not unwinding, the
                // panic reaches the executor, which reports it; while the future's own
                // destructor unwinds (that panic is reported), a second one would abort.
                if let Err(payload) = catch_unwind(AssertUnwindSafe(|| joiner.wake())) {
                    if std::thread::panicking() {
                        drop_panic_payload(payload);
                    } else {
                        std::panic::resume_unwind(payload);
                    }
                }
            }
        }
    }
    let _finish = Finish(&cell.joinable);
    // SAFETY: only the task reaches the future, and this is its one drop, in place (it is
    // pinned).
    unsafe { ManuallyDrop::drop(&mut *cell.future.get()) }
}

/// # Safety
/// `cell` is a `TaskCell<F>` allocated by [`Task::new`], no reference to it is left, and its
/// future was dropped.
unsafe fn dealloc<F: Future>(cell: NonNull<Header>) {
    // SAFETY: see above. Dropping the box drops the header and the join state, which are `Send`
    // and hold no output (see the module's doc); the future is `ManuallyDrop`: no code of `F`
    // runs, whatever the thread.
    drop(unsafe { Box::from_raw(cell.cast::<TaskCell<F>>().as_ptr()) });
}

/// The join handle's reference to a task: its header and its join state.
pub(crate) struct JoinRef<T> {
    cell: NonNull<Header>,
    output: PhantomData<T>,
}

// SAFETY: a `JoinRef` reaches the header (`Sync`) and the join state, a mutex around the output:
// moving or sharing it moves the output between threads, which `T: Send` allows.
unsafe impl<T: Send> Send for JoinRef<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for JoinRef<T> {}

impl<T> JoinRef<T> {
    pub(crate) fn header(&self) -> &Header {
        // SAFETY: the handle's reference keeps the cell alive.
        unsafe { self.cell.as_ref() }
    }

    pub(crate) fn join(&self) -> &JoinState<T> {
        &self.joinable().join
    }

    fn joinable(&self) -> &Joinable<T> {
        // SAFETY: the cell is alive (as above) and is a `TaskCell<F>` with `F::Output = T`,
        // whose `repr(C)` prefix is a `Joinable<T>`.
        unsafe { self.cell.cast::<Joinable<T>>().as_ref() }
    }
}

impl<T> Drop for JoinRef<T> {
    fn drop(&mut self) {
        // From now on the executor drops the output; one already here is dropped on this thread,
        // after the reference is given up (should its destructor panic, nothing leaks).
        let Joinable { header, join } = self.joinable();
        let left = join.detach(&header.handle_gone);
        // SAFETY: the handle's reference, given up once, as the handle goes.
        unsafe { release(self.cell) };
        drop(left);
    }
}

/// One test (at least) for every `unsafe` block above; `.ci/run` runs them under valgrind's
/// memcheck too, which would see a use after free, a double free or a leak that these miss.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::JoinHandle;
    use std::marker::PhantomPinned;
    use std::sync::Mutex;
    use std::thread::{self, ThreadId};

    fn shared() -> Arc<Shared> {
        Arc::new(Shared::new(Arc::new(|| {})))
    }

    /// How many cells are alive: each holds one count of the executor's shared part.
    fn live_cells(shared: &Arc<Shared>) -> usize {
        Arc::strong_count(shared) - 1
    }

    /// Pending forever; leaves a clone of its waker in `out` at every poll.
    fn waker_leaker(out: Arc<Mutex<Option<Waker>>>) -> impl Future<Output = ()> + Send {
        std::future::poll_fn(move |cx| {
            *out.lock().unwrap() = Some(cx.waker().clone());
            Poll::Pending
        })
    }

    /// Pending at its first poll, leaving its waker in `out`; then ready with what `make` makes.
    pub(super) fn pending_once_then<T>(
        out: Arc<Mutex<Option<Waker>>>,
        mut make: impl FnMut() -> T,
    ) -> impl Future<Output = T> {
        let mut first = true;
        std::future::poll_fn(move |cx| {
            if std::mem::take(&mut first) {
                *out.lock().unwrap() = Some(cx.waker().clone());
                return Poll::Pending;
            }
            Poll::Ready(make())
        })
    }

    fn poll_once(task: &mut Task, index: u32) -> Poll<Outcome> {
        task.poll(TaskId::for_tests(index), &Cell::new(None))
    }

    #[test]
    fn the_cell_is_freed_by_whichever_reference_goes_last_on_whatever_thread() {
        // 0: the task, 1: the handle, 2: a waker (dropped on another thread).
        for order in [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ] {
            let shared = shared();
            let slot = Arc::new(Mutex::new(None));
            let (mut task, handle) = Task::new(waker_leaker(slot.clone()), shared.clone());
            assert!(poll_once(&mut task, 1).is_pending());
            let waker = slot
                .lock()
                .unwrap()
                .take()
                .expect("the poll left its waker");
            let (mut task, mut handle, mut waker) = (Some(task), Some(handle), Some(waker));
            for (step, which) in order.into_iter().enumerate() {
                assert_eq!(
                    live_cells(&shared),
                    1,
                    "alive before step {step} of {order:?}"
                );
                match which {
                    0 => drop(task.take()),
                    1 => drop(handle.take()),
                    _ => {
                        let waker = waker.take().unwrap();
                        thread::spawn(move || drop(waker)).join().unwrap();
                    }
                }
            }
            assert_eq!(live_cells(&shared), 0, "freed after {order:?}");
        }
    }

    #[test]
    fn a_waker_clones_wakes_and_is_dropped_through_the_cell_and_queues_its_task_once() {
        let shared = shared();
        let slot = Arc::new(Mutex::new(None));
        let (mut task, handle) = Task::new(waker_leaker(slot.clone()), shared.clone());
        let id = TaskId::for_tests(3);
        task.header().assign(id);
        let polling = Cell::new(None);
        assert!(task.poll(id, &polling).is_pending());
        let waker = slot.lock().unwrap().take().unwrap();
        let clone = waker.clone();
        assert!(clone.will_wake(&waker), "a clone is the same waker");
        let header: *const Header = task.header();
        let polled = Polled { id, header };
        assert!(polled.is_waker_of(&clone));

        let (other, _other_handle) = Task::new(waker_leaker(slot.clone()), shared.clone());
        let other_polled = Polled {
            id: TaskId::for_tests(4),
            header: other.header(),
        };
        assert!(!other_polled.is_waker_of(&waker), "another task's waker");

        waker.wake_by_ref();
        thread::spawn(move || clone.wake()).join().unwrap(); // by value, on another thread
        let mut woken = Vec::new();
        shared.take_ready(usize::MAX, |id| woken.push(id));
        assert_eq!(woken, [id], "queued once until the executor takes it");
        task.header().remote_wake.release();
        waker.wake();
        shared.take_ready(usize::MAX, |id| woken.push(id));
        assert_eq!(woken, [id, id], "queued again once taken");

        drop((task, other, handle, _other_handle));
        assert_eq!(live_cells(&shared), 0);
    }

    /// Not `Unpin`; records where it was polled and where it was dropped.
    #[repr(align(64))]
    struct Pinned {
        polled_at: Arc<Mutex<Vec<usize>>>,
        _pin: PhantomPinned,
    }

    impl Future for Pinned {
        type Output = Aligned;
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Aligned> {
            let mut at = self.polled_at.lock().unwrap();
            at.push(&*self as *const Pinned as usize);
            if at.len() < 2 {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            Poll::Ready(Aligned([7; 32]))
        }
    }

    impl Drop for Pinned {
        fn drop(&mut self) {
            let address = self as *const Pinned as usize;
            self.polled_at.lock().unwrap().push(address);
        }
    }

    /// An output whose alignment is not the header's: its place in the cell comes from the
    /// `repr(C)` prefix, which the handle's cast relies on.
    #[derive(Debug, PartialEq)]
    #[repr(align(32))]
    struct Aligned([u8; 32]);

    #[test]
    fn a_pinned_future_is_polled_and_dropped_in_place_and_its_output_reaches_the_handle() {
        let shared = shared();
        let polled_at = Arc::new(Mutex::new(Vec::new()));
        let future = Pinned {
            polled_at: polled_at.clone(),
            _pin: PhantomPinned,
        };
        let (mut task, handle) = Task::new(future, shared.clone());
        let mut handle = JoinHandle::new(handle);
        assert!(poll_once(&mut task, 0).is_pending());
        assert!(matches!(
            poll_once(&mut task, 0),
            Poll::Ready(Outcome::Finished)
        ));
        drop(task);
        let at = polled_at.lock().unwrap().clone();
        assert_eq!(at.len(), 3, "two polls and one drop: {at:?}");
        assert!(at.iter().all(|&a| a == at[0]), "never moved: {at:?}");
        assert_eq!(at[0] % 64, 0, "aligned as the future asks");
        assert!(matches!(handle.try_take(), Some(Ok(Aligned(bytes))) if bytes == [7; 32]));
        drop(handle);
        assert_eq!(live_cells(&shared), 0);
    }

    /// Panics in its destructor.
    struct PanicsOnDrop;
    impl Drop for PanicsOnDrop {
        fn drop(&mut self) {
            panic!("drop boom");
        }
    }

    #[test]
    fn a_panic_in_poll_or_in_the_futures_destructor_still_ends_the_handle_and_frees_the_cell() {
        let shared = shared();
        let (mut task, handle) = Task::new(
            async {
                let _guard = PanicsOnDrop;
                std::future::pending::<()>().await;
            },
            shared.clone(),
        );
        let mut handle = JoinHandle::new(handle);
        assert!(poll_once(&mut task, 0).is_pending());
        let dropped = catch_unwind(AssertUnwindSafe(move || drop(task)));
        assert!(dropped.is_err(), "the destructor's panic comes out");
        assert!(matches!(handle.try_take(), Some(Err(error)) if error.is_cancelled()));
        drop(handle);
        assert_eq!(live_cells(&shared), 0, "freed despite the panic");

        let (mut task, handle) = Task::new(async { panic!("poll boom") }, shared.clone());
        let mut handle = JoinHandle::new(handle);
        match poll_once(&mut task, 0) {
            Poll::Ready(Outcome::Panicked(messages)) => assert_eq!(&*messages, ["poll boom"]),
            _ => panic!("the panic is the task's outcome"),
        }
        drop(task);
        let payload = handle.try_take().unwrap().unwrap_err().into_panic();
        assert_eq!(
            payload.downcast_ref(),
            Some(&"poll boom"),
            "the payload itself"
        );
        drop(handle);
        assert_eq!(live_cells(&shared), 0);
    }

    /// Records the thread it is dropped on.
    struct Output(Arc<Mutex<Vec<ThreadId>>>);
    impl Drop for Output {
        fn drop(&mut self) {
            self.0.lock().unwrap().push(thread::current().id());
        }
    }

    #[test]
    fn an_output_is_dropped_by_the_task_if_its_handle_went_first_else_by_the_handle() {
        let shared = shared();
        let drops = Arc::new(Mutex::new(Vec::new()));
        let here = thread::current().id();

        // Detached before it finished: the executor's thread drops the output, with the task,
        // although a waker on another thread outlives both.
        let (made, slot) = (drops.clone(), Arc::new(Mutex::new(None)));
        let future = pending_once_then(slot.clone(), move || Output(made.clone()));
        let (mut task, handle) = Task::new(future, shared.clone());
        drop(handle);
        assert!(poll_once(&mut task, 0).is_pending());
        let waker = slot.lock().unwrap().take().unwrap();
        assert!(poll_once(&mut task, 0).is_ready());
        assert!(drops.lock().unwrap().is_empty(), "kept until the task goes");
        drop(task);
        assert_eq!(*drops.lock().unwrap(), [here]);
        thread::spawn(move || drop(waker)).join().unwrap();
        assert_eq!(live_cells(&shared), 0);

        // Finished first, then the handle goes on another thread: that thread drops it.
        let made = drops.clone();
        let (task, handle) = Task::new_remote(async move { Output(made) }, shared.clone());
        let mut task = task.into_local();
        assert!(poll_once(&mut task, 0).is_ready());
        drop(task);
        let there = thread::spawn(move || {
            drop(JoinHandle::new(handle));
            thread::current().id()
        })
        .join()
        .unwrap();
        assert_eq!(*drops.lock().unwrap(), [here, there]);
        assert_eq!(live_cells(&shared), 0);
    }

    #[test]
    fn a_remote_task_made_on_another_thread_runs_here() {
        let shared = shared();
        let made = shared.clone();
        let (task, handle) = thread::spawn(move || Task::new_remote(async { 6 * 7 }, made))
            .join()
            .unwrap();
        assert!(task.header().id().is_none(), "not adopted yet");
        let mut task = task.into_local();
        assert!(poll_once(&mut task, 0).is_ready());
        drop(task);
        assert!(matches!(JoinHandle::new(handle).try_take(), Some(Ok(42))));
        assert_eq!(live_cells(&shared), 0);
    }
}

/// Every interleaving of the task's three kinds of reference going on three threads
/// (`--cfg guestloop_loom`; see `.ci/run`): the handle detaching, a waker waking and letting go,
/// the executor completing and dropping the task. The output is dropped once, never by the
/// waker's thread (it may not be `Send`-safe to drop there), and the cell is freed.
#[cfg(all(test, guestloop_loom))]
mod loom_tests {
    use super::*;
    use crate::task::JoinHandle;
    use std::sync::Mutex;

    loom::thread_local! {
        /// Which of the model's threads this is.
        static ROLE: Cell<&'static str> = Cell::new("executor");
    }

    /// Records which thread dropped it.
    struct Output(Arc<Mutex<Vec<&'static str>>>);
    impl Drop for Output {
        fn drop(&mut self) {
            self.0.lock().unwrap().push(ROLE.with(Cell::get));
        }
    }

    #[test]
    fn loom_an_output_is_dropped_once_by_the_handle_or_the_executor_never_by_a_waker() {
        loom::model(|| {
            let shared = Arc::new(Shared::new(Arc::new(|| {})));
            let (drops, slot) = (Arc::new(Mutex::new(Vec::new())), Arc::new(Mutex::new(None)));
            let made = drops.clone();
            let future =
                super::tests::pending_once_then(slot.clone(), move || Output(made.clone()));
            let (mut task, handle) = Task::new(future, shared.clone());
            task.header().assign(TaskId::for_tests(1));
            let polling = Cell::new(None);
            assert!(task.poll(TaskId::for_tests(1), &polling).is_pending());
            let waker = slot
                .lock()
                .unwrap()
                .take()
                .expect("the first poll left its waker");
            let handle = JoinHandle::new(handle);
            let waking = loom::thread::spawn(move || {
                ROLE.with(|role| role.set("waker"));
                waker.wake();
            });
            let detaching = loom::thread::spawn(move || {
                ROLE.with(|role| role.set("handle"));
                drop(handle);
            });
            assert!(task.poll(TaskId::for_tests(1), &polling).is_ready());
            drop(task);
            waking.join().unwrap();
            detaching.join().unwrap();
            let drops = drops.lock().unwrap().clone();
            assert_eq!(drops.len(), 1, "dropped once: {drops:?}");
            assert_ne!(drops[0], "waker", "dropped by the waker's thread");
            assert_eq!(Arc::strong_count(&shared), 1, "the cell is freed");
        });
    }
}
