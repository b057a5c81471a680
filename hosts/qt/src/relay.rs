//! [`SignalRelay`]: signals of QML items (a `TextField`'s `textChanged`, a `Slider`'s `moved`)
//! as streams that guest tasks await.
//!
//! Owns the path QML → Rust that [`signal_stream`](crate::signal_stream) cannot take: that one
//! connects through cxx-qt's `on_<signal>`, which only Rust-defined QObjects have. Here QML's own
//! handler calls an invokable, and the invokable hands the value to the relay, a field of the
//! Rust struct; every stream taken from the relay gets it.

use crate::SignalStream;
use std::fmt;

/// Hands the values an invokable receives (from a QML signal handler) to the streams guest
/// tasks await: qasync's `asyncSlot`, the other way round — the signal stays in QML, the code
/// that reacts is a task that owns its state across emissions (debounce, a state machine).
///
/// Keep one as a field of the QObject's Rust struct; call [`emit`](Self::emit) from an
/// invokable that QML's handler calls; give tasks [`stream`](Self::stream)s. A stream sees every
/// value emitted after it was made, in order, queued without bound until it takes them; it ends
/// (`None`) when the relay is dropped, that is, with its object.
///
/// ```rust,ignore
/// // QML: TextField { onTextEdited: greeter.name_edited(text) }
/// fn name_edited(self: Pin<&mut Self>, name: QString) {
///     self.rust_mut().get_mut().edits.emit(name.to_string());
/// }
///
/// // In `Initialize` (or any invokable): a task that greets once typing has paused.
/// let mut edits = self.as_mut().rust_mut().get_mut().edits.stream();
/// self.spawn_task(|greeter| async move {
///     while let Some(mut name) = edits.next().await {
///         while let Ok(Some(newer)) = timeout(Duration::from_millis(500), edits.next()).await {
///             name = newer; // typed again within the pause
///         }
///         if greeter.with_now(|greeter| greeter.set_greeting(QString::from(&name))).is_err() {
///             return; // the object is gone
///         }
///     }
/// });
/// ```
pub struct SignalRelay<T> {
    streams: Vec<async_channel::Sender<T>>,
}

impl<T> Default for SignalRelay<T> {
    fn default() -> Self {
        SignalRelay {
            streams: Vec::new(),
        }
    }
}

impl<T: Clone> SignalRelay<T> {
    /// Passes `value` to every stream taken from this relay that still exists.
    pub fn emit(&mut self, value: T) {
        // Unbounded: a send fails only when its stream is gone, and then it is forgotten.
        self.streams
            .retain(|stream| stream.try_send(value.clone()).is_ok());
    }
}

impl<T> SignalRelay<T> {
    /// A stream of the values emitted from now on. Make it before the task that awaits it is
    /// spawned (in the same invokable), and no value between the two is missed.
    pub fn stream(&mut self) -> SignalStream<T> {
        let (sender, values) = async_channel::unbounded();
        self.streams.push(sender);
        SignalStream::of_relay(values)
    }
}

impl<T> fmt::Debug for SignalRelay<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignalRelay")
            .field("streams", &self.streams.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_core::Stream;
    use std::pin::Pin;
    use std::task::{Context, Poll, Waker};

    /// Every value the stream holds now, and whether it has ended.
    fn drain<T>(stream: &mut SignalStream<T>) -> (Vec<T>, bool) {
        let mut cx = Context::from_waker(Waker::noop());
        let mut values = Vec::new();
        loop {
            match Pin::new(&mut *stream).poll_next(&mut cx) {
                Poll::Ready(Some(value)) => values.push(value),
                Poll::Ready(None) => return (values, true),
                Poll::Pending => return (values, false),
            }
        }
    }

    #[test]
    fn every_stream_gets_every_value_after_it_was_made_and_ends_with_the_relay() {
        let mut relay = SignalRelay::default();
        relay.emit("before any stream");
        let mut early = relay.stream();
        relay.emit("one");
        let mut late = relay.stream();
        relay.emit("two");
        assert_eq!(drain(&mut early), (vec!["one", "two"], false));
        drop(relay);
        assert_eq!(drain(&mut early), (vec![], true));
        assert_eq!(drain(&mut late), (vec!["two"], true));
    }

    #[test]
    fn a_dropped_stream_is_forgotten_at_the_next_emit() {
        let mut relay = SignalRelay::default();
        let mut kept = relay.stream();
        drop(relay.stream());
        assert_eq!(relay.streams.len(), 2);
        relay.emit(1);
        assert_eq!(relay.streams.len(), 1);
        assert_eq!(drain(&mut kept), (vec![1], false));
    }
}
