//! [`SieveScreen`]: the eratosthenes grid as terminal cells — status line, numbers, footer.
//!
//! Owns the terminal picture of a sieve run: a [`SieveView`] that keeps the model's [`Frame`] and
//! draws it into a ratatui `Buffer`. It sees no terminal, no loop and no task (ratatui's
//! `TestBackend` draws it too).

use crate::palette::ColourMode;
use guestloop::sieve::{Frame, SieveConfig, SieveEvent, SieveView, Status};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};
use std::time::Duration;

/// Rows around the grid: the status line, a blank line, a blank line, the footer.
const CHROME_ROWS: u16 = 4;

/// What the footer shows besides the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FooterState {
    /// The tick as it runs now: the configured tick divided by the clock's speed.
    pub tick: Duration,
    /// Whether the clock is paused.
    pub paused: bool,
}

/// The sieve as the terminal shows it; feed it events, then [`render`](Self::render).
#[derive(Debug, Clone)]
pub struct SieveScreen {
    grid: Frame,
    colours: ColourMode,
    dirty: bool,
}

impl SieveScreen {
    /// An empty grid of `config`'s size, coloured for `colours`.
    pub fn new(config: &SieveConfig, colours: ColourMode) -> SieveScreen {
        SieveScreen {
            grid: Frame::new(config),
            colours,
            dirty: true,
        }
    }

    /// The model's picture of the run so far.
    pub fn grid(&self) -> &Frame {
        &self.grid
    }

    /// Asks for a redraw (after a resize, or a footer change).
    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// Whether anything changed since the last call.
    pub fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    fn number_width(&self) -> u16 {
        let numbers = u64::from(self.grid.rows()) * u64::from(self.grid.cols());
        numbers.to_string().len() as u16
    }

    /// The smallest area the whole grid fits in: `(width, height)`.
    pub fn required_size(&self) -> (u32, u32) {
        let cell = u32::from(self.number_width()) + 1;
        (
            self.grid.cols() * cell - 1,
            self.grid.rows() + u32::from(CHROME_ROWS),
        )
    }

    /// Draws the status line, the grid (or, if `area` is too small, a message saying so) and
    /// the footer into `buf`.
    pub fn render(&self, footer: FooterState, area: Rect, buf: &mut Buffer) {
        if area.height == 0 || area.width == 0 {
            return;
        }
        let footer_area = Rect {
            y: area.bottom() - 1,
            height: 1,
            ..area
        };
        let (width, height) = self.required_size();
        if u32::from(area.width) < width || u32::from(area.height) < height {
            self.render_too_small(area, buf);
            Line::raw("q quit").render(footer_area, buf);
            return;
        }
        let status = self.grid.status().map_or(String::new(), terminal_status);
        Line::styled(status, Style::new().add_modifier(Modifier::BOLD)).render(area, buf);
        self.render_grid(area.x, area.y + 2, buf);
        Line::raw(footer_text(self.grid.tick(), footer)).render(footer_area, buf);
    }

    fn render_grid(&self, x: u16, y: u16, buf: &mut Buffer) {
        let width = usize::from(self.number_width());
        let cols = self.grid.cols();
        for row in 0..self.grid.rows() {
            for col in 0..cols {
                let number = row * cols + col + 1;
                let style = match self.grid.colour_of(number) {
                    Some(rgb) => Style::new()
                        .fg(self.colours.colour(rgb))
                        .add_modifier(Modifier::BOLD),
                    None => Style::new(),
                };
                // Fits in u16: the grid fitted into the area.
                let cell_x = x + (col as u16) * (width as u16 + 1);
                buf.set_string(cell_x, y + row as u16, format!("{number:>width$}"), style);
            }
        }
    }

    fn render_too_small(&self, area: Rect, buf: &mut Buffer) {
        let (width, height) = self.required_size();
        let message = format!(
            "Terminal too small for the {}x{} grid: it needs {width}x{height} cells, this one \
             has {}x{}. Enlarge the terminal or pass smaller --rows/--cols.",
            self.grid.rows(),
            self.grid.cols(),
            area.width,
            area.height,
        );
        let text_area = Rect {
            height: area.height - 1,
            ..area
        };
        Paragraph::new(message)
            .wrap(Wrap { trim: true })
            .render(text_area, buf);
    }
}

impl SieveView for SieveScreen {
    fn show(&mut self, event: &SieveEvent) {
        self.grid.show(event);
        self.dirty = true;
    }
}

/// The status text without its emoji: terminals disagree on the width of emoji with variation
/// selectors and joiners (`⚙️`, `👩‍💻`), and a width guessed wrong leaves stray cells behind.
pub fn terminal_status(status: Status) -> String {
    let ascii: String = status.text().chars().filter(char::is_ascii).collect();
    ascii.trim().to_owned()
}

/// The footer: the tick being shown, the keys, the pace.
pub fn footer_text(tick: u64, footer: FooterState) -> String {
    let pace = if footer.paused {
        "PAUSED".to_owned()
    } else {
        format!("{:?}/tick", footer.tick)
    };
    format!("tick {tick} | {pace} | q quit  space pause  + faster  - slower")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_lose_their_emoji_only() {
        assert_eq!(
            terminal_status(Status::Calculating),
            "...Calculating prime numbers..."
        );
        assert_eq!(
            terminal_status(Status::Congratulations),
            "Congratulations! You found all the prime numbers and solved mathematics."
        );
    }

    #[test]
    fn a_small_area_gets_a_message_not_a_clipped_grid() {
        let screen = SieveScreen::new(&SieveConfig::new(40, 40).unwrap(), ColourMode::TrueColor);
        assert_eq!(screen.required_size(), (199, 44));
        let area = Rect::new(0, 0, 80, 24);
        let mut buf = Buffer::empty(area);
        let footer = FooterState {
            tick: Duration::from_millis(100),
            paused: false,
        };
        screen.render(footer, area, &mut buf);
        let text: String = buf.content().iter().map(|cell| cell.symbol()).collect();
        assert!(text.contains("Terminal too small"), "{text}");
        assert!(!text.contains("1600"));
    }
}
