//! [`GridCanvas`]: one QtQuick item that draws the whole eratosthenes grid, plus the status line.
//!
//! Owns the grid's pixels and what a person does with them: the mouse wheel zooms (numbers show
//! once cells are large enough, below that each cell is a block of colour), dragging pans, and
//! hovering names the number under the pointer. The geometry is [`Viewport`]'s; the sieve feeds
//! batches through a [`GridHandle`]. It is a `QQuickPaintedItem` (through the C++ base in
//! `qt_frontend/grid_canvas.h`) and never sees the sieve's task.
//!
//! Memory: 8 bytes a cell (a pixel and a mark), 80 MB at the model's limit of 10⁷ numbers.
//!
//! [`GridHandle`]: crate::grid_changes::GridHandle

use crate::grid_changes::{GridChanges, GridTarget, cell_index};
use crate::viewport::{Rect, Viewport};
use cxx_qt::CxxQtType;
use cxx_qt_lib::{QColor, QFont, QPen, QRect, QRectF, QString};
use guestloop::sieve::Rgb;
use std::ops::Range;
use std::pin::Pin;

/// The `GridCanvas` QObject and what it inherits.
#[cxx_qt::bridge]
pub mod qobject {
    unsafe extern "C++" {
        include!("cxx-qt-lib/qstring.h");
        /// A QString.
        type QString = cxx_qt_lib::QString;
        include!("cxx-qt-lib/qpainter.h");
        /// A QPainter.
        type QPainter = cxx_qt_lib::QPainter;
        include!("cxx-qt-lib/qrectf.h");
        /// A QRectF.
        type QRectF = cxx_qt_lib::QRectF;
        include!("cxx-qt-lib/qrect.h");
        /// A QRect.
        type QRect = cxx_qt_lib::QRect;
    }

    unsafe extern "C++Qt" {
        include!("qt_frontend/grid_canvas.h");
        /// `QQuickPaintedItem`, with `paintCells` and `resized` to override.
        #[qobject]
        type GridCanvasBase;
    }

    #[namespace = "qt_frontend"]
    unsafe extern "C++" {
        /// Draws the `source` part of the `cols × rows` cell image into `target`, sharply.
        fn draw_cells(
            painter: Pin<&mut QPainter>,
            target: &QRectF,
            pixels: &[u32],
            cols: i32,
            rows: i32,
            source: &QRectF,
        );

        /// Draws `text` centred in `rect`.
        fn draw_centred(painter: Pin<&mut QPainter>, rect: &QRectF, text: &QString);
    }

    extern "RustQt" {
        /// The grid, drawn in one item, and the status line above it.
        #[qobject]
        #[base = GridCanvasBase]
        #[qml_element]
        #[qproperty(QString, status)]
        #[qproperty(i32, rows)]
        #[qproperty(i32, columns)]
        #[qproperty(i32, preferred_width, cxx_name = "preferredWidth")]
        #[qproperty(i32, preferred_height, cxx_name = "preferredHeight")]
        #[qproperty(QString, hover_text, cxx_name = "hoverText")]
        type GridCanvas = super::GridCanvasRust;
    }

    impl cxx_qt::Threading for GridCanvas {}
    impl cxx_qt::Initialize for GridCanvas {}

    unsafe extern "RustQt" {
        /// `QQuickPaintedItem::update`: repaint `rect` (a null rect: all) at the next frame.
        #[inherit]
        fn update(self: Pin<&mut GridCanvas>, rect: &QRect);

        /// `QQuickItem::width`.
        #[inherit]
        fn width(self: &GridCanvas) -> f64;

        /// `QQuickItem::height`.
        #[inherit]
        fn height(self: &GridCanvas) -> f64;

        /// `QQuickItem::x`: where the item is in its parent (the window's content item).
        #[inherit]
        fn x(self: &GridCanvas) -> f64;

        /// `QQuickItem::y`.
        #[inherit]
        fn y(self: &GridCanvas) -> f64;
    }

    extern "RustQt" {
        #[cxx_override]
        #[cxx_name = "paintCells"]
        fn paint_cells(self: &GridCanvas, painter: Pin<&mut QPainter>);

        #[cxx_override]
        fn resized(self: Pin<&mut GridCanvas>);

        /// Zooms by `notches` of the mouse wheel (positive: in) about the point `(x, y)`.
        #[qinvokable]
        #[cxx_name = "zoomAt"]
        fn zoom_at(self: Pin<&mut GridCanvas>, x: f64, y: f64, notches: f64);

        /// Moves the visible part of the grid by `(dx, dy)` pixels.
        #[qinvokable]
        #[cxx_name = "panBy"]
        fn pan_by(self: Pin<&mut GridCanvas>, dx: f64, dy: f64);

        /// The pointer is at `(x, y)`: `hoverText` names the number under it.
        #[qinvokable]
        #[cxx_name = "hoverAt"]
        fn hover_at(self: Pin<&mut GridCanvas>, x: f64, y: f64);

        /// The pointer left: `hoverText` is empty.
        #[qinvokable]
        #[cxx_name = "hoverEnd"]
        fn hover_end(self: Pin<&mut GridCanvas>);
    }
}

pub use qobject::GridCanvas;

/// The colour of unmarked numbers, and of their blocks: the window's text colour.
pub const TEXT_COLOUR: Rgb = Rgb { r: 0, g: 0, b: 0 };
/// The largest area the grid asks the window for; beyond, it zooms out or pans.
pub const MAX_AREA: (f64, f64) = (1244.0, 900.0);
/// The smallest: a grid of one row or one column still gets room to zoom into.
pub const MIN_AREA: (f64, f64) = (304.0, 200.0);

/// The Rust side of [`GridCanvas`].
#[derive(Debug, Default)]
pub struct GridCanvasRust {
    status: QString,
    rows: i32,
    columns: i32,
    preferred_width: i32,
    preferred_height: i32,
    hover_text: QString,
    view: Viewport,
    /// The colour each number is marked in; index 0 is the number 1.
    marks: Vec<Option<Rgb>>,
    /// One 0xffRRGGBB pixel a cell, row by row: what the blocks are drawn from.
    pixels: Vec<u32>,
    /// Where the pointer is, while it is over the item.
    pointer: Option<(f64, f64)>,
}

fn pixel(colour: Rgb) -> u32 {
    0xff00_0000 | u32::from(colour.r) << 16 | u32::from(colour.g) << 8 | u32::from(colour.b)
}

fn qrectf(rect: Rect) -> QRectF {
    QRectF::new(rect.x, rect.y, rect.width, rect.height)
}

impl GridTarget for GridCanvas {
    fn resize(mut self: Pin<&mut Self>, rows: u32, cols: u32) {
        let cells = rows as usize * cols as usize;
        let view = Viewport::new(rows, cols);
        let (width, height) = view.preferred_size(MIN_AREA, MAX_AREA);
        {
            let mut this = self.as_mut().rust_mut();
            this.marks = vec![None; cells];
            this.pixels = vec![pixel(TEXT_COLOUR); cells];
            this.view = view;
        }
        self.as_mut().set_rows(rows as i32);
        self.as_mut().set_columns(cols as i32);
        self.as_mut().set_preferred_width(width as i32);
        self.as_mut().set_preferred_height(height as i32);
        self.as_mut().resized();
        #[cfg(feature = "test-hooks")]
        crate::measure::grid_sized();
    }

    fn apply(mut self: Pin<&mut Self>, changes: GridChanges) {
        if let Some(status) = changes.status {
            self.as_mut().set_status(QString::from(status));
        }
        if changes.marks.is_empty() {
            return;
        }
        let cols = self.columns.max(1) as u32;
        // The rows and columns the changed cells span.
        let mut span: Option<(Range<u32>, Range<u32>)> = None;
        {
            let mut this = self.as_mut().rust_mut();
            let this = &mut *this;
            for (number, colour) in changes.marks {
                let Some(index) = cell_index(number, this.marks.len()) else {
                    continue;
                };
                this.marks[index] = Some(colour);
                this.pixels[index] = pixel(colour);
                let (row, col) = (index as u32 / cols, index as u32 % cols);
                span = Some(match span {
                    None => (row..row + 1, col..col + 1),
                    Some((rows, cols)) => (
                        rows.start.min(row)..rows.end.max(row + 1),
                        cols.start.min(col)..cols.end.max(col + 1),
                    ),
                });
            }
        }
        if let Some((rows, cols)) = span {
            let changed = self.view.cells_rect(rows, cols);
            if let Some(visible) = changed.intersection(&self.view.item_rect()) {
                self.as_mut().update_area(visible);
            }
            self.as_mut().refresh_hover();
        }
    }
}

impl qobject::GridCanvas {
    fn paint_cells(&self, mut painter: Pin<&mut qobject::QPainter>) {
        let clip = painter
            .clip_bounding_rect()
            .map_or(self.view.item_rect(), |clip| Rect {
                x: clip.x(),
                y: clip.y(),
                width: clip.width(),
                height: clip.height(),
            });
        #[cfg(feature = "test-hooks")]
        let _measure = crate::measure::Paint::start(clip.width * clip.height);
        let (rows, cols) = self.view.cells_in(clip);
        if rows.is_empty() {
            return;
        }
        if self.view.shows_numbers() {
            self.paint_numbers(painter, rows, cols);
        } else {
            let target = qrectf(self.view.cells_rect(rows.clone(), cols.clone()));
            let source = QRectF::new(
                f64::from(cols.start),
                f64::from(rows.start),
                f64::from(cols.end - cols.start),
                f64::from(rows.end - rows.start),
            );
            let (all_cols, all_rows) = (self.columns, self.rows);
            qobject::draw_cells(
                painter.as_mut(),
                &target,
                &self.pixels,
                all_cols,
                all_rows,
                &source,
            );
        }
    }

    /// Numbers centred in their cells: unmarked in the text colour, marked in bold in their
    /// marker's colour (one font change for each kind, not one a cell).
    fn paint_numbers(
        &self,
        mut painter: Pin<&mut qobject::QPainter>,
        rows: Range<u32>,
        cols: Range<u32>,
    ) {
        let mut font = QFont::default();
        font.set_pixel_size(self.view.font_pixels());
        for marked in [false, true] {
            font.set_bold(marked);
            painter.as_mut().set_font(&font);
            if !marked {
                painter.as_mut().set_pen(&QPen::from(&qcolor(TEXT_COLOUR)));
            }
            let mut pen_colour = None;
            for row in rows.clone() {
                for col in cols.clone() {
                    let index = row as usize * self.columns as usize + col as usize;
                    let mark = self.marks.get(index).copied().flatten();
                    if mark.is_some() != marked {
                        continue;
                    }
                    if let Some(colour) = mark
                        && pen_colour != Some(colour)
                    {
                        painter.as_mut().set_pen(&QPen::from(&qcolor(colour)));
                        pen_colour = Some(colour);
                    }
                    let rect = qrectf(self.view.cells_rect(row..row + 1, col..col + 1));
                    let number = QString::from(&(index + 1).to_string());
                    qobject::draw_centred(painter.as_mut(), &rect, &number);
                }
            }
        }
    }

    fn resized(mut self: Pin<&mut Self>) {
        let (width, height) = (self.width(), self.height());
        crate::test_log!("canvas: at {},{} size {width}x{height}", self.x(), self.y());
        self.as_mut().rust_mut().view.set_size(width, height);
        self.as_mut().view_changed();
    }

    fn zoom_at(mut self: Pin<&mut Self>, x: f64, y: f64, notches: f64) {
        self.as_mut().rust_mut().view.zoom_at((x, y), notches);
        self.as_mut().view_changed();
    }

    fn pan_by(mut self: Pin<&mut Self>, dx: f64, dy: f64) {
        self.as_mut().rust_mut().view.pan_by((dx, dy));
        self.as_mut().view_changed();
    }

    fn hover_at(mut self: Pin<&mut Self>, x: f64, y: f64) {
        self.as_mut().rust_mut().pointer = Some((x, y));
        self.refresh_hover();
    }

    fn hover_end(mut self: Pin<&mut Self>) {
        self.as_mut().rust_mut().pointer = None;
        self.refresh_hover();
    }

    /// After a zoom, pan or resize: everything moved.
    fn view_changed(mut self: Pin<&mut Self>) {
        let view = &self.view;
        let (width, height) = view.cell_size();
        let (x, y) = view.origin();
        crate::test_log!(
            "canvas: cell={width:.4}x{height:.4} origin={x:.4},{y:.4} numbers={}",
            view.shows_numbers()
        );
        self.as_mut().update(&QRect::default());
        self.refresh_hover();
    }

    fn update_area(self: Pin<&mut Self>, area: Rect) {
        // Whole pixels, rounded outwards: a cell's edge pixels are repainted too.
        let (left, top) = (area.x.floor(), area.y.floor());
        let (right, bottom) = ((area.x + area.width).ceil(), (area.y + area.height).ceil());
        let rect = QRect::new(
            left as i32,
            top as i32,
            (right - left) as i32,
            (bottom - top) as i32,
        );
        self.update(&rect);
    }

    /// Names the number under the pointer in `hoverText` (empty if none).
    fn refresh_hover(mut self: Pin<&mut Self>) {
        let number = self.pointer.and_then(|at| self.view.number_at(at));
        let text = match number {
            None => String::new(),
            Some(number) => {
                match cell_index(number, self.marks.len()).and_then(|i| self.marks[i]) {
                    Some(_) => format!("{number} · crossed out"),
                    None => number.to_string(),
                }
            }
        };
        let text = QString::from(&text);
        if self.hover_text != text {
            self.as_mut().set_hover_text(text);
        }
    }
}

fn qcolor(colour: Rgb) -> QColor {
    QColor::from_rgb(colour.r.into(), colour.g.into(), colour.b.into())
}

impl cxx_qt::Initialize for qobject::GridCanvas {
    fn initialize(self: Pin<&mut Self>) {
        crate::sieve::start(self);
    }
}
