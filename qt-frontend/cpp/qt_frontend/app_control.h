// Application-wide controls Rust needs and cxx-qt-lib does not bind (static Qt functions).
#pragma once

#include <QtCore/QCoreApplication>
#include <QtCore/QMetaObject>
#include <QtGui/QGuiApplication>
#include <QtGui/QImage>
#include <QtGui/QWindow>
#include <QtQuick/QQuickWindow>

#include "cxx-qt-lib/qstring.h"

namespace qt_frontend {

/// Closes every top-level window, exactly as the window manager's close button would.
inline void
close_all_windows()
{
  for (QWindow* window : QGuiApplication::topLevelWindows()) {
    window->close();
  }
}

/// Emits `clicked()` on the first object named `name` in any top-level window.
/// Returns false if there is no such object or it has no clicked() signal.
inline bool
emit_clicked(const QString& name)
{
  for (QWindow* window : QGuiApplication::topLevelWindows()) {
    if (QObject* object = window->findChild<QObject*>(name)) {
      return QMetaObject::invokeMethod(object, "clicked");
    }
  }
  return false;
}

/// The `text` property of the first object named `name` in any top-level window ("" if none).
inline QString
object_text(const QString& name)
{
  for (QWindow* window : QGuiApplication::topLevelWindows()) {
    if (QObject* object = window->findChild<QObject*>(name)) {
      return object->property("text").toString();
    }
  }
  return QString();
}

/// Renders the first QtQuick window into a PNG at `path` (works offscreen too).
inline bool
grab_window(const QString& path)
{
  for (QWindow* window : QGuiApplication::topLevelWindows()) {
    if (auto* quick = qobject_cast<QQuickWindow*>(window)) {
      return quick->grabWindow().save(path);
    }
  }
  return false;
}

} // namespace qt_frontend
