// A QTimer constructor for Rust: cxx cannot call constructors.
#pragma once

#include <memory>

#include <QtCore/QTimer>

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

} // namespace qt_frontend
