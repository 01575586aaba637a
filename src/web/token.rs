//! Who may read the live page. On a loopback address only this machine
//! can reach it, and no token is needed. Bound anywhere else (a trainer's
//! laptop serving the room), the page holds the network's story and its
//! attackers' haul, so every request must carry a random token that only
//! the printed URL gives.

use std::net::{IpAddr, SocketAddr};

use crate::crypto::primitives::{random_bytes, sha256};

/// The token, if one is needed.
#[derive(Debug, Clone)]
pub struct Access {
    token: Option<String>,
}

impl Access {
    /// No token on loopback; a fresh random one (128 bits) elsewhere.
    pub fn for_address(ip: IpAddr) -> Access {
        if ip.is_loopback() {
            Access { token: None }
        } else {
            Access {
                token: Some(hex::encode(*random_bytes::<16>())),
            }
        }
    }

    /// Access that needs exactly `token` (for tests).
    pub fn with_token(token: &str) -> Access {
        Access {
            token: Some(token.to_owned()),
        }
    }

    /// The page's URL on `addr`, with the token when one is needed.
    pub fn url(&self, addr: SocketAddr) -> String {
        match &self.token {
            Some(token) => format!("http://{addr}/?token={token}"),
            None => format!("http://{addr}/"),
        }
    }

    /// Whether a request with this query string may be answered.
    pub fn allows(&self, query: Option<&str>) -> bool {
        let Some(token) = &self.token else {
            return true;
        };
        let given = query
            .unwrap_or_default()
            .split('&')
            .find_map(|pair| pair.strip_prefix("token="))
            .unwrap_or_default();
        // Compared as hashes: the time taken says nothing about how much
        // of the token a guess got right.
        sha256(&[given.as_bytes()]) == sha256(&[token.as_bytes()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_needs_no_token() {
        let access = Access::for_address("127.0.0.1".parse().unwrap());
        assert!(access.allows(None));
        assert_eq!(access.url("127.0.0.1:8080".parse().unwrap()), "http://127.0.0.1:8080/");
        assert!(Access::for_address("::1".parse().unwrap()).allows(Some("x=1")));
    }

    #[test]
    fn fail_without_the_token_off_loopback() {
        let access = Access::for_address("0.0.0.0".parse().unwrap());
        let url = access.url("192.0.2.7:9000".parse().unwrap());
        let token = url
            .strip_prefix("http://192.0.2.7:9000/?token=")
            .expect("a token in the URL");
        assert_eq!(token.len(), 32);
        assert!(token.chars().all(|c| c.is_ascii_hexdigit()));
        assert!(access.allows(Some(&format!("token={token}"))));
        assert!(access.allows(Some(&format!("a=b&token={token}"))));
        assert!(!access.allows(None));
        assert!(!access.allows(Some("")));
        assert!(!access.allows(Some("token=")));
        assert!(!access.allows(Some(&format!("token={}", &token[1..]))));
        assert!(!access.allows(Some(&format!("token={token}0"))));
        // Two addresses, two tokens.
        let other = Access::for_address("0.0.0.0".parse().unwrap());
        assert!(!other.allows(Some(&format!("token={token}"))));
    }
}
