// The eratosthenes canvas's C++ side: a QQuickPaintedItem base whose virtuals Rust can override
// (cxx cannot take a raw QPainter*, nor override a protected geometryChange), and the two
// drawing calls cxx-qt-lib does not bind. build.rs runs moc on this header.
#pragma once

#include <cstdint>

#include <QtCore/QRectF>
#include <QtCore/QString>
#include <QtGui/QImage>
#include <QtGui/QPainter>
#include <QtQuick/QQuickItem>
#include <QtQuick/QQuickPaintedItem>

#include "rust/cxx.h"

/// A QQuickPaintedItem that hands its painting to `paintCells` (a reference, never null) and
/// says when its size changed (`resized`). The Rust `GridCanvas` derives from it.
class GridCanvasBase : public QQuickPaintedItem
{
  Q_OBJECT // cxx-qt casts between the Rust class and its base with qobject_cast

public:
  explicit GridCanvasBase(QObject* parent = nullptr)
    : QQuickPaintedItem(qobject_cast<QQuickItem*>(parent))
  {
  }

  void paint(QPainter* painter) override
  {
    if (painter != nullptr) {
      paintCells(*painter);
    }
  }

  /// Paints the item; the painter is clipped to the part that needs it (see update(QRect)).
  virtual void paintCells(QPainter& painter) const = 0;

  /// The item's width or height changed.
  virtual void resized() = 0;

protected:
  void geometryChange(const QRectF& newGeometry, const QRectF& oldGeometry) override
  {
    QQuickPaintedItem::geometryChange(newGeometry, oldGeometry);
    if (newGeometry.size() != oldGeometry.size()) {
      resized();
    }
  }
};

namespace qt_frontend {

/// Draws the `source` part of a `cols × rows` image of 0xffRRGGBB pixels (one per cell) into
/// `target`, each pixel a sharp block (no smoothing). The pixels are read, never copied or kept.
inline void
draw_cells(QPainter& painter,
           const QRectF& target,
           rust::Slice<const std::uint32_t> pixels,
           int cols,
           int rows,
           const QRectF& source)
{
  if (cols <= 0 || rows <= 0 || pixels.size() < std::size_t(cols) * std::size_t(rows)) {
    return;
  }
  const QImage image(reinterpret_cast<const uchar*>(pixels.data()),
                     cols,
                     rows,
                     qsizetype(cols) * 4,
                     QImage::Format_RGB32);
  painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
  painter.drawImage(target, image, source);
}

/// Draws `text` centred in `rect` with the painter's font and pen.
inline void
draw_centred(QPainter& painter, const QRectF& rect, const QString& text)
{
  painter.drawText(rect, Qt::AlignCenter, text);
}

} // namespace qt_frontend
