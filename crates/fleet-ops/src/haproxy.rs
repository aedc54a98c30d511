//! HAProxy as the reference router, driven through its Runtime API (the admin socket):
//! tenant -> stamp in [`TENANT_SHARDS`] maps (`tenants-00.map` ...; a tenant's shard is
//! the CRC32 of its id modulo the count, which HAProxy computes too: `set map` walks a
//! whole map in HAProxy 2.6, about 60 ms at a million entries, so a shard keeps one
//! route's update to a few milliseconds), and `stamps.map` (stamp -> `IP:PORT`); changed
//! in place (`set map` / `add map` / `del map`, no reload), or replaced whole and
//! atomically (`prepare map` / `add map @VERSION` / `commit map`). The stamps map also
//! holds the routing table's version under a key no stamp can have, written last, so a
//! router that restarted from older map files is seen and resynced.
//!
//! The generated configuration reads the tenant from an `X-Tenant` header or the first
//! label of the host name (`TENANT.<zone>`), looks up its stamp, then the stamp's
//! address, and sends the request there (`set-dst`); an unknown tenant is a 404, a stamp
//! without an address a 503 with `Retry-After`. Stamps are reached over plain http on
//! an IP address (a host name is resolved when the map is written); https stamps need a
//! backend each, which this configuration does not write.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::error::{OpsError, OpsResult};

/// The key of the stamps map that holds the routing version (stamp ids are slugs).
pub const VERSION_KEY: &str = "__stampfleet_version";
/// How many maps the tenants are spread over.
pub const TENANT_SHARDS: u32 = 32;

/// The shard of `tenant`'s route: HAProxy's `crc32,mod(32)` of the id.
pub fn shard_of(tenant: &str) -> u32 {
    crc32fast::hash(tenant.as_bytes()) % TENANT_SHARDS
}

/// Shard `shard`'s file from the tenants maps' pattern (its `*` is the shard, 00-31).
pub fn shard_path(pattern: &str, shard: u32) -> String {
    pattern.replacen('*', &format!("{shard:02}"), 1)
}
/// Longest one Runtime API command may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);
/// Bytes of map lines per `add map` payload: under HAProxy's default 16 KiB buffer.
const PAYLOAD_BYTES: usize = 12 * 1024;
/// Largest answer read from one command.
const MAX_ANSWER: u64 = 4 * 1024 * 1024;

/// A router's Runtime API: a unix socket path, or `HOST:PORT`.
#[derive(Debug, Clone)]
pub struct RuntimeApi {
    pub address: String,
}

impl RuntimeApi {
    pub fn new(address: &str) -> Self {
        Self {
            address: address.to_owned(),
        }
    }

    /// Sends one command line and reads its whole answer.
    pub async fn command(&self, line: &str) -> OpsResult<String> {
        let run = async {
            let mut text = Vec::new();
            if self.address.starts_with('/') {
                let mut s = tokio::net::UnixStream::connect(&self.address).await?;
                s.write_all(line.as_bytes()).await?;
                s.write_all(b"\n").await?;
                (&mut s).take(MAX_ANSWER).read_to_end(&mut text).await?;
            } else {
                let mut s = tokio::net::TcpStream::connect(&self.address).await?;
                s.write_all(line.as_bytes()).await?;
                s.write_all(b"\n").await?;
                (&mut s).take(MAX_ANSWER).read_to_end(&mut text).await?;
            }
            Ok::<_, std::io::Error>(String::from_utf8_lossy(&text).trim().to_owned())
        };
        match tokio::time::timeout(COMMAND_TIMEOUT, run).await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(e)) => Err(OpsError::conflict(format!(
                "router admin socket {}: {e}",
                self.address
            ))),
            Err(_) => Err(OpsError::conflict(format!(
                "router admin socket {} did not answer within {} s",
                self.address,
                COMMAND_TIMEOUT.as_secs()
            ))),
        }
    }

    /// A command whose success is an empty answer.
    async fn expect_empty(&self, line: &str) -> OpsResult<()> {
        let answer = self.command(line).await?;
        if answer.is_empty() {
            Ok(())
        } else {
            Err(OpsError::conflict(format!(
                "router {}: `{}` answered: {answer}",
                self.address,
                line.lines().next().unwrap_or(line)
            )))
        }
    }

    /// The value of `key` in `map`, if it is there.
    pub async fn get(&self, map: &str, key: &str) -> OpsResult<Option<String>> {
        let answer = self.command(&format!("get map {map} {key}")).await?;
        if answer.contains("found=no") {
            return Ok(None);
        }
        if !answer.contains("found=yes") {
            return Err(OpsError::conflict(format!(
                "router {}: map {map}: {answer}",
                self.address
            )));
        }
        Ok(answer
            .split(", ")
            .find_map(|part| part.strip_prefix("value=\""))
            .map(|v| v.trim_end_matches('"').to_owned()))
    }

    /// Sets `key` to `value` in `map`, in place (added when it is not there).
    pub async fn set(&self, map: &str, key: &str, value: &str) -> OpsResult<()> {
        let answer = self
            .command(&format!("set map {map} {key} {value}"))
            .await?;
        if answer.is_empty() {
            return Ok(());
        }
        if answer.starts_with("entry not found") {
            return self
                .expect_empty(&format!("add map {map} {key} {value}"))
                .await;
        }
        Err(OpsError::conflict(format!(
            "router {}: set map {map}: {answer}",
            self.address
        )))
    }

    /// Removes `key` from `map` (nothing when it is not there).
    pub async fn remove(&self, map: &str, key: &str) -> OpsResult<()> {
        let answer = self.command(&format!("del map {map} {key}")).await?;
        if answer.is_empty() || answer.starts_with("Key not found") {
            Ok(())
        } else {
            Err(OpsError::conflict(format!(
                "router {}: del map {map}: {answer}",
                self.address
            )))
        }
    }

    /// Replaces the whole of `map` with `entries`, atomically: requests see the old
    /// map until the new one is complete.
    pub async fn replace(&self, map: &str, entries: &[(String, String)]) -> OpsResult<()> {
        let answer = self.command(&format!("prepare map {map}")).await?;
        let version = answer
            .strip_prefix("New version created: ")
            .map(str::trim)
            .filter(|v| v.chars().all(|c| c.is_ascii_digit()) && !v.is_empty())
            .ok_or_else(|| {
                OpsError::conflict(format!(
                    "router {}: prepare map {map}: {answer}",
                    self.address
                ))
            })?
            .to_owned();
        let mut payload = String::new();
        for (key, value) in entries {
            payload.push_str(key);
            payload.push(' ');
            payload.push_str(value);
            payload.push('\n');
            if payload.len() >= PAYLOAD_BYTES {
                self.add_payload(map, &version, &payload).await?;
                payload.clear();
            }
        }
        if !payload.is_empty() {
            self.add_payload(map, &version, &payload).await?;
        }
        self.expect_empty(&format!("commit map @{version} {map}"))
            .await
    }

    async fn add_payload(&self, map: &str, version: &str, lines: &str) -> OpsResult<()> {
        self.expect_empty(&format!("add map @{version} {map} <<\n{lines}"))
            .await
    }
}

/// Where the generated configuration listens and keeps its files.
pub struct HaproxyLayout<'a> {
    pub listen: &'a str,
    pub admin_socket: &'a str,
    /// The tenants maps' pattern: `*` is the shard.
    pub tenants_maps: &'a str,
    pub stamps_map: &'a str,
}

/// A starting HAProxy configuration routing tenants to their stamps.
pub fn config_text(layout: &HaproxyLayout<'_>) -> String {
    let HaproxyLayout {
        listen,
        admin_socket,
        tenants_maps,
        stamps_map,
    } = layout;
    let shards: String = (0..TENANT_SHARDS)
        .map(|shard| {
            format!(
                "    http-request set-var(txn.stamp) var(txn.tenant),map({}) if {{ var(txn.shard) -m int {shard} }}\n",
                shard_path(tenants_maps, shard)
            )
        })
        .collect();
    format!(
        "# Written by `stampctl router haproxy-config`: routes each request to its tenant's
# stamp. Stampfleet keeps the maps current through the admin socket (no reload).
global
    stats socket {admin_socket} mode 600 level admin
    stats timeout 30s

defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    # a stamp's 503 (a tenant frozen for a move) reaches the client with its Retry-After

frontend tenants
    bind {listen}
    # The tenant: an X-Tenant header, else the host name's first label (TENANT.<zone>).
    http-request set-var(txn.tenant) req.hdr(x-tenant),lower if {{ req.hdr(x-tenant) -m found }}
    http-request set-var(txn.tenant) req.hdr(host),field(1,.),lower unless {{ var(txn.tenant) -m found }}
    # Its stamp, from the tenant's shard of the tenants maps (CRC32 of the id, mod {TENANT_SHARDS}).
    http-request set-var(txn.shard) var(txn.tenant),crc32,mod({TENANT_SHARDS})
{shards}    http-request return status 404 content-type application/json string '{{\"code\":\"not_found\",\"message\":\"this router knows no such tenant\"}}' unless {{ var(txn.stamp) -m found }}
    http-request set-var(txn.addr) var(txn.stamp),map({stamps_map})
    http-request return status 503 content-type application/json string '{{\"code\":\"unavailable\",\"message\":\"no address is known yet for the stamp of this tenant\"}}' hdr retry-after 1 unless {{ var(txn.addr) -m found }}
    default_backend stamps

backend stamps
    # Each request goes to its stamp's address; connections are never shared between
    # requests, so none reaches a tenant's former stamp after its route changed.
    http-reuse never
    http-request set-dst var(txn.addr),field(1,:)
    http-request set-dst-port var(txn.addr),field(2,:)
    server stamp 0.0.0.0:0
"
    )
}

/// The text of a map file: `key value` lines.
pub fn map_text(entries: &[(String, String)]) -> String {
    let mut text = String::new();
    for (key, value) in entries {
        text.push_str(key);
        text.push(' ');
        text.push_str(value);
        text.push('\n');
    }
    text
}

/// The `IP:PORT` a stamp's endpoint is reached at, for the stamps map; an error for
/// https (a backend per stamp would be needed) or a path after the authority.
pub async fn stamp_address(endpoint: &str) -> Result<String, String> {
    let rest = endpoint
        .strip_prefix("http://")
        .ok_or_else(|| format!("{endpoint}: the HAProxy router reaches stamps over http only"))?;
    let authority = rest.trim_end_matches('/');
    if authority.contains('/') {
        return Err(format!(
            "{endpoint}: a stamp endpoint with a path cannot be routed"
        ));
    }
    let with_port = if authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
        && !authority.ends_with(']')
    {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    let address = tokio::net::lookup_host(&with_port)
        .await
        .map_err(|e| format!("{endpoint}: {e}"))?
        // field(1,:) cannot split an IPv6 address from its port.
        .find(std::net::SocketAddr::is_ipv4)
        .ok_or_else(|| {
            format!(
                "{endpoint}: no IPv4 address (IPv6 stamps are not routed by this configuration)"
            )
        })?;
    Ok(address.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_haproxys_crc32_mod_32() {
        // Values HAProxy 2.6 answered for `crc32` of these ids (and zlib agrees).
        assert_eq!(crc32fast::hash(b"contoso-prod"), 85_744_739);
        assert_eq!(shard_of("contoso-prod"), 3);
        assert_eq!(shard_of("a-datum-prod"), 9);
        assert_eq!(shard_path("/r/tenants-*.map", 7), "/r/tenants-07.map");
    }

    #[tokio::test]
    async fn stamp_addresses_are_ip_and_port() {
        assert_eq!(
            stamp_address("http://127.0.0.1:4100").await.unwrap(),
            "127.0.0.1:4100"
        );
        assert_eq!(
            stamp_address("http://localhost:4100/").await.unwrap(),
            "127.0.0.1:4100"
        );
        assert!(stamp_address("https://127.0.0.1:4100")
            .await
            .unwrap_err()
            .contains("http only"));
        assert!(stamp_address("http://127.0.0.1:4100/api")
            .await
            .unwrap_err()
            .contains("path"));
    }
}
