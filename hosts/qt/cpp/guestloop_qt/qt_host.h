// The Qt host's C++ side, for what cxx cannot express: a QTimer constructor, a timeout
// connection that calls a plain Rust function (no reference to the timer alive while it runs),
// and a nested event loop.
#pragma once

#include <memory>

#include <QtCore/QCoreApplication>
#include <QtCore/QEventLoop>
#include <QtCore/QMetaObject>
#include <QtCore/QThread>
#include <QtCore/QTimer>

#include "rust/cxx.h"

namespace guestloop_qt {

/// A single-shot timer with Qt::PreciseTimer (millisecond accuracy, no coalescing).
inline std::unique_ptr<QTimer>
precise_single_shot_timer()
{
  auto timer = std::make_unique<QTimer>();
  timer->setSingleShot(true);
  timer->setTimerType(Qt::PreciseTimer);
  return timer;
}

/// Calls `on_timeout` whenever `timer` fires; the connection lives as long as the timer.
inline void
connect_timeout(QTimer& timer, rust::Fn<void()> on_timeout)
{
  QObject::connect(&timer, &QTimer::timeout, &timer, [on_timeout]() { on_timeout(); });
}

/// Whether a QCoreApplication (or subclass) exists now.
inline bool
application_exists()
{
  return QCoreApplication::instance() != nullptr;
}

/// QCoreApplication::exit(code), on the application's thread: called there, at once (nothing
/// before exec()); called from another thread, queued there, since exit() touches the thread's
/// event loops and emits aboutToQuit.
inline void
exit_event_loop(int code)
{
  QCoreApplication* app = QCoreApplication::instance();
  if (app == nullptr) {
    return;
  }
  if (QThread::currentThread() == app->thread()) {
    QCoreApplication::exit(code);
  } else {
    QMetaObject::invokeMethod(
      app, [code]() { QCoreApplication::exit(code); }, Qt::QueuedConnection);
  }
}

/// How many event loops this thread runs, one inside another (QThread::loopLevel).
inline int
event_loop_level()
{
  return QThread::currentThread()->loopLevel();
}

/// Runs a nested QEventLoop for `msec` milliseconds, as QDialog::exec runs one until its dialog
/// closes.
inline void
exec_nested_event_loop(int msec)
{
  QEventLoop nested;
  QTimer::singleShot(msec, &nested, &QEventLoop::quit);
  nested.exec();
}

} // namespace guestloop_qt
