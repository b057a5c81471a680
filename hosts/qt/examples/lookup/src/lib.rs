//! guestloop-qt's task-scope example, as a library its binary and its test share: a
//! [`lookup::Lookup`] QObject whose tasks live in a [`guestloop_qt::TaskScope`] (a load with
//! progress and Cancel, a search where the latest keystroke wins), shown by `qml/main.qml`.
//!
//! [`by_hand::LookupByHand`] is the same object without the scope. Counted without blank and
//! comment lines, from the Rust struct on: 65 lines against 119, of which 25 carry the
//! bookkeeping the scope does (handles to abort, generation counters checked in every write,
//! a cancel flag and its drop guard, a `Drop` impl).

// The bridge's `unsafe extern "C++"` block declares only `make_unique` and a QString alias, as
// cxx-qt-lib's headers have them: that is the only `unsafe` here.
#[allow(unsafe_code, missing_debug_implementations)]
pub mod lookup;

// The same, without the scope: kept to compare (see its docs). As `lookup`, for its bridge.
#[allow(unsafe_code, missing_debug_implementations)]
pub mod by_hand;
