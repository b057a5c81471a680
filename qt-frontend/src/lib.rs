//! `qt-frontend`: the three demos as QML windows, on `guestloop-qt`.
//!
//! Owns the demos' windows and nothing of the host: the Qt host, signal streams and write-back
//! are `guestloop-qt`'s. Depends on Qt 6 (through cxx-qt), `guestloop`, `guestloop-qt` and
//! `guestloop-demo-cli`; nothing depends on it.
//!
//! - [`sieve`]: the task that runs the eratosthenes demo for its window, drawn by
//!   [`grid_canvas`], [`viewport`] and [`grid_changes`]: the grid in one item (zoom, pan, hover),
//!   its geometry, and the batches that change it.
//! - [`minimal`]: the minimal window's QObject and task.
//! - [`primes`]: the primes window's QObject, and the count it starts and cancels.
//! - [`app`]: the application's life: Qt, guest, window, event loop, teardown.
//!
//! With the `test-hooks` feature only (the tests and benchmarks enable it; the demo binary does
//! not have it): `test_hooks`, driving the app from the environment (`GUESTLOOP_QT_*`) through
//! `app_control` (click, close, grab, synthetic mouse input), `measure`, the benchmarks'
//! measurements (event-loop gaps, frames, painted bytes, wakes, memory), and `list_grid`, the
//! grid as it was drawn before (a `GridView` of `Text` cells), the benchmarks' baseline.

// The modules marked SAFETY below hold cxx-qt bridges, whose `unsafe extern "C++"` blocks are our
// promise that each declared signature is the one in the C++ header. That is the only `unsafe`
// here; no module has an `unsafe` block of its own. The bridges also generate signal-handler
// types without `Debug`, which we cannot derive it for.
pub mod app;
// SAFETY: each function is declared with the signature it has in `qt_frontend/app_control.h`.
#[cfg(feature = "test-hooks")]
#[allow(unsafe_code)]
pub mod app_control;
// SAFETY: the inherited methods are declared with Qt 6's own signatures, the drawing calls as
// `qt_frontend/grid_canvas.h` has them.
#[allow(unsafe_code, missing_debug_implementations)]
pub mod grid_canvas;
pub mod grid_changes;
// SAFETY: the inherited methods and `dataChanged` are declared with Qt 6's own signatures.
#[cfg(feature = "test-hooks")]
#[allow(unsafe_code, missing_debug_implementations)]
pub mod list_grid;
#[cfg(feature = "test-hooks")]
pub mod measure;
// SAFETY: the bridge declares only a QString alias and items defined in Rust.
#[allow(unsafe_code, missing_debug_implementations)]
pub mod minimal;
// SAFETY: the bridge declares only a QString alias and items defined in Rust.
#[allow(unsafe_code, missing_debug_implementations)]
pub mod primes;
pub mod sieve;
#[cfg(feature = "test-hooks")]
pub mod test_hooks;
pub mod viewport;

/// With the `test-hooks` feature and `GUESTLOOP_QT_LOG=1`, logs a line for the tests (see
/// `test_hooks::log`); compiles to nothing without the feature.
macro_rules! test_log {
    ($($message:tt)*) => {{
        #[cfg(feature = "test-hooks")]
        $crate::test_hooks::log(format_args!($($message)*));
        #[cfg(not(feature = "test-hooks"))]
        let _ = format_args!($($message)*); // what is logged is still used, and still checked
    }};
}
pub(crate) use test_log;
