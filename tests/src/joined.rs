//! What a finished task's [`JoinError`] says, read the way a user reads it: through the public
//! API, down to the panic's payload.

use guestloop::JoinError;
use std::any::Any;
use std::fmt::Debug;

/// The message a task panicked with, taken from the payload its handle kept.
///
/// # Panics
/// If `result` is not a panic, or the payload is not the `&str` or `String` `panic!` makes.
#[track_caller]
pub fn panic_message<T: Debug>(result: Result<T, JoinError>) -> String {
    let payload = match result {
        Err(error) if error.is_panic() => error.into_panic(),
        other => panic!("expected a task that panicked, got {other:?}"),
    };
    string_payload(&*payload)
        .unwrap_or_else(|| panic!("a panic payload that is no string"))
        .to_owned()
}

/// The text of a `&str` or `String` payload: which of the two `panic!` makes depends on whether
/// its arguments are known at compile time.
pub fn string_payload(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

/// Whether `result` is the error of a task that was cancelled.
pub fn is_cancelled<T>(result: &Result<T, JoinError>) -> bool {
    result.as_ref().is_err_and(JoinError::is_cancelled)
}
