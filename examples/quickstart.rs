//! A walk through cablesim's core: generate a network and its cables, seal
//! each cable end to end under forward secrecy, put it on the wire, and see
//! what the hub learns, what each recipient reads, and what a key stolen in
//! one epoch still opens later.
//!
//! ```text
//! cargo run --release --example quickstart
//! ```

use std::collections::BTreeMap;

use cablesim::crypto::{
    AcceptPolicy, CablePayload, Directory, GroupKey, IdentityKey, KeyKind, NodeKeys, ReplayGuard, TrustedIdentities,
    check_entry,
};
use cablesim::model::{Canaries, Distribution, Generator, Network, SecurityConfig, epoch_of, recipients};
use cablesim::wire::{DEFAULT_MAX_FRAME, Frame, FrameReader, encode_frame};

fn main() -> anyhow::Result<()> {
    let security = SecurityConfig {
        distribution: Distribution::Broadcast,
        ..SecurityConfig::default()
    };
    let seed = 7;
    let network = Network::generated(4, 2, true);
    let generator = Generator::new(seed, &network, 8, 14)?;
    println!(
        "seed {seed}: {} nodes, {} cables over {} days, e2e {} with {}-day epochs, {} distribution\n",
        network.len(),
        generator.count(),
        generator.days(),
        security.e2e,
        security.epoch_days,
        security.distribution
    );

    // Every node gets an identity (what the network CA would certify) and
    // forward-secret prekeys, and publishes them in the hub's directory.
    let group = GroupKey::generate();
    let mut trusted = TrustedIdentities::new();
    let mut directory = Directory::new();
    let mut keys: BTreeMap<String, NodeKeys> = BTreeMap::new();
    let mut replay: BTreeMap<String, ReplayGuard> = BTreeMap::new();
    for node in network.endpoints() {
        let k = NodeKeys::generate(
            &node.name,
            security.e2e,
            security.epoch_days,
            IdentityKey::generate(),
            Some(group.clone()),
        );
        trusted.insert(&node.name, k.identity().public());
        directory.publish(k.publish());
        keys.insert(node.name.clone(), k);
        replay.insert(node.name.clone(), ReplayGuard::new());
    }

    let mut canaries = Canaries::new();
    let mut hub_link = FrameReader::new(DEFAULT_MAX_FRAME);
    let mut recorded = Vec::new();
    let mut stolen = Vec::new();

    for day in 0..generator.days() {
        for k in keys.values_mut() {
            k.enter_day(day);
            directory.publish(k.publish());
        }
        if day == 3 {
            // A thief copies cy-mfa's keys during epoch 0.
            stolen = keys["cy-mfa"].copy_secrets();
            println!(
                "day {day}: a thief copies the keys cy-mfa holds ({} items)\n",
                stolen.len()
            );
        }
        for cable in generator.cables_on_day(day) {
            canaries.insert(&cable.canary, &cable.id)?;
            let r = recipients(&cable.from, &cable.to, &network, security.distribution);
            // The sender fetches each recipient's keys and pins them.
            let wanted = KeyKind::Epoch(epoch_of(day, security.epoch_days));
            let mut wrap_for = Vec::new();
            for name in &r {
                let entry = directory
                    .get(name)
                    .ok_or_else(|| anyhow::anyhow!("{name} has no directory entry"))?;
                wrap_for.extend(check_entry(name, entry, wanted, &trusted, security.key_pinning)?.accepted);
            }
            let payload = CablePayload::seal(
                cable.header(r.clone()),
                &cable.content(),
                &keys[&cable.from],
                &wrap_for,
                true,
            )?;
            let bytes = encode_frame(&Frame::Submit { payload }, DEFAULT_MAX_FRAME)?;

            // The hub decodes the frame with the same codec a tap would use.
            hub_link.push(&bytes);
            let Some(Frame::Submit { payload }) = hub_link.next_frame()? else {
                anyhow::bail!("the hub expected a submit frame");
            };
            let header = payload.header();
            println!(
                "day {day:>2} {} {:<12} {} -> {} recipients, {} bytes on the wire",
                header.id,
                header.classification.to_string(),
                header.from,
                header.recipients.len(),
                bytes.len()
            );
            println!(
                "         hub sees routing only; canaries in the frame: {:?}",
                canaries.find_in(&bytes)
            );

            for name in &r {
                let opened = payload.accept(
                    &keys[name],
                    trusted.get(&header.from),
                    AcceptPolicy {
                        require_signature: security.signatures,
                    },
                    replay
                        .get_mut(name)
                        .ok_or_else(|| anyhow::anyhow!("no replay guard for {name}"))?,
                )?;
                if name == "cy-mfa" {
                    println!(
                        "         cy-mfa reads {:?}; canaries in its plaintext: {:?}",
                        opened.content.subject,
                        canaries.find_in(opened.content.body.as_bytes())
                    );
                }
            }
            recorded.push(payload);
        }
    }

    println!("\nThe thief tries the keys of epoch 0 on everything recorded on the wire:");
    for payload in &recorded {
        let h = payload.header();
        let opened = stolen
            .iter()
            .find_map(|k| payload.open_with(k).ok().map(|o| (k.describe(), o)));
        match opened {
            Some((key, o)) => println!(
                "  {} (day {:>2}, epoch {}): OPENED with {key}, canary -> {:?}",
                h.id,
                h.day,
                epoch_of(h.day, security.epoch_days),
                canaries.find_in(o.content.body.as_bytes())
            ),
            None => println!(
                "  {} (day {:>2}, epoch {}): stays sealed",
                h.id,
                h.day,
                epoch_of(h.day, security.epoch_days)
            ),
        }
    }
    if let Some(first) = generator.cables().next() {
        println!("\nThe first cable, as its recipients read it:\n");
        for line in first.body.lines().take(8) {
            println!("  {line}");
        }
        println!("  ...");
    }
    Ok(())
}
