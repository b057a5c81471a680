//! guestloop-qt's task-scope example, as a library its binary and its test share: a
//! [`lookup::Lookup`] QObject whose tasks live in a [`guestloop_qt::TaskScope`] (a load with
//! progress and Cancel, a search where the latest keystroke wins), shown by `qml/main.qml`.

// The bridge's `unsafe extern "C++"` block declares only `make_unique` and a QString alias, as
// cxx-qt-lib's headers have them: that is the only `unsafe` here.
#[allow(unsafe_code, missing_debug_implementations)]
pub mod lookup;
