//! The minimal demo as async code: a click starts a task that sleeps 1 s, then changes the label.
//!
//! Owns the model only. Clicks arrive as any [`Stream`] (a Qt signal turned into a stream, a
//! terminal key, a test's channel); the label goes to a [`MinimalView`]. Each click starts its own
//! task, so two clicks half a second apart change the label twice, 1 s after each.

use crate::TaskGroup;
use futures_core::Stream;
use std::cell::RefCell;
use std::future::poll_fn;
use std::rc::Rc;
use std::time::Duration;

/// The label before any answer.
pub const ANSWER: &str = "The answer is 42.";
/// The label one second after a click.
pub const QUESTION: &str = "What do you get if you multiply six by nine?";
/// The button's text.
pub const BUTTON: &str = "What is the question?";
/// How long a click's task sleeps before it changes the label.
pub const DELAY: Duration = Duration::from_secs(1);

/// Where the minimal demo shows its label.
///
/// Closures taking `&'static str` are views, and so is `Rc<RefCell<V>>`.
pub trait MinimalView {
    /// Shows `text` as the label.
    fn set_label(&mut self, text: &'static str);
}

impl<F: FnMut(&'static str)> MinimalView for F {
    fn set_label(&mut self, text: &'static str) {
        self(text);
    }
}

impl<V: MinimalView> MinimalView for Rc<RefCell<V>> {
    fn set_label(&mut self, text: &'static str) {
        self.borrow_mut().set_label(text);
    }
}

/// Runs the minimal demo: shows [`ANSWER`], then for every click spawns a task that sleeps
/// [`DELAY`] and shows [`QUESTION`]. Returns when `clicks` ends and every answer is shown;
/// dropping the future cancels answers still sleeping.
///
/// ```
/// use guestloop::minimal::{ANSWER, QUESTION, run_minimal};
/// use guestloop::testing::TestHost;
/// use std::{cell::RefCell, rc::Rc, time::Duration};
///
/// let mut host = TestHost::new(Duration::from_millis(100));
/// let (click, clicks) = async_channel::unbounded::<()>();
/// let label = Rc::new(RefCell::new(""));
/// let view = label.clone();
/// let demo = host.spawn_local(run_minimal(clicks, move |text| *view.borrow_mut() = text));
/// host.step();
/// assert_eq!(*label.borrow(), ANSWER);
///
/// click.try_send(()).unwrap(); // at t = 0.1 s
/// for _ in 0..9 {
///     host.step();
/// }
/// assert_eq!(*label.borrow(), ANSWER, "t = 1.0 s: still sleeping");
/// host.step();
/// assert_eq!(*label.borrow(), QUESTION, "t = 1.1 s: one second after the click");
///
/// drop(click);
/// host.run_until(|| demo.is_finished()).unwrap();
/// ```
///
/// # Panics
/// Outside a task running on a guestloop executor.
pub async fn run_minimal(clicks: impl Stream<Item = ()>, view: impl MinimalView + 'static) {
    let mut clicks = std::pin::pin!(clicks);
    let view = Rc::new(RefCell::new(view));
    view.borrow_mut().set_label(ANSWER);
    let mut answers = TaskGroup::new();
    while let Some(()) = poll_fn(|cx| clicks.as_mut().poll_next(cx)).await {
        let view = view.clone();
        answers.spawn_local(async move {
            crate::sleep(DELAY).await;
            view.borrow_mut().set_label(QUESTION);
        });
    }
    if let Err(error) = answers.join().await {
        panic!("a minimal answer task failed: {error}");
    }
}
