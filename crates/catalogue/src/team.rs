//! Who may do what on a team catalogue. The roles are the server's own grants, so they
//! hold for every program that connects (the window, stampctl, psql): a reader's login
//! may only SELECT; an operator's may also INSERT, UPDATE and DELETE rows; an admin is
//! a member of the role that owns the catalogue's tables (it created them), so it may
//! migrate the schema and grant roles. The audit log names the login.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::write::write_audit_row;
use crate::{Backend, Catalogue, CatalogueError};

/// What an operator may do on a team catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum TeamRole {
    /// Reads everything; changes nothing.
    Reader,
    /// Reads and changes the fleet: stamps, tenants, moves, plans.
    Operator,
    /// An operator who also grants roles and upgrades the schema.
    Admin,
}

impl TeamRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reader => "reader",
            Self::Operator => "operator",
            Self::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Reader, Self::Operator, Self::Admin]
            .into_iter()
            .find(|r| r.as_str() == text)
    }
}

/// A login that may open the team catalogue, and its role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TeamMember {
    pub login: String,
    pub role: TeamRole,
}

/// `login`'s role, from its privileges on the catalogue's tables (as SQL, `login` bound
/// or `current_user`).
fn role_of(login: &str) -> String {
    format!(
        "CASE WHEN pg_has_role({login}, (SELECT tableowner FROM pg_tables \
         WHERE schemaname = current_schema() AND tablename = 'bindings'), 'USAGE') THEN 'admin' \
         WHEN has_table_privilege({login}, 'bindings', 'UPDATE') THEN 'operator' ELSE 'reader' END"
    )
}

/// A login name as the server takes it, quoted; refused unless it is a plain name.
fn quoted_login(login: &str) -> Result<String> {
    let plain = !login.is_empty()
        && login.len() <= 63
        && login.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && login
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !plain {
        return Err(CatalogueError::Refused(format!(
            "login {login:?}: give a PostgreSQL role name of lower-case letters, digits and _ \
             (at most 63)"
        )));
    }
    Ok(format!("\"{login}\""))
}

impl Catalogue {
    fn require_team(&self) -> Result<()> {
        match self.backend() {
            Backend::Postgres => Ok(()),
            Backend::Sqlite => Err(CatalogueError::Refused(
                "roles belong to a team catalogue (postgres://...); a catalogue file is its \
                 owner's alone"
                    .to_owned(),
            )),
        }
    }

    /// This connection's role on a team catalogue; none on a file (its owner does all).
    pub async fn my_role(&self) -> Result<Option<TeamRole>> {
        if self.backend() != Backend::Postgres {
            return Ok(None);
        }
        let (role,): (String,) = sqlx::query_as(&format!("SELECT {}", role_of("current_user")))
            .fetch_one(self.pool())
            .await?;
        Ok(TeamRole::parse(&role))
    }

    /// Every login that may open the team catalogue, with its role, by name.
    pub async fn team_members(&self) -> Result<Vec<TeamMember>> {
        self.require_team()?;
        let rows: Vec<(String, String)> = sqlx::query_as(&format!(
            "SELECT rolname::text, {} FROM pg_roles \
             WHERE rolcanlogin AND has_table_privilege(rolname, 'bindings', 'SELECT') \
             ORDER BY rolname COLLATE \"C\"",
            role_of("rolname")
        ))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(login, role)| {
                Some(TeamMember {
                    login,
                    role: TeamRole::parse(&role)?,
                })
            })
            .collect())
    }

    /// Gives the server login `login` the role `role` on this team catalogue (replacing
    /// the one it had), with an audit row. Only an admin may: the server refuses others.
    pub async fn grant_role(&self, login: &str, role: TeamRole, via: &str) -> Result<()> {
        self.require_team()?;
        let who = quoted_login(login)?;
        let mut tx = self.write_tx().await?;
        let known: Vec<(String,)> =
            sqlx::query_as("SELECT rolname::text FROM pg_roles WHERE rolname = $1 AND rolcanlogin")
                .bind(login)
                .fetch_all(&mut *tx)
                .await?;
        if known.is_empty() {
            return Err(CatalogueError::Refused(format!(
                "the server has no login {login}: create it first (CREATE ROLE {login} LOGIN PASSWORD '...')"
            )));
        }
        let (schema, owner, before, had_any): (String, String, String, bool) =
            sqlx::query_as(&format!(
                "SELECT current_schema()::text, tableowner::text, {}, \
             has_table_privilege($1, 'bindings', 'SELECT') FROM pg_tables \
             WHERE schemaname = current_schema() AND tablename = 'bindings'",
                role_of("$1")
            ))
            .bind(login)
            .fetch_one(&mut *tx)
            .await?;
        let (schema, owner) = (format!("\"{schema}\""), format!("\"{owner}\""));
        let mut statements = vec![
            format!("REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {who}"),
            format!("REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {who}"),
            format!("ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} REVOKE ALL ON TABLES FROM {who}"),
            format!("ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} REVOKE ALL ON SEQUENCES FROM {who}"),
            format!("GRANT USAGE ON SCHEMA {schema} TO {who}"),
            format!("GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {who}"),
            // Tables a later migration adds are granted alike.
            format!("ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} GRANT SELECT ON TABLES TO {who}"),
        ];
        let member: Vec<(i64,)> = sqlx::query_as(
            "SELECT 1::bigint FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid \
             JOIN pg_roles u ON u.oid = m.member WHERE g.rolname = $1 AND u.rolname = $2",
        )
        .bind(owner.trim_matches('"'))
        .bind(login)
        .fetch_all(&mut *tx)
        .await?;
        if !member.is_empty() && role != TeamRole::Admin {
            statements.push(format!("REVOKE {owner} FROM {who}"));
        }
        if role != TeamRole::Reader {
            statements.extend([
                format!("GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {who}"),
                format!("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {who}"),
                format!("ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} GRANT INSERT, UPDATE, DELETE ON TABLES TO {who}"),
                format!("ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {who}"),
            ]);
        }
        if role == TeamRole::Admin && member.is_empty() && owner.trim_matches('"') != login {
            statements.push(format!("GRANT {owner} TO {who}"));
        }
        for statement in statements {
            sqlx::query(&statement).execute(&mut *tx).await?;
        }
        let before = had_any.then(|| TeamMember {
            login: login.to_owned(),
            role: TeamRole::parse(&before).unwrap_or(TeamRole::Reader),
        });
        let after = TeamMember {
            login: login.to_owned(),
            role,
        };
        write_audit_row(
            &mut tx,
            via,
            "grant",
            "team-member",
            login,
            before.as_ref(),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// An operator's own stamp token, as the catalogue knows it: by its SHA-256 only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct OperatorToken {
    pub login: String,
    pub token_sha256: String,
    pub registered_at: String,
}

impl Catalogue {
    /// Records the SHA-256 of this login's own stamp token (replacing the one before).
    pub async fn register_operator_token(&self, token_sha256: &str) -> Result<()> {
        self.require_team()?;
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO operator_tokens (login, token_sha256, registered_at) VALUES ($1, $2, $3) \
             ON CONFLICT (login) DO UPDATE SET token_sha256 = excluded.token_sha256, \
             registered_at = excluded.registered_at",
        )
        .bind(self.operator())
        .bind(token_sha256)
        .bind(crate::sql::now_text())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forgets `login`'s token (an admin revoking it); false when there was none.
    pub async fn remove_operator_token(&self, login: &str) -> Result<bool> {
        self.require_team()?;
        let _turn = self.write_turn().await?;
        let done = sqlx::query("DELETE FROM operator_tokens WHERE login = $1")
            .bind(login)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Every registered operator token (hashes), by login.
    pub async fn operator_tokens(&self) -> Result<Vec<OperatorToken>> {
        Ok(sqlx::query_as(
            "SELECT login, token_sha256, registered_at FROM operator_tokens ORDER BY login",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Writes the audit row of an enrollment change on `stamp` (`action`: enroll or
    /// revoke), naming the operators it holds afterwards.
    pub async fn record_enrollment(
        &self,
        stamp: &str,
        action: &str,
        operators: &[String],
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        write_audit_row(
            &mut tx,
            "team",
            action,
            "stamp-operators",
            stamp,
            None::<&Vec<String>>,
            Some(&operators.to_vec()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
