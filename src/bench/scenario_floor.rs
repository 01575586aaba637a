//! The crypto floor of one scenario run: the public-key and AEAD work that
//! run did, and nothing else, timed on every core in this process.
//!
//! The work is read off the run: its cables are the scenario's own (the
//! seeded generator's and the listed ones, minus those above
//! `max_classification`, which are never sealed), each sealed once for
//! every key of R(c), signed under `signatures`, carried in a `submit`
//! frame across its sender's TLS hop and in a `deliver` frame across each
//! recipient's, and accepted by each recipient (unwrap, decrypt, verify,
//! replay guard). Every node makes and signs its keys for every epoch the
//! run enters (`forward-secret`), a sender checks the directory entry of
//! each recipient once per directory refresh (an Ed25519 verification
//! under pinning), and the run's handshakes are made again in memory with
//! the run's key exchange. The counts are checked against the run's report
//! (cables sent, deliveries, wraps), so the floor is of that very run and
//! never does more than it did. No sockets, tasks, queues, stores,
//! adversaries or analyst: a run can approach this time, never beat it.
//!
//! Two phases, each on all cores (rayon, so that a seal's own parallel
//! wraps share the same threads): first every epoch's keys, publications
//! and entry checks, an epoch per task; then the cables, in contiguous
//! chunks of about equal work, each chunk with its own TLS sessions (a
//! rustls session belongs to one thread) and replay guards, handshaken
//! before the clock starts as a long-lived link pays its handshake once.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use super::BenchError;
use super::tls_records::{Hop, handshake_once};
use crate::crypto::{
    AcceptPolicy, CablePayload, DirectoryEntry, GroupKey, KeyAgreement, KeyKind, NodeKeys, RecipientKey, ReplayGuard,
    TrustedIdentities, check_entry,
};
use crate::model::{Cable, E2eMode, Epoch, Transport, epoch_of, recipients};
use crate::net::{Pki, tls};
use crate::report::RunReport;
use crate::scenario::Scenario;
use crate::wire::{DEFAULT_MAX_FRAME, Frame, encode_frame};

/// The work of a run's floor, counted as it was done.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FloorWork {
    /// Cables sealed (and signed, under `signatures`): the run's sent cables.
    pub cables: u64,
    /// Cables accepted by a recipient: unwrap, decrypt, verify.
    pub deliveries: u64,
    /// Wraps of a cable's secret for one recipient key.
    pub wraps: u64,
    /// Agreement keys made and signed into a directory entry: every node's,
    /// for every epoch the run enters, or once (`static`).
    pub key_publications: u64,
    /// Directory entries a sender checked (one Ed25519 verification per key
    /// under pinning), once per sender, recipient and refresh.
    pub entry_checks: u64,
    /// TLS handshakes, as many as the run made.
    pub handshakes: u64,
    /// Frame bytes protected into TLS records and read back, every hop.
    pub hop_bytes: u64,
}

/// A run's floor: the best of its rounds (a floor, which noise only raises).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Floor {
    /// Seconds of the best round.
    pub seconds: f64,
    /// Threads the work was spread over.
    pub threads: usize,
    /// What was done in each round.
    pub work: FloorWork,
}

/// Times the crypto floor of the run of `scenario` (its preset and `--set`
/// already applied) that produced `report`, on `cores` threads, the best of
/// `rounds`. Fails if the report does not describe a run of these cables:
/// a different count of cables sent, or fewer deliveries or wraps than the
/// floor would do.
pub fn crypto_floor(scenario: &Scenario, report: &RunReport, cores: usize, rounds: usize) -> Result<Floor, BenchError> {
    let plan = Plan::new(scenario, report)?;
    let threads = cores.max(1);
    let pki = Pki::generate(&scenario.network)?;
    let base = plan.base_keys(&pki)?;
    let trusted = pki.trusted_identities();
    let mut chunks = plan
        .cable_chunks(threads)
        .into_iter()
        .map(|cables| Chunk::new(&pki, &plan, cables))
        .collect::<Result<Vec<_>, _>>()?;
    let kx = tls::KeyExchange::for_setting(scenario.security.post_quantum);

    let mut best: Option<(f64, FloorWork)> = None;
    for _ in 0..rounds.max(1) {
        let start = Instant::now();
        let (epochs, mut work) = plan.epochs(&base, &trusted)?;
        let per_chunk: Vec<Result<FloorWork, BenchError>> = chunks
            .par_iter_mut()
            .enumerate()
            .map(|(i, chunk)| {
                let mut work = chunk.run(&plan, &epochs, &trusted)?;
                // The run's handshakes, shared out among the chunks.
                let share = plan.handshakes / threads as u64 + u64::from((i as u64) < plan.handshakes % threads as u64);
                for h in 0..share {
                    let node = &plan.nodes[h as usize % plan.nodes.len().max(1)];
                    handshake_once(&pki, node, kx)?;
                }
                work.handshakes = share;
                Ok(work)
            })
            .collect();
        let seconds = start.elapsed().as_secs_f64();
        for chunk_work in per_chunk {
            work.add(&chunk_work?);
        }
        plan.check_against_run(&work)?;
        if best.as_ref().is_none_or(|(s, _)| seconds < *s) {
            best = Some((seconds, work));
        }
    }
    let (seconds, work) = best.ok_or_else(|| BenchError::Incomplete("no floor round was timed".into()))?;
    Ok(Floor { seconds, threads, work })
}

impl FloorWork {
    fn add(&mut self, other: &FloorWork) {
        self.cables += other.cables;
        self.deliveries += other.deliveries;
        self.wraps += other.wraps;
        self.key_publications += other.key_publications;
        self.entry_checks += other.entry_checks;
        self.handshakes += other.handshakes;
        self.hop_bytes += other.hop_bytes;
    }
}

/// One sent cable and its recipients R(c).
struct Sent {
    cable: Cable,
    to: Vec<String>,
}

/// What the run did, read off the scenario and its report, before any clock.
struct Plan {
    mode: E2eMode,
    agreement: KeyAgreement,
    epoch_days: u32,
    signatures: bool,
    pinning: bool,
    tls: bool,
    /// Every node but the hub, by name.
    nodes: Vec<String>,
    /// The sent cables by refresh period (the epoch under `forward-secret`,
    /// the whole run otherwise), in day order.
    periods: BTreeMap<Epoch, Vec<Sent>>,
    handshakes: u64,
    /// The run's own figures the floor's counts are held to.
    run_sent: u64,
    run_deliveries: u64,
    run_wraps: u64,
}

/// Keys of every node for one period, with what each sender wraps for.
struct EpochKeys {
    keys: BTreeMap<String, NodeKeys>,
    /// Sender -> recipient -> the keys its checked entry gave.
    checked: BTreeMap<String, BTreeMap<String, Vec<RecipientKey>>>,
}

impl Plan {
    fn new(scenario: &Scenario, report: &RunReport) -> Result<Plan, BenchError> {
        let security = &scenario.security;
        let wire = report
            .wire
            .as_ref()
            .ok_or_else(|| BenchError::Incomplete("the run's report has no wire costs to count handshakes".into()))?;
        let nodes: Vec<String> = scenario.network.endpoints().map(|n| n.name.clone()).collect();
        let generator = scenario
            .generator()
            .map_err(|e| BenchError::Incomplete(format!("{}: {e}", scenario.name)))?;
        let mut periods: BTreeMap<Epoch, Vec<Sent>> = BTreeMap::new();
        if security.e2e == E2eMode::ForwardSecret {
            // Every epoch the run enters, cables or none: each rotates keys.
            for day in 0..scenario.days {
                periods.entry(epoch_of(day, security.epoch_days)).or_default();
            }
        }
        let mut all: Vec<Cable> = generator.cables().chain(scenario.cables.iter().cloned()).collect();
        all.sort_by_key(|c| c.day);
        for cable in all {
            if cable.classification > security.max_classification || !nodes.contains(&cable.from) {
                continue;
            }
            let period = match security.e2e {
                E2eMode::ForwardSecret => epoch_of(cable.day, security.epoch_days),
                _ => 0,
            };
            let to = recipients(&cable.from, &cable.to, &scenario.network, security.distribution);
            periods.entry(period).or_default().push(Sent { cable, to });
        }
        Ok(Plan {
            mode: security.e2e,
            agreement: KeyAgreement::hybrid_if(security.post_quantum.end_to_end()),
            epoch_days: security.epoch_days,
            signatures: security.signatures,
            pinning: security.key_pinning,
            tls: security.transport != Transport::Plain,
            nodes,
            periods,
            handshakes: wire.handshakes,
            run_sent: report.cables.sent,
            run_deliveries: report.cables.deliveries,
            run_wraps: wire.wraps,
        })
    }

    /// Every node's keys as the network starts them (untimed, as the run's
    /// are made before its first day): identity from the run's PKI.
    fn base_keys(&self, pki: &Pki) -> Result<BTreeMap<String, NodeKeys>, BenchError> {
        let group = (self.mode == E2eMode::Group).then(GroupKey::generate);
        self.nodes
            .iter()
            .map(|name| {
                let credentials = pki
                    .credentials(name)
                    .ok_or_else(|| BenchError::Incomplete(format!("no certificate for {name}")))?;
                let keys = NodeKeys::with_agreement(
                    name,
                    self.mode,
                    self.epoch_days,
                    1,
                    self.agreement,
                    credentials.identity.clone(),
                    group.clone(),
                );
                Ok((name.clone(), keys))
            })
            .collect()
    }

    /// The first phase: every period's keys made and published, and the
    /// entries each sender of the period wraps for checked, a period per
    /// task on all cores.
    fn epochs(
        &self,
        base: &BTreeMap<String, NodeKeys>,
        trusted: &TrustedIdentities,
    ) -> Result<(BTreeMap<Epoch, EpochKeys>, FloorWork), BenchError> {
        let done: Vec<Result<(Epoch, EpochKeys, FloorWork), BenchError>> = self
            .periods
            .par_iter()
            .map(|(&period, sent)| {
                let (keys, work) = self.epoch(period, sent, base, trusted)?;
                Ok((period, keys, work))
            })
            .collect();
        let mut epochs = BTreeMap::new();
        let mut work = FloorWork::default();
        for result in done {
            let (period, keys, w) = result?;
            work.add(&w);
            epochs.insert(period, keys);
        }
        Ok((epochs, work))
    }

    fn epoch(
        &self,
        period: Epoch,
        sent: &[Sent],
        base: &BTreeMap<String, NodeKeys>,
        trusted: &TrustedIdentities,
    ) -> Result<(EpochKeys, FloorWork), BenchError> {
        let mut work = FloorWork::default();
        let mut keys = BTreeMap::new();
        let mut directory: BTreeMap<&str, DirectoryEntry> = BTreeMap::new();
        for (name, start) in base {
            let mut node = start.clone();
            // The epoch's prekeys (none new in epoch 0, made with the node).
            node.enter_epoch(period);
            if self.mode != E2eMode::Off && self.mode != E2eMode::Group {
                let entry = node.publish();
                work.key_publications += entry.keys.len() as u64;
                directory.insert(name, entry);
            }
            keys.insert(name.clone(), node);
        }
        let wanted = match self.mode {
            E2eMode::Static => Some(KeyKind::Static),
            E2eMode::ForwardSecret => Some(KeyKind::Epoch(period)),
            E2eMode::Off | E2eMode::Group => None,
        };
        let mut checked: BTreeMap<String, BTreeMap<String, Vec<RecipientKey>>> = BTreeMap::new();
        if let Some(wanted) = wanted {
            let mut wanted_by: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
            for s in sent {
                wanted_by
                    .entry(s.cable.from.as_str())
                    .or_default()
                    .extend(s.to.iter().map(String::as_str));
            }
            for (sender, to) in wanted_by {
                let mut by_recipient = BTreeMap::new();
                for recipient in to {
                    let entry = directory
                        .get(recipient)
                        .ok_or_else(|| BenchError::Incomplete(format!("{recipient} published no entry")))?;
                    let check = check_entry(recipient, entry, wanted, trusted, self.pinning)?;
                    work.entry_checks += 1;
                    by_recipient.insert(recipient.to_owned(), check.accepted);
                }
                checked.insert(sender.to_owned(), by_recipient);
            }
        }
        Ok((EpochKeys { keys, checked }, work))
    }

    /// The sent cables in `threads` contiguous chunks of about equal work
    /// (a seal and a delivery per recipient), each cable with its period.
    fn cable_chunks(&self, threads: usize) -> Vec<Vec<(Epoch, usize)>> {
        let all: Vec<(Epoch, usize, usize)> = self
            .periods
            .iter()
            .flat_map(|(&p, sent)| sent.iter().enumerate().map(move |(i, s)| (p, i, 1 + s.to.len())))
            .collect();
        let total: usize = all.iter().map(|(_, _, w)| w).sum();
        let per = total.div_ceil(threads.max(1)).max(1);
        let mut chunks = vec![Vec::new(); threads.max(1)];
        let mut done = 0;
        for (p, i, w) in all {
            let at = (done / per).min(chunks.len() - 1);
            if let Some(chunk) = chunks.get_mut(at) {
                chunk.push((p, i));
            }
            done += w;
        }
        chunks
    }

    /// The floor never does more than the run did, and seals exactly the
    /// cables it sent.
    fn check_against_run(&self, work: &FloorWork) -> Result<(), BenchError> {
        let mismatch = |what: &str, floor: u64, run: u64| {
            BenchError::Incomplete(format!(
                "the floor counts {floor} {what}, the run {run}: not the same run"
            ))
        };
        if work.cables != self.run_sent {
            return Err(mismatch("cables sent", work.cables, self.run_sent));
        }
        if work.deliveries > self.run_deliveries {
            return Err(mismatch("deliveries", work.deliveries, self.run_deliveries));
        }
        if work.wraps > self.run_wraps {
            return Err(mismatch("wraps", work.wraps, self.run_wraps));
        }
        Ok(())
    }
}

/// One thread's cables, with its own TLS sessions and replay guards.
struct Chunk {
    cables: Vec<(Epoch, usize)>,
    /// Each node's hop to the hub and from it, handshaken.
    hops: BTreeMap<String, (Hop, Hop)>,
}

impl Chunk {
    fn new(pki: &Pki, plan: &Plan, cables: Vec<(Epoch, usize)>) -> Result<Chunk, BenchError> {
        let mut hops = BTreeMap::new();
        if plan.tls && !cables.is_empty() {
            for name in &plan.nodes {
                hops.insert(name.clone(), (Hop::new(pki, name, true)?, Hop::new(pki, name, false)?));
            }
        }
        Ok(Chunk { cables, hops })
    }

    fn run(
        &mut self,
        plan: &Plan,
        epochs: &BTreeMap<Epoch, EpochKeys>,
        trusted: &TrustedIdentities,
    ) -> Result<FloorWork, BenchError> {
        let mut work = FloorWork::default();
        let mut guards: BTreeMap<&str, ReplayGuard> =
            plan.nodes.iter().map(|n| (n.as_str(), ReplayGuard::new())).collect();
        let policy = AcceptPolicy {
            require_signature: plan.signatures,
        };
        let none = BTreeMap::new();
        for &(period, index) in &self.cables {
            let (Some(sent), Some(epoch)) = (
                plan.periods.get(&period).and_then(|s| s.get(index)),
                epochs.get(&period),
            ) else {
                return Err(BenchError::Incomplete(format!("no cable {index} in period {period}")));
            };
            let (cable, to) = (&sent.cable, &sent.to);
            let sender = epoch
                .keys
                .get(&cable.from)
                .ok_or_else(|| BenchError::Incomplete(format!("no keys for {}", cable.from)))?;
            let checked = epoch.checked.get(&cable.from).unwrap_or(&none);
            let wrap_for: Vec<RecipientKey> = to
                .iter()
                .flat_map(|r| checked.get(r).cloned().unwrap_or_default())
                .collect();
            let payload = CablePayload::seal(
                cable.header(to.clone()),
                &cable.content(),
                sender,
                &wrap_for,
                plan.signatures,
            )?;
            work.cables += 1;
            work.wraps += payload.envelope_cost().map_or(0, |c| c.key_wraps);
            let submit = Frame::Submit { payload };
            let bytes = encode_frame(&submit, DEFAULT_MAX_FRAME)?;
            if let Some((up, _)) = self.hops.get_mut(&cable.from) {
                up.carry(&bytes)?;
                work.hop_bytes += bytes.len() as u64;
            }
            let Frame::Submit { payload } = submit else {
                unreachable!("built as a submit just above")
            };
            let deliver = Frame::Deliver { payload };
            let bytes = encode_frame(&deliver, DEFAULT_MAX_FRAME)?;
            let Frame::Deliver { payload } = deliver else {
                unreachable!("built as a deliver just above")
            };
            for recipient in to {
                if let Some((_, down)) = self.hops.get_mut(recipient) {
                    down.carry(&bytes)?;
                    work.hop_bytes += bytes.len() as u64;
                }
                let me = epoch
                    .keys
                    .get(recipient)
                    .ok_or_else(|| BenchError::Incomplete(format!("no keys for {recipient}")))?;
                let guard = guards
                    .get_mut(recipient.as_str())
                    .ok_or_else(|| BenchError::Incomplete(format!("no replay guard for {recipient}")))?;
                payload.accept(me, trusted.get(&cable.from), policy, guard)?;
                work.deliveries += 1;
            }
        }
        Ok(work)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Preset, Runner};

    fn small(preset: Preset) -> Scenario {
        let mut scenario = Scenario::from_toml_str(
            r#"
            [scenario]
            name = "floor"
            seed = 7
            days = 15
            cables = 12
            [network]
            ministries = 3
            missions = 1
            [security]
            distribution = "broadcast"
            epoch_days = 7
            "#,
            "inline.toml",
        )
        .unwrap();
        scenario.apply_preset(preset);
        scenario
    }

    #[test]
    fn the_floor_does_the_work_of_the_run_it_is_of() {
        for preset in Preset::ALL {
            let scenario = small(preset);
            let report = Runner::new(scenario.clone()).run_blocking().unwrap().report;
            let floor = crypto_floor(&scenario, &report, 2, 1).unwrap();
            let wire = report.wire.as_ref().unwrap();
            assert_eq!(floor.work.cables, report.cables.sent, "{preset}");
            assert_eq!(floor.work.deliveries, report.cables.deliveries, "{preset}");
            assert_eq!(floor.work.wraps, wire.wraps, "{preset}");
            assert_eq!(floor.work.handshakes, wire.handshakes, "{preset}");
            assert_eq!(floor.threads, 2);
        }
    }

    #[test]
    fn fail_a_report_of_another_run() {
        let scenario = small(Preset::E2eFs);
        let mut report = Runner::new(scenario.clone()).run_blocking().unwrap().report;
        report.cables.sent += 1;
        let e = crypto_floor(&scenario, &report, 1, 1).unwrap_err();
        assert!(e.to_string().contains("not the same run"), "{e}");
        report.wire = None;
        let e = crypto_floor(&scenario, &report, 1, 1).unwrap_err();
        assert!(e.to_string().contains("no wire costs"), "{e}");
    }
}
