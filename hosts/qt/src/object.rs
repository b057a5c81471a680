//! [`QObjectHandle`]: write back to a Rust-defined QObject from a guest task, safely, also after
//! the object may have been destroyed.
//!
//! Owns the two ways to the object. From any thread, the pattern cxx-qt's maintainers advise:
//! queue the change on the object's `CxxQtThread`, and treat a failed queue as "the object is
//! gone"; for a handle of a [`TaskScope`](crate::TaskScope)'s task, the changes queued before it
//! was cancelled are dropped. From a guest task on the Qt thread, [`QObjectHandle::with_now`]:
//! the object itself, at once, after checking it exists and nothing up the stack holds it.

use cxx_qt::{CxxQtThread, Threading};
use guestloop::CancelToken;
use std::cell::RefCell;
use std::fmt;
use std::pin::Pin;
use std::ptr::NonNull;
use std::thread::{self, ThreadId};

/// The QObject a [`QObjectHandle`] points at was destroyed, or the scoped task the handle
/// belongs to was cancelled; the change was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the QObject was destroyed, or its task cancelled")]
pub struct ObjectGone;

/// A `Send + Clone` handle to a QObject defined in Rust (`impl cxx_qt::Threading for T {}`),
/// for guest tasks (or any thread) to change it.
///
/// Changes run on the Qt thread, from its event loop, in the order they were made; once the
/// object is destroyed they are dropped and say so ([`ObjectGone`]), never touching freed memory.
/// A [`TaskScope`](crate::TaskScope)'s tasks get one each (and it also drops every change not
/// yet run when its task is cancelled: see [`cancel_token`](Self::cancel_token)). For code
/// outside a scope, make one from the object's Rust code (`qt_thread` needs
/// `use cxx_qt::Threading;`):
///
/// ```rust,ignore
/// let label = guestloop_qt::QObjectHandle::new(self.qt_thread());
/// drop(guestloop_qt::handle().spawn_local(async move {
///     let answer = guestloop_qt::guestloop::unblock(slow_lookup).await.unwrap_or_default();
///     // The window may have closed meanwhile: then this does nothing.
///     let _ = label.update(move |object| object.set_text(QString::from(&answer)));
/// }));
/// ```
pub struct QObjectHandle<T: Threading> {
    thread: CxxQtThread<T>,
    cancel: CancelToken,
    /// Where the object is, for [`with_now`](Self::with_now); `None` for a handle made from
    /// its thread alone.
    object: Option<ObjectRef<T>>,
}

/// Why [`QObjectHandle::with_now`] did not reach the object. Nothing ran in either case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotNow {
    /// The object was destroyed, or the handle's task cancelled: as [`ObjectGone`].
    #[error("the QObject was destroyed, or its task cancelled")]
    Gone,
    /// Not called from a guest task that Qt's event loop runs on the object's thread (but from
    /// another thread, an invokable, or a destructor that an abort or [`uninstall`] ran), or
    /// the handle knows only the object's thread ([`QObjectHandle::new`]). Use
    /// [`update`](QObjectHandle::update) or [`with`](QObjectHandle::with) there.
    ///
    /// [`uninstall`]: crate::uninstall
    #[error("not inside a guest task on the QObject's thread")]
    NotInTask,
    /// The object is being changed further up this thread's stack: a `with_now` or `update`
    /// closure of the same object ran the guest again (a nested event loop).
    #[error("the QObject is in use further up the stack")]
    InUse,
}

impl From<NotNow> for ObjectGone {
    /// For `?` in a task that treats every refusal as "nothing to write to".
    fn from(_: NotNow) -> ObjectGone {
        ObjectGone
    }
}

/// The address of a QObject and the thread it lives on.
pub(crate) struct ObjectRef<T> {
    object: NonNull<T>,
    thread: ThreadId,
}

// SAFETY: the address is only dereferenced on `thread` (`with_now` checks), so moving or sharing
// it between threads reaches nothing.
unsafe impl<T> Send for ObjectRef<T> {}
// SAFETY: as above.
unsafe impl<T> Sync for ObjectRef<T> {}

impl<T> Clone for ObjectRef<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for ObjectRef<T> {}

impl<T> ObjectRef<T> {
    pub(crate) fn of(object: Pin<&mut T>) -> ObjectRef<T> {
        // SAFETY: only the address is taken; the object is not moved out of its pin.
        let object = NonNull::from(unsafe { object.get_unchecked_mut() });
        ObjectRef {
            object,
            thread: thread::current().id(),
        }
    }
}

thread_local! {
    /// The objects this thread is inside a `with_now` or `update` closure of, by address.
    static IN_USE: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

/// Marks an object in use for as long as it lives, also while a closure unwinds.
struct InUse(usize);

impl InUse {
    fn enter(address: usize) -> Option<InUse> {
        IN_USE.with_borrow_mut(|in_use| {
            if in_use.contains(&address) {
                return None;
            }
            in_use.push(address);
            Some(InUse(address))
        })
    }
}

impl Drop for InUse {
    fn drop(&mut self) {
        IN_USE.with_borrow_mut(|in_use| in_use.retain(|&address| address != self.0));
    }
}

impl<T: Threading> QObjectHandle<T> {
    /// A handle to the object behind `thread` (a QObject's `self.qt_thread()`), belonging to no
    /// task: its changes run as long as the object exists. It can only queue
    /// ([`update`](Self::update), [`with`](Self::with)); for [`with_now`](Self::with_now) too,
    /// make it with [`of`](Self::of).
    pub fn new(thread: CxxQtThread<T>) -> QObjectHandle<T> {
        QObjectHandle::scoped(thread, CancelToken::default(), None)
    }

    /// A handle to `object`, from the object's own code (an invokable), belonging to no task.
    /// Besides queueing, it reaches the object directly from guest tasks on this thread
    /// ([`with_now`](Self::with_now)).
    pub fn of(object: Pin<&mut T>) -> QObjectHandle<T> {
        let thread = object.qt_thread();
        QObjectHandle::scoped(thread, CancelToken::default(), Some(ObjectRef::of(object)))
    }

    pub(crate) fn scoped(
        thread: CxxQtThread<T>,
        cancel: CancelToken,
        object: Option<ObjectRef<T>>,
    ) -> QObjectHandle<T> {
        QObjectHandle {
            thread,
            cancel,
            object,
        }
    }

    /// Runs `access` with the object **now**, and returns what it returns: for a guest task on
    /// the Qt thread, which then reads back its own writes, reads without an `await`, and
    /// writes in order with its other awaits.
    ///
    /// It reaches the object only where that is sound, and says why not otherwise ([`NotNow`]):
    /// inside a guest task that Qt's event loop runs, on the object's thread, while the object
    /// exists, the handle's task is not cancelled, and no other `with_now` or `update` closure
    /// of the same object is further up the stack. An invokable, a destructor that an abort
    /// ran, and other threads get [`NotNow::NotInTask`]: they queue with
    /// [`update`](Self::update) instead. The handles [`QObjectTasks`](crate::QObjectTasks)
    /// gives its tasks, and those made with [`of`](Self::of), know the object; one made with
    /// [`new`](Self::new) does not.
    ///
    /// The rules cxx-qt's own invokables and queued closures live by hold here too, since Rust
    /// cannot see C++ reach the object: an invokable (or `access` itself) must not run a nested
    /// event loop (`QDialog::exec`, `processEvents`) while it holds the object, since tasks run
    /// there (show a dialog with [`run_in_host`](crate::run_in_host)); the object's own code
    /// (an invokable, which has `self`) must not call `with_now` of its own object, nor a
    /// signal `access` emits reach back into that code through a direct connection (a QML
    /// handler calling the invokable); and the object must not be destroyed inside `access`
    /// (Qt's `deleteLater` waits for the event loop, always after). These are the gaps cxx-qt's
    /// re-entrant calls have; `with_now` closes every one it can see ([`NotNow`]).
    ///
    /// ```rust,ignore
    /// self.spawn_latest("search", |search| async move {
    ///     search.with_now(|search| search.set_busy(true))?;
    ///     let found = unblock(move || look_up(&query)).await.unwrap_or_default();
    ///     // Already true: no queued write stands between.
    ///     let was_busy = search.with_now(|search| *search.busy())?;
    ///     search.with_now(|mut search| {
    ///         search.as_mut().set_results(QString::from(&found));
    ///         search.set_busy(false);
    ///     })?;
    ///     Ok::<(), guestloop_qt::NotNow>(())
    /// });
    /// ```
    ///
    /// # Errors
    /// [`NotNow`], when `access` did not run.
    pub fn with_now<R>(&self, access: impl FnOnce(Pin<&mut T>) -> R) -> Result<R, NotNow> {
        let Some(object) = self.object else {
            return Err(NotNow::NotInTask);
        };
        if object.thread != thread::current().id() || !crate::host::in_dispatched_run() {
            return Err(NotNow::NotInTask);
        }
        // On the object's thread, where it is destroyed: no other thread can change this
        // before `access` returns. cxx-qt clears the flag before the Rust struct is dropped.
        if self.cancel.is_cancelled() || self.thread.is_destroyed() {
            return Err(NotNow::Gone);
        }
        let _in_use = InUse::enter(object.object.as_ptr() as usize).ok_or(NotNow::InUse)?;
        // SAFETY: the object exists (checked above, on its own thread, with nothing run since)
        // and never moves (a QObject is pinned). No other reference to it is live: this is a
        // guest run that Qt's event loop started, where no invokable holds it (the rule above);
        // no `with_now` or `update` closure of it is up the stack (`InUse`); and the reference
        // lives only for `access`.
        let object = unsafe { Pin::new_unchecked(&mut *object.object.as_ptr()) };
        Ok(access(object))
    }

    /// The token of the scoped task this handle belongs to, set when the task is aborted,
    /// cancelled or dropped unfinished: for workers to check, or to await
    /// ([`CancelToken::cancelled`]). A handle made with [`new`](Self::new) has a token of its
    /// own that nothing sets but you. Once it is set, the handle's changes are dropped.
    pub fn cancel_token(&self) -> CancelToken {
        self.cancel.clone()
    }

    /// Whether the handle's token is set: a worker's check between two steps, as
    /// `cancel_token().is_cancelled()` without the clone.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Queues `change` to run with the object on the Qt thread.
    ///
    /// # Errors
    /// [`ObjectGone`] if the object was destroyed or the handle's task cancelled (`change` is
    /// dropped, not run). A change queued before then but not run by then is dropped too.
    pub fn update(
        &self,
        change: impl FnOnce(Pin<&mut T>) + Send + 'static,
    ) -> Result<(), ObjectGone> {
        if self.cancel.is_cancelled() {
            return Err(ObjectGone);
        }
        let cancel = self.cancel.clone();
        self.thread
            .queue(move |object| {
                // Checked on the Qt thread, where a scope cancels: a change queued before its
                // task was cancelled never runs after.
                if !cancel.is_cancelled() {
                    // Held, for a task that a nested event loop in `change` would run.
                    let _in_use = InUse::enter(&*object as *const T as usize);
                    change(object);
                }
            })
            .map_err(|_| ObjectGone)
    }

    /// Runs `read` with the object on the Qt thread and returns what it returns.
    ///
    /// # Errors
    /// [`ObjectGone`] if the object was destroyed before `read` could run.
    pub async fn with<R: Send + 'static>(
        &self,
        read: impl FnOnce(Pin<&mut T>) -> R + Send + 'static,
    ) -> Result<R, ObjectGone> {
        let (send, receive) = async_channel::bounded(1);
        self.update(move |object| {
            let _ = send.try_send(read(object));
        })?;
        // The sender is dropped unsent if the object goes before the change runs.
        receive.recv().await.map_err(|_| ObjectGone)
    }
}

impl<T: Threading> Clone for QObjectHandle<T> {
    fn clone(&self) -> Self {
        QObjectHandle {
            thread: self.thread.clone(),
            cancel: self.cancel.clone(),
            object: self.object,
        }
    }
}

impl<T: Threading> fmt::Debug for QObjectHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QObjectHandle").finish_non_exhaustive()
    }
}
