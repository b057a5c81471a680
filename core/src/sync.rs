//! The synchronisation primitives of the cross-thread handshake, swapped for loom's under
//! `cfg(guestloop_loom)` so that `shared.rs`'s model test explores every interleaving.
//!
//! Owns nothing but that choice. Only the handshake's own state (the shared queues, the pending
//! and run-requested flags, a task's remote-wake flag), the task cell's (its reference count,
//! its join state's lock) and a cancel token's (its flag, its waiters' lock) use these;
//! everything else uses `std`.

#[cfg(guestloop_loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering, fence};
#[cfg(guestloop_loom)]
pub(crate) use loom::sync::{Mutex, MutexGuard};
#[cfg(not(guestloop_loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering, fence};
#[cfg(not(guestloop_loom))]
pub(crate) use std::sync::{Mutex, MutexGuard};

/// Locks `mutex`. No code panics while holding the handshake's locks, so a poisoned lock is
/// still consistent and is used as it is.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
