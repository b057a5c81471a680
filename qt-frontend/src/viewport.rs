//! [`Viewport`]: which part of the sieve's grid the canvas shows, and how large: the zoom, the
//! pan, fitting a grid to a window, and which cell lies under a point.
//!
//! Owns the geometry only, in plain numbers: no Qt, no pixels. The canvas asks it where to draw
//! and what the pointer is over; its tests pin every rule down.
//!
//! The rules, in item pixels (the canvas's own coordinates):
//! - A cell is `cell_height` pixels tall. From [`NUMBERS_FROM`] up the grid shows numbers, and a
//!   cell is as wide as its numbers need (at the default height of 22 pixels: the widest number's
//!   digits × 6 + 7, at least 20, as the window has always drawn them); below, a cell is a
//!   square block of colour.
//! - Zooming keeps the point under the pointer over the same place in the same cell. It stops at
//!   [`MAX_CELL_HEIGHT`], and where the whole grid fits the item (or at the default height, if
//!   the grid fits at that already).
//! - The grid's top-left corner starts at the item's; panning moves it, but never so far that
//!   the grid leaves a gap on the right or at the bottom while part of it is hidden on the other
//!   side.

use std::ops::Range;

/// The cell height of a grid shown at its natural size: 22 pixels, numbers 9 pixels high.
pub const DEFAULT_CELL_HEIGHT: f64 = 22.0;
/// The smallest cell height that shows numbers (their font is then 6 pixels).
pub const NUMBERS_FROM: f64 = 14.0;
/// The largest cell height zooming reaches.
pub const MAX_CELL_HEIGHT: f64 = 96.0;
/// How much one notch of the mouse wheel (120 eighths of a degree) zooms.
pub const ZOOM_PER_NOTCH: f64 = 1.25;
/// Font pixels per pixel of cell height: 9 at the default 22.
const FONT_PER_CELL_HEIGHT: f64 = 9.0 / DEFAULT_CELL_HEIGHT;

/// A rectangle in item pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

impl Rect {
    /// The part of `self` inside `other`, if any.
    pub fn intersection(&self, other: &Rect) -> Option<Rect> {
        let left = self.x.max(other.x);
        let top = self.y.max(other.y);
        let right = (self.x + self.width).min(other.x + other.width);
        let bottom = (self.y + self.height).min(other.y + other.height);
        (right > left && bottom > top).then_some(Rect {
            x: left,
            y: top,
            width: right - left,
            height: bottom - top,
        })
    }
}

/// What the canvas shows: a `rows × cols` grid at some zoom and pan, in an item of some size.
#[derive(Debug, Clone, PartialEq)]
pub struct Viewport {
    rows: u32,
    cols: u32,
    /// A cell's width at [`DEFAULT_CELL_HEIGHT`] when numbers show.
    number_cell_width: f64,
    cell_height: f64,
    /// The grid point at the item's top-left corner, in pixels of the current zoom.
    origin: (f64, f64),
    size: (f64, f64),
    /// Whether the zoom was chosen for a real item size yet.
    sized: bool,
}

impl Default for Viewport {
    /// The viewport of an empty grid.
    fn default() -> Viewport {
        Viewport::new(0, 0)
    }
}

impl Viewport {
    /// A viewport of a `rows × cols` grid at the default zoom, in an item of no size yet.
    pub fn new(rows: u32, cols: u32) -> Viewport {
        let numbers = u64::from(rows) * u64::from(cols);
        let digits = numbers.max(1).ilog10() + 1;
        Viewport {
            rows,
            cols,
            number_cell_width: f64::from((digits * 6 + 7).max(20)),
            cell_height: DEFAULT_CELL_HEIGHT,
            origin: (0.0, 0.0),
            size: (0.0, 0.0),
            sized: false,
        }
    }

    /// The size the item would like, between `min` and `max`: the whole grid at the zoom
    /// [`Viewport::fitting_cell_height`] chooses for `max`, whole pixels rounded up, but never
    /// smaller than `min` (a grid of one row still gets room to zoom into).
    pub fn preferred_size(&self, min: (f64, f64), max: (f64, f64)) -> (f64, f64) {
        let (width, height) = self.content_size_at(self.fitting_cell_height(max));
        (
            width.ceil().clamp(min.0, max.0),
            height.ceil().clamp(min.1, max.1),
        )
    }

    /// The cell height at which the whole grid shows in `area`, as large as possible but not
    /// above the default: the default if the grid fits at it; else the largest that fits with
    /// numbers showing; else square blocks that fit (kept just below [`NUMBERS_FROM`], where
    /// cells would widen).
    pub fn fitting_cell_height(&self, area: (f64, f64)) -> f64 {
        let (rows, cols) = (f64::from(self.rows), f64::from(self.cols));
        let aspect = self.number_cell_width / DEFAULT_CELL_HEIGHT;
        let with_numbers = (area.0 / (cols * aspect)).min(area.1 / rows);
        if with_numbers >= NUMBERS_FROM {
            return with_numbers.min(DEFAULT_CELL_HEIGHT);
        }
        let blocks = (area.0 / cols).min(area.1 / rows);
        // Positive even for an empty area, so zoom arithmetic never divides by zero.
        blocks.clamp(f64::MIN_POSITIVE, NUMBERS_FROM - 1e-6)
    }

    /// Tells the viewport the item's size. The first real size sets the zoom to fit the grid
    /// ([`Viewport::fitting_cell_height`]); later ones keep the zoom where still allowed, and
    /// keep the pan inside the grid.
    pub fn set_size(&mut self, width: f64, height: f64) {
        self.size = (width.max(0.0), height.max(0.0));
        if !self.sized && width > 0.0 && height > 0.0 {
            self.sized = true;
            self.cell_height = self.fitting_cell_height(self.size);
        }
        self.cell_height = self
            .cell_height
            .clamp(self.min_cell_height(), MAX_CELL_HEIGHT);
        self.clamp_origin();
    }

    /// The smallest cell height zooming out reaches: where the whole grid fits the item, or the
    /// default height if the grid fits at that already.
    pub fn min_cell_height(&self) -> f64 {
        if self.size.0 <= 0.0 || self.size.1 <= 0.0 {
            return self.cell_height;
        }
        self.fitting_cell_height(self.size)
    }

    /// Zooms by [`ZOOM_PER_NOTCH`] per notch (negative: out) about the item point `at`, which
    /// stays over the same point of the same cell (unless the pan has to be clamped).
    pub fn zoom_at(&mut self, at: (f64, f64), notches: f64) {
        if !notches.is_finite() {
            return;
        }
        let (width, height) = self.cell_size();
        // Where `at` is, in cells (fractional).
        let col = (self.origin.0 + at.0) / width;
        let row = (self.origin.1 + at.1) / height;
        let wanted = self.cell_height * ZOOM_PER_NOTCH.powf(notches);
        self.cell_height = wanted.clamp(self.min_cell_height(), MAX_CELL_HEIGHT);
        let (width, height) = self.cell_size();
        self.origin = (col * width - at.0, row * height - at.1);
        self.clamp_origin();
    }

    /// Moves the grid's visible part by `delta` item pixels (positive: towards the bottom-right
    /// of the grid, as dragging it up and left does).
    pub fn pan_by(&mut self, delta: (f64, f64)) {
        if delta.0.is_finite() && delta.1.is_finite() {
            self.origin = (self.origin.0 + delta.0, self.origin.1 + delta.1);
            self.clamp_origin();
        }
    }

    fn clamp_origin(&mut self) {
        let (width, height) = self.content_size_at(self.cell_height);
        let max_x = (width - self.size.0).max(0.0);
        let max_y = (height - self.size.1).max(0.0);
        self.origin = (
            self.origin.0.clamp(0.0, max_x),
            self.origin.1.clamp(0.0, max_y),
        );
    }

    /// The current cell height.
    pub fn cell_height(&self) -> f64 {
        self.cell_height
    }

    /// The grid point at the item's top-left corner, in pixels of the current zoom.
    pub fn origin(&self) -> (f64, f64) {
        self.origin
    }

    /// Whether cells show their numbers at this zoom (else they are blocks of colour).
    pub fn shows_numbers(&self) -> bool {
        self.cell_height >= NUMBERS_FROM
    }

    /// The font's pixel size for numbers at this zoom.
    pub fn font_pixels(&self) -> i32 {
        (self.cell_height * FONT_PER_CELL_HEIGHT).round() as i32
    }

    /// A cell's width and height at this zoom.
    pub fn cell_size(&self) -> (f64, f64) {
        self.cell_size_at(self.cell_height)
    }

    fn cell_size_at(&self, cell_height: f64) -> (f64, f64) {
        if cell_height >= NUMBERS_FROM {
            let width = self.number_cell_width * cell_height / DEFAULT_CELL_HEIGHT;
            (width, cell_height)
        } else {
            (cell_height, cell_height)
        }
    }

    fn content_size_at(&self, cell_height: f64) -> (f64, f64) {
        let (width, height) = self.cell_size_at(cell_height);
        (width * f64::from(self.cols), height * f64::from(self.rows))
    }

    /// The number in the cell under the item point `at`, if a cell is there.
    pub fn number_at(&self, at: (f64, f64)) -> Option<u32> {
        if !(0.0..self.size.0).contains(&at.0) || !(0.0..self.size.1).contains(&at.1) {
            return None;
        }
        let (width, height) = self.cell_size();
        let col = ((self.origin.0 + at.0) / width).floor();
        let row = ((self.origin.1 + at.1) / height).floor();
        let inside = (0.0..f64::from(self.cols)).contains(&col)
            && (0.0..f64::from(self.rows)).contains(&row);
        // In range: both fit u32, and rows × cols ≤ MAX_NUMBERS.
        inside.then(|| row as u32 * self.cols + col as u32 + 1)
    }

    /// Where the cells `rows × cols` are, in item pixels (they may lie outside the item).
    pub fn cells_rect(&self, rows: Range<u32>, cols: Range<u32>) -> Rect {
        let (width, height) = self.cell_size();
        Rect {
            x: f64::from(cols.start) * width - self.origin.0,
            y: f64::from(rows.start) * height - self.origin.1,
            width: f64::from(cols.end - cols.start) * width,
            height: f64::from(rows.end - rows.start) * height,
        }
    }

    /// The rows and columns of the cells that `area` (item pixels) touches; empty if none.
    pub fn cells_in(&self, area: Rect) -> (Range<u32>, Range<u32>) {
        let Some(area) = area.intersection(&self.item_rect()) else {
            return (0..0, 0..0);
        };
        let (width, height) = self.cell_size();
        let span = |start: f64, length: f64, cell: f64, count: u32| {
            let first = ((start / cell).floor().max(0.0) as u32).min(count);
            let end = (((start + length) / cell).ceil().max(0.0) as u32).min(count);
            first..end.max(first)
        };
        let rows = span(self.origin.1 + area.y, area.height, height, self.rows);
        let cols = span(self.origin.0 + area.x, area.width, width, self.cols);
        if rows.is_empty() || cols.is_empty() {
            return (0..0, 0..0);
        }
        (rows, cols)
    }

    /// The whole item, in its own pixels.
    pub fn item_rect(&self) -> Rect {
        Rect {
            x: 0.0,
            y: 0.0,
            width: self.size.0,
            height: self.size.1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn a_40_by_40_grid_keeps_the_windows_cells_of_31_by_22() {
        let mut view = Viewport::new(40, 40);
        assert_eq!(
            view.preferred_size((0.0, 0.0), (1244.0, 920.0)),
            (1240.0, 880.0)
        );
        view.set_size(1240.0, 880.0);
        assert_eq!(view.cell_size(), (31.0, 22.0)); // 4 digits: 4 × 6 + 7
        assert!(view.shows_numbers());
        assert_eq!(view.font_pixels(), 9);
        assert_eq!(Viewport::new(1, 1).cell_size(), (20.0, 22.0)); // at least 20 wide
    }

    #[test]
    fn large_grids_fit_as_square_blocks() {
        let mut view = Viewport::new(1000, 1000);
        let (width, height) = view.preferred_size((300.0, 200.0), (1244.0, 920.0));
        assert_eq!((width, height), (920.0, 920.0));
        // One row of ten million: a sliver of content, but room to zoom into.
        let one_row = Viewport::new(1, 10_000_000);
        assert_eq!(
            one_row.preferred_size((300.0, 200.0), (1244.0, 920.0)),
            (1244.0, 200.0)
        );
        view.set_size(width, height);
        assert!(!view.shows_numbers());
        assert!(close(view.cell_height(), 0.92));
        assert_eq!(view.cell_size(), (0.92, 0.92));
        // Every cell is on screen: the last one under the bottom-right pixel.
        assert_eq!(view.number_at((919.9, 919.9)), Some(1_000_000));
        assert_eq!(view.number_at((0.0, 0.0)), Some(1));
    }

    #[test]
    fn middle_sizes_fit_with_numbers_when_they_can() {
        // 60 × 60 at 22 px would be 1860 wide; with numbers, 14.7 px still fits.
        let view = Viewport::new(60, 60);
        let fit = view.fitting_cell_height((1244.0, 920.0));
        assert!((NUMBERS_FROM..DEFAULT_CELL_HEIGHT).contains(&fit), "{fit}");
        // 100 × 70: numbers would need < 14 px; blocks of 12.4 px fit, kept below 14.
        let view = Viewport::new(70, 100);
        let fit = view.fitting_cell_height((1244.0, 920.0));
        assert!(close(fit, 12.44), "{fit}");
        // 20 × 80: numbers would need < 14 px; blocks would fit at 15.5 px: kept below 14, where
        // cells stay square.
        let view = Viewport::new(20, 80);
        let fit = view.fitting_cell_height((1244.0, 920.0));
        assert!((13.99..NUMBERS_FROM).contains(&fit), "{fit}");
    }

    #[test]
    fn zoom_keeps_the_point_under_the_pointer_in_place() {
        let mut view = Viewport::new(200, 200);
        view.set_size(900.0, 900.0); // 4.5 px blocks
        let at = (300.0, 200.0);
        let before = view.number_at(at);
        view.zoom_at(at, 2.0);
        assert!(close(view.cell_height(), 4.5 * 1.25 * 1.25));
        assert_eq!(view.number_at(at), before);
        // Into numbers: cells widen, and the same cell stays under the pointer.
        view.zoom_at(at, 4.0);
        assert!(view.shows_numbers());
        assert_eq!(view.number_at(at), before);
        assert_eq!(before, Some(44 * 200 + 66 + 1)); // (200/4.5, 300/4.5) = row 44, column 66
    }

    #[test]
    fn zoom_stops_at_the_fit_and_at_the_largest_cells() {
        let mut view = Viewport::new(1000, 1000);
        view.set_size(920.0, 920.0);
        view.zoom_at((10.0, 10.0), -5.0);
        assert!(close(view.cell_height(), 0.92));
        view.zoom_at((10.0, 10.0), 100.0);
        assert_eq!(view.cell_height(), MAX_CELL_HEIGHT);
        view.zoom_at((10.0, 10.0), f64::NAN);
        assert_eq!(view.cell_height(), MAX_CELL_HEIGHT);
        // A small grid does not zoom out past its natural size.
        let mut view = Viewport::new(3, 3);
        view.set_size(900.0, 900.0);
        view.zoom_at((10.0, 10.0), -3.0);
        assert_eq!(view.cell_height(), DEFAULT_CELL_HEIGHT);
    }

    #[test]
    fn pan_moves_the_grid_and_stays_inside_it() {
        let mut view = Viewport::new(100, 100);
        view.set_size(500.0, 400.0); // 4 px blocks: 400 × 400 of content
        view.zoom_at((0.0, 0.0), 3.0); // 7.8125 px: 781.25 of content
        assert_eq!(view.origin(), (0.0, 0.0));
        view.pan_by((100.0, 50.0));
        assert_eq!(view.origin(), (100.0, 50.0));
        assert_eq!(view.number_at((0.0, 0.0)), Some(6 * 100 + 12 + 1)); // 50/7.8 = 6, 100/7.8 = 12
        view.pan_by((1e9, 1e9));
        assert_eq!(view.origin(), (781.25 - 500.0, 781.25 - 400.0));
        view.pan_by((-1e9, f64::INFINITY));
        assert_eq!(view.origin(), (781.25 - 500.0, 781.25 - 400.0));
        view.pan_by((-1e9, -1e9));
        assert_eq!(view.origin(), (0.0, 0.0));
        // A grid smaller than the item does not move.
        let mut view = Viewport::new(2, 2);
        view.set_size(500.0, 400.0);
        view.pan_by((30.0, 30.0));
        assert_eq!(view.origin(), (0.0, 0.0));
    }

    #[test]
    fn hit_tests_and_visible_cells_agree_with_cell_rects() {
        let mut view = Viewport::new(40, 40);
        view.set_size(300.0, 200.0);
        view.zoom_at((0.0, 0.0), 1.0);
        view.pan_by((45.0, 33.0));
        let (rows, cols) = view.cells_in(view.item_rect());
        for row in rows.clone() {
            for col in cols.clone() {
                let rect = view.cells_rect(row..row + 1, col..col + 1);
                let centre = (rect.x + rect.width / 2.0, rect.y + rect.height / 2.0);
                if view.item_rect().intersection(&rect).is_some()
                    && view.number_at(centre).is_some()
                {
                    assert_eq!(view.number_at(centre), Some(row * 40 + col + 1));
                }
            }
        }
        // The visible cells are exactly those whose rect meets the item.
        for row in 0..40 {
            for col in 0..40 {
                let meets = view
                    .cells_rect(row..row + 1, col..col + 1)
                    .intersection(&view.item_rect())
                    .is_some();
                assert_eq!(
                    meets,
                    rows.contains(&row) && cols.contains(&col),
                    "{row},{col}"
                );
            }
        }
        assert_eq!(view.number_at((-1.0, 5.0)), None);
        assert_eq!(view.number_at((300.0, 5.0)), None);
    }

    #[test]
    fn an_empty_item_is_harmless() {
        let mut view = Viewport::new(5, 5);
        view.set_size(0.0, 0.0);
        view.zoom_at((0.0, 0.0), 1.0);
        view.pan_by((10.0, 10.0));
        assert_eq!(view.cells_in(view.item_rect()), (0..0, 0..0));
        assert_eq!(view.number_at((0.0, 0.0)), None);
        view.set_size(-5.0, f64::NAN);
        assert_eq!(view.cells_in(view.item_rect()), (0..0, 0..0));
    }
}
