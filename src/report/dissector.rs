//! The Wireshark dissector for the cable frame format (README.md, "Wireshark
//! dissector"), printed by `cablesim dissector`, so that a capture of a run
//! shows every frame field by name.
//!
//! The Lua source is `dissector.lua` beside this file. What it must agree
//! on with the Rust side is filled in here rather than written twice: the
//! hub's ports in captures (see [`super::pcap`]), the versions, the frame
//! size limit, and the names of the enum variants in postcard's numbering,
//! which are read off the Rust types' own decoders (see [`variant_names`]).
//! The field layout itself is kept in step by `tests/it/wireshark_dissector.rs`,
//! which runs every frame kind through tshark.

use serde::de::DeserializeOwned;

use super::pcap::{PLAIN_PORT, TLS_PORT};
use crate::crypto::{ENVELOPE_VERSION, HYBRID_ENVELOPE_VERSION, SealMode};
use crate::model::{CableHeader, Classification};
use crate::wire::{DEFAULT_MAX_FRAME, ErrorCode, Frame, LENGTH_PREFIX, PROTOCOL_VERSION};

const TEMPLATE: &str = include_str!("dissector.lua");

/// The Lua source of the dissector, ready for `wireshark -X lua_script:FILE`.
pub fn lua_dissector() -> String {
    let substitutions = [
        ("PLAIN_PORT", PLAIN_PORT.to_string()),
        ("TLS_PORT", TLS_PORT.to_string()),
        ("PROTOCOL_VERSION", PROTOCOL_VERSION.to_string()),
        ("CABLE_HEADER_VERSION", CableHeader::VERSION.to_string()),
        ("ENVELOPE_VERSION", ENVELOPE_VERSION.to_string()),
        ("HYBRID_ENVELOPE_VERSION", HYBRID_ENVELOPE_VERSION.to_string()),
        ("LENGTH_PREFIX", LENGTH_PREFIX.to_string()),
        ("MAX_FRAME", DEFAULT_MAX_FRAME.to_string()),
        ("FRAME_TYPES", lua_table(&variant_names(Frame::kind))),
        (
            "CLASSIFICATIONS",
            lua_table(&variant_names(|c: &Classification| c.as_str())),
        ),
        ("ERROR_CODES", lua_table(&variant_names(|c: &ErrorCode| c.as_str()))),
        ("SEAL_MODES", lua_table(&variant_names(|m: &SealMode| m.e2e().as_str()))),
    ];
    substitutions.iter().fold(TEMPLATE.to_owned(), |lua, (name, value)| {
        lua.replace(&format!("@@{name}@@"), value)
    })
}

/// The names of an enum's variants, indexed by the discriminant postcard
/// writes for them (their declaration order).
///
/// Each discriminant is decoded followed by zeros, which every field these
/// enums carry accepts (an empty string or list, zero, `None`, an all-zero
/// key), until the type refuses one. So a variant added or reordered in
/// Rust changes the dissector's table by itself instead of showing up in
/// Wireshark as an unnamed number.
fn variant_names<T: DeserializeOwned>(name: impl Fn(&T) -> &'static str) -> Vec<&'static str> {
    let mut bytes = [0u8; 256];
    let mut names = Vec::new();
    // Discriminants below 128 are one varint byte; no enum here has more.
    for discriminant in 0u8..128 {
        bytes[0] = discriminant;
        match postcard::take_from_bytes::<T>(&bytes) {
            Ok((value, _)) => names.push(name(&value)),
            Err(_) => break,
        }
    }
    names
}

/// `{ [0] = "a", [1] = "b" }`: a Lua table indexed from 0 like the
/// discriminants, which is the form `ProtoField` value strings take.
fn lua_table(names: &[&str]) -> String {
    let items: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, name)| format!("[{i}] = \"{name}\""))
        .collect();
    format!("{{ {} }}", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    // A new variant needs decoding code in dissector.lua, not only a name:
    // this list failing is the reminder.
    #[test]
    fn variant_tables_follow_the_rust_enums() {
        assert_eq!(
            variant_names(Frame::kind),
            [
                "hello",
                "submit",
                "deliver",
                "ack",
                "publish",
                "directory-request",
                "directory-answer",
                "error",
                "directory-watch",
                "directory-changed"
            ]
        );
        assert_eq!(
            variant_names(|c: &Classification| c.as_str()),
            Classification::ALL.map(Classification::as_str)
        );
        assert_eq!(
            variant_names(|c: &ErrorCode| c.as_str()),
            [
                "malformed",
                "oversized",
                "unexpected",
                "not-authorized",
                "unknown-node",
                "rejected",
                "busy",
                "replay"
            ]
        );
        assert_eq!(
            variant_names(|m: &SealMode| m.e2e().as_str()),
            ["group", "static", "forward-secret"]
        );
    }

    #[test]
    fn every_slot_is_filled() {
        let lua = lua_dissector();
        assert!(!lua.contains("@@"), "unfilled slot in the dissector");
        assert!(lua.contains(&format!("local PROTOCOL_VERSION = {PROTOCOL_VERSION}\n")));
        assert!(lua.contains(r#"local SEAL_MODES = { [0] = "group", [1] = "static", [2] = "forward-secret" }"#));
    }
}
