//! `guestloop-qt-lookup [--load-and-close MS]`: the example window. With `--load-and-close MS`
//! its QML starts a load at once and closes the window MS milliseconds later, which quits
//! gracefully; the exit code is the number of tasks that had to be aborted (for its test).

use cxx_qt_lib::QGuiApplication;
// Linked for its QML module (the `Lookup` type and `main.qml`), which nothing here names.
extern crate guestloop_qt_lookup;

fn main() -> Result<guestloop_qt::Exit, guestloop_qt::QmlLoadError> {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next(), args.next()) {
        (None, ..) => {}
        // Read by the QML (`Qt.application.arguments`); checked here, before any window.
        (Some("--load-and-close"), Some(ms), None) if ms.parse::<u32>().is_ok_and(|ms| ms > 0) => {}
        _ => {
            eprintln!(
                "usage: guestloop-qt-lookup [--load-and-close MS], MS a whole number above 0"
            );
            std::process::exit(2);
        }
    }
    guestloop_qt::run(QGuiApplication::new(), || {
        guestloop_qt::load_qml("qrc:/qt/qml/org/guestloop/lookup/qml/main.qml")
    })
}
