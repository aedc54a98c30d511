//! What is taken up again after a killed run: at the app's start and by `stampctl
//! resume`, every journaled operation still running is finished or rolled back by the
//! module that owns its kind (demo, onboarding, provisioning; moves separately, once
//! the agents answer). One place that knows every kind, so no operation module needs
//! another.

use crate::error::OpsResult;
use crate::fleet::Fleet;
use crate::providers::ProviderConfig;

impl Fleet {
    /// Finishes every operation a previous run left behind (app killed mid-way), except
    /// provisioning by a command provider: that one names a program the catalogue holds,
    /// and runs only when the operator asks for it by name
    /// (`resume_operations_running_commands`, `stampctl resume --run-commands`).
    pub async fn resume_operations(&self) -> OpsResult<u32> {
        self.resume_operations_with(false).await
    }

    /// The same, command providers included: the operator has read `commands_waiting`.
    pub async fn resume_operations_running_commands(&self) -> OpsResult<u32> {
        self.resume_operations_with(true).await
    }

    /// Interrupted provisioning runs by a command provider, waiting for the operator:
    /// "stamp: program args", as the catalogue's journal names them.
    pub async fn commands_waiting(&self) -> OpsResult<Vec<String>> {
        let mut waiting = Vec::new();
        for op in self.catalogue.running_operations().await? {
            if op.kind != crate::provision::PROVISION_KIND {
                continue;
            }
            if let Ok(ProviderConfig::Command { program, args, .. }) =
                serde_json::from_str::<ProviderConfig>(&op.params)
            {
                waiting.push(format!("{}: {program} {}", op.subject, args.join(" ")));
            }
        }
        Ok(waiting)
    }

    /// What the app does at start: the same, except that an interrupted provisioning
    /// by a command provider is not run again unasked. The catalogue may be someone
    /// else's file, and its journal would name the program to run; it waits for
    /// `stampctl resume`.
    pub async fn resume_operations_at_start(&self) -> OpsResult<u32> {
        self.resume_operations_with(false).await
    }

    async fn resume_operations_with(&self, run_commands: bool) -> OpsResult<u32> {
        let mut resumed = 0;
        // Each finishes after the provisioning run it started, which comes later in
        // the journal.
        let mut provision_onboard = Vec::new();
        for op in self.catalogue.running_operations().await? {
            if op.kind == crate::PROVISION_ONBOARD_KIND {
                provision_onboard.push(op);
                continue;
            }
            if op.kind == crate::demo_agents::DEMO_KIND {
                resumed += 1;
                self.resume_demo(&op).await?;
                continue;
            }
            if op.kind == catalogue::ONBOARD_KIND {
                resumed += 1;
                self.resume_onboarding(&op).await?;
                continue;
            }
            if op.kind == catalogue::MOVE_KIND {
                // Moves are recovered once the local agents answer (`recover_moves`).
                continue;
            }
            if op.kind != crate::provision::PROVISION_KIND {
                continue;
            }
            if self.resume_provisioning(&op, run_commands).await? {
                resumed += 1;
            }
        }
        for op in &provision_onboard {
            resumed += 1;
            self.resume_provision_onboard(op).await?;
        }
        Ok(resumed)
    }
}
