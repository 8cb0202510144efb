//! The people who may use the team's workspace (`swimlane serve`), each with a role and an
//! access token. Only the token's sha256 is kept, so the users file gives nobody a way in.

use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::fmt;
use std::str::FromStr;

/// What a user may see: an SE or AE the calls of their own pairs, a manager every call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserRole {
    Se,
    Ae,
    Manager,
}

impl UserRole {
    pub fn as_str(self) -> &'static str {
        match self {
            UserRole::Se => "se",
            UserRole::Ae => "ae",
            UserRole::Manager => "manager",
        }
    }
}

impl fmt::Display for UserRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for UserRole {
    type Err = String;
    fn from_str(s: &str) -> Result<UserRole, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "se" => Ok(UserRole::Se),
            "ae" => Ok(UserRole::Ae),
            "manager" => Ok(UserRole::Manager),
            _ => Err(format!("unknown user role `{s}`: use se, ae or manager")),
        }
    }
}

/// One user, as the users file keeps them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// The name calls show them under (the AE or SE of a pair).
    pub name: String,
    pub role: UserRole,
    /// The sha256 of their token, in hex.
    pub token_sha256: String,
}

impl User {
    /// Whether this user may see a call whose pair is `ae` and `se`: managers see every call,
    /// others the calls where they are the AE or the SE.
    pub fn may_see(&self, ae: Option<&str>, se: Option<&str>) -> bool {
        let is =
            |name: Option<&str>| name.is_some_and(|n| n.trim().eq_ignore_ascii_case(&self.name));
        self.role == UserRole::Manager || is(ae) || is(se)
    }
}

/// The users file's problems.
#[derive(Debug, thiserror::Error)]
pub enum UsersError {
    #[error("{path}:{line}: {message}; fix the line, or move the file aside and add users again")]
    Invalid {
        path: String,
        line: usize,
        message: String,
    },
    #[error("a user named {0} already exists; remove them first or pick another name")]
    Exists(String),
    #[error("the name is empty; give the person's name as calls show it")]
    EmptyName,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct UsersFile {
    #[serde(default, rename = "user")]
    users: Vec<toml::Spanned<User>>,
}

/// Everyone who may sign in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Users {
    users: Vec<User>,
}

const HEADER: &str =
    "# swimlane users, written by `swimlane user add`. Tokens are kept as sha256 hashes.\n\n";

impl Users {
    /// Parses a users file; `name` is used in errors.
    pub fn parse(text: &str, name: &str) -> Result<Users, UsersError> {
        let invalid = |offset: usize, message: String| UsersError::Invalid {
            path: name.to_string(),
            line: text[..offset.min(text.len())].matches('\n').count() + 1,
            message,
        };
        let file: UsersFile = toml::from_str(text).map_err(|e| {
            invalid(
                e.span().map(|s| s.start).unwrap_or(0),
                e.message().trim().replace('\n', " "),
            )
        })?;
        let mut users: Vec<User> = Vec::new();
        for entry in file.users {
            let offset = entry.span().start;
            let user = entry.into_inner();
            let is_hash = user.token_sha256.len() == 64
                && user.token_sha256.bytes().all(|b| b.is_ascii_hexdigit());
            if !is_hash {
                return Err(invalid(
                    offset,
                    format!("{}: token_sha256 is not a sha256 in hex", user.name),
                ));
            }
            if users
                .iter()
                .any(|u| u.name.eq_ignore_ascii_case(&user.name))
            {
                return Err(invalid(offset, format!("{} is listed twice", user.name)));
            }
            users.push(user);
        }
        Ok(Users { users })
    }

    /// The file's text.
    pub fn to_toml(&self) -> String {
        #[derive(Serialize)]
        struct Out<'a> {
            user: &'a [User],
        }
        let body = toml::to_string(&Out { user: &self.users }).expect("users always serialise");
        format!("{HEADER}{body}")
    }

    pub fn all(&self) -> &[User] {
        &self.users
    }

    /// Adds a user and returns their new token, which is shown once and never stored.
    pub fn add(&mut self, name: &str, role: UserRole) -> Result<String, UsersError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(UsersError::EmptyName);
        }
        if self.find(name).is_some() {
            return Err(UsersError::Exists(name.to_string()));
        }
        let token = new_token();
        self.users.push(User {
            name: name.to_string(),
            role,
            token_sha256: token_hash(&token),
        });
        Ok(token)
    }

    /// Gives a user a new token, so the old one stops working; `None` for an unknown name.
    pub fn renew(&mut self, name: &str) -> Option<String> {
        let token = new_token();
        let hash = token_hash(&token);
        let user = self
            .users
            .iter_mut()
            .find(|u| u.name.eq_ignore_ascii_case(name.trim()))?;
        user.token_sha256 = hash;
        Some(token)
    }

    /// Removes a user; false when there is none of that name.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.users.len();
        self.users
            .retain(|u| !u.name.eq_ignore_ascii_case(name.trim()));
        self.users.len() != before
    }

    fn find(&self, name: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.name.eq_ignore_ascii_case(name))
    }

    /// The user a token belongs to.
    pub fn authenticate(&self, token: &str) -> Option<&User> {
        let hash = token_hash(token.trim());
        self.users.iter().find(|u| u.token_sha256 == hash)
    }
}

/// A new random token: `swl_` and 40 hex digits (160 bits from the operating system).
fn new_token() -> String {
    format!("swl_{}", random_hex())
}

/// A new random browser-session secret: `sws_` and 40 hex digits, made like a token.
pub fn new_session_secret() -> String {
    format!("sws_{}", random_hex())
}

/// 160 bits from the operating system, in hex.
fn random_hex() -> String {
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
    hex(&bytes)
}

/// The sha256 of a token, in hex.
pub fn token_hash(token: &str) -> String {
    hex(&sha2::Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_users_sign_in_with_their_token_only_and_survive_the_file() {
        let mut users = Users::default();
        let dana = users.add("Dana Ruiz", UserRole::Ae).unwrap();
        let boss = users.add("Morgan Lee", UserRole::Manager).unwrap();
        assert!(dana.starts_with("swl_") && dana.len() == 44, "{dana}");
        assert_ne!(dana, boss);
        let text = users.to_toml();
        assert!(!text.contains(&dana), "the token itself is never written");
        let back = Users::parse(&text, "users.toml").unwrap();
        assert_eq!(back, users);
        assert_eq!(back.authenticate(&dana).unwrap().name, "Dana Ruiz");
        assert_eq!(back.authenticate(&boss).unwrap().role, UserRole::Manager);
        assert!(back.authenticate("swl_0000").is_none());
        assert!(back.authenticate("").is_none());
    }

    #[test]
    fn names_are_unique_and_renewing_retires_the_old_token() {
        let mut users = Users::default();
        let old = users.add("Sam Patel", UserRole::Se).unwrap();
        assert!(matches!(
            users.add("sam patel", UserRole::Ae),
            Err(UsersError::Exists(_))
        ));
        assert!(matches!(
            users.add("  ", UserRole::Ae),
            Err(UsersError::EmptyName)
        ));
        let new = users.renew("Sam Patel").unwrap();
        assert!(users.authenticate(&old).is_none());
        assert!(users.authenticate(&new).is_some());
        assert!(users.remove("SAM PATEL"));
        assert!(!users.remove("Sam Patel"));
        assert!(users.renew("Sam Patel").is_none());
    }

    #[test]
    fn pair_members_see_their_calls_and_managers_see_all() {
        let user = |role| User {
            name: "Sam Patel".into(),
            role,
            token_sha256: String::new(),
        };
        assert!(user(UserRole::Se).may_see(Some("Dana Ruiz"), Some("sam patel")));
        assert!(user(UserRole::Ae).may_see(Some("Sam Patel"), None));
        assert!(!user(UserRole::Se).may_see(Some("Dana Ruiz"), Some("Sam Peters")));
        assert!(!user(UserRole::Se).may_see(None, None));
        assert!(user(UserRole::Manager).may_see(None, None));
    }

    #[test]
    fn a_bad_users_file_names_the_line() {
        let text = "[[user]]\nname = \"A\"\nrole = \"se\"\ntoken_sha256 = \"00\"\n\n[[user]]\nname = \"B\"\nrole = \"boss\"\n";
        let err = Users::parse(text, "users.toml").unwrap_err().to_string();
        assert!(err.starts_with("users.toml:"), "{err}");
        let unknown = "[[user]]\nname = \"A\"\nrole = \"se\"\ncolour = \"red\"\n";
        let err = Users::parse(unknown, "users.toml").unwrap_err().to_string();
        assert!(err.starts_with("users.toml:4: "), "{err}");
    }
}
