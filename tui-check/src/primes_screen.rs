//! [`PrimesScreen`]: the primes demo as terminal cells — title, settings, a gauge of the
//! segments counted, the primes so far, the elapsed time, the state, the keys.
//!
//! Owns the terminal picture of a primes count: a [`PrimesView`] that keeps what the model said and
//! draws it into a ratatui `Buffer`. It sees no terminal, no loop and no task. Starting and
//! cancelling are told to it by whoever owns the count's task ([`start`](PrimesScreen::start),
//! [`cancel`](PrimesScreen::cancel)); the model only ever sends events.

use guestloop::primes::{PrimesConfig, PrimesEvent, PrimesView};
use guestloop_demo_cli::primes_line;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Gauge, Widget};
use std::time::Duration;

/// Rows the whole picture needs; a smaller area gets the state line and the keys only.
pub const REQUIRED_ROWS: u16 = 13;
/// The gauge is at most this wide, so it reads as a bar on a wide terminal too.
const GAUGE_WIDTH: u16 = 60;

/// Where the count is, as the screen shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrimesState {
    /// No count yet: Enter starts one.
    Idle,
    /// A count is running.
    Counting,
    /// The count was cancelled; the progress shown is where it stopped.
    Cancelled,
    /// The count is final.
    Done {
        /// The primes up to the limit.
        count: u64,
        /// Guest time the count took.
        elapsed: Duration,
    },
}

/// The primes demo as the terminal shows it; feed it events, then [`render`](Self::render).
#[derive(Debug, Clone)]
pub struct PrimesScreen {
    limit: u64,
    workers: usize,
    state: PrimesState,
    segments_done: u64,
    segments_total: u64,
    primes_so_far: u64,
    elapsed: Duration,
    dirty: bool,
}

impl PrimesScreen {
    /// A screen waiting for Enter, for a count of `config`.
    pub fn new(config: &PrimesConfig) -> PrimesScreen {
        PrimesScreen {
            limit: config.limit(),
            workers: config.workers(),
            state: PrimesState::Idle,
            segments_done: 0,
            segments_total: config.segments(),
            primes_so_far: 0,
            elapsed: Duration::ZERO,
            dirty: true,
        }
    }

    /// Where the count is.
    pub fn state(&self) -> PrimesState {
        self.state
    }

    /// A count starts: the progress goes back to zero. (Its first event comes when its task is
    /// first polled; until then the screen already says it is counting.)
    pub fn start(&mut self) {
        self.state = PrimesState::Counting;
        self.segments_done = 0;
        self.primes_so_far = 0;
        self.elapsed = Duration::ZERO;
        self.dirty = true;
    }

    /// The count was cancelled: the screen keeps its last progress and says so.
    pub fn cancel(&mut self) {
        self.state = PrimesState::Cancelled;
        self.dirty = true;
    }

    /// Asks for a redraw (after a resize).
    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// Whether anything changed since the last call.
    pub fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    /// Draws the whole picture into `buf`, or, if `area` has fewer than [`REQUIRED_ROWS`] rows,
    /// the state line and the keys only.
    pub fn render(&self, area: Rect, buf: &mut Buffer) {
        if area.height == 0 || area.width == 0 {
            return;
        }
        let line = |offset: u16| Rect {
            y: area.y + offset,
            height: 1,
            ..area
        };
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let footer = line(area.height - 1);
        if area.height < REQUIRED_ROWS {
            Line::styled(self.state_text(), bold).render(line(0), buf);
            if area.height > 1 {
                Line::raw(self.footer_text()).render(footer, buf);
            }
            return;
        }
        Line::styled("Counting primes on worker threads", bold).render(line(0), buf);
        let settings = format!(
            "limit {}   workers {}   segments {}",
            self.limit, self.workers, self.segments_total
        );
        Line::raw(settings).render(line(2), buf);
        self.render_gauge(
            Rect {
                y: area.y + 4,
                height: 3,
                width: area.width.min(GAUGE_WIDTH),
                ..area
            },
            buf,
        );
        Line::raw(format!("primes so far  {}", self.primes_so_far)).render(line(8), buf);
        Line::raw(format!("elapsed        {}", format_elapsed(self.elapsed))).render(line(9), buf);
        Line::styled(self.state_text(), bold).render(line(11), buf);
        Line::raw(self.footer_text()).render(footer, buf);
    }

    fn render_gauge(&self, area: Rect, buf: &mut Buffer) {
        let (done, total) = (self.segments_done, self.segments_total.max(1));
        let ratio = (done as f64 / total as f64).clamp(0.0, 1.0);
        let label = format!(
            "{done}/{} segments ({}%)",
            self.segments_total,
            done * 100 / total
        );
        Gauge::default()
            .block(Block::bordered().title(" segments counted "))
            .gauge_style(Style::new().fg(Color::Cyan).bg(Color::Black))
            .ratio(ratio)
            .label(label)
            .render(area, buf);
    }

    /// The state line: what the count is doing, or its result.
    fn state_text(&self) -> String {
        match self.state {
            PrimesState::Idle => "press Enter to start".to_owned(),
            PrimesState::Counting => "counting...".to_owned(),
            PrimesState::Cancelled => "cancelled".to_owned(),
            PrimesState::Done { count, elapsed } => format!(
                "{} in {}",
                primes_line(self.limit, count),
                format_elapsed(elapsed)
            ),
        }
    }

    /// The keys that do something in this state.
    fn footer_text(&self) -> &'static str {
        match self.state {
            PrimesState::Counting => "Esc cancel  q quit",
            PrimesState::Idle => "Enter start  Esc/q quit",
            PrimesState::Cancelled | PrimesState::Done { .. } => "Enter start again  Esc/q quit",
        }
    }
}

impl PrimesView for PrimesScreen {
    fn show(&mut self, event: &PrimesEvent) {
        // A cancelled count's task is aborted before the screen is told, so no event of it should
        // come; if one did, it must not take "cancelled" off the screen.
        if self.state == PrimesState::Cancelled {
            return;
        }
        match *event {
            PrimesEvent::Progress {
                segments_done,
                segments_total,
                primes_so_far,
                elapsed,
            } => {
                self.state = PrimesState::Counting;
                self.segments_done = segments_done;
                self.segments_total = segments_total;
                self.primes_so_far = primes_so_far;
                self.elapsed = elapsed;
            }
            PrimesEvent::Done { count, elapsed } => {
                self.state = PrimesState::Done { count, elapsed };
                self.segments_done = self.segments_total;
                self.primes_so_far = count;
                self.elapsed = elapsed;
            }
        }
        self.dirty = true;
    }
}

/// Seconds with milliseconds: `1.234 s`.
pub fn format_elapsed(elapsed: Duration) -> String {
    format!("{}.{:03} s", elapsed.as_secs(), elapsed.subsec_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(screen: &PrimesScreen, width: u16, height: u16) -> String {
        let area = Rect::new(0, 0, width, height);
        let mut buf = Buffer::empty(area);
        screen.render(area, &mut buf);
        buf.content().iter().map(|cell| cell.symbol()).collect()
    }

    #[test]
    fn elapsed_times_read_as_seconds() {
        assert_eq!(format_elapsed(Duration::ZERO), "0.000 s");
        assert_eq!(format_elapsed(Duration::from_micros(1_234_567)), "1.234 s");
        assert_eq!(format_elapsed(Duration::from_secs(125)), "125.000 s");
    }

    #[test]
    fn a_short_area_still_shows_the_state_and_the_keys() {
        let mut screen = PrimesScreen::new(&PrimesConfig::new(1_000).unwrap());
        screen.show(&PrimesEvent::Done {
            count: 168,
            elapsed: Duration::from_millis(3),
        });
        let shown = text(&screen, 40, 3);
        assert!(shown.contains("primes <= 1000: 168 in 0.003 s"), "{shown}");
        assert!(shown.contains("Enter start again"), "{shown}");
        assert!(!shown.contains("segments"), "{shown}");
    }

    #[test]
    fn a_cancelled_screen_ignores_stale_events_until_started_again() {
        let mut screen = PrimesScreen::new(&PrimesConfig::new(1_000).unwrap());
        screen.start();
        screen.cancel();
        screen.show(&PrimesEvent::Done {
            count: 168,
            elapsed: Duration::from_millis(3),
        });
        assert_eq!(screen.state(), PrimesState::Cancelled);
        screen.start();
        screen.show(&PrimesEvent::Done {
            count: 168,
            elapsed: Duration::from_millis(3),
        });
        assert!(matches!(
            screen.state(),
            PrimesState::Done { count: 168, .. }
        ));
    }
}
