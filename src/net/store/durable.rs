//! [`Durable`]: what a hub waits on before it tells anyone that a change
//! of its store is kept. A store that commits in groups answers it once the
//! group holding the change is committed (see "Durability" in
//! ARCHITECTURE.md); a store that keeps nothing beyond the process answers
//! at once.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::sync::oneshot;

use super::StoreError;

/// Starts committing what a store holds staged, if nothing is committing
/// it yet: run when a [`Durable`] is first waited on, so that a change
/// staged where no runtime could take the commit still gets one.
pub(super) type Start = Arc<dyn Fn() + Send + Sync>;

/// Resolves once every change a store made before handing it out is
/// durable, or with the error that kept them from being committed.
///
/// Await it in async code; [`Durable::wait_blocking`] outside any runtime.
#[must_use = "a change is not known to be durable until this resolves"]
pub struct Durable(Option<Pending>);

struct Pending {
    answer: oneshot::Receiver<Result<(), StoreError>>,
    start: Option<Start>,
    /// For the error if the store goes away without answering.
    path: PathBuf,
    operation: &'static str,
}

impl Durable {
    /// Already durable: what a store that commits in each call (or keeps
    /// nothing beyond the process) hands out.
    pub fn now() -> Durable {
        Durable(None)
    }

    /// Durable once `answer` says so. A store (or a test standing in for
    /// one) keeps the sender and answers after its commit; a sender dropped
    /// unanswered resolves to [`StoreError::Unfinished`] naming `path` and
    /// `operation`.
    pub fn when(answer: oneshot::Receiver<Result<(), StoreError>>, path: PathBuf, operation: &'static str) -> Durable {
        Durable(Some(Pending {
            answer,
            start: None,
            path,
            operation,
        }))
    }

    /// Never durable: waiting on it gives `error`.
    pub fn failed(error: StoreError) -> Durable {
        let (tx, rx) = oneshot::channel();
        let _ = tx.send(Err(error));
        // Answered already, so the names an unanswered wait would report
        // are never used.
        Durable::when(rx, PathBuf::new(), "")
    }

    /// [`Durable::when`], with `start` run on the first wait.
    pub(super) fn started_by(mut self, start: Start) -> Durable {
        if let Some(pending) = &mut self.0 {
            pending.start = Some(start);
        }
        self
    }

    /// Whether it resolved before it was handed out: a reply that waits on
    /// it can be sent at once.
    pub fn is_now(&self) -> bool {
        self.0.is_none()
    }

    /// Waits on this thread, which must not be inside an async runtime
    /// (tests, benches, tools). Without a runtime nothing commits by
    /// itself: waiting commits, on this thread, every change staged so far
    /// — one transaction for all of them.
    pub fn wait_blocking(self) -> Result<(), StoreError> {
        let Some(mut pending) = self.0 else {
            return Ok(());
        };
        if let Some(start) = pending.start.take() {
            start();
        }
        let unfinished = unfinished(&pending);
        pending.answer.blocking_recv().unwrap_or_else(|_| Err(unfinished))
    }
}

fn unfinished(pending: &Pending) -> StoreError {
    StoreError::Unfinished {
        path: pending.path.clone(),
        operation: pending.operation,
    }
}

impl Future for Durable {
    type Output = Result<(), StoreError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Some(pending) = &mut self.0 else {
            return Poll::Ready(Ok(()));
        };
        if let Some(start) = pending.start.take() {
            start();
        }
        match Pin::new(&mut pending.answer).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(answer) => {
                let answer = answer.unwrap_or_else(|_| Err(unfinished(pending)));
                // Resolved for good: polled again, it stays resolved.
                self.0 = None;
                Poll::Ready(answer)
            }
        }
    }
}

impl std::fmt::Debug for Durable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            None => f.write_str("Durable(now)"),
            Some(p) => write!(f, "Durable({}: {})", p.path.display(), p.operation),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_is_durable_at_once() {
        let durable = Durable::now();
        assert!(durable.is_now());
        durable.wait_blocking().unwrap();
    }

    #[test]
    fn fail_an_answer_never_given_names_the_store_and_the_operation() {
        let (answer, receiver) = oneshot::channel();
        let durable = Durable::when(receiver, PathBuf::from("/x/hub.db"), "accept a cable");
        assert!(!durable.is_now());
        drop(answer);
        let e = durable.wait_blocking().unwrap_err().to_string();
        assert_eq!(
            e,
            "store /x/hub.db: accept a cable: the store closed before the commit finished"
        );
    }

    #[test]
    fn the_start_hook_runs_on_the_first_wait() {
        let (answer, receiver) = oneshot::channel();
        let answer = std::sync::Mutex::new(Some(answer));
        let durable =
            Durable::when(receiver, PathBuf::from("/x/hub.db"), "save the day").started_by(Arc::new(move || {
                if let Some(a) = answer.lock().unwrap().take() {
                    let _ = a.send(Ok(()));
                }
            }));
        durable.wait_blocking().unwrap();
    }
}
