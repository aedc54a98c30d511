//! The command surface (see `list.rs`): the typed functions both the window and the UI
//! server call, the table the generators read, and the dispatcher by name.

mod list;
pub mod typescript;

use std::sync::Arc;
use std::time::Duration;

use crate::{Fleet, OpsError, OpsResult};

/// Where a command's progress events go; answers whether anyone still listens.
pub type Sink<P> = Arc<dyn Fn(P) -> bool + Send + Sync>;

/// A sink from a closure.
pub fn sink<P>(f: impl Fn(P) -> bool + Send + Sync + 'static) -> Sink<P> {
    Arc::new(f)
}

/// How often the health watcher asks every stamp, and how many at once.
const HEALTH_INTERVAL: Duration = Duration::from_secs(5);
/// 0: sized to the fleet (`health::round_concurrency`: 64 to 256 at once).
const HEALTH_CONCURRENCY: usize = 0;

/// Starts the health watcher on its own task; it ends when the sink stops listening or
/// a later watcher of the same `session` (the same page subscribing again) starts.
pub fn watch_health_in_background(
    fleet: &Fleet,
    session: &str,
    progress: &Sink<crate::HealthUpdate>,
) -> OpsResult<()> {
    let current = fleet.health_session(session);
    let (fleet, progress) = (fleet.clone(), progress.clone());
    // Each message names only the stamps whose health changed (the first names all).
    let delta = std::sync::Mutex::new(crate::HealthDelta::default());
    tokio::spawn(async move {
        fleet
            .watch_health(HEALTH_INTERVAL, HEALTH_CONCURRENCY, move |checks| {
                let update = delta
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .next(checks);
                current.still() && progress(update)
            })
            .await;
    });
    Ok(())
}

/// Starts the catalogue's change watch on its own task once it is in place; it ends
/// when the sink stops listening.
pub async fn watch_catalogue_in_background(
    fleet: &Fleet,
    progress: &Sink<crate::CatalogueChange>,
) -> OpsResult<()> {
    let mut watch = fleet.catalogue.watch_changes().await?;
    let progress = progress.clone();
    tokio::spawn(async move {
        let mut seq = 0u32;
        loop {
            if let Err(e) = watch.next().await {
                tracing::warn!(error = %e, "the catalogue's change watch ended");
                return;
            }
            seq = seq.wrapping_add(1);
            if !progress(crate::CatalogueChange { seq }) {
                return;
            }
        }
    });
    Ok(())
}

/// One command as the generators see it: names, TypeScript types, documentation.
#[derive(Debug, Clone)]
pub struct CommandSpec {
    pub name: &'static str,
    pub doc: Vec<&'static str>,
    /// (argument name as written in Rust, its TypeScript type)
    pub args: Vec<(&'static str, String)>,
    pub result: String,
    /// The TypeScript type of the progress events, when the command streams them.
    pub progress: Option<String>,
}

fn ts_config() -> ts_rs::Config {
    // Integers cross as JSON numbers (ids, counts and sizes stay far below 2^53).
    ts_rs::Config::new().with_large_int("number")
}

macro_rules! fleet_side {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident ( $($arg:ident : $ty:ty),* $(; progress: $pty:ty)? ) -> $ret:ty =
            |$fleet:ident $(, $sink:ident)?| $body:expr ;
    )*) => {
        /// The commands as typed functions: the one implementation of each.
        pub mod api {
            #[allow(unused_imports)]
            use super::Sink;
            $(
                $(#[doc = $doc])*
                #[allow(clippy::unused_async)]
                pub async fn $name(
                    $fleet: &$crate::Fleet,
                    $($arg: $ty,)*
                    $($sink: &Sink<$pty>,)?
                ) -> $crate::OpsResult<$ret> {
                    $body
                }
            )*
        }

        /// Every command, in declaration order.
        pub fn command_specs() -> Vec<CommandSpec> {
            let cfg = ts_config();
            vec![$(
                CommandSpec {
                    name: stringify!($name),
                    doc: vec![$($doc),*],
                    args: vec![$((stringify!($arg), <$ty as ts_rs::TS>::name(&cfg))),*],
                    result: <$ret as ts_rs::TS>::name(&cfg),
                    progress: None$(.or(Some(<$pty as ts_rs::TS>::name(&cfg))))?,
                }
            ),*]
        }

        /// Runs the command `name` with its arguments as a JSON object (camelCase
        /// names, as the window sends them); progress events go to `events` as JSON.
        pub async fn dispatch(
            fleet: &Fleet,
            name: &str,
            args: serde_json::Value,
            events: Sink<serde_json::Value>,
        ) -> OpsResult<serde_json::Value> {
            let _ = &events;
            match name {
                $(stringify!($name) => {
                    #[derive(serde::Deserialize)]
                    #[serde(rename_all = "camelCase", deny_unknown_fields)]
                    struct Args { $($arg: $ty),* }
                    let Args { $($arg),* } = serde_json::from_value(args).map_err(|e| {
                        OpsError::invalid(format!("{}: {e}", stringify!($name)))
                    })?;
                    $(
                        let events = events.clone();
                        let $sink: Sink<$pty> = sink(move |p: $pty| {
                            serde_json::to_value(p).is_ok_and(|v| events(v))
                        });
                    )?
                    let answer = api::$name(fleet, $($arg,)* $(&$sink)?).await?;
                    serde_json::to_value(answer).map_err(|e| OpsError::internal(e.to_string()))
                })*
                _ => Err(OpsError::invalid(format!("there is no command {name:?}"))),
            }
        }
    };
}

crate::with_commands!(fleet_side);
