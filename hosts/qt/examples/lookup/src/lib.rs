//! guestloop-qt's task-scope example, as a library its binary and its test share: a
//! [`lookup::Lookup`] QObject whose tasks live in a [`guestloop_qt::TaskScope`] (a load with
//! progress and Cancel, a search where the latest keystroke wins), shown by `qml/main.qml`.
//!
//! [`by_hand::LookupByHand`] is the same object without the scope: handles to abort, generation
//! counters checked in every write, a cancel flag and its drop guard, a `Drop` impl, a graceful
//! close. `tests/model_lines.rs` counts both and prints the figures.

// The bridge's `unsafe extern "C++"` block declares only `make_unique` and a QString alias, as
// cxx-qt-lib's headers have them: that is the only `unsafe` here.
#[allow(unsafe_code, missing_debug_implementations)]
pub mod lookup;

pub mod words;

// The same, without the scope: kept to compare (see its docs). As `lookup`, for its bridge.
#[allow(unsafe_code, missing_debug_implementations)]
pub mod by_hand;
