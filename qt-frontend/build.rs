//! Builds the cxx-qt bridges and compiles the QML module ahead of time.
use cxx_qt_build::{CxxQtBuilder, QmlModule};

fn main() {
    CxxQtBuilder::new_qml_module(
        QmlModule::new("org.guestloop.demos")
            .qml_file("qml/SieveWindow.qml")
            .qml_file("qml/MinimalWindow.qml")
            .qml_file("qml/PrimesWindow.qml"),
    )
    // Only cpp/ is our C++ include root; the default (the whole crate, target/ included) would
    // make the build script rerun on every build.
    .crate_include_root(Some("cpp".into()))
    // QQuickWindow::grabWindow, for screenshots in tests.
    .qt_module("Quick")
    .files([
        "src/qt_host.rs",
        "src/app_control.rs",
        "src/cell_grid.rs",
        "src/minimal_demo.rs",
        "src/primes_demo.rs",
    ])
    .build();
}
