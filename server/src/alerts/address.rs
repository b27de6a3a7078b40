//! Where webhooks may go: only to public (globally routable) addresses, so a fund admin cannot make
//! the server call its own loopback, the cloud metadata service or the private network behind it
//! (server-side request forgery).
//!
//! The check runs twice: when the URL is saved ([`check_webhook_url`], a 422 naming `webhook_url`),
//! and when the worker connects ([`PublicOnlyResolver`]): DNS can change between the two, so the
//! connection goes only to addresses that passed the check in that same resolution. IP-literal
//! URLs never reach a resolver and are checked by [`check_literal_host`] before each request.
//! `WEBHOOK_ALLOW_PRIVATE=true` turns both checks off, for local tests with a loopback receiver.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;

/// How long the save-time check waits for DNS.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// Whether `ip` is a public unicast address a webhook may be sent to.
///
/// Refused: unspecified, loopback, private (RFC 1918), shared/CGNAT (100.64/10), link-local,
/// IETF protocol assignments (192.0.0/24), documentation and benchmarking ranges, multicast,
/// reserved (240/4) and broadcast for IPv4; for IPv6 everything outside global unicast 2000::/3,
/// plus the documentation, Teredo / ORCHID / benchmarking (2001::/23), 6to4 (2002::/16) ranges,
/// and every IPv4-mapped or IPv4-compatible address (::ffff:0:0/96, ::/96), so no IPv4 address
/// can be smuggled inside an IPv6 one. NAT64 (64:ff9b::/96) is judged by the IPv4 address inside.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0                                  // "this network", 0.0.0.0
        || a == 10                            // private
        || a == 127                           // loopback
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 169 && b == 254)             // link-local (cloud metadata)
        || (a == 172 && (16..32).contains(&b)) // private
        || (a == 192 && b == 0 && c == 0)     // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2)     // TEST-NET-1
        || (a == 192 && b == 88 && c == 99)   // 6to4 relay anycast
        || (a == 192 && b == 168)             // private
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || (a == 198 && b == 51 && c == 100)  // TEST-NET-2
        || (a == 203 && b == 0 && c == 113)   // TEST-NET-3
        || a >= 224) // multicast, reserved, broadcast
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        // NAT64 well-known prefix: the gateway connects to the embedded IPv4 address.
        let [a, b] = s[6].to_be_bytes();
        let [c, d] = s[7].to_be_bytes();
        return is_public_v4(Ipv4Addr::new(a, b, c, d));
    }
    // Only global unicast (2000::/3); this excludes ::, ::1, ::/96, ::ffff:0:0/96, 64:ff9b:1::/48,
    // 100::/64, fc00::/7 (unique local), fe80::/10 (link-local), fec0::/10 and ff00::/8 (multicast).
    (s[0] & 0xe000) == 0x2000
        && !(s[0] == 0x2001 && s[1] < 0x0200) // 2001::/23: Teredo, benchmarking, ORCHID, …
        && !(s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        && s[0] != 0x2002 // 6to4: tunnels to an embedded IPv4 address
        && !(s[0] == 0x3fff && s[1] < 0x1000) // documentation (3fff::/20)
}

/// Why a webhook URL is refused, worded for the fund admin who entered it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("must be an http:// or https:// URL with a host")]
    NotHttp,
    #[error("must not contain a user name or password")]
    Credentials,
    #[error("the host {0} could not be resolved")]
    Unresolvable(String),
    #[error("points to a private, loopback, link-local or otherwise non-public address ({0}); webhooks may only go to public hosts")]
    NotPublic(String),
}

/// The save-time check: `raw` is an http(s) URL whose host resolves only to public addresses.
/// Every resolved address must be public (a host with one private address is refused), since the
/// connection may use any of them.
pub async fn check_webhook_url(raw: &str) -> Result<(), AddressError> {
    let url = Url::parse(raw.trim()).map_err(|_| AddressError::NotHttp)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(AddressError::NotHttp);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(AddressError::Credentials);
    }
    let port = url.port_or_known_default().unwrap_or(80);
    let addresses: Vec<IpAddr> = match url.host() {
        None => return Err(AddressError::NotHttp),
        Some(url::Host::Ipv4(ip)) => vec![IpAddr::V4(ip)],
        Some(url::Host::Ipv6(ip)) => vec![IpAddr::V6(ip)],
        Some(url::Host::Domain(host)) => {
            let host = host.to_string();
            let lookup = tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host.clone(), port))).await;
            match lookup {
                Ok(Ok(found)) => found.map(|a| a.ip()).collect(),
                _ => return Err(AddressError::Unresolvable(host)),
            }
        }
    };
    if addresses.is_empty() {
        return Err(AddressError::Unresolvable(url.host_str().unwrap_or_default().to_string()));
    }
    match addresses.iter().find(|ip| !is_public(**ip)) {
        Some(ip) => Err(AddressError::NotPublic(ip.to_string())),
        None => Ok(()),
    }
}

/// The connect-time check for URLs whose host is an IP literal (reqwest connects to those without
/// asking the resolver).
pub fn check_literal_host(url: &Url) -> Result<(), AddressError> {
    match url.host() {
        Some(url::Host::Ipv4(ip)) if !is_public(IpAddr::V4(ip)) => Err(AddressError::NotPublic(ip.to_string())),
        Some(url::Host::Ipv6(ip)) if !is_public(IpAddr::V6(ip)) => Err(AddressError::NotPublic(ip.to_string())),
        Some(_) => Ok(()),
        None => Err(AddressError::NotHttp),
    }
}

/// A reqwest resolver that resolves with the system resolver and hands the connector only the
/// public addresses: the connection goes to an address checked in the same lookup, so a DNS
/// answer that changes after the URL was saved (rebinding) cannot reach a private address.
#[derive(Debug, Clone, Copy, Default)]
pub struct PublicOnlyResolver;

/// The error a resolution gets when every address was refused (matched by `webhook::send`).
#[derive(Debug, thiserror::Error)]
#[error("every address of {0} is non-public; refused")]
pub struct RefusedAddress(pub String);

impl Resolve for PublicOnlyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = found.into_iter().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(Box::new(RefusedAddress(host)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(s: &str) -> bool {
        is_public(s.parse().unwrap())
    }

    #[test]
    fn non_public_ranges_are_refused() {
        for ip in [
            "0.0.0.0", "127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
            "100.64.0.1", "100.127.255.255", "192.0.0.8", "192.0.2.1", "198.18.0.1", "198.51.100.1", "203.0.113.9", "224.0.0.1",
            "240.0.0.1", "255.255.255.255", "::", "::1", "::ffff:127.0.0.1", "::ffff:8.8.8.8", "::127.0.0.1", "fd00::1",
            "fc00::1", "fe80::1", "fec0::1", "ff02::1", "64:ff9b::7f00:1", "64:ff9b:1::1", "100::1", "2001:db8::1", "2001::1",
            "2002:7f00:1::1", "3fff::1",
        ] {
            assert!(!public(ip), "{ip} must be refused");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for ip in ["8.8.8.8", "1.1.1.1", "100.128.0.1", "172.32.0.1", "192.169.0.1", "2606:4700::1111", "2a00:1450::1", "64:ff9b::808:808"] {
            assert!(public(ip), "{ip} is public");
        }
    }

    #[tokio::test]
    async fn the_save_time_check_resolves_names() {
        assert_eq!(check_webhook_url("ftp://8.8.8.8/x").await, Err(AddressError::NotHttp));
        assert_eq!(check_webhook_url("https://user:pw@8.8.8.8/x").await, Err(AddressError::Credentials));
        assert!(matches!(check_webhook_url("http://localhost:9/x").await, Err(AddressError::NotPublic(_))));
        assert!(matches!(check_webhook_url("http://[::ffff:7f00:1]/x").await, Err(AddressError::NotPublic(_))));
        assert!(check_webhook_url("https://8.8.8.8/hook").await.is_ok());
    }
}
