//! One long-lived thread for the checks of open documents.
//!
//! Each thread that allocates gets a malloc arena of its own, and an arena keeps what is
//! freed in it. Checks run on tokio's blocking pool hop from thread to thread, so each
//! thread's arena ends up holding the memory of a whole analysis of a big file (about 100 MiB
//! each for a 10 MB file). Run on this one thread, every check of an open document reuses
//! what the previous one freed.

use std::sync::mpsc;
use std::sync::{Mutex, PoisonError};

type Job = Box<dyn FnOnce() + Send>;

/// The check thread, started on first use; a job runs on tokio's blocking pool if the
/// thread cannot be started.
#[derive(Debug, Default)]
pub struct CheckThread {
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
}

impl CheckThread {
    /// Run `f` on the check thread and wait for its result (`None` if it panicked).
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
        });
        if let Err(job) = self.send(job) {
            return tokio::task::spawn_blocking(job)
                .await
                .ok()
                .and(rx.await.ok());
        }
        rx.await.ok()
    }

    /// Hand `job` to the thread (started now if it is not running); gives it back if no
    /// thread can take it.
    fn send(&self, job: Job) -> Result<(), Job> {
        let mut jobs = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
        let job = match jobs.take() {
            Some(running) => match running.send(job) {
                Ok(()) => {
                    *jobs = Some(running);
                    return Ok(());
                }
                // The thread ended: start another.
                Err(mpsc::SendError(job)) => job,
            },
            None => job,
        };
        let (tx, rx) = mpsc::channel::<Job>();
        let started = std::thread::Builder::new()
            .name("icp-check".into())
            .spawn(move || {
                while let Ok(job) = rx.recv() {
                    // A job that panics ends alone (its caller gets `None`): were the thread
                    // to end with it, a job sent while it unwinds would be lost.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                }
            });
        if started.is_err() {
            return Err(job);
        }
        let sent = tx.send(job).map_err(|mpsc::SendError(job)| job);
        *jobs = Some(tx);
        sent
    }
}

#[cfg(test)]
mod tests {
    use super::CheckThread;

    #[tokio::test]
    async fn jobs_run_on_one_thread_that_outlives_a_panic() {
        let checks = CheckThread::default();
        let first = checks.run(|| std::thread::current().id()).await;
        let second = checks.run(|| std::thread::current().id()).await;
        assert!(first.is_some());
        assert_eq!(first, second, "one thread for every job");
        assert_ne!(first, Some(std::thread::current().id()));
        let panicked: Option<()> = checks.run(|| panic!("a job that panics")).await;
        assert_eq!(panicked, None);
        assert_eq!(checks.run(|| 7).await, Some(7), "a new thread took over");
    }
}
