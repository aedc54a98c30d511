//! Keeping routers' maps equal to the routing table: [`RouterSyncer`] (the app runs one
//! every second through [`keep_routers_in_sync`]; so does `stampctl router sync
//! --watch`) sends only the routes that changed when a router's maps are the ones it
//! last wrote, else every map whole and atomically.

use std::collections::HashMap;
use std::path::Path;

use catalogue::{RouterRecord, RouterSync};
use serde::Serialize;

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;
use crate::haproxy::{map_text, shard_of, shard_path, RuntimeApi, VERSION_KEY};
use crate::router_maps::{by_shard, maps_of, with_version, write_whole, Maps};

/// More changed routes than this are sent as a whole new map instead.
const DIFF_LIMIT: usize = 2_000;

/// What a router's maps hold, as this process last wrote them.
struct Snapshot {
    at: (String, String, String),
    version: i64,
    tenants: HashMap<String, String>,
    stamps: HashMap<String, String>,
}

/// What one sync did to one router.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RouterSyncOutcome {
    pub router: String,
    /// `full`, `changes`, `current` or `failed`.
    pub kind: String,
    /// Routes sent (every route for a full sync).
    #[ts(type = "number")]
    pub sent: u64,
    #[ts(type = "number")]
    pub version: i64,
    pub error: Option<String>,
}

/// Keeps every attached router's maps equal to the routing table: a full, atomic
/// replacement the first time and whenever the router's maps are not the ones this
/// syncer last wrote (it restarted, or another process synced it), otherwise only the
/// routes that changed.
#[derive(Default)]
pub struct RouterSyncer {
    snapshots: HashMap<String, Snapshot>,
}

impl RouterSyncer {
    /// One round over every attached router; `full` forces a whole new map on each.
    pub async fn sync(&mut self, fleet: &Fleet, full: bool) -> OpsResult<Vec<RouterSyncOutcome>> {
        let version = fleet.catalogue.routing_version().await?;
        let routers = fleet.catalogue.routers().await?;
        self.snapshots
            .retain(|name, _| routers.iter().any(|r| &r.name == name));
        let mut maps: Option<Maps> = None;
        let mut outcomes = Vec::new();
        for router in routers {
            let outcome = self
                .sync_one(fleet, &router, version, full, &mut maps)
                .await;
            let (kind, sent, at, error) = match outcome {
                Ok((kind, sent, at)) => (kind, sent, at, None),
                Err(e) => ("failed", 0, version, Some(e.message)),
            };
            let record = match &error {
                None => RouterSync::Synced { version: at },
                Some(e) => RouterSync::Failed(e),
            };
            fleet
                .catalogue
                .record_router_sync(&router.name, record)
                .await?;
            outcomes.push(RouterSyncOutcome {
                router: router.name,
                kind: kind.to_owned(),
                sent,
                version: at,
                error,
            });
        }
        Ok(outcomes)
    }

    async fn sync_one(
        &mut self,
        fleet: &Fleet,
        router: &RouterRecord,
        version: i64,
        full: bool,
        maps: &mut Option<Maps>,
    ) -> OpsResult<(&'static str, u64, i64)> {
        let api = RuntimeApi::new(&router.admin_socket);
        let at = (
            router.admin_socket.clone(),
            router.tenants_map.clone(),
            router.stamps_map.clone(),
        );
        let marker = api.get(&router.stamps_map, VERSION_KEY).await?;
        let known = self.snapshots.get(&router.name).filter(|s| {
            !full && s.at == at && marker.as_deref() == Some(s.version.to_string().as_str())
        });
        if known.is_some_and(|s| s.version == version) {
            return Ok(("current", 0, version));
        }
        if maps.is_none() {
            *maps = Some(maps_of(fleet.catalogue.routes().await?).await);
        }
        let Some(now) = maps.as_ref() else {
            return Err(OpsError::internal("routing table not read"));
        };
        let changes = known.map(|s| {
            let tenants: Vec<(&String, Option<&String>)> = s
                .tenants
                .keys()
                .filter(|t| !now.tenants.contains_key(*t))
                .map(|t| (t, None))
                .chain(
                    now.tenants
                        .iter()
                        .filter(|(t, stamp)| s.tenants.get(*t) != Some(*stamp))
                        .map(|(t, stamp)| (t, Some(stamp))),
                )
                .collect();
            let stamps: Vec<(&String, &String)> = now
                .stamps
                .iter()
                .filter(|(stamp, address)| s.stamps.get(*stamp) != Some(*address))
                .collect();
            (tenants, stamps)
        });
        let (kind, sent) = match changes {
            Some((tenants, stamps)) if tenants.len() + stamps.len() <= DIFF_LIMIT => {
                // Addresses first: a tenant is never pointed at a stamp the map lacks.
                for (stamp, address) in &stamps {
                    api.set(&router.stamps_map, stamp, address).await?;
                }
                for (tenant, stamp) in &tenants {
                    let map = shard_path(&router.tenants_map, shard_of(tenant));
                    match stamp {
                        Some(stamp) => api.set(&map, tenant, stamp).await?,
                        None => api.remove(&map, tenant).await?,
                    }
                }
                // The version last: a sync cut short is seen as a gap next time.
                api.set(&router.stamps_map, VERSION_KEY, &now.version.to_string())
                    .await?;
                ("changes", tenants.len() as u64)
            }
            _ => {
                // Addresses first (the version key marks the sync unfinished), then
                // every shard, then the version: each map is replaced atomically.
                let unfinished = with_version(&now.stamps, "syncing");
                api.replace(&router.stamps_map, &unfinished).await?;
                let shards = by_shard(&now.tenants);
                for (shard, entries) in shards.iter().enumerate() {
                    api.replace(&shard_path(&router.tenants_map, shard as u32), entries)
                        .await?;
                }
                let version = now.version.to_string();
                api.set(&router.stamps_map, VERSION_KEY, &version).await?;
                // The files too, when they are ours to write: a restart starts near here.
                let files = shards
                    .iter()
                    .enumerate()
                    .try_for_each(|(shard, entries)| {
                        write_whole(
                            Path::new(&shard_path(&router.tenants_map, shard as u32)),
                            &map_text(entries),
                        )
                    })
                    .and_then(|()| {
                        write_whole(
                            Path::new(&router.stamps_map),
                            &map_text(&with_version(&now.stamps, &version)),
                        )
                    });
                if let Err(e) = files {
                    tracing::debug!(router = %router.name, error = %e, "map files left as they are");
                }
                ("full", now.tenants.len() as u64)
            }
        };
        self.snapshots.insert(
            router.name.clone(),
            Snapshot {
                at,
                version: now.version,
                tenants: now.tenants.clone(),
                stamps: now.stamps.clone(),
            },
        );
        Ok((kind, sent, now.version))
    }
}

/// The app's router sync: every second, each attached router is brought to the routing
/// table (wholly at the first round and after a gap, else the changes). A failure is
/// logged when it changes and recorded on the router (the window shows it).
pub async fn keep_routers_in_sync(slot: crate::slot::FleetSlot) {
    let mut syncer = RouterSyncer::default();
    let mut last_error = String::new();
    loop {
        let error = match slot.get().await {
            Ok(fleet) => match syncer.sync(&fleet, false).await {
                Ok(outcomes) => outcomes
                    .iter()
                    .filter_map(|o| o.error.as_ref().map(|e| format!("{}: {e}", o.router)))
                    .collect::<Vec<_>>()
                    .join("; "),
                Err(e) => e.message,
            },
            Err(e) => e.message,
        };
        if error != last_error {
            if error.is_empty() {
                tracing::info!("routers in sync again");
            } else {
                tracing::warn!(%error, "router sync");
            }
            last_error = error;
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}
