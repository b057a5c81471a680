// Application-wide controls Rust needs and cxx-qt-lib does not bind (static Qt functions).
#pragma once

#include <QtCore/QCoreApplication>
#include <QtCore/QMetaObject>
#include <QtGui/QGuiApplication>
#include <QtGui/QImage>
#include <QtGui/QMouseEvent>
#include <QtGui/QWheelEvent>
#include <QtGui/QWindow>
#include <QtQuick/QQuickItem>
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

/// The first QtQuick window, if any.
inline QQuickWindow*
first_quick_window()
{
  for (QWindow* window : QGuiApplication::topLevelWindows()) {
    if (auto* quick = qobject_cast<QQuickWindow*>(window)) {
      return quick;
    }
  }
  return nullptr;
}

/// A timestamp for a synthetic input event: milliseconds, increasing, as the platform's are
/// (Qt Quick tells events apart by them, and ignores a repeated one).
inline ulong
next_input_timestamp()
{
  static ulong timestamp = 0;
  timestamp += 20;
  return timestamp;
}

/// (x, y) in the coordinates of the item named `item` in the first QtQuick window, mapped to
/// the window's; false if there is no such window or item.
inline bool
window_point(const QString& item, double x, double y, QQuickWindow*& window, QPointF& point)
{
  window = first_quick_window();
  if (window == nullptr) {
    return false;
  }
  auto* target = window->findChild<QQuickItem*>(item);
  if (target == nullptr) {
    return false;
  }
  point = target->mapToScene(QPointF(x, y));
  return true;
}

/// Sends the first QtQuick window a turn of the mouse wheel at (x, y) in the coordinates of the
/// item named `item`, as the platform would: `delta` in eighths of a degree (120 is one notch;
/// positive: away from the user). False if there is no such window or item.
inline bool
send_wheel(const QString& item, double x, double y, int delta)
{
  QQuickWindow* window = nullptr;
  QPointF position;
  if (!window_point(item, x, y, window, position)) {
    return false;
  }
  QWheelEvent event(position,
                    window->mapToGlobal(position),
                    QPoint(),
                    QPoint(0, delta),
                    Qt::NoButton,
                    Qt::NoModifier,
                    Qt::NoScrollPhase,
                    false);
  event.setTimestamp(next_input_timestamp());
  QCoreApplication::sendEvent(window, &event);
  return true;
}

/// Sends the first QtQuick window a mouse event at (x, y) in the coordinates of the item named
/// `item`: `kind` 0 moves (with the left button held if `held`), 1 presses the left button, 2
/// releases it. False if there is no such window or item.
inline bool
send_mouse(const QString& item, int kind, double x, double y, bool held)
{
  QQuickWindow* window = nullptr;
  QPointF position;
  if (!window_point(item, x, y, window, position)) {
    return false;
  }
  const QEvent::Type type = kind == 1   ? QEvent::MouseButtonPress
                            : kind == 2 ? QEvent::MouseButtonRelease
                                        : QEvent::MouseMove;
  const Qt::MouseButton button = kind == 0 ? Qt::NoButton : Qt::LeftButton;
  const Qt::MouseButtons buttons = (kind == 1 || (kind == 0 && held)) ? Qt::LeftButton : Qt::NoButton;
  QMouseEvent event(
    type, position, position, window->mapToGlobal(position), button, buttons, Qt::NoModifier);
  event.setTimestamp(next_input_timestamp());
  QCoreApplication::sendEvent(window, &event);
  return true;
}

/// Calls `on_frame` each time the first QtQuick window has drawn a frame, on the thread that
/// drew it (the render thread, with Qt's threaded render loop). False if there is no window.
inline bool
connect_frame_swapped(rust::Fn<void()> on_frame)
{
  QQuickWindow* window = first_quick_window();
  if (window == nullptr) {
    return false;
  }
  QObject::connect(
    window, &QQuickWindow::frameSwapped, window, [on_frame]() { on_frame(); }, Qt::DirectConnection);
  return true;
}

} // namespace qt_frontend
