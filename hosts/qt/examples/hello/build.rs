//! The bridge of the `Greeter` QObject, and the QML module, compiled ahead of time. (The Qt
//! host's own C++ side comes with guestloop-qt: nothing to do for it here.)
use cxx_qt_build::{CxxQtBuilder, QmlModule};

fn main() {
    CxxQtBuilder::new_qml_module(QmlModule::new("org.guestloop.hello").qml_file("qml/main.qml"))
        .files(["src/greeter.rs"])
        // Not the whole crate folder as an include folder: it holds target/ when the crate
        // stands alone, and its every change would rerun this script.
        .crate_include_root(None)
        .build();
}
