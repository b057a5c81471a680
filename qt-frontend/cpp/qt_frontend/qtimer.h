// QTimer for Rust: a constructor (cxx cannot call constructors) and a timeout connection that
// calls a plain Rust function, with no reference to the timer alive while it runs.
#pragma once

#include <memory>

#include <QtCore/QCoreApplication>
#include <QtCore/QTimer>

#include "rust/cxx.h"

namespace qt_frontend {

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

} // namespace qt_frontend
