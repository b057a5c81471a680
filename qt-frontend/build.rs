//! Builds the cxx-qt bridges and compiles the QML module ahead of time. The Qt host's own C++
//! side comes with `guestloop-qt`, found by cxx-qt-build through its `links` key.
use cxx_qt_build::{CxxQtBuilder, QmlModule};

fn main() {
    let mut bridges = vec![
        "src/cell_grid.rs",
        "src/minimal_demo.rs",
        "src/primes_demo.rs",
    ];
    // The test hooks' controls (click, grab) exist only in builds for the tests.
    if std::env::var_os("CARGO_FEATURE_TEST_HOOKS").is_some() {
        bridges.push("src/app_control.rs");
    }
    let builder = CxxQtBuilder::new_qml_module(
        QmlModule::new("org.guestloop.demos")
            .qml_file("qml/SieveWindow.qml")
            .qml_file("qml/MinimalWindow.qml")
            .qml_file("qml/PrimesWindow.qml"),
    )
    // Only cpp/ is our C++ include root; the default (the whole crate, target/ included) would
    // make the build script rerun on every build.
    .crate_include_root(Some("cpp".into()))
    // QQuickWindow (in QML, and grabWindow for the tests' screenshots).
    .qt_module("Quick");
    builder.files(bridges).build();
}
