//! guestloop-qt's example application, as a library its binary and its test share.
//!
//! [`greeter`]: the `Greeter` QObject, whose `greet` method starts a task that sleeps on a
//! guest timer, does slow work on a worker thread, and writes the greeting back.

// The bridge's `unsafe extern "C++"` block declares only `make_unique` and a QString alias, as
// cxx-qt-lib's headers have them: that is the only `unsafe` here.
#[allow(unsafe_code, missing_debug_implementations)]
pub mod greeter;
