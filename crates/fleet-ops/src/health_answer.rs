//! What a stamp's health answer (or the failure to get one) says: the state, the
//! problem and the fix the window offers, for one check or the health watcher.

use fleet_core::StampId;
use stamp_protocol::StampHealthStatus;

use crate::health::{now, HealthFix, HealthProblem, HealthState, StampHealth};

pub(crate) fn blank(id: &StampId) -> StampHealth {
    StampHealth {
        stamp: id.clone(),
        state: HealthState::Unknown,
        detail: String::new(),
        problem: None,
        fix: None,
        software_version: None,
        template_version: None,
        error_rate: None,
        capacity_used: None,
        tenant_count: None,
        checked_at: now(),
        pushed: false,
    }
}

/// A stamp being asked for the first time, whose answer has not come yet (unknown with
/// no problem: nothing else is; never kept in the health cache).
pub(crate) fn asking(id: &StampId) -> StampHealth {
    StampHealth {
        detail: "asking: no answer yet".to_owned(),
        ..blank(id)
    }
}

/// The answer for a stamp not asked, or not answering well: the problem and its fix.
pub(crate) fn unasked(
    id: &StampId,
    state: HealthState,
    problem: HealthProblem,
    fix: Option<HealthFix>,
    detail: String,
) -> StampHealth {
    StampHealth {
        state,
        problem: Some(problem),
        fix,
        detail,
        ..blank(id)
    }
}

/// What a stamp's answer (or the failure to get one) at `endpoint` says of its health.
pub(crate) fn judge(
    id: &StampId,
    endpoint: &str,
    local: bool,
    answer: Result<stamp_protocol::Health, stamp_client::ClientError>,
) -> StampHealth {
    let unreachable = HealthState::Unreachable;
    let problem = |problem, fix, detail| unasked(id, unreachable, problem, fix, detail);
    let start_local = Some(HealthFix::StartLocalStamps);
    match answer {
        Ok(h) if h.stamp_id != id.as_str() => problem(
            HealthProblem::WrongStamp,
            local.then_some(HealthFix::StartLocalStamps),
            format!("{endpoint} answers as stamp {}, not {id}", h.stamp_id),
        ),
        Ok(h) => StampHealth {
            state: if h.status == StampHealthStatus::Ok {
                HealthState::Healthy
            } else {
                HealthState::Degraded
            },
            detail: h.detail.unwrap_or_default(),
            software_version: Some(h.software_version),
            template_version: Some(h.template_version),
            error_rate: Some(h.error_rate),
            capacity_used: Some(h.capacity_units_used),
            tenant_count: Some(h.tenant_count),
            ..blank(id)
        },
        Err(e @ stamp_client::ClientError::Unauthorized { .. }) => problem(
            HealthProblem::TokenRefused,
            Some(HealthFix::EnterToken),
            format!("the stamp refused the admin token held for it ({e})"),
        ),
        Err(e) if e.is_refused() && local => problem(
            HealthProblem::AgentNotRunning,
            start_local,
            format!("its local agent is not running (nothing listens at {endpoint})"),
        ),
        Err(e) if e.is_refused() => problem(
            HealthProblem::Refused,
            None,
            format!("nothing answers at {endpoint} (connection refused or unreachable)"),
        ),
        Err(e) if e.is_timeout() => problem(
            HealthProblem::TimedOut,
            None,
            format!("{endpoint} did not answer within 3 s"),
        ),
        Err(e) => problem(HealthProblem::BadAnswer, None, e.to_string()),
    }
}
