//! The app's command surface, declared once. Everything else is generated from this
//! list: the typed functions in `commands::api`, the dispatcher the UI server uses,
//! the window's `#[tauri::command]` handlers and their list (src-tauri), the
//! permissions and capability file, and the TypeScript client
//! (`ui/src/generated/commands.ts`). A test fails when a generated file is stale.
//!
//! Each entry: `name(arg: Type, ...; progress: Event) -> Result = |fleet, progress| body;`
//! The body runs on a `&Fleet`; `progress` (when declared) is a `&Sink<Event>` the
//! window receives as a channel, the UI server as streamed events.

/// Hands the command list to `$callback!`, which generates one side of the surface.
#[macro_export]
macro_rules! with_commands {
    ($callback:ident) => {
        $callback! {
            /// The catalogue's path, schema and counts.
            catalogue_info() -> $crate::CatalogueInfo = |fleet| fleet.info().await;
            /// The audit log: who changed what, when and through what; filtered, paged, newest first.
            audit_log(query: $crate::catalogue::AuditQuery) -> Vec<$crate::catalogue::AuditEntry> =
                |fleet| fleet.audit_page(&query).await;
            /// The audit rows a query selects (up to 10,000) as a CSV or JSON file's text.
            export_audit(query: $crate::catalogue::AuditQuery, format: $crate::AuditFormat) -> String =
                |fleet| fleet.export_audit(&query, format).await;
            /// Every stamp and region with its use, for the map and the tables.
            fleet_overview() -> $crate::fleet_core::FleetOverview = |fleet| fleet.overview().await;
            /// Builds the demo fleet (real local stamp agents), all or nothing.
            create_demo_fleet() -> $crate::fleet_core::FleetOverview = |fleet| fleet.create_demo(true).await;
            /// One page of tenants by stamp, region or text (id or name), by id; limit <= 1000.
            list_tenants(query: $crate::fleet_core::TenantQuery) -> $crate::fleet_core::TenantPage =
                |fleet| fleet.tenants(&query).await;
            /// Where a tenant would go and why (a dry run over the live fleet; writes nothing).
            place_tenant(request: $crate::PlaceTenant) -> $crate::fleet_core::placement::Decision =
                |fleet| fleet.place_tenant(&request).await;
            /// Onboards a tenant (records, provisions on the stamp, binds), reporting each step.
            onboard_tenant(request: $crate::OnboardTenant; progress: $crate::OnboardProgress)
                -> $crate::fleet_core::TenantView =
                |fleet, progress| fleet.onboard_tenant(&request, &|p| { progress(p); }).await;
            /// Provisions the new stamp placement proposes for a tenant (named as given),
            /// then onboards the tenant onto it: one journaled operation, one progress bar.
            provision_and_onboard(request: $crate::ProvisionAndOnboard; progress: $crate::OnboardProgress)
                -> $crate::fleet_core::TenantView =
                |fleet, progress| fleet.provision_and_onboard(&request, &|p| { progress(p); }).await;
            /// Checks a tenant file (CSV or JSON by its name) and plans each row; writes nothing.
            check_tenant_import(name: String, text: String) -> $crate::TenantImportReport =
                |fleet| fleet.check_tenant_import(&name, &text).await;
            /// Provisions the new local stamps a tenant file needs, then checks it again.
            provision_import_stamps(name: String, text: String; progress: $crate::ImportProgress)
                -> $crate::TenantImportReport =
                |fleet, progress| fleet.provision_import_stamps(&name, &text, &|p| { progress(p); }).await;
            /// Onboards a tenant file's placeable rows in order, stopping at the first failure.
            apply_tenant_import(name: String, text: String; progress: $crate::ImportProgress)
                -> $crate::TenantImportReport =
                |fleet, progress| fleet.apply_tenant_import(&name, &text, &|p| { progress(p); }).await;
            /// Provisions a new local stamp, reporting each step; resolves with the active stamp.
            new_stamp(request: $crate::NewStamp; progress: $crate::ProvisionProgress)
                -> $crate::fleet_core::Stamp =
                |fleet, progress| fleet.provision_stamp_from_window(&request, &|p| { progress(p); }).await;
            /// One stamp with its health, tenants and last failure.
            stamp_detail(id: $crate::fleet_core::StampId) -> $crate::StampDetail =
                |fleet| fleet.stamp_detail(&id).await;
            /// Every region a stamp can be in (built-in and custom), by id.
            list_regions() -> Vec<$crate::fleet_core::Region> = |fleet| fleet.regions().await;
            /// Adopts a stamp Stampfleet did not create: checks it answers as described,
            /// keeps its token, binds the tenants it holds and reports conflicts.
            adopt_stamp(request: $crate::AdoptStamp) -> $crate::AdoptReport =
                |fleet| fleet.adopt_stamp(&request).await;
            /// Adopts every stamp of a CSV file (`id,region,template,version,endpoint,token`),
            /// 16 at once, reporting each as it ends; every row is checked first.
            adopt_stamps_file(name: String, text: String; progress: $crate::AdoptOutcome)
                -> Vec<$crate::AdoptOutcome> =
                |fleet, progress| fleet.adopt_stamps_text(&name, &text, &|o| { progress(o); }).await;
            /// Holds every stamp against the catalogue: orphans, missing tenants, sizes,
            /// states, versions, identities; each finding with its repair.
            reconcile() -> $crate::ReconcileReport = |fleet| fleet.reconcile().await;
            /// Repairs one finding, after checking the stamp again; says what was done.
            repair_drift(finding: $crate::DriftFinding) -> String =
                |fleet| fleet.repair_drift(&finding).await;
            /// Ignores a finding, saying why (audited); it shows again if what differs changes.
            ignore_drift(finding: $crate::DriftFinding, reason: String) -> () =
                |fleet| fleet.ignore_drift(&finding, &reason).await;
            /// Stops ignoring a finding.
            unignore_drift(ignore: $crate::catalogue::DriftIgnore) -> () =
                |fleet| fleet.unignore_drift(&ignore).await;
            /// Changes a stamp's status (active, draining, retired ...), audited.
            set_stamp_status(id: $crate::fleet_core::StampId, status: $crate::fleet_core::StampStatus)
                -> $crate::fleet_core::Stamp =
                |fleet| fleet.set_stamp_status(&id, status).await;
            /// Subscribes to health checks: every few seconds, the stamps whose health
            /// changed (the first message: every stamp's), until the listener goes or the
            /// page subscribes again with the same `session` (its watchdog, when the
            /// health stopped coming). Resolves as soon as the subscription is in place.
            watch_health(session: String; progress: $crate::HealthUpdate) -> () =
                |fleet, progress| $crate::commands::watch_health_in_background(fleet, &session, progress);
            /// Subscribes to changes other windows, stampctl or other operators make to the
            /// catalogue (at once on a team catalogue, within two seconds on a file), until
            /// the listener goes. Resolves as soon as the subscription is in place.
            watch_catalogue(; progress: $crate::CatalogueChange) -> () =
                |fleet, progress| $crate::commands::watch_catalogue_in_background(fleet, progress).await;
            /// The stamps a tenant may move to (best first), and why every other one cannot.
            move_targets(tenant: $crate::fleet_core::TenantId) -> $crate::MoveTargets =
                |fleet| fleet.move_targets(&tenant).await;
            /// Moves a tenant to another stamp, reporting each phase; resolves with the
            /// last report. A failure before the cut-over is rolled back, and says so.
            move_tenant(request: $crate::MoveTenant; progress: $crate::MoveProgress)
                -> $crate::MoveProgress =
                |fleet, progress| fleet.move_tenant(&request, &|p| { progress(p); }).await;
            /// Asks a running move to stop before its cut-over; answers what happened.
            cancel_move(operation: i64) -> String = |fleet| fleet.cancel_move(operation).await;
            /// The journaled moves, newest first.
            list_moves(limit: u32) -> Vec<$crate::MoveView> = |fleet| fleet.moves(limit).await;
            /// Where a drain would send each tenant (and who stays, and why); moves nothing.
            preview_drain(stamp: $crate::fleet_core::StampId) -> $crate::DrainProgress =
                |fleet| fleet.preview_drain(&stamp).await;
            /// Drains a stamp: moves every tenant to the target placement picks.
            drain_stamp(request: $crate::DrainStamp; progress: $crate::DrainProgress)
                -> $crate::DrainProgress =
                |fleet, progress| fleet.drain_stamp(&request, &|p| { progress(p); }).await;
            /// Where every tenant lives, with the routing table's version.
            routing_table() -> $crate::RoutingTable = |fleet| fleet.routes().await;
            /// Starts this machine's stamp agents that are not running (they keep their data).
            start_local_stamps() -> Vec<$crate::fleet_core::StampId> =
                |fleet| fleet.start_local_stamps().await;
            /// Keeps an admin token the operator entered for a stamp, once the stamp accepts it.
            set_stamp_token(id: $crate::fleet_core::StampId, token: String) -> () =
                |fleet| fleet.set_stamp_token(&id, &token).await;
            /// Every plan by name, with how far its last apply went.
            list_plans() -> Vec<$crate::PlanSummary> = |fleet| fleet.plan_summaries().await;
            /// One plan in full: steps, projection, the fleet after it, its apply state.
            plan_detail(name: String) -> $crate::PlanDetail = |fleet| fleet.plan_detail(&name).await;
            /// A new, empty plan.
            new_plan(name: String) -> $crate::PlanDetail = |fleet| {
                fleet.new_plan(&name).await?;
                fleet.plan_detail(&name).await
            };
            /// Appends an action; the answer carries a fresh projection (warnings).
            add_plan_action(name: String, action: $crate::plan_action_ts::PlanActionShape)
                -> $crate::PlanDetail = |fleet| {
                    fleet.add_plan_action(&name, action.into_action()?).await?;
                    fleet.plan_detail(&name).await
                };
            /// Removes the action at `index` (0-based).
            remove_plan_action(name: String, index: u32) -> $crate::PlanDetail = |fleet| {
                fleet.remove_plan_action(&name, index).await?;
                fleet.plan_detail(&name).await
            };
            /// Deletes a plan (not while it applies).
            delete_plan(name: String) -> () = |fleet| fleet.delete_plan(&name).await;
            /// Appends the rebalance planner's moves (no stamp over `limit_percent`);
            /// answers the plan and the proposal (moves against the lower bound).
            plan_rebalance(name: String, limit_percent: u8)
                -> ($crate::PlanDetail, $crate::fleet_core::rebalance::RebalancePlan) = |fleet| {
                let (_, proposal) = fleet.plan_rebalance_into(&name, limit_percent).await?;
                Ok((fleet.plan_detail(&name).await?, proposal))
            };
            /// When stamps and regions fill up, from the last `window_days` of usage.
            forecast(window_days: u32, horizon_days: u32) -> $crate::ForecastView =
                |fleet| fleet.forecast_view(window_days, horizon_days).await;
            /// Appends the forecast's proposed stamps to a plan.
            plan_forecast(name: String, window_days: u32, horizon_days: u32) -> $crate::PlanDetail =
                |fleet| {
                    fleet.plan_forecast_into(&name, window_days, horizon_days).await?;
                    fleet.plan_detail(&name).await
                };
            /// The plan as a file's text (schema version, digest), for the window to save.
            export_plan(name: String) -> String = |fleet| fleet.export_plan(&name).await;
            /// The catalogues opened before, newest first.
            recent_catalogues() -> Vec<$crate::RecentCatalogue> =
                |_fleet| Ok::<_, $crate::OpsError>($crate::recent::recent());
            /// Opens another catalogue (a file or a team's postgres:// URL) in a new window.
            open_in_new_window(location: String) -> String =
                |_fleet| $crate::recent::open_in_new_window(&location);
            /// Copies the catalogue (fleet and plans) into the new catalogue file `file`,
            /// for planning offline; an existing file is refused untouched.
            take_snapshot(file: String) -> $crate::catalogue::SnapshotSummary =
                |fleet| fleet.take_snapshot(std::path::Path::new(&file)).await;
            /// Reads a plan file strictly (`file` names it in errors); nothing is written
            /// when refused.
            import_plan(file: String, text: String) -> $crate::PlanDetail = |fleet| {
                let plan = fleet.import_plan(&file, &text, false).await?;
                fleet.plan_detail(&plan.name).await
            };
            /// Revalidates a plan against the fleet now: its conflicts; nothing runs.
            check_plan(name: String) -> $crate::PlanCheck = |fleet| fleet.check_plan(&name).await;
            /// Applies a plan action by action from where a previous apply stopped,
            /// reporting before each; refused (conflict) on conflicts, a pause or a failure.
            apply_plan(name: String; progress: $crate::PlanApplyProgress) -> $crate::PlanApplyProgress =
                |fleet, progress| fleet.apply_plan(&name, &|p| { progress(p); }).await;
            /// Suspends a tenant (its stamp refuses its own requests until resumed), saying why.
            suspend_tenant(id: $crate::fleet_core::TenantId, reason: String) -> () =
                |fleet| fleet.suspend_tenant(&id, &reason).await;
            /// Resumes a suspended tenant.
            resume_tenant(id: $crate::fleet_core::TenantId) -> () = |fleet| fleet.resume_tenant(&id).await;
            /// The suspended tenants, with why and by whom.
            suspended_tenants() -> Vec<$crate::catalogue::TenantSuspension> =
                |fleet| fleet.suspended_tenants().await;
            /// Offboards a tenant: suspended, its data exported to a file beside the
            /// catalogue, deleted on its stamp, removed from the catalogue (audited).
            offboard_tenant(id: $crate::fleet_core::TenantId) -> $crate::OffboardOutcome =
                |fleet| fleet.offboard_tenant(&id, None).await;
            /// The stamp providers configured on this machine (providers.json), by name.
            operator_providers() -> Vec<$crate::OperatorProvider> =
                |_fleet| $crate::operator_providers::operator_providers();
            /// Adds or replaces an http provider (the window never adds a command provider).
            save_http_provider(name: String, url: String, timeout_secs: u64) -> Vec<$crate::OperatorProvider> =
                |_fleet| $crate::operator_providers::save_operator_provider(
                    $crate::OperatorProvider {
                        name,
                        provider: $crate::ProviderConfig::Http { url, timeout_secs },
                    },
                    true,
                );
            /// Removes a configured provider.
            remove_operator_provider(name: String) -> Vec<$crate::OperatorProvider> =
                |_fleet| $crate::operator_providers::remove_operator_provider(&name);
            /// Every template version: its stamps, and what changed from the one before.
            template_versions() -> Vec<$crate::TemplateVersionView> =
                |fleet| fleet.template_versions().await;
            /// Adds a template version (a copy of one with changes and release notes).
            add_template_version(request: $crate::NewTemplateVersion) -> $crate::fleet_core::StampTemplate =
                |fleet| fleet.add_template_version(&request).await;
            /// Proposes a rollout's waves (canary, then rings); writes nothing.
            propose_rollout(request: $crate::ProposeRollout) -> $crate::fleet_core::rollout::RolloutSpec =
                |fleet| fleet.propose_rollout(&request).await;
            /// Starts a rollout and runs it, reporting each step, until it is done, halts,
            /// pauses or waits for approval.
            start_rollout(spec: $crate::fleet_core::rollout::RolloutSpec; progress: $crate::RolloutView)
                -> $crate::RolloutView =
                |fleet, progress| fleet.start_rollout(&spec, &$crate::RolloutClock::default(), &|p| { progress(p); }).await;
            /// Every rollout, newest first.
            list_rollouts() -> Vec<$crate::RolloutView> = |fleet| fleet.rollouts(50).await;
            /// Approves a rollout's next wave and runs on, reporting each step.
            approve_rollout(id: i64; progress: $crate::RolloutView) -> $crate::RolloutView =
                |fleet, progress| fleet.approve_rollout(id, &$crate::RolloutClock::default(), &|p| { progress(p); }).await;
            /// Goes on with a paused rollout, reporting each step.
            resume_rollout(id: i64; progress: $crate::RolloutView) -> $crate::RolloutView =
                |fleet, progress| fleet.resume_rollout(id, &$crate::RolloutClock::default(), &|p| { progress(p); }).await;
            /// Pauses a rollout before its next step.
            pause_rollout(id: i64) -> $crate::RolloutView = |fleet| fleet.pause_rollout(id).await;
            /// Aborts a rollout for good (upgraded stamps keep their version).
            abort_rollout(id: i64) -> $crate::RolloutView = |fleet| fleet.abort_rollout(id).await;
            /// The routing table's version and every attached router's sync state.
            routing_status() -> $crate::RoutingStatus = |fleet| fleet.routing_status().await;
            /// Sends every attached router whole new maps now (a full resync).
            sync_routers() -> Vec<$crate::RouterSyncOutcome> =
                |fleet| $crate::RouterSyncer::default().sync(fleet, true).await;
            /// Where a tenant's requests go: its binding, and what each router's map says.
            tenant_route(id: $crate::fleet_core::TenantId) -> $crate::TenantRoute =
                |fleet| fleet.tenant_route(&id).await;
            /// A token for a tenant's own requests, signed by the fleet's key (valid on
            /// whichever stamp holds it); shown once.
            issue_tenant_token(id: $crate::fleet_core::TenantId, ttl_hours: u64) -> $crate::fleet_keys::IssuedToken =
                |fleet| fleet.issue_tenant_token(&id, ttl_hours.saturating_mul(3600)).await;
            /// Asks a running apply to stop before its next action.
            pause_plan(name: String) -> () = |fleet| fleet.pause_plan(&name).await;
            /// Logs the window's start-up milestones (name -> ms since the epoch) as times
            /// after the app's launch.
            report_startup(marks: std::collections::BTreeMap<String, f64>) -> () =
                |fleet| fleet.report_startup(&marks).await;
        }
    };
}
