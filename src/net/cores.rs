//! Threads kept one to a core, for a run alone in its process (why, and
//! why not for runs side by side: ARCHITECTURE.md, "Threads and cores").
//!
//! A run hands work from thread to thread all the time: a seal to rayon's
//! threads, deliveries to the other tokio worker. When the cores look
//! busy, Linux wakes a thread on the core of the thread that woke it, so
//! two of a run's threads can take turns on one core while the other core
//! stands idle, until the load balancer moves one, milliseconds later.
//! Pinned, a thread wakes on its own core.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tracing::debug;

/// The CPUs this process may run on, lowest first: all those the system
/// lets it use (a `taskset` or a container may allow fewer than it has).
/// Empty where the system cannot say or threads cannot be pinned.
pub fn allowed_cpus() -> Vec<usize> {
    affinity::allowed().unwrap_or_default()
}

/// The CPUs the thread started `slot`-th by a pinned runtime runs on: its
/// own CPU (in turn over `cpus`) for the first `pinned` threads, every
/// CPU of `cpus` for any started later.
fn cpus_for(slot: usize, pinned: usize, cpus: &[usize]) -> Vec<usize> {
    match cpus.get(slot % cpus.len().max(1)) {
        Some(&cpu) if slot < pinned => vec![cpu],
        _ => cpus.to_vec(),
    }
}

/// Lets the calling thread run only on `cpus`. A failure leaves the
/// thread where it was: pinning is an optimisation, never a condition.
fn pin_current_thread(cpus: &[usize]) -> io::Result<()> {
    let result = affinity::set(cpus);
    if let Err(e) = &result {
        debug!(cpus = ?cpus, cause = %e, "thread left unpinned");
    }
    result
}

/// A rayon pool builder whose `i`-th thread runs on the `i`-th of `cpus`
/// alone, a thread per CPU.
fn pinned_pool(cpus: Vec<usize>) -> rayon::ThreadPoolBuilder {
    let threads = cpus.len().max(1);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .start_handler(move |i| {
            let _ = pin_current_thread(&cpus_for(i, threads, &cpus));
        })
}

/// Starts rayon's global pool with a thread per allowed CPU, each pinned
/// to its own. The pool is one per process and shared by every run in it,
/// so its threads are balanced over the cores however many runs use it.
/// If the pool already runs (started by an earlier call, or by a first
/// use), it is left as it is.
pub fn pin_rayon_threads() {
    let cpus = allowed_cpus();
    if cpus.is_empty() {
        return;
    }
    if let Err(e) = pinned_pool(cpus).build_global() {
        debug!(cause = %e, "rayon's pool already runs: left unpinned");
    }
}

/// A multi-thread tokio runtime for one run alone in its process (`cablesim
/// run`, the bench's whole runs): a worker per allowed CPU, each pinned to
/// its own, and rayon's pool pinned too ([`pin_rayon_threads`]; first, so
/// that it is never started from a pinned worker, whose one CPU its
/// threads would inherit). Threads the runtime starts later (its blocking
/// pool) may run on every allowed CPU. Not for runs side by side: pinned,
/// one run's workers could not leave a core another run's crowd.
pub fn one_run_runtime() -> io::Result<tokio::runtime::Runtime> {
    let cpus = allowed_cpus();
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.enable_all();
    if cpus.is_empty() {
        return builder.build();
    }
    pin_rayon_threads();
    let workers = cpus.len();
    // Tokio starts its workers when the runtime is built and its blocking
    // threads later, on demand, so the first `workers` threads to start
    // are the workers, unless a blocking thread is asked for before they
    // all have: it then takes a worker's CPU, and that worker runs on
    // every CPU, as unpinned. A blocking thread would inherit the one CPU
    // of the worker that asked for it; it gets them all back.
    let started = Arc::new(AtomicUsize::new(0));
    builder.worker_threads(workers).on_thread_start(move || {
        let slot = started.fetch_add(1, Ordering::Relaxed);
        let _ = pin_current_thread(&cpus_for(slot, workers, &cpus));
    });
    builder.build()
}

#[cfg(target_os = "linux")]
mod affinity {
    use rustix::thread::{CpuSet, sched_getaffinity, sched_setaffinity};

    pub(super) fn allowed() -> std::io::Result<Vec<usize>> {
        let set = sched_getaffinity(None)?;
        Ok((0..CpuSet::MAX_CPU).filter(|&cpu| set.is_set(cpu)).collect())
    }

    pub(super) fn set(cpus: &[usize]) -> std::io::Result<()> {
        let mut set = CpuSet::new();
        for &cpu in cpus {
            if cpu >= CpuSet::MAX_CPU {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("CPU {cpu} is beyond the {} a CPU set holds", CpuSet::MAX_CPU),
                ));
            }
            set.set(cpu);
        }
        Ok(sched_setaffinity(None, &set)?)
    }
}

#[cfg(not(target_os = "linux"))]
mod affinity {
    fn unsupported() -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::Unsupported, "threads are pinned on Linux only")
    }

    pub(super) fn allowed() -> std::io::Result<Vec<usize>> {
        Err(unsupported())
    }

    pub(super) fn set(_cpus: &[usize]) -> std::io::Result<()> {
        Err(unsupported())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_threads_get_a_cpu_each_in_turn_and_later_ones_all() {
        let cpus = [2, 5, 7];
        assert_eq!(cpus_for(0, 3, &cpus), vec![2]);
        assert_eq!(cpus_for(1, 3, &cpus), vec![5]);
        assert_eq!(cpus_for(2, 3, &cpus), vec![7]);
        assert_eq!(cpus_for(3, 3, &cpus), vec![2, 5, 7]);
        assert_eq!(cpus_for(9, 3, &cpus), vec![2, 5, 7]);
        // More pinned threads than CPUs: round the CPUs again.
        assert_eq!(cpus_for(4, 6, &cpus), vec![5]);
        assert_eq!(cpus_for(0, 1, &[]), Vec::<usize>::new());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn pinning_to_a_cpu_the_process_may_not_use_fails_and_changes_nothing() {
        let before = allowed_cpus();
        assert!(!before.is_empty(), "a Linux process runs on some CPU");
        let beyond = rustix::thread::CpuSet::MAX_CPU;
        let err = pin_current_thread(&[beyond]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        // A CPU a set holds but this machine has not, and no CPU at all:
        // the system refuses both.
        assert!(pin_current_thread(&[beyond - 1]).is_err());
        assert!(pin_current_thread(&[]).is_err());
        assert_eq!(allowed_cpus(), before);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_pinned_pool_runs_a_thread_on_each_allowed_cpu() {
        let cpus = allowed_cpus();
        let pool = pinned_pool(cpus.clone()).build().unwrap();
        let mut seen: Vec<Vec<usize>> = pool.broadcast(|_| allowed_cpus());
        seen.sort();
        let expected: Vec<Vec<usize>> = cpus.iter().map(|&cpu| vec![cpu]).collect();
        assert_eq!(seen, expected);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_one_run_runtime_pins_its_workers_and_frees_its_blocking_threads() {
        let cpus = allowed_cpus();
        let workers = cpus.len();
        let runtime = one_run_runtime().unwrap();
        assert_eq!(runtime.metrics().num_workers(), workers);
        // As many tasks as workers, each holding its worker until all are
        // held: every worker runs one, so every worker has started.
        let all_held = Arc::new(std::sync::Barrier::new(workers));
        let mut on_workers: Vec<Vec<usize>> = runtime.block_on(async {
            let tasks: Vec<_> = (0..workers)
                .map(|_| {
                    let all_held = all_held.clone();
                    tokio::spawn(async move {
                        all_held.wait();
                        allowed_cpus()
                    })
                })
                .collect();
            let mut seen = Vec::with_capacity(workers);
            for task in tasks {
                seen.push(task.await.unwrap());
            }
            seen
        });
        on_workers.sort();
        let each_on_its_own: Vec<Vec<usize>> = cpus.iter().map(|&cpu| vec![cpu]).collect();
        assert_eq!(on_workers, each_on_its_own);
        // Started from a worker, whose one CPU it inherits, once every
        // worker has started: a blocking thread, which gets them all back.
        let on_blocking = runtime.block_on(async {
            tokio::spawn(async { tokio::task::spawn_blocking(allowed_cpus).await.unwrap() })
                .await
                .unwrap()
        });
        assert_eq!(on_blocking, cpus);
    }
}
