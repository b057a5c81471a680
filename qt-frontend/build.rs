//! Builds the cxx-qt bridges and compiles the QML module ahead of time. The Qt host's own C++
//! side comes with `guestloop-qt`, found by cxx-qt-build through its `links` key.
use cxx_qt_build::{CxxQtBuilder, QmlModule};

fn main() {
    let mut bridges = vec!["src/grid_canvas.rs", "src/minimal.rs", "src/primes.rs"];
    let mut qml = QmlModule::new("org.guestloop.demos")
        .qml_file("qml/SieveWindow.qml")
        .qml_file("qml/MinimalWindow.qml")
        .qml_file("qml/PrimesWindow.qml");
    // The test hooks' controls (click, grab) and the benchmarks' baseline grid exist only in
    // builds for the tests.
    if std::env::var_os("CARGO_FEATURE_TEST_HOOKS").is_some() {
        bridges.extend(["src/app_control.rs", "src/list_grid.rs"]);
        qml = qml.qml_file("qml/SieveListWindow.qml");
    }
    let builder = CxxQtBuilder::new_qml_module(qml)
        // Only cpp/ is our C++ include root; the default (the whole crate, target/ included) would
        // make the build script rerun on every build.
        .crate_include_root(Some("cpp".into()))
        // QQuickWindow (in QML, and grabWindow for the tests' screenshots), QQuickPaintedItem.
        .qt_module("Quick")
        // The grid canvas's C++ base class (a QObject: moc runs on it).
        .cpp_file("cpp/qt_frontend/grid_canvas.h");
    builder.files(bridges).build();
}
