//! [`MinimalDemo`]: the minimal window's QObject: a label, and the signal its button emits.
//!
//! Owns the QML-facing side of the minimal demo. QML's button emits `asked`; the guest task
//! awaits that signal as a stream ([`signal_stream`]) and runs `guestloop`'s minimal model,
//! which writes the label back through the object's `CxxQtThread`.

use cxx_qt::{CxxQtThread, Threading};
use cxx_qt_lib::QString;
use guestloop::minimal::{MinimalView, run_minimal};
use guestloop_qt::signal_stream;
use std::pin::Pin;

/// The `MinimalDemo` QObject.
#[cxx_qt::bridge]
pub mod qobject {
    unsafe extern "C++" {
        include!("cxx-qt-lib/qstring.h");
        /// A QString.
        type QString = cxx_qt_lib::QString;
    }

    extern "RustQt" {
        /// The minimal demo's state: the label's text.
        #[qobject]
        #[qml_element]
        #[qproperty(QString, label)]
        type MinimalDemo = super::MinimalDemoRust;

        /// The button was clicked (QML emits it).
        #[qsignal]
        fn asked(self: Pin<&mut MinimalDemo>);
    }

    impl cxx_qt::Threading for MinimalDemo {}
    impl cxx_qt::Initialize for MinimalDemo {}
}

pub use qobject::MinimalDemo;

/// The Rust side of [`MinimalDemo`].
#[derive(Debug, Default)]
pub struct MinimalDemoRust {
    label: QString,
}

impl cxx_qt::Initialize for qobject::MinimalDemo {
    fn initialize(mut self: Pin<&mut Self>) {
        let clicks = signal_stream(|send| self.as_mut().on_asked(move |_| send.send(())));
        let label = Label(self.qt_thread());
        // Detached: it is dropped with the guest when the application exits.
        drop(guestloop_qt::handle().spawn_local(run_minimal(clicks, label)));
    }
}

/// Sets the [`MinimalDemo`] label from the guest.
struct Label(CxxQtThread<MinimalDemo>);

impl MinimalView for Label {
    fn set_label(&mut self, text: &'static str) {
        crate::test_log!("label: {text}");
        // An error means the window is gone: nothing to show it on.
        let _ = self
            .0
            .queue(move |demo| demo.set_label(QString::from(text)));
    }
}
