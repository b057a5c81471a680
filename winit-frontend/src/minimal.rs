//! The minimal window: a label and the button "What is the question?", whose clicks feed
//! `guestloop::minimal::run_minimal`.
//!
//! Owns the window's layout, the button's press and release, and the label as the model's
//! [`MinimalView`]. The model never sees a pixel.

use crate::app::{BACKGROUND, Demo, Next};
use crate::canvas::{Canvas, GLYPH, Rect};
use guestloop::Executor;
use guestloop::minimal::{BUTTON, MinimalView, run_minimal};
use std::cell::RefCell;
use std::rc::Rc;

const LABEL_TEXT: u32 = 0x0020_2020;
const BUTTON_FACE: u32 = 0x00e4_e4e4;
const BUTTON_DOWN: u32 = 0x00b8_b8b8;
const BUTTON_EDGE: u32 = 0x0070_7070;

/// The label's text, and whether it changed since the last draw.
#[derive(Debug, Default)]
struct Label {
    text: &'static str,
    changed: bool,
}

/// The window's label as the model's view: `run_minimal(demo.clicks(), demo.label_view())`.
#[derive(Debug, Clone)]
pub struct LabelView(Rc<RefCell<Label>>);

impl MinimalView for LabelView {
    fn set_label(&mut self, text: &'static str) {
        let mut label = self.0.borrow_mut();
        label.text = text;
        label.changed = true;
    }
}

/// The minimal demo in a window.
#[derive(Debug)]
pub struct MinimalDemo {
    label: Rc<RefCell<Label>>,
    clicks: async_channel::Sender<()>,
    clicked: async_channel::Receiver<()>,
    pressed: bool,
}

impl Default for MinimalDemo {
    fn default() -> MinimalDemo {
        MinimalDemo::new()
    }
}

impl MinimalDemo {
    /// The window alone: its label stays empty until a model runs on [`clicks`](Self::clicks)
    /// and [`label_view`](Self::label_view) (see [`start`](Self::start)).
    pub fn new() -> MinimalDemo {
        let (clicks, clicked) = async_channel::unbounded();
        MinimalDemo {
            label: Rc::default(),
            clicks,
            clicked,
            pressed: false,
        }
    }

    /// The window, with `run_minimal` running on `guest` behind it.
    pub fn start(guest: &Executor) -> MinimalDemo {
        let demo = MinimalDemo::new();
        // Detached: it ends with the guest, when the application is dropped.
        drop(guest.spawn_local(run_minimal(demo.clicks(), demo.label_view())));
        demo
    }

    /// The button's clicks, one `()` each: the model's input.
    pub fn clicks(&self) -> async_channel::Receiver<()> {
        self.clicked.clone()
    }

    /// The label, as the model's view.
    pub fn label_view(&self) -> LabelView {
        LabelView(self.label.clone())
    }

    /// The label shown now.
    pub fn label(&self) -> &'static str {
        self.label.borrow().text
    }

    /// Where the label is in a window of `size` pixels: the upper half.
    fn label_area((width, height): (u32, u32)) -> Rect {
        Rect {
            x: 0,
            y: 0,
            width,
            height: height / 2,
        }
    }

    /// Where the button is in a window of `size` pixels: centred in the lower half.
    pub fn button((width, height): (u32, u32)) -> Rect {
        let text = BUTTON.chars().count() as u32 * GLYPH;
        let scale = if 2 * text + 32 <= width { 2 } else { 1 };
        let (button_width, button_height) = ((text * scale + 24).min(width), GLYPH * scale + 16);
        Rect {
            x: (width - button_width) / 2,
            y: height / 2 + (height / 2).saturating_sub(button_height) / 2,
            width: button_width,
            height: button_height,
        }
    }
}

impl Demo for MinimalDemo {
    fn title(&self) -> String {
        "guestloop: minimal".to_owned()
    }

    fn initial_size(&self, (max_width, max_height): (u32, u32)) -> (u32, u32) {
        (460.min(max_width), 160.min(max_height))
    }

    fn draw(&mut self, canvas: &mut Canvas, _full: bool) {
        // Two lines of text and a button: drawing it all is cheap.
        let size = (canvas.width(), canvas.height());
        canvas.fill(
            Rect {
                x: 0,
                y: 0,
                width: size.0,
                height: size.1,
            },
            BACKGROUND,
        );
        let mut label = self.label.borrow_mut();
        canvas.text_centred(MinimalDemo::label_area(size), label.text, 2, LABEL_TEXT);
        label.changed = false;
        let button = MinimalDemo::button(size);
        let face = if self.pressed {
            BUTTON_DOWN
        } else {
            BUTTON_FACE
        };
        canvas.fill(button, face);
        canvas.outline(button, BUTTON_EDGE);
        canvas.text_centred(button, BUTTON, 2, LABEL_TEXT);
    }

    /// A click is a press and a release on the button, as in any toolkit.
    fn mouse(&mut self, pressed: bool, (x, y): (f64, f64), size: (u32, u32)) -> bool {
        let on_button = MinimalDemo::button(size).contains(x, y);
        let was_pressed = std::mem::replace(&mut self.pressed, pressed && on_button);
        if was_pressed && !pressed && on_button {
            // Unbounded: never full; closed only once the model is gone.
            let _ = self.clicks.try_send(());
        }
        was_pressed != self.pressed
    }

    fn update(&mut self) -> Next {
        if self.label.borrow().changed {
            Next::Redraw
        } else {
            Next::Wait
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_click_is_a_press_and_a_release_on_the_button() {
        let mut demo = MinimalDemo::new();
        let size = (460, 160);
        let (x, y) = MinimalDemo::button(size).centre();
        let on = (f64::from(x), f64::from(y));
        assert!(demo.mouse(true, on, size), "pressed: drawn down");
        assert!(demo.mouse(false, on, size), "released: drawn up");
        assert_eq!(demo.clicks().try_recv(), Ok(()));
        demo.mouse(true, on, size);
        demo.mouse(false, (1.0, 1.0), size); // released elsewhere: no click
        demo.mouse(true, (1.0, 1.0), size);
        demo.mouse(false, on, size); // pressed elsewhere: no click
        assert!(demo.clicks().try_recv().is_err());
    }

    #[test]
    fn the_button_fits_small_windows() {
        for size in [(460, 160), (200, 60), (40, 10)] {
            let button = MinimalDemo::button(size);
            assert!(button.x + button.width <= size.0, "{size:?}: {button:?}");
        }
    }
}
