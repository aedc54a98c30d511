//! A routing table as HAProxy map entries: tenant -> stamp spread over the shards,
//! stamp -> `IP:PORT` with the routing version, and the files they are written to.

use std::collections::HashMap;
use std::path::Path;

use catalogue::RoutingTable;

use crate::haproxy::{shard_of, stamp_address, TENANT_SHARDS, VERSION_KEY};

/// Maps built from a routing table: tenant -> stamp, stamp -> address.
pub(crate) struct Maps {
    pub version: i64,
    pub tenants: HashMap<String, String>,
    pub stamps: HashMap<String, String>,
    pub unroutable: Vec<String>,
}

/// The maps of `table`; a stamp without an endpoint, or one the generated configuration
/// cannot route (https, IPv6), is named in `unroutable`.
pub(crate) async fn maps_of(table: RoutingTable) -> Maps {
    let mut tenants = HashMap::with_capacity(table.routes.len());
    let mut endpoints: HashMap<String, Option<String>> = HashMap::new();
    for route in table.routes {
        endpoints
            .entry(route.stamp.clone())
            .or_insert(route.endpoint);
        tenants.insert(route.tenant, route.stamp);
    }
    let mut stamps = HashMap::new();
    let mut unroutable = Vec::new();
    for (stamp, endpoint) in endpoints {
        match endpoint {
            None => unroutable.push(format!("{stamp}: no endpoint yet")),
            Some(endpoint) => match stamp_address(&endpoint).await {
                Ok(address) => {
                    stamps.insert(stamp, address);
                }
                Err(e) => unroutable.push(format!("{stamp}: {e}")),
            },
        }
    }
    unroutable.sort();
    Maps {
        version: table.version,
        tenants,
        stamps,
        unroutable,
    }
}

fn sorted(map: &HashMap<String, String>) -> Vec<(String, String)> {
    let mut entries: Vec<(String, String)> =
        map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    entries.sort();
    entries
}

/// The stamps map's entries with the routing version key.
pub(crate) fn with_version(
    stamps: &HashMap<String, String>,
    version: &str,
) -> Vec<(String, String)> {
    let mut entries = sorted(stamps);
    entries.push((VERSION_KEY.to_owned(), version.to_owned()));
    entries
}

/// The tenants' routes by shard, each sorted.
pub(crate) fn by_shard(tenants: &HashMap<String, String>) -> Vec<Vec<(String, String)>> {
    let mut shards = vec![Vec::new(); TENANT_SHARDS as usize];
    for (tenant, stamp) in tenants {
        shards[shard_of(tenant) as usize].push((tenant.clone(), stamp.clone()));
    }
    for shard in &mut shards {
        shard.sort();
    }
    shards
}

/// Writes `text` to `path` whole (a temporary file renamed into place).
pub(crate) fn write_whole(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}
