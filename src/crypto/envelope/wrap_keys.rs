//! The keys the envelope derives: the wrap keys (classical, hybrid and
//! group) and the body key, each under a label of its own.

use zeroize::Zeroizing;

use super::SealMode;
use crate::crypto::keys::{AgreementPublic, GroupKey};
use crate::crypto::primitives::{KEY_LEN, derive_key};
use crate::model::Epoch;

pub(super) fn length_prefixed(s: &str) -> [u8; 4] {
    (s.len() as u32).to_be_bytes()
}

pub(super) fn agreement_wrap_key(
    mode: SealMode,
    epoch: Option<Epoch>,
    ephemeral: &[u8; KEY_LEN],
    recipient_key: &AgreementPublic,
    shared: &[u8; KEY_LEN],
    cable_id: &str,
    recipient: &str,
) -> Zeroizing<[u8; KEY_LEN]> {
    let mut salt = [0u8; 2 * KEY_LEN];
    salt[..KEY_LEN].copy_from_slice(ephemeral);
    salt[KEY_LEN..].copy_from_slice(&recipient_key.0);
    let epoch_bytes = epoch.map_or([0xff; 4], u32::to_be_bytes);
    derive_key(
        &salt,
        shared,
        &[
            b"cablesim wrap v1\0",
            &[mode.tag()],
            &epoch_bytes,
            &length_prefixed(cable_id),
            cable_id.as_bytes(),
            &length_prefixed(recipient),
            recipient.as_bytes(),
        ],
    )
}

/// The wrap key of a hybrid wrap (see the module documentation): both
/// shared secrets as the input, and, beside everything the classical wrap
/// key binds, the ML-KEM ciphertext, under a label of its own.
#[allow(clippy::too_many_arguments)]
pub(super) fn hybrid_wrap_key(
    mode: SealMode,
    epoch: Option<Epoch>,
    ephemeral: &[u8; KEY_LEN],
    recipient_key: &AgreementPublic,
    kem_ciphertext: &[u8],
    kem_shared: &[u8; KEY_LEN],
    x25519_shared: &[u8; KEY_LEN],
    cable_id: &str,
    recipient: &str,
) -> Zeroizing<[u8; KEY_LEN]> {
    let mut salt = Vec::with_capacity(kem_ciphertext.len() + 2 * KEY_LEN);
    salt.extend_from_slice(kem_ciphertext);
    salt.extend_from_slice(ephemeral);
    salt.extend_from_slice(&recipient_key.0);
    let mut ikm = Zeroizing::new([0u8; 2 * KEY_LEN]);
    ikm[..KEY_LEN].copy_from_slice(kem_shared);
    ikm[KEY_LEN..].copy_from_slice(x25519_shared);
    let epoch_bytes = epoch.map_or([0xff; 4], u32::to_be_bytes);
    derive_key(
        &salt,
        ikm.as_ref(),
        &[
            b"cablesim hybrid wrap v1\0",
            &[mode.tag()],
            &epoch_bytes,
            &length_prefixed(cable_id),
            cable_id.as_bytes(),
            &length_prefixed(recipient),
            recipient.as_bytes(),
        ],
    )
}

pub(super) fn group_wrap_key(group: &GroupKey, salt: &[u8; KEY_LEN], cable_id: &str) -> Zeroizing<[u8; KEY_LEN]> {
    derive_key(
        salt,
        group.as_bytes(),
        &[
            b"cablesim group wrap v1\0",
            &length_prefixed(cable_id),
            cable_id.as_bytes(),
        ],
    )
}

pub(super) fn body_key(secret: &[u8; KEY_LEN]) -> Zeroizing<[u8; KEY_LEN]> {
    derive_key(&[], secret, &[b"cablesim body v1\0"])
}
