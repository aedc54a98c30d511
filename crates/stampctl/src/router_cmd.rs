//! `stampctl router ...`: HAProxy routers fed from the routing table (a starting
//! configuration, attach, detach, sync, the state of each), and `stampctl fleet-key
//! ...`: the fleet's signing keys for tenant tokens valid on every stamp.

use std::path::PathBuf;

use clap::Subcommand;
use fleet_ops::fleet_keys::KeyOutcome;
use fleet_ops::{Fleet, OpsResult, RouterSyncOutcome, RouterSyncer};

use crate::table::Table;
use crate::{render, Output};

#[derive(Subcommand)]
pub enum RouterAction {
    /// The routing table's version and each attached router's sync state.
    List,
    /// Write a starting HAProxy configuration and its two maps (the routing table now)
    /// into DIR, and attach it; then start it with `haproxy -f DIR/haproxy.cfg`.
    HaproxyConfig {
        dir: PathBuf,
        /// Where HAProxy takes tenant traffic.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// The router's name here.
        #[arg(long, default_value = "local")]
        name: String,
    },
    /// Attach a running HAProxy by its admin socket and the map files its
    /// configuration names (tenants spread over 32 maps by the CRC32 of their id).
    Attach {
        name: String,
        /// A unix socket path, or HOST:PORT.
        #[arg(long)]
        socket: String,
        /// The tenants maps: a path with a * where the shard number (00-31) goes.
        #[arg(long, value_name = "PATTERN")]
        tenants_maps: String,
        #[arg(long, value_name = "FILE")]
        stamps_map: String,
    },
    /// Detach a router (it keeps the maps it has).
    Detach { name: String },
    /// Bring every attached router's maps to the routing table now: the routes that
    /// changed, or whole new maps with --full; --watch keeps doing so every second.
    Sync {
        #[arg(long)]
        full: bool,
        #[arg(long)]
        watch: bool,
    },
}

#[derive(Subcommand)]
pub enum FleetKeyAction {
    /// The fleet's keys (the newest in use signs).
    List,
    /// Make a new key, give it to every stamp; it signs from now on.
    Rotate,
    /// Take a key back from every stamp: tokens it signed are refused from then on.
    Retire { kid: String },
    /// Give the keys in use to every stamp (a stamp that missed them).
    Give,
}

fn sync_table(outcomes: &[RouterSyncOutcome]) -> String {
    let mut t = Table::new(vec!["ROUTER", "SYNC", "SENT", "VERSION", "ERROR"]);
    for o in outcomes {
        t.row(vec![
            o.router.clone(),
            o.kind.clone(),
            o.sent.to_string(),
            o.version.to_string(),
            o.error.clone().unwrap_or_default(),
        ]);
    }
    t.render()
}

fn key_table(outcomes: &[KeyOutcome]) -> String {
    let mut t = Table::new(vec!["STAMP", "KEYS", "ERROR"]);
    for o in outcomes {
        t.row(vec![
            o.stamp.to_string(),
            o.keys.join(" "),
            o.error.clone().unwrap_or_default(),
        ]);
    }
    t.render()
}

pub async fn router(fleet: &Fleet, out: Output, action: RouterAction) -> OpsResult<String> {
    match action {
        RouterAction::List => {
            let status = fleet.routing_status().await?;
            render(out, &status, || {
                let mut t = Table::new(vec![
                    "ROUTER",
                    "SOCKET",
                    "SYNCED",
                    "BEHIND",
                    "LAST SYNC",
                    "LAG MS",
                    "ERROR",
                ]);
                for r in &status.routers {
                    let v = &r.router;
                    t.row(vec![
                        v.name.clone(),
                        v.admin_socket.clone(),
                        v.synced_version.map_or("never".into(), |s| s.to_string()),
                        r.behind.map_or("-".into(), |b| b.to_string()),
                        v.synced_at.clone().unwrap_or_default(),
                        v.lag_ms.map_or(String::new(), |l| l.to_string()),
                        v.last_error.clone().unwrap_or_default(),
                    ]);
                }
                format!("routing table version {}\n{}", status.version, t.render())
            })
        }
        RouterAction::HaproxyConfig { dir, listen, name } => {
            let files = fleet.haproxy_config(&dir, &listen, &name).await?;
            render(out, &files, || {
                let mut text = format!(
                    "wrote {} ({} tenants routed) and attached it as router {name}\nstart it: {}\nthen keep it in sync: the window does while it is open, or `stampctl router sync --watch`\n",
                    files.config, files.tenants, files.start
                );
                for u in &files.unroutable {
                    text.push_str(&format!("not routed: {u}\n"));
                }
                text
            })
        }
        RouterAction::Attach {
            name,
            socket,
            tenants_maps,
            stamps_map,
        } => {
            let record = fleet
                .attach_router(&name, &socket, &tenants_maps, &stamps_map, true)
                .await?;
            render(out, &record, || {
                format!("router {name} attached; `stampctl router sync` fills its maps\n")
            })
        }
        RouterAction::Detach { name } => {
            fleet.detach_router(&name).await?;
            let v = serde_json::json!({ "router": name, "attached": false });
            render(out, &v, || format!("router {name} detached\n"))
        }
        RouterAction::Sync { full, watch } => {
            let mut syncer = RouterSyncer::default();
            let outcomes = syncer.sync(fleet, full).await?;
            if !watch {
                return render(out, &outcomes, || sync_table(&outcomes));
            }
            eprint!("{}", sync_table(&outcomes));
            loop {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => break,
                    () = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                }
                match syncer.sync(fleet, false).await {
                    Ok(outcomes) => {
                        let busy: Vec<RouterSyncOutcome> = outcomes
                            .into_iter()
                            .filter(|o| o.kind != "current")
                            .collect();
                        if !busy.is_empty() {
                            eprint!("{}", sync_table(&busy));
                        }
                    }
                    Err(e) => eprintln!("sync: {}", e.message),
                }
            }
            Ok(String::new())
        }
    }
}

pub async fn fleet_key(fleet: &Fleet, out: Output, action: FleetKeyAction) -> OpsResult<String> {
    match action {
        FleetKeyAction::List => {
            let keys = fleet.fleet_keys().await?;
            render(out, &keys, || {
                let mut t = Table::new(vec!["KID", "CREATED", "RETIRED", "PUBLIC KEY"]);
                for k in &keys {
                    t.row(vec![
                        k.kid.clone(),
                        k.created_at.clone(),
                        k.retired_at.clone().unwrap_or_default(),
                        k.public_key.clone(),
                    ]);
                }
                t.render()
            })
        }
        FleetKeyAction::Rotate => {
            let (kid, outcomes) = fleet.rotate_fleet_key().await?;
            let v = serde_json::json!({ "kid": kid, "stamps": outcomes });
            render(out, &v, || {
                format!(
                    "fleet key {kid} signs from now on\n{}",
                    key_table(&outcomes)
                )
            })
        }
        FleetKeyAction::Retire { kid } => {
            let outcomes = fleet.retire_fleet_key(&kid).await?;
            let v = serde_json::json!({ "kid": kid, "stamps": outcomes });
            render(out, &v, || {
                format!("fleet key {kid} retired\n{}", key_table(&outcomes))
            })
        }
        FleetKeyAction::Give => {
            let outcomes = fleet.give_fleet_keys_to_all().await?;
            render(out, &outcomes, || key_table(&outcomes))
        }
    }
}
