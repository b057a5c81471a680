//! [`TaskScope`]: tasks that belong to a QObject, as Kotlin's `lifecycleScope` belongs to an
//! Android component. Dropped with its object, the scope aborts every task it holds; an aborted
//! task's queued writes are dropped, and its [`CancelToken`] tells its workers to stop.
//!
//! Owns the scope and [`QObjectTasks`], the one-line spawns of an invokable. The token is
//! `guestloop`'s: the same type core's own workers check.

use crate::object::{ObjectRef, QObjectHandle};
use cxx_qt::{CxxQtThread, Threading};
use guestloop::{CancelToken, JoinHandle};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// The tasks of one QObject. Keep it in the object's Rust struct (it is `Default`), spawn on it
/// through [`QObjectTasks`], and the object's lifetime bounds its tasks':
///
/// - **Dropped with its object** (or [`cancel_all`](Self::cancel_all)), it aborts every task it
///   holds, at once, on the Qt thread.
/// - **An aborted task's writes are dropped.** Each task gets its own [`QObjectHandle`]; a change
///   it queued with [`QObjectHandle::update`] that has not run when the task is aborted never
///   runs, so a replaced search cannot overwrite a newer one's result.
/// - **Its workers are told.** The handle's [`CancelToken`] is set at the same moment.
/// - **Latest wins** with a key: [`spawn_latest`](QObjectTasks::spawn_latest) aborts the task
///   of the same key first; [`spawn_if_idle`](QObjectTasks::spawn_if_idle) spawns only if none
///   is running.
///
/// A task that ends by itself (returns or panics) keeps the writes it queued. A panic goes to
/// the executor's panic hook (set one with [`install_with`](crate::install_with) and
/// [`guestloop::Builder::on_task_panic`]); the other tasks go on.
///
/// Spawning needs an installed guest ([`install`](crate::install)) and panics without one.
#[derive(Default)]
pub struct TaskScope {
    tasks: Vec<ScopedTask>,
}

struct ScopedTask {
    key: Option<&'static str>,
    handle: JoinHandle<()>,
    cancel: CancelToken,
}

impl ScopedTask {
    fn abort(&self) {
        self.cancel.cancel(); // first: a queued write that runs from now on is dropped
        self.handle.abort();
    }
}

/// The scope owns its tasks: one it lets go of unfinished is aborted, not detached. (Its token
/// is left alone: a finished task's queued writes still land.)
impl Drop for ScopedTask {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

impl TaskScope {
    /// An empty scope.
    pub fn new() -> TaskScope {
        TaskScope::default()
    }

    /// Spawns `task(object)` in this scope, where `object` is a scoped handle to the QObject
    /// behind `thread`. Prefer [`QObjectTasks::spawn_task`], which finds `thread` itself, and
    /// whose handle also reaches the object directly ([`QObjectHandle::with_now`]); this one's
    /// only queues.
    ///
    /// # Panics
    /// If no guest is installed on this thread.
    pub fn spawn<T, F, Fut>(&mut self, thread: CxxQtThread<T>, task: F)
    where
        T: Threading,
        F: FnOnce(QObjectHandle<T>) -> Fut,
        Fut: Future<Output = ()> + 'static,
    {
        self.spawn_keyed(None, thread, None, task);
    }

    fn spawn_keyed<T, F, Fut>(
        &mut self,
        key: Option<&'static str>,
        thread: CxxQtThread<T>,
        object: Option<ObjectRef<T>>,
        task: F,
    ) where
        T: Threading,
        F: FnOnce(QObjectHandle<T>) -> Fut,
        Fut: Future<Output = ()> + 'static,
    {
        let executor = crate::handle();
        self.tasks.retain(|task| !task.handle.is_finished());
        let cancel = CancelToken::default();
        let future = task(QObjectHandle::scoped(thread, cancel.clone(), object));
        // Made here, not in the task: a task dropped before its first poll sets it too.
        let unfinished = cancel.clone().cancel_on_drop();
        let handle = executor.spawn_local(async move {
            let unfinished = unfinished;
            future.await;
            // Done by itself: its queued writes stand, and its workers are done (it awaited
            // them) or were detached on purpose.
            unfinished.disarm();
        });
        self.tasks.push(ScopedTask {
            key,
            handle,
            cancel,
        });
    }

    /// Aborts the running tasks spawned with `key`; returns how many there were.
    pub fn cancel(&mut self, key: &str) -> usize {
        let before = self.tasks.len();
        self.tasks.retain(|task| {
            let matches = task.key == Some(key) && !task.handle.is_finished();
            if matches {
                task.abort();
            }
            !matches
        });
        before - self.tasks.len()
    }

    /// Aborts every task of the scope, as dropping it does; the scope stays usable.
    pub fn cancel_all(&mut self) {
        for task in self.tasks.drain(..) {
            task.abort();
        }
    }

    /// Closes the scope gracefully, as a window that is asked to close while its tasks run
    /// should (qasync's `asyncClose`): sets every task's [`CancelToken`] at once, so that their
    /// workers stop and the tasks that wait for them end by themselves, waits up to `grace` on
    /// the guest clock for them to end, then aborts those still running. The future resolves
    /// to how many had to be aborted; the scope is empty from this call on and stays usable.
    /// Dropping the future unfinished aborts the tasks it was waiting for.
    ///
    /// The future does not borrow the scope: await it in a task of its own (not one of this
    /// scope's), then close the window or quit. While it waits, the tokens are set, so the
    /// tasks' writes to the object are already dropped: a task's clean-up is its own state,
    /// its workers and its resources, not the window.
    ///
    /// ```rust,ignore
    /// // QML: onClosing: (close) => { close.accepted = false; lookup.quit_gracefully() }
    /// fn quit_gracefully(self: Pin<&mut Self>) {
    ///     let closing = self.task_scope().close(Duration::from_millis(500));
    ///     drop(guestloop_qt::handle().spawn_local(async move {
    ///         closing.await;
    ///         guestloop_qt::exit_event_loop(0);
    ///     }));
    /// }
    /// ```
    pub fn close(&mut self, grace: Duration) -> impl Future<Output = usize> + 'static {
        // Dropped with the future, finished or not: what is left then is aborted.
        let mut closing: Vec<ScopedTask> = self.tasks.drain(..).collect();
        for task in &closing {
            task.cancel.cancel();
        }
        async move {
            let deadline = guestloop::now().saturating_add(grace);
            let mut aborted = 0;
            for task in &mut closing {
                let left = deadline.saturating_duration_since(guestloop::now());
                if guestloop::timeout(left, &mut task.handle).await.is_err() {
                    task.handle.abort();
                    aborted += 1;
                }
            }
            aborted
        }
    }

    /// Whether a task spawned with `key` is still running.
    pub fn is_running(&self, key: &str) -> bool {
        self.tasks
            .iter()
            .any(|task| task.key == Some(key) && !task.handle.is_finished())
    }

    /// How many of the scope's tasks are still running.
    pub fn running(&self) -> usize {
        self.tasks
            .iter()
            .filter(|task| !task.handle.is_finished())
            .count()
    }
}

impl Drop for TaskScope {
    fn drop(&mut self) {
        self.cancel_all();
    }
}

impl fmt::Debug for TaskScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskScope")
            .field("running", &self.running())
            .finish()
    }
}

/// One-line spawns from a QObject's invokables, on the [`TaskScope`] it keeps. Implement
/// [`task_scope`](Self::task_scope) once per QObject type; the rest comes with the trait. Each
/// spawn returns at once: the task first runs after the invokable has returned.
///
/// ```rust,ignore
/// use cxx_qt::CxxQtType; // rust_mut
/// use guestloop_qt::QObjectTasks; // the spawns are this trait's methods
///
/// #[derive(Default)]
/// pub struct SearchRust {
///     results: QString,
///     tasks: guestloop_qt::TaskScope,
/// }
///
/// impl guestloop_qt::QObjectTasks for qobject::Search {
///     fn task_scope(self: Pin<&mut Self>) -> &mut guestloop_qt::TaskScope {
///         &mut self.rust_mut().get_mut().tasks
///     }
/// }
///
/// impl qobject::Search {
///     fn search(self: Pin<&mut Self>, query: QString) {
///         let query = query.to_string();
///         // A newer keystroke aborts this search, and drops the results it queued.
///         self.spawn_latest("search", |search| async move {
///             let found = guestloop::unblock(move || look_up(&query)).await.unwrap_or_default();
///             let _ = search.update(move |search| search.set_results(QString::from(&found)));
///         });
///     }
/// }
/// ```
///
/// (`get_mut` needs the Rust struct to be `Unpin`, as one of `QString`s, numbers and a
/// `TaskScope` is.)
pub trait QObjectTasks: Threading + Sized {
    /// The scope this object keeps its tasks in: a field of its Rust struct.
    fn task_scope(self: Pin<&mut Self>) -> &mut TaskScope;

    /// Spawns `task(object)` on this object's scope; `object` is its scoped write-back handle.
    ///
    /// # Panics
    /// If no guest is installed on this thread.
    fn spawn_task<F, Fut>(mut self: Pin<&mut Self>, task: F)
    where
        F: FnOnce(QObjectHandle<Self>) -> Fut,
        Fut: Future<Output = ()> + 'static,
    {
        let thread = self.qt_thread();
        let object = ObjectRef::of(self.as_mut());
        self.task_scope()
            .spawn_keyed(None, thread, Some(object), task);
    }

    /// Aborts the running task spawned with `key` (its queued writes dropped, its token set),
    /// then spawns `task` under that key: the latest call wins.
    ///
    /// # Panics
    /// If no guest is installed on this thread.
    fn spawn_latest<F, Fut>(mut self: Pin<&mut Self>, key: &'static str, task: F)
    where
        F: FnOnce(QObjectHandle<Self>) -> Fut,
        Fut: Future<Output = ()> + 'static,
    {
        let thread = self.qt_thread();
        let object = ObjectRef::of(self.as_mut());
        let scope = self.task_scope();
        scope.cancel(key);
        scope.spawn_keyed(Some(key), thread, Some(object), task);
    }

    /// Spawns `task` under `key` unless a task of that key is running; returns whether it
    /// spawned (a button that ignores clicks while its work runs).
    ///
    /// # Panics
    /// If no guest is installed on this thread.
    fn spawn_if_idle<F, Fut>(mut self: Pin<&mut Self>, key: &'static str, task: F) -> bool
    where
        F: FnOnce(QObjectHandle<Self>) -> Fut,
        Fut: Future<Output = ()> + 'static,
    {
        let thread = self.qt_thread();
        let object = ObjectRef::of(self.as_mut());
        let scope = self.task_scope();
        if scope.is_running(key) {
            return false;
        }
        scope.spawn_keyed(Some(key), thread, Some(object), task);
        true
    }
}
