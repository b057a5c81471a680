//! The bridge of the `Lookup` QObject, and the QML module, compiled ahead of time.
use cxx_qt_build::{CxxQtBuilder, QmlModule};

fn main() {
    CxxQtBuilder::new_qml_module(QmlModule::new("org.guestloop.lookup").qml_file("qml/main.qml"))
        .files(["src/lookup.rs", "src/by_hand.rs"])
        // Not the whole crate folder as an include folder: it holds target/ when the crate
        // stands alone, and its every change would rerun this script.
        .crate_include_root(None)
        .build();
}
