//! [`Rgb`] colours and the seeded generator that picks each marker's colour.
//!
//! Owns colour choice. A fixed algorithm (SplitMix64) rather than a general RNG crate, so the same
//! seed gives the same colours on every platform and every version.

use std::fmt;

/// A colour with 8-bit channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb {
    /// Red.
    pub r: u8,
    /// Green.
    pub g: u8,
    /// Blue.
    pub b: u8,
}

impl fmt::Display for Rgb {
    /// `#rrggbb`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }
}

/// The deterministic source of marker colours: every channel in `64..=192`, as in the example.
#[derive(Debug, Clone)]
pub(crate) struct ColourSource {
    state: u64,
}

impl ColourSource {
    pub(crate) fn new(seed: u64) -> ColourSource {
        ColourSource { state: seed }
    }

    /// SplitMix64 (Steele, Lea, Flood 2014).
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn channel(&mut self) -> u8 {
        64 + (self.next_u64() % 129) as u8
    }

    pub(crate) fn next_colour(&mut self) -> Rgb {
        Rgb {
            r: self.channel(),
            g: self.channel(),
            b: self.channel(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_stay_in_range_and_seeds_repeat() {
        let mut a = ColourSource::new(1);
        let mut b = ColourSource::new(1);
        let mut other = ColourSource::new(2);
        let mut differs = false;
        for _ in 0..10_000 {
            let colour = a.next_colour();
            assert_eq!(colour, b.next_colour());
            differs |= colour != other.next_colour();
            for channel in [colour.r, colour.g, colour.b] {
                assert!((64..=192).contains(&channel));
            }
        }
        assert!(differs);
        assert_eq!(
            Rgb {
                r: 64,
                g: 128,
                b: 192
            }
            .to_string(),
            "#4080c0"
        );
    }
}
