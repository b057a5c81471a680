//! `--load-and-quit MS`: the binary's test drive. The next [`Lookup`] starts a load as soon as it
//! exists and quits gracefully MS milliseconds later, as closing its window does.

use crate::lookup::Lookup;
use guestloop_qt::QObjectTasks;
use guestloop_qt::guestloop::sleep;
use std::cell::Cell;
use std::pin::Pin;
use std::time::Duration;

thread_local! {
    /// After how long the next Lookup, loading from the start, quits (`--load-and-quit`).
    static LOAD_AND_QUIT: Cell<Option<Duration>> = const { Cell::new(None) };
}

/// Makes the next Lookup start a load as soon as it exists, and quit gracefully `after` that.
pub fn load_and_quit(after: Duration) {
    LOAD_AND_QUIT.set(Some(after));
}

impl cxx_qt::Initialize for Lookup {
    fn initialize(mut self: Pin<&mut Self>) {
        if let Some(after) = LOAD_AND_QUIT.take() {
            self.as_mut().load();
            self.spawn_task(move |lookup| async move {
                sleep(after).await;
                let _ = lookup.update(|lookup| lookup.quit_gracefully());
            });
        }
    }
}
