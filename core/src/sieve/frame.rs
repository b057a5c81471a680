//! [`Frame`]: the sieve's grid and status line as they stand, built from events.
//!
//! Owns the renderer-neutral picture of a run: which cell has which colour, the status, the
//! tick. Any renderer can draw it; [`Frame::to_text`] is the one the snapshot tests read.

use super::{SieveConfig, SieveEvent, SieveView, Status};
use crate::sieve::Rgb;
use std::fmt::Write;

/// The grid's state after the events seen so far: a [`SieveView`] that remembers.
///
/// Colours get a short id in the order they first appear (`a`, `b`, …), so text renderings stay
/// readable and stable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    rows: u32,
    cols: u32,
    tick: u64,
    /// Palette index of each number's colour; index 0 is the number 1.
    cells: Vec<Option<u32>>,
    palette: Vec<Rgb>,
    status: Option<Status>,
    done: bool,
    marked: u32,
}

impl Frame {
    /// An empty grid of `config`'s size.
    pub fn new(config: &SieveConfig) -> Frame {
        Frame {
            rows: config.rows(),
            cols: config.cols(),
            tick: 0,
            cells: vec![None; config.numbers() as usize],
            palette: Vec::new(),
            status: None,
            done: false,
            marked: 0,
        }
    }

    /// Grid rows.
    pub fn rows(&self) -> u32 {
        self.rows
    }

    /// Grid columns.
    pub fn cols(&self) -> u32 {
        self.cols
    }

    /// The tick of the latest event.
    pub fn tick(&self) -> u64 {
        self.tick
    }

    /// The status line, once the status task has shown one.
    pub fn status(&self) -> Option<Status> {
        self.status
    }

    /// Whether the run is done.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// How many numbers are marked.
    pub fn marked(&self) -> u32 {
        self.marked
    }

    /// The colour `number` is marked in, if it is (numbers start at 1).
    pub fn colour_of(&self, number: u32) -> Option<Rgb> {
        let index = (number as usize).checked_sub(1)?;
        let palette_index = (*self.cells.get(index)?)?;
        Some(self.palette[palette_index as usize])
    }

    /// The colours in order of first appearance; a cell's colour id indexes this.
    pub fn palette(&self) -> &[Rgb] {
        &self.palette
    }

    /// A plain-text picture: a header line with the tick and status, the grid with each marked
    /// number followed by its colour id, and the palette.
    ///
    /// ```text
    /// tick 3 | 👩‍💻 ...Hacking the universe... 👩‍💻
    ///   1   2   3  4a   5  6a   7  8a  9b 10c
    /// ...
    /// colours: a=#7b9a4f b=#a0b1c2 c=#5f8e90
    /// ```
    pub fn to_text(&self) -> String {
        let mut text = String::new();
        let status = self.status.map_or("", Status::text);
        let done = if self.done { " | done" } else { "" };
        let _ = writeln!(text, "tick {} | {status}{done}", self.tick);
        let number_width = self.cells.len().to_string().len();
        let id_width = colour_id(self.palette.len().saturating_sub(1) as u32).len();
        for row in 0..self.rows as usize {
            let mut line = String::new();
            for col in 0..self.cols as usize {
                let index = row * self.cols as usize + col;
                let id = self.cells[index].map(colour_id).unwrap_or_default();
                let _ = write!(line, " {:>number_width$}{id:<id_width$}", index + 1);
            }
            let _ = writeln!(text, "{}", line.trim_end());
        }
        let palette: Vec<String> = (0..self.palette.len())
            .map(|i| format!("{}={}", colour_id(i as u32), self.palette[i]))
            .collect();
        let _ = writeln!(text, "colours: {}", palette.join(" "));
        text
    }
}

/// `a`…`z`, then `aa`, `ab`, …: short, stable names for palette entries.
fn colour_id(mut index: u32) -> String {
    let mut id = Vec::new();
    loop {
        id.push(b'a' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    id.reverse();
    String::from_utf8(id).expect("ascii")
}

impl SieveView for Frame {
    fn show(&mut self, event: &SieveEvent) {
        self.tick = self.tick.max(event.tick());
        match *event {
            SieveEvent::Marked { number, colour, .. } => {
                let palette_index = match self.palette.iter().rposition(|&c| c == colour) {
                    Some(index) => index,
                    None => {
                        self.palette.push(colour);
                        self.palette.len() - 1
                    }
                };
                let cell = &mut self.cells[number as usize - 1];
                if cell.is_none() {
                    self.marked += 1;
                }
                *cell = Some(palette_index as u32);
            }
            SieveEvent::Status { status, .. } => self.status = Some(status),
            SieveEvent::Done { .. } => self.done = true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_ids_are_short_and_unique() {
        assert_eq!(colour_id(0), "a");
        assert_eq!(colour_id(25), "z");
        assert_eq!(colour_id(26), "aa");
        assert_eq!(colour_id(27), "ab");
        let ids: std::collections::HashSet<String> = (0..2000).map(colour_id).collect();
        assert_eq!(ids.len(), 2000);
    }
}
