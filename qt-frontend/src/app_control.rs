//! Application-wide controls for the test hooks: close the windows, click a QML button by name,
//! read a QML object's text, grab a window's pixels.
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
    }
}

pub use ffi::close_all_windows;

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
