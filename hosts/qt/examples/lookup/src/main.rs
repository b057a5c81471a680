//! `guestloop-qt-lookup [--load-and-quit MS]`: the example window. With `--load-and-quit MS` it
//! starts a load at once and quits gracefully MS milliseconds later, as closing the window does;
//! the exit code is the number of tasks that had to be aborted (for its test).

use cxx_qt_lib::QGuiApplication;
use std::time::Duration;

fn main() -> Result<guestloop_qt::Exit, guestloop_qt::QmlLoadError> {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next(), args.next()) {
        (None, ..) => {}
        (Some("--load-and-quit"), Some(ms), None) if ms.parse::<u64>().is_ok() => {
            let ms = ms.parse().unwrap_or_default();
            guestloop_qt_lookup::autoquit::load_and_quit(Duration::from_millis(ms));
        }
        _ => {
            eprintln!("usage: guestloop-qt-lookup [--load-and-quit MS]");
            std::process::exit(2);
        }
    }
    guestloop_qt::run(QGuiApplication::new(), || {
        guestloop_qt::load_qml("qrc:/qt/qml/org/guestloop/lookup/qml/main.qml")
    })
}
