//! [`QObjectHandle`]: write back to a Rust-defined QObject from a guest task, safely, also after
//! the object may have been destroyed.
//!
//! Owns the pattern cxx-qt's maintainers advise: queue the change on the object's
//! `CxxQtThread`, and treat a failed queue as "the object is gone"; and, for a handle of a
//! [`TaskScope`](crate::TaskScope)'s task, dropping the changes queued before it was cancelled.

use cxx_qt::{CxxQtThread, Threading};
use guestloop::CancelToken;
use std::fmt;
use std::pin::Pin;

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
}

impl<T: Threading> QObjectHandle<T> {
    /// A handle to the object behind `thread` (a QObject's `self.qt_thread()`), belonging to no
    /// task: its changes run as long as the object exists.
    pub fn new(thread: CxxQtThread<T>) -> QObjectHandle<T> {
        QObjectHandle::scoped(thread, CancelToken::default())
    }

    pub(crate) fn scoped(thread: CxxQtThread<T>, cancel: CancelToken) -> QObjectHandle<T> {
        QObjectHandle { thread, cancel }
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
        }
    }
}

impl<T: Threading> fmt::Debug for QObjectHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QObjectHandle").finish_non_exhaustive()
    }
}
