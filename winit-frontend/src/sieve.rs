//! The eratosthenes window: [`SieveScreen`] draws the sieve's [`Frame`] as coloured cells under
//! a status line; [`SieveDemo`] runs the model on the guest and says when it is done.
//!
//! Owns the grid's layout in pixels and the task that runs the sieve for the window (and writes its
//! trace). The model never sees a pixel.

use crate::app::{BACKGROUND, Demo, Next};
use crate::canvas::{Canvas, GLYPH, Rect, pixel, printable};
use crate::digits;
use guestloop::sieve::{Frame, SieveConfig, SieveEvent, SieveSummary, SieveView, Status};
use guestloop::{Executor, JoinHandle};
use guestloop_demo_cli::{TraceFailed, TraceFile, run_traced_sieve};
use std::cell::RefCell;
use std::rc::Rc;

/// The status line's height, and the margin around the grid.
const STATUS_HEIGHT: u32 = 3 * GLYPH;
const MARGIN: u32 = 8;
/// A cell not (yet) crossed out, and the text on it.
const UNMARKED: u32 = 0x00ee_eeee;
const NUMBER: u32 = 0x0055_5555;
const STATUS_TEXT: u32 = 0x0020_2020;
/// A cell's height when the window has room.
const CELL_HEIGHT: u32 = 18;

/// The sieve as pixels: a [`SieveView`] that keeps the [`Frame`] and what changed since the
/// last draw.
#[derive(Debug)]
pub struct SieveScreen {
    frame: Frame,
    changed: Vec<u32>,
    status_changed: bool,
}

impl SieveScreen {
    /// An empty grid of `config`'s size.
    pub fn new(config: &SieveConfig) -> SieveScreen {
        SieveScreen {
            frame: Frame::new(config),
            changed: Vec::new(),
            status_changed: true,
        }
    }

    /// The grid as it stands.
    pub fn frame(&self) -> &Frame {
        &self.frame
    }

    /// Whether anything changed since the last draw.
    pub fn changed(&self) -> bool {
        self.status_changed || !self.changed.is_empty()
    }

    /// Draws what changed (everything if `full`) into `canvas`.
    pub fn draw(&mut self, canvas: &mut Canvas, full: bool) {
        let layout = Layout::of(&self.frame, canvas);
        if full || self.status_changed {
            canvas.fill(layout.status, BACKGROUND);
            let text = self
                .frame
                .status()
                .map_or(String::new(), |s| printable(s.text()));
            canvas.text_centred(layout.status, &text, 2, STATUS_TEXT);
        }
        if full {
            for number in 1..=self.frame.rows() * self.frame.cols() {
                layout.draw_cell(&self.frame, canvas, number);
            }
        } else {
            for &number in &self.changed {
                layout.draw_cell(&self.frame, canvas, number);
            }
        }
        self.changed.clear();
        self.status_changed = false;
    }
}

impl SieveView for SieveScreen {
    fn show(&mut self, event: &SieveEvent) {
        self.frame.show(event);
        match *event {
            SieveEvent::Marked { number, .. } => self.changed.push(number),
            SieveEvent::Status { .. } | SieveEvent::Done { .. } => self.status_changed = true,
        }
    }
}

/// Where the status line and the cells are on a canvas.
///
/// The grid's pixels are shared out among the cells: column `c` gets the pixels `x` with
/// `x · cols / width = c`, so a grid wider than its pixels still shows one cell per pixel
/// (some cells get none), and a cell drawn alone paints exactly what a full draw would.
struct Layout {
    status: Rect,
    grid: Rect,
    rows: u32,
    cols: u32,
}

impl Layout {
    fn of(frame: &Frame, canvas: &Canvas) -> Layout {
        let (width, height) = (canvas.width(), canvas.height());
        Layout {
            status: Rect {
                x: 0,
                y: 0,
                width,
                height: STATUS_HEIGHT.min(height),
            },
            grid: Rect {
                x: MARGIN,
                y: STATUS_HEIGHT,
                width: width.saturating_sub(2 * MARGIN),
                height: height.saturating_sub(STATUS_HEIGHT + MARGIN),
            },
            rows: frame.rows(),
            cols: frame.cols(),
        }
    }

    /// The first pixel of cell `index` of `count` cells sharing `length` pixels.
    fn edge(index: u32, count: u32, length: u32) -> u32 {
        (u64::from(index) * u64::from(length)).div_ceil(u64::from(count)) as u32
    }

    fn cell(&self, number: u32) -> Rect {
        let (row, col) = ((number - 1) / self.cols, (number - 1) % self.cols);
        let (left, right) = (
            Layout::edge(col, self.cols, self.grid.width),
            Layout::edge(col + 1, self.cols, self.grid.width),
        );
        let (top, bottom) = (
            Layout::edge(row, self.rows, self.grid.height),
            Layout::edge(row + 1, self.rows, self.grid.height),
        );
        // A one-pixel gap between cells that are big enough to spare it.
        let gap = |size: u32| if size >= 4 { size - 1 } else { size };
        Rect {
            x: self.grid.x + left,
            y: self.grid.y + top,
            width: gap(right - left),
            height: gap(bottom - top),
        }
    }

    fn draw_cell(&self, frame: &Frame, canvas: &mut Canvas, number: u32) {
        let rect = self.cell(number);
        let (fill, ink) = match frame.colour_of(number) {
            Some(colour) => {
                let light = 299 * u32::from(colour.r)
                    + 587 * u32::from(colour.g)
                    + 114 * u32::from(colour.b)
                    > 140_000;
                (pixel(colour), if light { 0 } else { BACKGROUND })
            }
            None => (UNMARKED, NUMBER),
        };
        canvas.fill(rect, fill);
        digits::draw_centred(canvas, rect, number, ink);
    }
}

/// The window size that shows every cell with its number, within `max`.
fn initial_size(config: &SieveConfig, (max_width, max_height): (u32, u32)) -> (u32, u32) {
    let cell_width = digits::width(config.numbers()) + 6;
    let width = config.cols().saturating_mul(cell_width) + 2 * MARGIN;
    let height = config.rows().saturating_mul(CELL_HEIGHT) + STATUS_HEIGHT + MARGIN;
    // At least as wide as the congratulation, the longest status line.
    let least = printable(Status::Congratulations.text()).len() as u32 * GLYPH + 2 * MARGIN;
    (
        width.clamp(least, max_width.max(least)),
        height.clamp(120, max_height.max(120)),
    )
}

/// The eratosthenes demo in a window: the sieve's task runs on the guest and draws into a
/// [`SieveScreen`].
#[derive(Debug)]
pub struct SieveDemo {
    config: SieveConfig,
    screen: Rc<RefCell<SieveScreen>>,
    run: JoinHandle<Result<SieveSummary, TraceFailed>>,
    /// The exit code, once the run is over: 0, or 1 if it panicked or its trace failed.
    ended: Option<i32>,
    quit_when_done: bool,
}

impl SieveDemo {
    /// Starts the sieve of `config` on `guest`, writing its trace to `trace` if given. With
    /// `quit_when_done`, the window closes once the sieve is done (and the trace written); a trace
    /// that cannot be written closes it at once, with exit code 1.
    pub fn start(
        guest: &Executor,
        config: SieveConfig,
        trace: Option<TraceFile>,
        quit_when_done: bool,
    ) -> SieveDemo {
        let screen = Rc::new(RefCell::new(SieveScreen::new(&config)));
        let run = guest.spawn_local(run_traced_sieve(config, screen.clone(), trace));
        SieveDemo {
            config,
            screen,
            run,
            ended: None,
            quit_when_done,
        }
    }

    /// The grid as it stands.
    pub fn screen(&self) -> std::cell::Ref<'_, SieveScreen> {
        self.screen.borrow()
    }

    /// Whether the sieve's run is over (done, or failed).
    pub fn is_finished(&self) -> bool {
        self.run.is_finished()
    }
}

impl Demo for SieveDemo {
    fn title(&self) -> String {
        format!(
            "guestloop: eratosthenes ({}×{})",
            self.config.rows(),
            self.config.cols()
        )
    }

    fn initial_size(&self, max: (u32, u32)) -> (u32, u32) {
        initial_size(&self.config, max)
    }

    fn draw(&mut self, canvas: &mut Canvas, full: bool) {
        self.screen.borrow_mut().draw(canvas, full);
    }

    fn mouse(&mut self, _: bool, _: (f64, f64), _: (u32, u32)) -> bool {
        false
    }

    fn update(&mut self) -> Next {
        if self.ended.is_none()
            && let Some(outcome) = self.run.try_take()
        {
            self.ended = Some(match outcome {
                Ok(Ok(_)) => 0,
                Ok(Err(trace_failed)) => {
                    eprintln!("error: {trace_failed}");
                    1
                }
                Err(_) => 1, // a panic, which the executor's hook has reported
            });
        }
        match self.ended {
            Some(code) if code != 0 || self.quit_when_done => return Next::Quit(code),
            _ => {}
        }
        if self.screen.borrow().changed() {
            Next::Redraw
        } else {
            Next::Wait
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use guestloop::sieve::run_sieve;
    use guestloop::testing::TestHost;

    fn drawn(config: SieveConfig, width: u32, height: u32) -> (Canvas, SieveScreen) {
        let screen = Rc::new(RefCell::new(SieveScreen::new(&config)));
        TestHost::new(config.tick()).block_on(run_sieve(config, screen.clone()));
        let mut screen = Rc::into_inner(screen).unwrap().into_inner();
        let mut canvas = Canvas::new(width, height, BACKGROUND);
        screen.draw(&mut canvas, true);
        (canvas, screen)
    }

    #[test]
    fn every_pixel_of_the_grid_shows_its_cell() {
        // More cells than pixels: each pixel shows the cell its position maps to.
        let config = SieveConfig::new(50, 70).unwrap();
        let (canvas, screen) = drawn(config, 40 + 2 * MARGIN, 30 + STATUS_HEIGHT + MARGIN);
        for y in 0..30 {
            for x in 0..40 {
                let (row, col) = (y * 50 / 30, x * 70 / 40);
                let number = row * 70 + col + 1;
                let expected = screen.frame().colour_of(number).map_or(UNMARKED, pixel);
                let got = canvas.at(x + MARGIN, y + STATUS_HEIGHT);
                assert_eq!(got, expected, "pixel ({x}, {y}), cell {number}");
            }
        }
    }

    #[test]
    fn drawing_cell_by_cell_paints_what_a_full_draw_does() {
        let config = SieveConfig::new(12, 9).unwrap();
        let (full, _) = drawn(config, 300, 250);
        let screen = Rc::new(RefCell::new(SieveScreen::new(&config)));
        let mut canvas = Canvas::new(300, 250, BACKGROUND);
        screen.borrow_mut().draw(&mut canvas, true);
        let mut host = TestHost::new(config.tick());
        let run = host.spawn_local(run_sieve(config, screen.clone()));
        while !run.is_finished() {
            host.step();
            screen.borrow_mut().draw(&mut canvas, false);
        }
        assert!(
            canvas.pixels() == full.pixels(),
            "incremental and full draws differ"
        );
    }

    #[test]
    fn the_default_window_shows_every_number() {
        let config = SieveConfig::default();
        let (width, height) = initial_size(&config, (1280, 960));
        let (canvas, screen) = drawn(config, width, height);
        let layout = Layout::of(screen.frame(), &canvas);
        for number in [1, 999, config.numbers()] {
            let cell = layout.cell(number);
            let fill = canvas.at(cell.x, cell.y);
            let ink = (cell.y..cell.y + cell.height)
                .flat_map(|y| (cell.x..cell.x + cell.width).map(move |x| (x, y)))
                .filter(|&(x, y)| canvas.at(x, y) != fill)
                .count();
            assert!(ink >= 8, "cell {number} ({cell:?}) shows no number");
        }
    }
}
