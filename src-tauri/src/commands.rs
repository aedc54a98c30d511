//! The IPC surface, generated from fleet-ops' command list (`fleet_ops::with_commands!`):
//! one `#[tauri::command]` per entry, each a call into `fleet_ops::commands::api`, its
//! progress events sent on a channel named `onProgress`. Errors cross as
//! `{code, message}` (fleet_ops::OpsError). Nothing here is written per command.

macro_rules! tauri_side {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident ( $($arg:ident : $ty:ty),* $(; progress: $pty:ty)? ) -> $ret:ty =
            |$fleet:ident $(, $sink:ident)?| $body:expr ;
    )*) => {
        $(
            $(#[doc = $doc])*
            #[tauri::command]
            pub async fn $name(
                slot: tauri::State<'_, fleet_ops::FleetSlot>,
                $($arg: $ty,)*
                $(on_progress: tauri::ipc::Channel<$pty>,)?
            ) -> Result<$ret, fleet_ops::OpsError> {
                let fleet = slot.get().await?;
                fleet_ops::commands::api::$name(
                    &fleet,
                    $($arg,)*
                    $(&fleet_ops::commands::sink(move |p: $pty| on_progress.send(p).is_ok()),)?
                )
                .await
            }
        )*

        /// The handler for every command above.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }
    };
}

fleet_ops::with_commands!(tauri_side);
