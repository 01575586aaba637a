//! `cablesim bench` (README.md, "Measuring it: `cablesim bench`"): what a cable
//! costs, measured side by side in one run, against three yardsticks.
//!
//! | figure | what is timed | compared with |
//! |---|---|---|
//! | `envelope` | one cable sealed for N recipients and accepted by each (unwrap, decrypt, verify), median µs | the same job with the `age` crate: `ratio_vs_age` |
//! | `limit` | that E2E work plus the TLS 1.3 record protection of every hop's bytes, no sockets, tasks or queues, one chunk of cables per core | — the ceiling |
//! | `pipeline` | the real in-process network: seal → mTLS → hub fan-out → mTLS → open, with acks; and the same network with e2e off | `limit`: `ratio_vs_limit` |
//! | `forwarder` | bare tokio-rustls fan-outs: one mTLS ingress, N mTLS egress, byte copies only; one coalescing frames into full records, one writing a record per frame as the hub does | the real hub alone, between protocol endpoints that only frame and ack, in rounds taking turns with both: `hub_vs_forwarder`, `hub_vs_per_frame_forwarder` |
//! | `durable` | the hub alone over SQLite (`synchronous = FULL`, group commit), its file on this machine's disk | the same hub in memory, in rounds taking turns with it: `durable_vs_memory` |
//! | `post_quantum` | the envelope with hybrid X25519 + ML-KEM-768 keys, a hybrid TLS handshake, a whole `coreu-2018` run under `e2e-pq` | the classical envelope, handshake and `e2e-fs` run: `envelope_ratio`, `run_ratio` |
//! | `scenario` | those two whole runs of `coreu-2018` (`e2e-fs`, `e2e-pq`) | each run's crypto floor, its own public-key, AEAD and TLS record work on every core: `run_vs_floor` |
//! | `demo` | `cablesim demo coreu-2018`, whole | one run of the scenario, and the sum of the crypto floors of the demo's distinct runs: `demo_vs_run`, `demo_vs_floors` |
//!
//! Every number is measured here and now; the targets the project sets itself
//! (README.md lists them) are printed next to each ratio with whether this run
//! met them, never assumed.
//!
//! | file | job |
//! |---|---|
//! | `options` | the validated options and why a value is refused |
//! | `stats` | medians and rates |
//! | `cables` | the bench network's names and the cables it sends |
//! | `world` | the keys of a sender and its recipients, built once (sans-IO) |
//! | `envelope`, `age_job` | the two envelope jobs |
//! | `tls_records` | handshaken rustls connection pairs in memory, carrying bytes |
//! | `limit` | the crypto limit on all cores, on rayon's pool, and the ceiling the pipeline is held to |
//! | `pipeline`, `hub_relay`, `forwarder` | the network, the hub alone and the bare forwarders, over tokio |
//! | `yardstick` | the hub and both forwarders, in rounds taking turns |
//! | `durable_relay` | the hub alone with its queues in SQLite |
//! | `post_quantum` | what hybrid key agreement costs: envelope, handshake, a whole run |
//! | `scenario_floor` | the crypto floor of a scenario run, read off its cables and report |
//! | `demo` | the demo timed whole, its runs counted and their floors summed |
//! | `render` | the text rendering (JSON is the report's serde form) |

#[cfg(feature = "age-compare")]
mod age_job;
mod cables;
mod demo;
mod durable_relay;
mod envelope;
mod forwarder;
mod hub_relay;
mod limit;
mod options;
mod pipeline;
mod post_quantum;
mod render;
mod scenario_floor;
mod stats;
mod tls_records;
mod world;
mod yardstick;

use serde::Serialize;

pub use demo::DemoFigures;
pub use post_quantum::PostQuantumFigures;
pub use scenario_floor::{Floor, FloorWork, crypto_floor};
use tracing::info;

use crate::crypto::CryptoError;
use crate::crypto::ml_kem::ML_KEM_NAMES;
use crate::crypto::primitives::{AEAD_NAME, SIGNATURE_NAME, X25519_NAME};
use crate::net::{NodeError, PkiError, StoreError, TlsError};
use crate::scenario::RunError;

pub use options::BenchOptions;

/// What the bench compares `age` with: the library and its primitives, for
/// the report (age 0.12 uses x25519-dalek 2 and RustCrypto's
/// ChaCha20-Poly1305, not ring).
pub const AGE_NAME: &str = "age 0.12.1 (X25519 via x25519-dalek 2, ChaCha20-Poly1305 via RustCrypto)";

/// Why a build without the `age-compare` feature reports no age figures:
/// age and the crates only it needs are a tenth of a clean build, for one
/// comparison. `cargo test` turns the feature on.
pub const AGE_NOT_BUILT: &str = "the age comparison is not in this build: build with `--features age-compare` \
     (cargo run --release --features age-compare -- bench)";

/// Why a bench could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BenchError {
    /// An option is out of the range the bench supports (exit status 2).
    #[error("--{option} {value}: {reason}")]
    BadOption {
        /// The option, without its dashes.
        option: &'static str,
        /// The value given.
        value: usize,
        /// Why it is refused.
        reason: String,
    },
    /// The bench's certificates could not be made.
    #[error("certificates: {0}")]
    Pki(#[from] PkiError),
    /// A TLS configuration could not be built.
    #[error("TLS configuration: {0}")]
    Tls(#[from] TlsError),
    /// rustls refused something in the in-memory record layer.
    #[error("TLS records: {0}")]
    Records(#[from] rustls::Error),
    /// This project's envelope refused to seal or open a bench cable.
    #[error("envelope: {0}")]
    Envelope(#[from] CryptoError),
    /// A bench frame could not be encoded.
    #[error("wire: {0}")]
    Wire(#[from] crate::wire::WireError),
    /// The age crate failed to encrypt or decrypt.
    #[error("age: {0}")]
    Age(String),
    /// The in-process network could not start.
    #[error("in-process network: {0}")]
    Network(#[from] RunError),
    /// A node of the in-process network failed.
    #[error("node: {0}")]
    Node(#[from] NodeError),
    /// The durable hub's SQLite store could not be opened or read.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// Reading or writing an in-memory stream failed.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    /// A measured run did not do what it was measured for (a cable not
    /// delivered, bytes missing): its time would be meaningless.
    #[error("{0}")]
    Incomplete(String),
}

impl BenchError {
    /// Whether the error is the user's input (exit status 2) rather than a
    /// failure of the run.
    pub fn is_bad_input(&self) -> bool {
        matches!(self, BenchError::BadOption { .. })
    }
}

/// A ratio, the bound the project sets for it, and whether this run met it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Target {
    /// `"<="` or `">="`.
    pub op: &'static str,
    /// The bound.
    pub value: f64,
    /// Whether the measured ratio is within the bound.
    pub met: bool,
}

impl Target {
    fn at_most(value: f64, measured: f64) -> Target {
        Target {
            op: "<=",
            value,
            met: measured <= value,
        }
    }

    fn at_least(value: f64, measured: f64) -> Target {
        Target {
            op: ">=",
            value,
            met: measured >= value,
        }
    }
}

/// The machine and the implementations the figures were measured with.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    /// Cores the bench may use (`std::thread::available_parallelism`).
    pub cores: usize,
    /// The X25519 implementation of the envelope.
    pub x25519: &'static str,
    /// The AEAD of the envelope.
    pub aead: &'static str,
    /// The signature implementation of the envelope.
    pub signature: &'static str,
    /// The TLS 1.3 suite the network's own configurations negotiate.
    pub tls_suite: String,
    /// The ML-KEM-768 implementations of hybrid keys.
    pub ml_kem: &'static str,
    /// What the envelope is compared with; `None` in a build without the
    /// `age-compare` feature.
    pub age: Option<&'static str>,
}

/// Seal for N and open at each: ours and age's.
#[derive(Debug, Clone, Serialize)]
pub struct EnvelopeFigures {
    /// Median µs of this project's envelope.
    pub ours_us: f64,
    /// Median µs of the same job with `age`; this and the other age
    /// figures are `None` in a build without the `age-compare` feature, and
    /// `age_not_measured` says so.
    pub age_us: Option<f64>,
    /// `ours_us / age_us`.
    pub ratio_vs_age: Option<f64>,
    /// Target: at most 0.5 (half of age's cost).
    pub target: Option<Target>,
    /// Samples behind `ours_us`.
    pub ours_samples: usize,
    /// Samples behind `age_us` (fewer when age hit the time budget).
    pub age_samples: Option<usize>,
    /// Why there are no age figures; `None` when age was measured.
    pub age_not_measured: Option<&'static str>,
}

impl EnvelopeFigures {
    fn new(ours: &envelope::Timed, age: Option<&envelope::Timed>) -> EnvelopeFigures {
        let ratio_vs_age = age.map(|age| ours.median_us / age.median_us);
        EnvelopeFigures {
            ours_us: ours.median_us,
            age_us: age.map(|age| age.median_us),
            ratio_vs_age,
            target: ratio_vs_age.map(|ratio| Target::at_most(0.5, ratio)),
            ours_samples: ours.samples,
            age_samples: age.map(|age| age.samples),
            age_not_measured: age.is_none().then_some(AGE_NOT_BUILT),
        }
    }
}

/// The age job, in a build with the `age-compare` feature.
#[cfg(feature = "age-compare")]
fn measure_age(options: &BenchOptions) -> Result<Option<envelope::Timed>, BenchError> {
    info!("envelope: age");
    age_job::measure(options).map(Some)
}

/// Nothing: this build has no age (see [`AGE_NOT_BUILT`]).
#[cfg(not(feature = "age-compare"))]
fn measure_age(_options: &BenchOptions) -> Result<Option<envelope::Timed>, BenchError> {
    info!("envelope: age not built in");
    Ok(None)
}

/// The crypto limit.
#[derive(Debug, Clone, Serialize)]
pub struct LimitFigures {
    /// The ceiling, in cables per second: the best of the limit's own
    /// rounds (`measured_cables_per_s`), or a pipeline round that did the
    /// same work faster (`raised_by_pipeline`). Never below the pipeline.
    pub cables_per_s: f64,
    /// Threads used (one chunk of cables each).
    pub threads: usize,
    /// The best of the limit's own rounds, every core busy.
    pub measured_cables_per_s: f64,
    /// Whether the pipeline's best round beat the limit's own: it does the
    /// limit's work and more, so the limit's rounds fell short of the
    /// ceiling (a busy machine), and that round is the ceiling instead.
    pub raised_by_pipeline: bool,
}

/// The real network.
#[derive(Debug, Clone, Serialize)]
pub struct PipelineFigures {
    /// Cables per second, from the first send until every recipient has
    /// filed every cable and the hub holds no unacknowledged delivery.
    pub cables_per_s: f64,
    /// `cables_per_s / limit.cables_per_s`: at most 1.0 by construction
    /// (see `limit.raised_by_pipeline`).
    pub ratio_vs_limit: f64,
    /// Target: at least 0.7 of the crypto limit.
    pub target: Target,
    /// The same network with e2e and signatures off (the `hop-tls`
    /// crypto): the hub and the node runtimes without the envelope. Set
    /// beside `forwarder.hub_cables_per_s`, it shows what the nodes cost.
    pub hop_only_cables_per_s: f64,
}

/// The hub against two bare forwarders.
#[derive(Debug, Clone, Serialize)]
pub struct ForwarderFigures {
    /// Cables per second through the bare tokio-rustls forwarder that
    /// coalesces frames into full 16 KiB records: the reference.
    pub cables_per_s: f64,
    /// Cables per second through the same forwarder writing every frame as
    /// its own record, through the hub's own writer, as the hub does.
    pub per_frame_cables_per_s: f64,
    /// Cables per second through the library's hub alone (e2e off), between
    /// protocol endpoints that only decode frames and acknowledge
    /// deliveries: the hub's relay rate.
    pub hub_cables_per_s: f64,
    /// `hub_cables_per_s / cables_per_s`: against the coalescing one.
    pub hub_vs_forwarder: f64,
    /// Cables in each round of these three measurements: `--cables`,
    /// raised to [`BenchOptions::MIN_RELAY_CABLES`] for a steady figure.
    pub cables: usize,
    /// Target: at least 0.7 of the coalescing forwarder.
    pub target: Target,
    /// `hub_cables_per_s / per_frame_cables_per_s`: against the forwarder
    /// with the hub's own record discipline.
    pub hub_vs_per_frame_forwarder: f64,
    /// Target: at least 0.9 of the per-frame forwarder.
    pub per_frame_target: Target,
}

/// The hub over SQLite against the hub in memory.
#[derive(Debug, Clone, Serialize)]
pub struct DurableFigures {
    /// Cables per second through the hub alone with its queues, ids and
    /// archive in SQLite (`synchronous = FULL`, commits in groups, every
    /// acknowledgement after its cable's commit), the file on this
    /// machine's disk; the rounds of `forwarder.hub_cables_per_s`.
    pub cables_per_s: f64,
    /// The same hub in memory, in rounds taking turns with those of
    /// `cables_per_s` (not `forwarder.hub_cables_per_s`, measured earlier).
    pub memory_cables_per_s: f64,
    /// `cables_per_s / memory_cables_per_s`.
    pub durable_vs_memory: f64,
    /// Target: at least 0.5 of the in-memory hub.
    pub target: Target,
}

/// One whole scenario run beside its crypto floor.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioFloorFigures {
    /// The scenario.
    pub scenario: String,
    /// The preset it ran under.
    pub config: String,
    /// The days it played, as its report says (a tenth of the scenario's
    /// own in a quick bench, [`BenchOptions::QUICK_SCENARIO_DIVISOR`]).
    pub days: u32,
    /// Wall seconds of the whole in-process run (the `post_quantum` run).
    pub run_s: f64,
    /// Seconds of the run's own crypto work on every core, best of the
    /// floor's rounds ([`crypto_floor`]).
    pub floor_s: f64,
    /// `run_s / floor_s`.
    pub run_vs_floor: f64,
    /// Target: at most 1.3.
    pub target: Target,
    /// Threads the floor used.
    pub threads: usize,
    /// Rounds the floor is the best of.
    pub rounds: usize,
    /// The work the floor did: the run's own counts.
    pub work: FloorWork,
}

/// Everything `cablesim bench` prints.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// What was measured.
    pub options: BenchOptions,
    /// Where and with what.
    pub machine: Machine,
    /// Rounds each rate is the median of.
    pub rate_rounds: usize,
    /// Seal and open one cable: ours against age.
    pub envelope: EnvelopeFigures,
    /// The crypto limit.
    pub limit: LimitFigures,
    /// The real network against the limit.
    pub pipeline: PipelineFigures,
    /// The hub against a bare forwarder.
    pub forwarder: ForwarderFigures,
    /// The hub over SQLite against the hub in memory.
    pub durable: DurableFigures,
    /// Hybrid post-quantum key agreement against classical X25519.
    pub post_quantum: PostQuantumFigures,
    /// Whole scenario runs against their crypto floors.
    pub scenario: Vec<ScenarioFloorFigures>,
    /// `cablesim demo` against one run and its runs' crypto floors.
    pub demo: DemoFigures,
}

impl BenchReport {
    /// The report as the terminal shows it.
    pub fn render_text(&self) -> String {
        render::text(self)
    }
}

/// Runs every measurement of `cablesim bench`, one after the other so
/// that none competes with another for the cores.
pub fn run(options: &BenchOptions) -> Result<BenchReport, BenchError> {
    // Every row's rayon work on threads one to a core, as the commands it
    // times run theirs (ARCHITECTURE.md, "Threads and cores").
    crate::net::cores::pin_rayon_threads();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let world = world::World::new(options)?;

    info!(recipients = options.recipients, size = options.size, "envelope: ours");
    let ours = envelope::measure(&world, options.cables)?;
    let age = measure_age(options)?;

    info!(threads = cores, "limit");
    let limit = limit::measure(&world, options, cores)?;
    info!("pipeline: e2e on");
    let pipeline = pipeline::measure(options, pipeline::Crypto::EndToEnd)?;
    info!("pipeline: e2e off");
    let hop_only = pipeline::measure(options, pipeline::Crypto::HopOnly)?;
    info!("hub relay and the forwarders, rounds in turn");
    let relay = options.for_relay();
    let yardstick::HubAndForwarders {
        hub,
        coalescing: forwarder,
        per_frame,
    } = yardstick::measure(&relay)?;
    info!("hub relay over SQLite and in memory, rounds in turn");
    let durable = durable_relay::measure(&relay)?;
    info!("post-quantum: envelope, handshake, {}", post_quantum::RUN_SCENARIO);
    let (post_quantum, runs) = post_quantum::measure(options, &ours)?;
    let rounds = floor_rounds(options);
    let scenario = runs
        .iter()
        .map(|run| {
            info!(config = %run.preset, "scenario floor: {}", post_quantum::RUN_SCENARIO);
            let floor = crypto_floor(&run.scenario, &run.report, cores, rounds)?;
            let run_vs_floor = run.seconds / floor.seconds;
            Ok(ScenarioFloorFigures {
                scenario: run.scenario.name.clone(),
                config: run.preset.name().to_owned(),
                days: run.report.days,
                run_s: run.seconds,
                floor_s: floor.seconds,
                run_vs_floor,
                target: Target::at_most(1.3, run_vs_floor),
                threads: floor.threads,
                rounds,
                work: floor.work,
            })
        })
        .collect::<Result<Vec<_>, BenchError>>()?;
    info!("demo: {}", demo::DEMO_SCENARIO);
    let demo = demo::measure(options, cores, rounds)?;

    let ceiling = limit::Ceiling::of(limit.cables_per_s, &pipeline);
    let ratio_vs_limit = ceiling.ratio_of(&pipeline);
    let hub_vs_forwarder = hub / forwarder;
    let durable_vs_memory = durable.durable / durable.memory;
    let hub_vs_per_frame_forwarder = hub / per_frame;
    Ok(BenchReport {
        options: options.clone(),
        rate_rounds: BenchOptions::RATE_ROUNDS,
        machine: Machine {
            cores,
            x25519: X25519_NAME,
            aead: AEAD_NAME,
            signature: SIGNATURE_NAME,
            tls_suite: limit.tls_suite.clone(),
            ml_kem: ML_KEM_NAMES,
            age: age.is_some().then_some(AGE_NAME),
        },
        envelope: EnvelopeFigures::new(&ours, age.as_ref()),
        limit: LimitFigures {
            cables_per_s: ceiling.cables_per_s,
            threads: limit.threads,
            measured_cables_per_s: limit.cables_per_s,
            raised_by_pipeline: ceiling.set_by_pipeline,
        },
        pipeline: PipelineFigures {
            cables_per_s: pipeline.median(),
            ratio_vs_limit,
            target: Target::at_least(0.7, ratio_vs_limit),
            hop_only_cables_per_s: hop_only.median(),
        },
        forwarder: ForwarderFigures {
            cables_per_s: forwarder,
            per_frame_cables_per_s: per_frame,
            hub_cables_per_s: hub,
            hub_vs_forwarder,
            cables: relay.cables,
            target: Target::at_least(0.7, hub_vs_forwarder),
            hub_vs_per_frame_forwarder,
            per_frame_target: Target::at_least(0.9, hub_vs_per_frame_forwarder),
        },
        durable: DurableFigures {
            cables_per_s: durable.durable,
            memory_cables_per_s: durable.memory,
            durable_vs_memory,
            target: Target::at_least(0.5, durable_vs_memory),
        },
        post_quantum,
        scenario,
        demo,
    })
}

/// Rounds of a scenario floor: [`BenchOptions::RATE_ROUNDS`], or one in a
/// quick bench ([`BenchOptions::is_quick`]).
fn floor_rounds(options: &BenchOptions) -> usize {
    if options.is_quick() {
        1
    } else {
        BenchOptions::RATE_ROUNDS
    }
}
