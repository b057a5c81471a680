//! `guestloop-qt-hello [--greet NAME]`: the example window. With `--greet NAME` it greets NAME at
//! once, prints the greeting and quits (for its test, and for a first look without a display).

use cxx_qt_lib::QGuiApplication;
use guestloop_qt_hello::greeter;

fn main() -> Result<guestloop_qt::Exit, guestloop_qt::QmlLoadError> {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next(), args.next()) {
        (None, ..) => {}
        (Some("--greet"), Some(name), None) => greeter::greet_at_once(name, |greeting| {
            println!("{greeting}");
            guestloop_qt::exit_event_loop(0);
        }),
        _ => {
            eprintln!("usage: guestloop-qt-hello [--greet NAME]");
            std::process::exit(2);
        }
    }

    // Qt, then the guest, then the QML whose objects spawn tasks; torn down the other way round.
    guestloop_qt::run(QGuiApplication::new(), || {
        guestloop_qt::load_qml("qrc:/qt/qml/org/guestloop/hello/qml/main.qml")
    })
}
