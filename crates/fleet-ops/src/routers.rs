//! Routers attached to the routing table (HAProxy, `haproxy.rs`): attached and detached
//! (audited), kept in sync by a `RouterSyncer` (`router_sync.rs`; the app runs one, so does
//! `stampctl router sync --watch`), and told of each move the moment its binding flips
//! ([`Fleet::push_route`], the fast path, whose lag is recorded). Correctness never
//! depends on a router being current: a fenced source redirects to the tenant's new
//! stamp, and a stamp that does not serve the tenant yet answers 503 with Retry-After.

use std::path::{Path, PathBuf};
use std::time::Instant;

use catalogue::{RouterRecord, RouterSync};
use fleet_core::{StampId, TenantId};
use serde::Serialize;

use crate::error::{OpsError, OpsResult};
use crate::fleet::Fleet;
use crate::haproxy::{
    config_text, map_text, shard_of, shard_path, stamp_address, HaproxyLayout, RuntimeApi,
    TENANT_SHARDS, VERSION_KEY,
};
use crate::router_maps::{by_shard, maps_of, with_version, write_whole};

/// A router with how far behind the routing table it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RouterView {
    #[serde(flatten)]
    pub router: RouterRecord,
    /// Routing versions the router's maps lack; none before its first sync.
    #[ts(type = "number | null")]
    pub behind: Option<i64>,
}

/// The routing table's state and every attached router's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RoutingStatus {
    #[ts(type = "number")]
    pub version: i64,
    pub routers: Vec<RouterView>,
}

/// The files `haproxy_config` wrote, and how to start HAProxy on them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct HaproxyFiles {
    pub config: String,
    /// The tenants maps' pattern (`*` is the shard).
    pub tenants_maps: String,
    pub stamps_map: String,
    pub admin_socket: String,
    pub start: String,
    #[ts(type = "number")]
    pub tenants: u64,
    /// Stamps whose tenants cannot be routed by this configuration, and why.
    pub unroutable: Vec<String>,
}

/// Where one tenant's requests go: its binding, and what each router's map says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TenantRoute {
    pub tenant: TenantId,
    /// The stamp the catalogue binds it to; none when unbound.
    pub stamp: Option<StampId>,
    pub endpoint: Option<String>,
    pub routers: Vec<RouterSays>,
}

/// What one router's map says about a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RouterSays {
    pub router: String,
    /// The stamp its map sends the tenant to; none when the map lacks the tenant.
    pub stamp: Option<String>,
    /// Whether that is the catalogue's binding.
    pub agrees: bool,
    pub error: Option<String>,
}

/// The tenants maps' pattern: a path with one `*` (the shard) and no spaces.
fn check_pattern(pattern: &str) -> OpsResult<()> {
    if pattern.matches('*').count() == 1 {
        Ok(())
    } else {
        Err(OpsError::invalid(format!(
            "tenants maps {pattern:?}: one path with a single * where the shard number goes (00-{:02}), e.g. /etc/haproxy/tenants-*.map",
            TENANT_SHARDS - 1
        )))
    }
}

/// A router's name: 1 to 40 of a-z, 0-9 and '-'.
fn check_name(name: &str) -> OpsResult<()> {
    let ok = !name.is_empty()
        && name.len() <= 40
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(OpsError::invalid(format!(
            "router name {name:?}: 1 to 40 of a-z, 0-9 and '-'"
        )))
    }
}

impl Fleet {
    /// The routing table's version and every attached router's sync state.
    pub async fn routing_status(&self) -> OpsResult<RoutingStatus> {
        let version = self.catalogue.routing_version().await?;
        let routers = self
            .catalogue
            .routers()
            .await?
            .into_iter()
            .map(|router| RouterView {
                behind: router.synced_version.map(|v| (version - v).max(0)),
                router,
            })
            .collect();
        Ok(RoutingStatus { version, routers })
    }

    /// Where `tenant`'s requests go, asked of every attached router.
    pub async fn tenant_route(&self, tenant: &TenantId) -> OpsResult<TenantRoute> {
        if self.catalogue.tenant(tenant).await?.is_none() {
            return Err(OpsError::invalid(format!("no tenant {tenant}")));
        }
        let stamp = self.catalogue.binding(tenant).await?.map(|(s, _)| s);
        let endpoint = match &stamp {
            Some(s) => self.catalogue.stamp(s).await?.and_then(|s| s.endpoint),
            None => None,
        };
        let mut routers = Vec::new();
        for router in self.catalogue.routers().await? {
            let map = shard_path(&router.tenants_map, shard_of(tenant.as_str()));
            let said = RuntimeApi::new(&router.admin_socket)
                .get(&map, tenant.as_str())
                .await;
            routers.push(match said {
                Ok(says) => RouterSays {
                    router: router.name,
                    agrees: says.as_deref() == stamp.as_ref().map(StampId::as_str),
                    stamp: says,
                    error: None,
                },
                Err(e) => RouterSays {
                    router: router.name,
                    stamp: None,
                    agrees: false,
                    error: Some(e.message),
                },
            });
        }
        Ok(TenantRoute {
            tenant: tenant.clone(),
            stamp,
            endpoint,
            routers,
        })
    }

    /// Attaches an HAProxy router by its admin socket, the tenants maps' pattern (`*`
    /// is the shard) and the stamps map its configuration names; with `check`, its
    /// Runtime API must answer for every one of them.
    pub async fn attach_router(
        &self,
        name: &str,
        admin_socket: &str,
        tenants_map: &str,
        stamps_map: &str,
        check: bool,
    ) -> OpsResult<RouterRecord> {
        check_name(name)?;
        for (field, value) in [
            ("admin socket", admin_socket),
            ("tenants maps", tenants_map),
            ("stamps map", stamps_map),
        ] {
            if value.is_empty() || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(OpsError::invalid(format!(
                    "{field} {value:?}: a path (or HOST:PORT for the socket) without spaces"
                )));
            }
        }
        check_pattern(tenants_map)?;
        if check {
            let api = RuntimeApi::new(admin_socket);
            let maps = (0..TENANT_SHARDS)
                .map(|shard| shard_path(tenants_map, shard))
                .chain(std::iter::once(stamps_map.to_owned()));
            for map in maps {
                api.get(&map, VERSION_KEY).await.map_err(|e| {
                    OpsError::invalid(format!(
                        "router {name}: {} (its configuration must use the map file {map}; `stampctl router haproxy-config` writes one that does)",
                        e.message
                    ))
                })?;
            }
        }
        let record = RouterRecord {
            name: name.to_owned(),
            kind: "haproxy".to_owned(),
            admin_socket: admin_socket.to_owned(),
            tenants_map: tenants_map.to_owned(),
            stamps_map: stamps_map.to_owned(),
            synced_version: None,
            synced_at: None,
            lag_ms: None,
            last_error: None,
        };
        self.catalogue.attach_router(&record, "router").await?;
        Ok(record)
    }

    /// Detaches router `name` (its HAProxy keeps running with the maps it has).
    pub async fn detach_router(&self, name: &str) -> OpsResult<()> {
        if self.catalogue.detach_router(name, "router").await? {
            Ok(())
        } else {
            Err(OpsError::invalid(format!("no router {name} is attached")))
        }
    }

    /// Writes a starting HAProxy configuration and its maps (the routing table now)
    /// into `dir`, and attaches it as router `name`.
    pub async fn haproxy_config(
        &self,
        dir: &Path,
        listen: &str,
        name: &str,
    ) -> OpsResult<HaproxyFiles> {
        check_name(name)?;
        let listen_ok = listen
            .rsplit_once(':')
            .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
        if !listen_ok {
            return Err(OpsError::invalid(format!(
                "listen {listen:?}: HOST:PORT, e.g. 127.0.0.1:8080"
            )));
        }
        std::fs::create_dir_all(dir)
            .map_err(|e| OpsError::invalid(format!("{}: {e}", dir.display())))?;
        let dir = std::fs::canonicalize(dir)
            .map_err(|e| OpsError::invalid(format!("{}: {e}", dir.display())))?;
        let path = |file: &str| -> PathBuf { dir.join(file) };
        let text = |p: PathBuf| p.display().to_string();
        let maps = maps_of(self.catalogue.routes().await?).await;
        let (config, tenants_map, stamps_map, socket) = (
            path("haproxy.cfg"),
            path("tenants-*.map"),
            path("stamps.map"),
            path("admin.sock"),
        );
        for p in [&config, &tenants_map, &stamps_map, &socket] {
            if text(p.clone()).chars().any(char::is_whitespace) {
                return Err(OpsError::invalid(format!(
                    "{}: HAProxy map and socket paths cannot hold spaces",
                    p.display()
                )));
            }
        }
        let write = |p: &PathBuf, body: &str| {
            write_whole(p, body).map_err(|e| OpsError::invalid(format!("{}: {e}", p.display())))
        };
        let pattern = text(tenants_map.clone());
        for (shard, entries) in by_shard(&maps.tenants).iter().enumerate() {
            write(
                &PathBuf::from(shard_path(&pattern, shard as u32)),
                &map_text(entries),
            )?;
        }
        write(
            &stamps_map,
            &map_text(&with_version(&maps.stamps, &maps.version.to_string())),
        )?;
        write(
            &config,
            &config_text(&HaproxyLayout {
                listen,
                admin_socket: &text(socket.clone()),
                tenants_maps: &pattern,
                stamps_map: &text(stamps_map.clone()),
            }),
        )?;
        self.attach_router(
            name,
            &text(socket.clone()),
            &text(tenants_map.clone()),
            &text(stamps_map.clone()),
            false,
        )
        .await?;
        Ok(HaproxyFiles {
            start: format!("haproxy -f {}", config.display()),
            config: text(config),
            tenants_maps: pattern,
            stamps_map: text(stamps_map),
            admin_socket: text(socket),
            tenants: maps.tenants.len() as u64,
            unroutable: maps.unroutable,
        })
    }

    /// The fast path of a move: right after `tenant`'s binding flipped to `stamp`, each
    /// router's map is told (and the stamp's address added when the map lacks it). A
    /// router that cannot be told is recorded as failing; the move goes on (its source
    /// redirects), and the next sync repairs the map.
    pub async fn push_route(&self, tenant: &TenantId, stamp: &StampId, flipped: Instant) {
        let routers = match self.catalogue.routers().await {
            Ok(routers) => routers,
            Err(e) => {
                tracing::warn!(error = %e, "routers not read; the next sync tells them");
                return;
            }
        };
        for router in routers {
            let api = RuntimeApi::new(&router.admin_socket);
            let pushed = async {
                if api.get(&router.stamps_map, stamp.as_str()).await?.is_none() {
                    let endpoint = self
                        .catalogue
                        .stamp(stamp)
                        .await?
                        .and_then(|s| s.endpoint)
                        .ok_or_else(|| OpsError::conflict(format!("{stamp} has no endpoint")))?;
                    let address = stamp_address(&endpoint).await.map_err(OpsError::conflict)?;
                    api.set(&router.stamps_map, stamp.as_str(), &address)
                        .await?;
                }
                let map = shard_path(&router.tenants_map, shard_of(tenant.as_str()));
                api.set(&map, tenant.as_str(), stamp.as_str()).await
            }
            .await;
            let outcome = match &pushed {
                Ok(()) => RouterSync::Pushed {
                    lag_ms: flipped.elapsed().as_millis() as i64,
                },
                Err(e) => RouterSync::Failed(&e.message),
            };
            if let Err(e) = &pushed {
                tracing::warn!(router = %router.name, %tenant, error = %e.message, "route not pushed");
            }
            if let Err(e) = self
                .catalogue
                .record_router_sync(&router.name, outcome)
                .await
            {
                tracing::warn!(router = %router.name, error = %e, "router state not recorded");
            }
        }
    }
}
