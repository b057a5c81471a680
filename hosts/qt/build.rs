//! Builds the cxx-qt bridges of the Qt host and exports the crate's headers and Qt modules to
//! the applications that use it.
use cxx_qt_build::CxxQtBuilder;

fn main() {
    CxxQtBuilder::new()
        // Only cpp/ is our C++ include root; the default (the whole crate, target/ included)
        // would make the build script rerun on every build.
        .crate_include_root(Some("cpp".into()))
        .files(["src/host.rs"])
        .build()
        .export();
}
