//! Who is at the keyboard: the operator every audit row names. Taken from
//! `STAMPFLEET_OPERATOR`, else the OS user at this host (`alice@laptop`); a name that
//! cannot be an operator's is refused with what is wrong, never replaced silently.

use crate::error::{CatalogueError, Result};

/// The variable that names the operator.
pub const OPERATOR_VARIABLE: &str = "STAMPFLEET_OPERATOR";

const MAX_LEN: usize = 100;

/// The operator named by the environment: `STAMPFLEET_OPERATOR` when set, else
/// `$USER@host` (`$LOGNAME` when `USER` is not set).
pub fn operator_from_environment() -> Result<String> {
    if let Some(name) = std::env::var_os(OPERATOR_VARIABLE) {
        let name = name.into_string().map_err(|_| {
            CatalogueError::Refused(format!("{OPERATOR_VARIABLE} is not valid UTF-8"))
        })?;
        return check_operator(&name).map_err(|why| {
            CatalogueError::Refused(format!("{OPERATOR_VARIABLE}={name:?}: {why}"))
        });
    }
    let user = ["USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.trim().is_empty()))
        .or_else(user_of_this_process)
        .ok_or_else(|| {
            CatalogueError::Refused(format!(
                "no operator name: set {OPERATOR_VARIABLE} (USER and LOGNAME are not set, and \
                 this process's user has no name in /etc/passwd)"
            ))
        })?;
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_default();
    let name = if host.is_empty() {
        user
    } else {
        format!("{user}@{host}")
    };
    check_operator(&name).map_err(|why| {
        CatalogueError::Refused(format!(
            "the OS user {name:?} cannot name the operator ({why}); set {OPERATOR_VARIABLE}"
        ))
    })
}

/// The name /etc/passwd gives this process's user (the owner of /proc/self).
fn user_of_this_process() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid().to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        (fields.nth(1)? == uid && !name.is_empty()).then(|| name.to_owned())
    })
}

/// `name` trimmed, if it can name an operator: 1 to 100 characters, no control characters.
pub fn check_operator(name: &str) -> std::result::Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("it is empty".to_owned());
    }
    if name.chars().count() > MAX_LEN {
        return Err(format!("it is longer than {MAX_LEN} characters"));
    }
    if name.chars().any(char::is_control) {
        return Err("it holds a control character".to_owned());
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::check_operator;

    #[test]
    fn an_operator_name_is_trimmed_and_bad_ones_say_why() {
        assert_eq!(
            check_operator("  alice@laptop "),
            Ok("alice@laptop".to_owned())
        );
        assert_eq!(check_operator("   "), Err("it is empty".to_owned()));
        assert_eq!(
            check_operator("a\nb"),
            Err("it holds a control character".to_owned())
        );
        assert!(check_operator(&"x".repeat(101))
            .unwrap_err()
            .contains("100"));
    }
}
