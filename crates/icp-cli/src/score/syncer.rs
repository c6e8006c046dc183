//! Flushing the temporary output file to disk while rows are still being scored.

use std::fs::File;
use std::io;
use std::sync::mpsc;
use std::thread::JoinHandle;

/// Syncs a file's data to disk on a thread of its own when asked ([`Syncer::request`]):
/// the writing thread never waits for the disk while rows are scored, and the sync before
/// the rename (which makes the new file durable before it replaces the old one) has little
/// left to do.
pub(super) struct Syncer {
    requests: Option<mpsc::SyncSender<()>>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl Syncer {
    /// A syncer of `file`, through a second handle of it; `None` when the handle or the
    /// thread cannot be had (the caller then syncs on its own thread).
    pub(super) fn new(file: &File) -> Option<Syncer> {
        let handle = file.try_clone().ok()?;
        let (requests, asked) = mpsc::sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("icp-sync".into())
            .spawn(move || {
                for () in asked {
                    handle.sync_data()?;
                }
                Ok(())
            })
            .ok()?;
        Some(Syncer {
            requests: Some(requests),
            thread: Some(thread),
        })
    }

    /// Asks for what was written so far to reach the disk. A request made while another
    /// waits is the same one (that sync starts later, so it covers both).
    pub(super) fn request(&self) {
        if let Some(requests) = &self.requests {
            let _ = requests.try_send(());
        }
    }

    /// Waits for the syncs asked for; the first error, if one failed (none is tried after
    /// it).
    pub(super) fn finish(mut self) -> io::Result<()> {
        drop(self.requests.take());
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(done)) => done,
            Some(Err(_)) => Err(io::Error::other(
                "the thread that syncs the output to disk stopped",
            )),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Syncer;
    use std::io::Write as _;

    /// Requests coalesce and `finish` waits for them: every byte written before it is on
    /// disk (it succeeds on a regular file, however many requests came).
    #[test]
    fn finishing_waits_for_the_syncs_asked_for() {
        let mut file = tempfile::tempfile().unwrap();
        let syncer = Syncer::new(&file).unwrap();
        for _ in 0..100 {
            file.write_all(&[b'x'; 4096]).unwrap();
            syncer.request();
        }
        syncer.finish().unwrap();
        assert_eq!(file.metadata().unwrap().len(), 100 * 4096);
    }

    /// A sync that fails is the run's error, given by `finish` (here a pipe, which cannot
    /// be synced).
    #[cfg(unix)]
    #[test]
    fn a_failed_sync_is_the_error_of_finish() {
        let (_reader, writer) = std::io::pipe().unwrap();
        let file = std::fs::File::from(std::os::fd::OwnedFd::from(writer));
        let syncer = Syncer::new(&file).unwrap();
        syncer.request();
        assert!(syncer.finish().is_err());
    }
}
