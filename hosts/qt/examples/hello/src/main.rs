//! `guestloop-qt-hello [--print-first-greeting] [--greet NAME]`: the example window. With
//! `--print-first-greeting` it prints the first greeting it writes (the button's, or one that
//! typing with a pause made) and quits; `--greet NAME` greets NAME at once, and prints and quits
//! too (for its tests, and for a first look without a display).

use cxx_qt_lib::QGuiApplication;
use guestloop_qt_hello::greeter;

fn main() -> Result<guestloop_qt::Exit, guestloop_qt::QmlLoadError> {
    let mut print_first_greeting = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.len()) {
            ("--print-first-greeting", _) => print_first_greeting = true,
            ("--greet", 1..) => {
                greeter::greet_at_once(args.next().unwrap_or_default());
                print_first_greeting = true;
            }
            _ => {
                eprintln!("usage: guestloop-qt-hello [--print-first-greeting] [--greet NAME]");
                std::process::exit(2);
            }
        }
    }
    if print_first_greeting {
        greeter::on_first_greeting(|greeting| {
            println!("{greeting}");
            guestloop_qt::exit_event_loop(0);
        });
    }

    // Qt, then the guest, then the QML whose objects spawn tasks; torn down the other way round.
    guestloop_qt::run(QGuiApplication::new(), || {
        guestloop_qt::load_qml("qrc:/qt/qml/org/guestloop/hello/qml/main.qml")
    })
}
