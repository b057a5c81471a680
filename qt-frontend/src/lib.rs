//! `qt-frontend`: `guestloop` as a guest of Qt's event loop, and the three demos as QML windows.
//!
//! Owns everything Qt: it depends on Qt 6 (through cxx-qt), `guestloop` and `guestloop-demo-cli`;
//! nothing depends on it.
//!
//! - [`qt_host`]: the [`guestloop::Host`] over Qt (one precise `QTimer`, `CxxQtThread::queue`),
//!   and the thread-local that owns the executor.
//! - [`cell_grid`] and [`sieve_window`]: the eratosthenes grid model and the task that feeds it.
//! - [`minimal_demo`]: the minimal window's QObject and task.
//! - [`primes_demo`]: the primes window's QObject, and the count it starts and cancels.
//! - [`signal`]: Qt signals as streams that async code awaits.
//! - [`app`]: the application's life: Qt, guest, window, event loop, teardown.
//! - [`app_control`] and [`test_hooks`]: driving the app from Rust (click, grab, close, exit).
//! - [`measure`]: opt-in measurements for the benchmarks (event-loop gaps, wakes, memory).

// The five modules below hold cxx-qt bridges, whose `unsafe extern "C++"` blocks are our
// promise that each declared signature is the one in the C++ header. That is the only `unsafe`
// here; no module has an `unsafe` block of its own. The bridges also generate signal-handler
// types without `Debug`, which we cannot derive it for.
pub mod app;
// SAFETY: each function is declared with the signature it has in `qt_frontend/app_control.h`.
#[allow(unsafe_code)]
pub mod app_control;
// SAFETY: the inherited methods and `dataChanged` are declared with Qt 6's own signatures.
#[allow(unsafe_code, missing_debug_implementations)]
pub mod cell_grid;
pub mod measure;
// SAFETY: the bridge declares only a QString alias and items defined in Rust.
#[allow(unsafe_code, missing_debug_implementations)]
pub mod minimal_demo;
// SAFETY: the bridge declares only a QString alias and items defined in Rust.
#[allow(unsafe_code, missing_debug_implementations)]
pub mod primes_demo;
// SAFETY: `QTimer`'s methods and `make_unique` are declared as in Qt's and cxx-qt-lib's headers.
#[allow(unsafe_code, missing_debug_implementations)]
pub mod qt_host;
pub mod sieve_window;
pub mod signal;
pub mod test_hooks;
