//! [`ColourMode`]: how marker colours reach the terminal — 24-bit where it says it has them,
//! else the nearest of the xterm 256-colour palette.
//!
//! Owns colour-depth detection and the nearest-colour search.

use guestloop::sieve::Rgb;
use ratatui::style::Color;

/// How many colours the terminal shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColourMode {
    /// 24-bit colour (`COLORTERM=truecolor` or `24bit`).
    TrueColor,
    /// The xterm 256-colour palette.
    Indexed256,
}

impl ColourMode {
    /// The mode `COLORTERM` announces; 256 colours when it says nothing.
    pub fn from_env() -> ColourMode {
        ColourMode::from_colorterm(std::env::var("COLORTERM").ok().as_deref())
    }

    /// The mode a `COLORTERM` value announces.
    pub fn from_colorterm(colorterm: Option<&str>) -> ColourMode {
        match colorterm.map(str::to_ascii_lowercase).as_deref() {
            Some("truecolor" | "24bit") => ColourMode::TrueColor,
            _ => ColourMode::Indexed256,
        }
    }

    /// `rgb` as this terminal can show it.
    pub fn colour(self, rgb: Rgb) -> Color {
        match self {
            ColourMode::TrueColor => Color::Rgb(rgb.r, rgb.g, rgb.b),
            ColourMode::Indexed256 => Color::Indexed(nearest_256(rgb)),
        }
    }
}

/// The channel levels of the xterm 6×6×6 colour cube (indices 16..=231).
const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

/// The xterm palette index closest to `rgb` (squared distance), among the colour cube and the
/// grey ramp (232..=255). The 16 system colours are left out: terminals redefine them.
pub fn nearest_256(rgb: Rgb) -> u8 {
    let distance = |r: u8, g: u8, b: u8| {
        let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).pow(2);
        d(r, rgb.r) + d(g, rgb.g) + d(b, rgb.b)
    };
    let nearest_level = |channel: u8| {
        (0..6)
            .min_by_key(|&i| (i32::from(CUBE[i]) - i32::from(channel)).abs())
            .unwrap_or(0)
    };
    let (r, g, b) = (
        nearest_level(rgb.r),
        nearest_level(rgb.g),
        nearest_level(rgb.b),
    );
    let cube_index = 16 + 36 * r + 6 * g + b;
    let cube_distance = distance(CUBE[r], CUBE[g], CUBE[b]);
    let (grey_index, grey_distance) = (0..24u8)
        .map(|i| {
            let level = 8 + 10 * i;
            (232 + i, distance(level, level, level))
        })
        .min_by_key(|&(_, d)| d)
        .unwrap_or((232, i32::MAX));
    if grey_distance < cube_distance {
        grey_index
    } else {
        cube_index as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rgb(r: u8, g: u8, b: u8) -> Rgb {
        Rgb { r, g, b }
    }

    #[test]
    fn colorterm_decides_the_depth() {
        assert_eq!(
            ColourMode::from_colorterm(Some("truecolor")),
            ColourMode::TrueColor
        );
        assert_eq!(
            ColourMode::from_colorterm(Some("24bit")),
            ColourMode::TrueColor
        );
        assert_eq!(ColourMode::from_colorterm(Some("")), ColourMode::Indexed256);
        assert_eq!(ColourMode::from_colorterm(None), ColourMode::Indexed256);
        assert_eq!(
            ColourMode::TrueColor.colour(rgb(1, 2, 3)),
            Color::Rgb(1, 2, 3)
        );
    }

    #[test]
    fn nearest_256_hits_exact_cube_and_grey_entries() {
        assert_eq!(nearest_256(rgb(0, 0, 0)), 16);
        assert_eq!(nearest_256(rgb(255, 255, 255)), 231);
        assert_eq!(nearest_256(rgb(95, 135, 175)), 16 + 36 + 12 + 3);
        assert_eq!(nearest_256(rgb(128, 128, 128)), 244); // grey 8 + 10·12
        assert_eq!(nearest_256(rgb(100, 130, 170)), 16 + 36 + 12 + 3);
    }
}
