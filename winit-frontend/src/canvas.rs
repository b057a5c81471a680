//! [`Canvas`]: the window's pixels, with rectangles and text in a built-in 8×8 bitmap font.
//!
//! Owns the pixel format (softbuffer's `0x00RRGGBB`) and text drawing. It never sees winit or
//! softbuffer: the demos draw into a canvas and the application copies it to the window, so tests
//! can draw without a window.

use font8x8::UnicodeFonts;
use guestloop::sieve::Rgb;

/// The side of a glyph, in pixels at scale 1.
pub const GLYPH: u32 = 8;

/// A rectangle of pixels: `x..x + width`, `y..y + height`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rect {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

impl Rect {
    /// Whether the point `(x, y)` is inside.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        let (left, top) = (f64::from(self.x), f64::from(self.y));
        (left..left + f64::from(self.width)).contains(&x)
            && (top..top + f64::from(self.height)).contains(&y)
    }

    /// The centre, in pixels.
    pub fn centre(&self) -> (u32, u32) {
        (self.x + self.width / 2, self.y + self.height / 2)
    }
}

/// A colour as softbuffer wants it: `0x00RRGGBB`.
pub fn pixel(colour: Rgb) -> u32 {
    u32::from(colour.r) << 16 | u32::from(colour.g) << 8 | u32::from(colour.b)
}

/// A window's worth of pixels, row by row.
#[derive(Debug, Clone, Default)]
pub struct Canvas {
    width: u32,
    height: u32,
    pixels: Vec<u32>,
}

impl Canvas {
    /// A canvas of `width × height` pixels, filled with `background`.
    pub fn new(width: u32, height: u32, background: u32) -> Canvas {
        Canvas {
            width,
            height,
            pixels: vec![background; width as usize * height as usize],
        }
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The pixels, row by row.
    pub fn pixels(&self) -> &[u32] {
        &self.pixels
    }

    /// The pixel at `(x, y)`.
    ///
    /// # Panics
    /// If the point is outside the canvas.
    pub fn at(&self, x: u32, y: u32) -> u32 {
        assert!(x < self.width && y < self.height, "({x}, {y}) is outside");
        self.pixels[(y * self.width + x) as usize]
    }

    /// Fills `rect` (clipped to the canvas) with `colour`.
    pub fn fill(&mut self, rect: Rect, colour: u32) {
        let right = (rect.x.saturating_add(rect.width)).min(self.width);
        let bottom = (rect.y.saturating_add(rect.height)).min(self.height);
        if rect.x >= right {
            return;
        }
        for y in rect.y..bottom {
            let row = (y * self.width) as usize;
            self.pixels[row + rect.x as usize..row + right as usize].fill(colour);
        }
    }

    /// Draws the outline of `rect`, one pixel wide.
    pub fn outline(&mut self, rect: Rect, colour: u32) {
        let Rect {
            x,
            y,
            width,
            height,
        } = rect;
        if width == 0 || height == 0 {
            return;
        }
        self.fill(Rect { height: 1, ..rect }, colour);
        self.fill(Rect { width: 1, ..rect }, colour);
        self.fill(
            Rect {
                x,
                y: y + height - 1,
                width,
                height: 1,
            },
            colour,
        );
        self.fill(
            Rect {
                x: x + width - 1,
                y,
                width: 1,
                height,
            },
            colour,
        );
    }

    /// Draws `text` with its top left corner at `(x, y)`, each font pixel a `scale × scale`
    /// square, clipped to the canvas. Characters the font lacks are skipped (see [`printable`]).
    pub fn text(&mut self, x: u32, y: u32, text: &str, scale: u32, colour: u32) {
        let mut left = x;
        for glyph in text.chars().filter_map(glyph) {
            for (row, bits) in glyph.iter().enumerate() {
                for col in 0..GLYPH {
                    if bits & (1 << col) != 0 {
                        let top = y + row as u32 * scale;
                        let square = Rect {
                            x: left + col * scale,
                            y: top,
                            width: scale,
                            height: scale,
                        };
                        self.fill(square, colour);
                    }
                }
            }
            left += GLYPH * scale;
        }
    }

    /// Draws `text` centred in `rect`, at the largest scale up to `max_scale` at which it fits
    /// (at scale 1, clipped, if even that does not fit).
    pub fn text_centred(&mut self, rect: Rect, text: &str, max_scale: u32, colour: u32) {
        let chars = text.chars().filter_map(glyph).count() as u32;
        let scale = (1..=max_scale.max(1))
            .rev()
            .find(|&s| chars * GLYPH * s <= rect.width && GLYPH * s <= rect.height)
            .unwrap_or(1);
        let (width, height) = (chars * GLYPH * scale, GLYPH * scale);
        let x = rect.x + rect.width.saturating_sub(width) / 2;
        let y = rect.y + rect.height.saturating_sub(height) / 2;
        self.text(x, y, text, scale, colour);
    }
}

/// The glyph of `c`, if the font has it.
fn glyph(c: char) -> Option<[u8; 8]> {
    font8x8::BASIC_FONTS
        .get(c)
        .or_else(|| font8x8::LATIN_FONTS.get(c))
}

/// `text` without the characters the font lacks (the status line's emoji), its spaces
/// collapsed and trimmed: what [`Canvas::text`] will show.
pub fn printable(text: &str) -> String {
    let kept: String = text.chars().filter(|&c| glyph(c).is_some()).collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_is_clipped_to_the_canvas() {
        let mut canvas = Canvas::new(4, 3, 0);
        canvas.fill(
            Rect {
                x: 2,
                y: 1,
                width: 10,
                height: 10,
            },
            7,
        );
        assert_eq!(canvas.pixels(), [0, 0, 0, 0, 0, 0, 7, 7, 0, 0, 7, 7]);
        canvas.fill(
            Rect {
                x: 9,
                y: 0,
                width: 1,
                height: 1,
            },
            5,
        ); // outside: nothing
        assert_eq!(canvas.pixels().iter().filter(|&&p| p == 5).count(), 0);
    }

    #[test]
    fn text_draws_glyph_pixels_at_scale() {
        let mut canvas = Canvas::new(32, 16, 0);
        canvas.text(0, 0, "1", 2, 9);
        let lit = canvas.pixels().iter().filter(|&&p| p == 9).count();
        let bits: u32 = glyph('1').unwrap().iter().map(|row| row.count_ones()).sum();
        assert_eq!(lit as u32, bits * 4, "each font pixel is a 2×2 square");
    }

    #[test]
    fn printable_drops_what_the_font_lacks() {
        assert_eq!(printable("🥳 Congratulations! 🥳"), "Congratulations!");
        assert_eq!(
            printable("⚙️ ...Calculating prime numbers... ⚙️"),
            "...Calculating prime numbers..."
        );
    }
}
