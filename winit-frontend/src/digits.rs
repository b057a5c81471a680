//! The cells' numbers in a built-in 5×7 bitmap font: narrower than the 8×8 text font, so a
//! 40×40 grid shows every number in a window that fits a screen.
//!
//! Owns the digit glyphs and when a number fits its cell.

use crate::canvas::{Canvas, Rect};

/// A digit's height in pixels.
pub const HEIGHT: u32 = 7;
/// A digit's advance: 5 pixels and a blank column.
const ADVANCE: u32 = 6;

/// 0–9, one row a byte, the leftmost pixel in bit 4.
const GLYPHS: [[u8; 7]; 10] = [
    [0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e],
    [0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e],
    [0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f],
    [0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e],
    [0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02],
    [0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e],
    [0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e],
    [0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
    [0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e],
    [0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c],
];

/// The width of `number` in pixels.
pub fn width(number: u32) -> u32 {
    number.to_string().len() as u32 * ADVANCE - 1
}

/// Draws `number` centred in `rect` if it fits with a font pixel to spare on each side, twice
/// as big if that fits too; otherwise draws nothing (the cell's colour says enough).
pub fn draw_centred(canvas: &mut Canvas, rect: Rect, number: u32, colour: u32) {
    let fits = |scale: u32| {
        rect.width >= (width(number) + 2) * scale && rect.height >= (HEIGHT + 2) * scale
    };
    let Some(scale) = [2, 1].into_iter().find(|&scale| fits(scale)) else {
        return;
    };
    let mut x = rect.x + (rect.width - width(number) * scale) / 2;
    let y = rect.y + (rect.height - HEIGHT * scale) / 2;
    for digit in number.to_string().bytes() {
        let glyph = &GLYPHS[usize::from(digit - b'0')];
        for (row, bits) in (0..).zip(glyph) {
            for col in (0..5).filter(|col| bits & (0x10 >> col) != 0) {
                let dot = Rect {
                    x: x + col * scale,
                    y: y + row * scale,
                    width: scale,
                    height: scale,
                };
                canvas.fill(dot, colour);
            }
        }
        x += ADVANCE * scale;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_is_drawn_only_where_it_fits() {
        let mut canvas = Canvas::new(40, 20, 0);
        let cell = Rect {
            x: 0,
            y: 0,
            width: width(1600) + 2,
            height: HEIGHT + 2,
        };
        draw_centred(&mut canvas, cell, 1600, 1);
        assert!(canvas.pixels().contains(&1));
        let mut canvas = Canvas::new(40, 20, 0);
        draw_centred(
            &mut canvas,
            Rect {
                width: cell.width - 1,
                ..cell
            },
            1600,
            1,
        );
        assert!(!canvas.pixels().contains(&1), "too narrow: nothing drawn");
    }

    #[test]
    fn big_cells_get_digits_twice_as_big() {
        let lit = |cell: Rect| {
            let mut canvas = Canvas::new(100, 40, 0);
            draw_centred(&mut canvas, cell, 1600, 1);
            canvas.pixels().iter().filter(|&&p| p == 1).count()
        };
        let small = Rect {
            x: 0,
            y: 0,
            width: 40,
            height: 12,
        };
        let big = Rect {
            width: 2 * width(1600) + 4,
            height: 2 * HEIGHT + 4,
            ..small
        };
        assert_eq!(lit(big), 4 * lit(small));
    }

    #[test]
    fn each_digit_is_distinct() {
        let glyphs: std::collections::HashSet<_> = GLYPHS.iter().collect();
        assert_eq!(glyphs.len(), 10);
    }
}
