//! Reading the audit log: who changed what, when, through which part of Stampfleet,
//! newest first, filtered and paged.

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime};

use crate::error::{CatalogueError, Result};
use crate::fleet_view::contains_pattern;
use crate::Catalogue;

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    #[ts(type = "number")]
    pub id: i64,
    pub at: String,
    /// Who: the operator.
    pub actor: String,
    /// Which part of Stampfleet wrote it (import, onboard, move, plan, demo ...).
    pub via: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    #[sqlx(rename = "before_json")]
    pub before: Option<String>,
    #[sqlx(rename = "after_json")]
    pub after: Option<String>,
    /// What changed, in words: the fields whose values differ (`status: "active" ->
    /// "draining"`), or "created" / "deleted".
    #[sqlx(skip)]
    pub summary: String,
}

/// Which audit rows to read: every filter given must match; newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditQuery {
    /// The kind of thing changed: stamp, tenant, binding, plan, region, template.
    pub entity: Option<String>,
    /// The thing changed (a stamp id, a tenant id ...).
    pub entity_id: Option<String>,
    /// The operator who changed it.
    pub actor: Option<String>,
    /// Only changes at or after this time: `2026-12-05`, `2026-12-05T14:00:00Z` (RFC
    /// 3339, any offset), or how long ago: `30m`, `12h`, `7d`.
    pub since: Option<String>,
    /// Rows older than this one (the last id of the page before), for paging.
    #[ts(type = "number | null")]
    pub before_id: Option<i64>,
    /// At most this many rows (capped at [`AuditQuery::MAX_LIMIT`]).
    pub limit: u32,
}

impl AuditQuery {
    pub const MAX_LIMIT: u32 = 10_000;
}

/// The `entity` (and `entity_id`) of the one row a whole-catalogue write (import,
/// snapshot, demo) writes for everything it created: its `after` is a JSON object of
/// the created ids by kind, `{"stamp": ["weu-01", ...], "tenant": [...]}`.
pub const CREATED_TOGETHER: &str = "catalogue";

impl Catalogue {
    /// The audit rows `query` selects, newest first. A question about one entity (or
    /// one kind) is also answered by the rows of whole-catalogue writes that created it,
    /// shown as that entity's creation.
    pub async fn audit_page(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>> {
        let mut qb = crate::sql::Statement::new("SELECT * FROM audit WHERE 1 = 1");
        let blank = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let (entity, id) = (blank(&query.entity), blank(&query.entity_id));
        if entity.is_some() || id.is_some() {
            qb.push(" AND ((1 = 1");
            if let Some(entity) = &entity {
                qb.push(" AND entity = ").push_bind(entity.clone());
            }
            if let Some(id) = &id {
                qb.push(" AND entity_id = ").push_bind(id.clone());
            }
            qb.push(") OR (entity = ")
                .push_bind(CREATED_TOGETHER)
                .push(" AND action = 'create'");
            // A first sieve (LIKE also matches elsewhere, and ignores case on SQLite);
            // `created_together` below decides.
            if let Some(entity) = &entity {
                qb.push(" AND after_json LIKE ")
                    .push_bind(contains_pattern(&format!("{}:[", json_text(entity))))
                    .push(" ESCAPE '\\'");
            }
            if let Some(id) = &id {
                qb.push(" AND after_json LIKE ")
                    .push_bind(contains_pattern(&json_text(id)))
                    .push(" ESCAPE '\\'");
            }
            qb.push("))");
        }
        if let Some(actor) = blank(&query.actor) {
            qb.push(" AND actor = ").push_bind(actor);
        }
        if let Some(since) = blank(&query.since) {
            qb.push(" AND at >= ")
                .push_bind(parse_since(&since, OffsetDateTime::now_utc())?);
        }
        if let Some(before) = query.before_id {
            qb.push(" AND id < ").push_bind(before);
        }
        qb.push(" ORDER BY id DESC LIMIT ")
            .push_bind(i64::from(query.limit.min(AuditQuery::MAX_LIMIT)));
        let mut conn = self.pool().acquire().await?;
        let rows: Vec<AuditEntry> = qb.fetch_all(&mut conn).await?;
        Ok(rows
            .into_iter()
            .filter_map(|mut row| {
                if row.entity == CREATED_TOGETHER && row.action == "create" {
                    return created_together(row, entity.as_deref(), id.as_deref());
                }
                row.summary = summarize(row.before.as_deref(), row.after.as_deref());
                Some(row)
            })
            .collect())
    }
}

/// A whole-catalogue write's creations row as the answer to a question about `entity`
/// and `id` (each optional): that entity's creation when one is asked for, else the row
/// with its counts (`after` holds the counts, not the ids: a million ids is a page of
/// 20 MB). None when it created no such entity.
fn created_together(
    mut row: AuditEntry,
    entity: Option<&str>,
    id: Option<&str>,
) -> Option<AuditEntry> {
    let created: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(row.after.as_deref().unwrap_or("{}")).unwrap_or_default();
    let ids = |kind: &str| {
        created
            .get(kind)
            .and_then(serde_json::Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
    };
    if let Some(id) = id {
        // In the document's order: asked about a tenant's id, the tenant answers before
        // its binding (named by the tenant too).
        let kind = ["region", "template", "stamp", "tenant", "binding"]
            .into_iter()
            .filter(|kind| entity.is_none_or(|e| e == *kind))
            .find(|kind| ids(kind).iter().any(|x| x.as_str() == Some(id)))?;
        row.entity = kind.to_owned();
        row.entity_id = id.to_owned();
        row.after = None;
        row.summary = "created".to_owned();
        return Some(row);
    }
    if entity.is_some_and(|e| ids(e).is_empty()) {
        return None;
    }
    let counts: serde_json::Map<String, serde_json::Value> = created
        .iter()
        .map(|(kind, _)| (kind.clone(), ids(kind).len().into()))
        .collect();
    row.summary = format!(
        "created {}",
        counts
            .iter()
            .map(|(kind, n)| format!("{n} {kind}{}", if n == 1 { "" } else { "s" }))
            .collect::<Vec<_>>()
            .join(", ")
    );
    row.after = Some(serde_json::Value::Object(counts).to_string());
    Some(row)
}

/// `value` as JSON writes it (quoted and escaped), as it appears in a creations row.
fn json_text(value: &str) -> String {
    serde_json::Value::from(value).to_string()
}

/// `text` as the stored form of a time (`2026-12-05T14:00:00.000Z`, UTC): a date, an
/// RFC 3339 time, or a span before `now` (`30m`, `12h`, `7d`).
pub fn parse_since(text: &str, now: OffsetDateTime) -> Result<String> {
    let text = text.trim();
    let bad = || {
        CatalogueError::Refused(format!(
            "since {text:?}: not a time; give a date (2026-12-05), a time (2026-12-05T14:00:00Z) \
             or how long ago (30m, 12h, 7d)"
        ))
    };
    let at = if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        t
    } else if let Ok(d) = Date::parse(text, format_description!("[year]-[month]-[day]")) {
        d.midnight().assume_utc()
    } else {
        let (unit_at, _) = text.char_indices().last().ok_or_else(bad)?;
        let (count, unit) = text.split_at(unit_at);
        let count: i64 = count.parse().ok().filter(|n| *n >= 0).ok_or_else(bad)?;
        let span = match unit {
            "m" => Duration::minutes(count),
            "h" => Duration::hours(count),
            "d" => Duration::days(count),
            _ => return Err(bad()),
        };
        now.checked_sub(span).ok_or_else(bad)?
    };
    let utc = at.to_offset(time::UtcOffset::UTC);
    utc.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    ))
    .map_err(|_| bad())
}

/// The longest value a summary shows whole.
const SHOWN_VALUE: usize = 48;

/// What changed from `before` to `after` (JSON objects), in words.
pub(crate) fn summarize(before: Option<&str>, after: Option<&str>) -> String {
    let parse = |s: Option<&str>| s.and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok());
    match (parse(before), parse(after)) {
        (None, Some(_)) => "created".to_owned(),
        (Some(_), None) => "deleted".to_owned(),
        (Some(serde_json::Value::Object(b)), Some(serde_json::Value::Object(a))) => {
            let null = serde_json::Value::Null;
            let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            let changes: Vec<String> = keys
                .into_iter()
                .filter_map(|k| {
                    let (old, new) = (b.get(k).unwrap_or(&null), a.get(k).unwrap_or(&null));
                    (old != new).then(|| format!("{k}: {} -> {}", shown(old), shown(new)))
                })
                .collect();
            if changes.is_empty() {
                "no field changed".to_owned()
            } else {
                changes.join("; ")
            }
        }
        (Some(_), Some(_)) => "changed".to_owned(),
        (None, None) => String::new(),
    }
}

fn shown(value: &serde_json::Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= SHOWN_VALUE {
        return text;
    }
    let cut: String = text.chars().take(SHOWN_VALUE - 1).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::{parse_since, summarize};
    use time::macros::datetime;

    #[test]
    fn since_takes_a_date_a_time_or_how_long_ago_and_refuses_the_rest() {
        let now = datetime!(2026-12-05 14:30:00 UTC);
        let since = |t| parse_since(t, now).map_err(|e| e.to_string());
        assert_eq!(since("2026-12-01").unwrap(), "2026-12-01T00:00:00.000Z");
        assert_eq!(
            since("2026-12-05T16:00:00+02:00").unwrap(),
            "2026-12-05T14:00:00.000Z"
        );
        assert_eq!(since("30m").unwrap(), "2026-12-05T14:00:00.000Z");
        assert_eq!(since("2d").unwrap(), "2026-12-03T14:30:00.000Z");
        for bad in ["yesterday", "5w", "-3h", "h", "2026-13-01", "3é", ""] {
            let e = since(bad).unwrap_err();
            assert!(e.contains(&format!("since {bad:?}: not a time")), "{e}");
        }
    }

    #[test]
    fn a_summary_names_the_fields_that_changed() {
        assert_eq!(summarize(None, Some(r#"{"id":"a"}"#)), "created");
        assert_eq!(summarize(Some(r#"{"id":"a"}"#), None), "deleted");
        assert_eq!(
            summarize(
                Some(r#"{"id":"a","status":"active","units":10}"#),
                Some(r#"{"id":"a","status":"draining","units":10,"note":"x"}"#)
            ),
            r#"note: null -> "x"; status: "active" -> "draining""#
        );
        let long = format!(r#"{{"v":"{}"}}"#, "x".repeat(100));
        assert!(summarize(Some(r#"{"v":"a"}"#), Some(&long)).ends_with('…'));
    }
}
