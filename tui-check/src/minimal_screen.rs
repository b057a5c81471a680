//! [`MinimalScreen`]: the minimal demo as terminal cells — the label and the button.
//!
//! Owns the terminal picture of the minimal demo: a [`MinimalView`] that draws into a ratatui
//! `Buffer`.

use guestloop::minimal::{BUTTON, MinimalView};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::Widget;

/// The label and the button; the label changes through [`MinimalView`].
#[derive(Debug, Clone, Default)]
pub struct MinimalScreen {
    label: &'static str,
    dirty: bool,
}

impl MinimalScreen {
    /// The label shown now.
    pub fn label(&self) -> &'static str {
        self.label
    }

    /// Asks for a redraw (after a resize).
    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// Whether anything changed since the last call.
    pub fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    /// Draws the label, the button and the footer into `buf`.
    pub fn render(&self, area: Rect, buf: &mut Buffer) {
        let line = |offset: u16| Rect {
            y: area.y + offset,
            height: 1,
            ..area
        };
        if area.height < 4 {
            Line::raw(self.label).render(line(0), buf);
            return;
        }
        Line::styled(self.label, Style::new().add_modifier(Modifier::BOLD)).render(line(0), buf);
        Line::styled(
            format!("[ {BUTTON} ]"),
            Style::new().add_modifier(Modifier::REVERSED),
        )
        .render(line(2), buf);
        Line::raw("Enter press the button  q quit").render(line(area.height - 1), buf);
    }
}

impl MinimalView for MinimalScreen {
    fn set_label(&mut self, text: &'static str) {
        self.label = text;
        self.dirty = true;
    }
}
