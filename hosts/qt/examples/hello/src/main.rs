//! `guestloop-qt-hello [--greet NAME]`: the example window. With `--greet NAME` it greets NAME at
//! once, prints the greeting and quits (for its test, and for a first look without a display).

use cxx_qt_lib::{QGuiApplication, QQmlApplicationEngine, QUrl};
use guestloop_qt_hello::greeter;

fn main() {
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
    let code = guestloop_qt::run(QGuiApplication::new(), || {
        let mut engine = QQmlApplicationEngine::new();
        engine
            .pin_mut()
            .load(&QUrl::from("qrc:/qt/qml/org/guestloop/hello/qml/main.qml"));
        engine
    });
    std::process::exit(code);
}
