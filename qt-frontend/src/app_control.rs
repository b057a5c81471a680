//! Application-wide controls for the test hooks: close the windows, click a QML button by name,
//! read a QML object's text, grab a window's pixels, send it mouse input.
//!
//! Tests use these to drive the app from Rust without synthesising mouse input. Compiled with
//! the `test-hooks` feature only.

/// Static Qt functions, wrapped in `qt_frontend/app_control.h`.
#[cxx_qt::bridge]
mod ffi {
    unsafe extern "C++" {
        include!("cxx-qt-lib/qstring.h");
        type QString = cxx_qt_lib::QString;
    }

    #[namespace = "qt_frontend"]
    unsafe extern "C++" {
        include!("qt_frontend/app_control.h");

        /// Closes every top-level window, as the window manager's close button does.
        fn close_all_windows();

        /// Emits `clicked()` on the QML object with this `objectName`; false if none was found.
        fn emit_clicked(name: &QString) -> bool;

        /// The `text` property of the QML object with this `objectName` (empty if none).
        fn object_text(name: &QString) -> QString;

        /// Renders the first QtQuick window into an image file; false on failure.
        fn grab_window(path: &QString) -> bool;

        /// A turn of the mouse wheel at (x, y) in the item named `item` of the first window:
        /// `delta` eighths of a degree.
        fn send_wheel(item: &QString, x: f64, y: f64, delta: i32) -> bool;

        /// A mouse event at (x, y) in the item named `item` of the first window: 0 move, 1
        /// press, 2 release (left button).
        fn send_mouse(item: &QString, kind: i32, x: f64, y: f64, held: bool) -> bool;

        /// Calls `on_frame` whenever the first window has drawn a frame, on the drawing thread.
        fn connect_frame_swapped(on_frame: fn()) -> bool;
    }
}

pub use ffi::{close_all_windows, connect_frame_swapped};

/// Emits `clicked()` on the QML object with this `objectName`, as a mouse click would.
/// Returns false if no top-level window holds such an object.
pub fn click(object_name: &str) -> bool {
    ffi::emit_clicked(&cxx_qt_lib::QString::from(object_name))
}

/// The `text` property of the QML object with this `objectName` (empty if there is none).
pub fn text_of(object_name: &str) -> String {
    ffi::object_text(&cxx_qt_lib::QString::from(object_name)).to_string()
}

/// Renders the first QtQuick window into `path` (format from the extension); works offscreen too.
pub fn grab(path: &str) -> bool {
    ffi::grab_window(&cxx_qt_lib::QString::from(path))
}

/// Synthetic mouse input at points given in the coordinates of one item (say, the grid), sent
/// to the window as the platform's would be, and delivered by Qt to whatever is under the point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Input {
    /// The wheel turned.
    Wheel {
        /// Where the pointer is.
        at: (f64, f64),
        /// Eighths of a degree: 120 is one notch away from the user.
        delta: i32,
    },
    /// The left button pressed, moved in a few steps, released.
    Drag {
        /// Where the button is pressed.
        from: (f64, f64),
        /// Where it is released.
        to: (f64, f64),
    },
    /// The pointer moved, no button held.
    Move {
        /// Where to.
        to: (f64, f64),
    },
}

/// Sends `input`, its points in the coordinates of the item whose `objectName` is `item`, to
/// the first window; false if there is no such window or item.
pub fn send(item: &str, input: Input) -> bool {
    let item = cxx_qt_lib::QString::from(item);
    let mouse = |kind, at: (f64, f64), held| ffi::send_mouse(&item, kind, at.0, at.1, held);
    match input {
        Input::Wheel { at, delta } => ffi::send_wheel(&item, at.0, at.1, delta),
        Input::Move { to } => mouse(0, to, false),
        Input::Drag { from, to } => {
            const STEPS: u32 = 4;
            let mut sent = mouse(1, from, true);
            for step in 1..=STEPS {
                let t = f64::from(step) / f64::from(STEPS);
                sent &= mouse(
                    0,
                    (from.0 + (to.0 - from.0) * t, from.1 + (to.1 - from.1) * t),
                    true,
                );
            }
            sent & mouse(2, to, false)
        }
    }
}
