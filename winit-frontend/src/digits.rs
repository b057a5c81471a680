//! The cells' numbers in a built-in 5×7 bitmap font: narrower than the 8×8 text font, so a
//! 40×40 grid shows every number in a window that fits a screen.
//!
//! Owns the digit glyphs and when a number fits its cell. Depends on the [`Canvas`] only.

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

/// Draws `number` centred in `rect` if it fits with a pixel to spare on each side; otherwise
/// draws nothing (the cell's colour says enough).
pub fn draw_centred(canvas: &mut Canvas, rect: Rect, number: u32, colour: u32) {
    let (text_width, text_height) = (width(number), HEIGHT);
    if rect.width < text_width + 2 || rect.height < text_height + 2 {
        return;
    }
    let mut x = rect.x + (rect.width - text_width) / 2;
    let y = rect.y + (rect.height - text_height) / 2;
    for digit in number.to_string().bytes() {
        let glyph = &GLYPHS[usize::from(digit - b'0')];
        for (row, bits) in glyph.iter().enumerate() {
            for col in 0..5 {
                if bits & (0x10 >> col) != 0 {
                    let dot = Rect {
                        x: x + col,
                        y: y + row as u32,
                        width: 1,
                        height: 1,
                    };
                    canvas.fill(dot, colour);
                }
            }
        }
        x += ADVANCE;
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
    fn each_digit_is_distinct() {
        let glyphs: std::collections::HashSet<_> = GLYPHS.iter().collect();
        assert_eq!(glyphs.len(), 10);
    }
}
