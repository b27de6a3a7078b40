//! A fund's notification settings: where webhook and e-mail alerts go.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// Most e-mail recipients per fund.
pub const MAX_RECIPIENTS: usize = 20;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationSettings {
    /// Slack-compatible incoming-webhook URL (http or https).
    pub webhook_url: Option<String>,
    /// Key of the HMAC-SHA256 signature sent with every webhook.
    pub webhook_secret: Option<String>,
    pub email_to: Vec<String>,
}

impl NotificationSettings {
    /// Trims blanks to `None` and checks every field; errors name it (`email_to[1]`).
    pub fn validated(mut self) -> Result<Self, DomainError> {
        self.webhook_url = self.webhook_url.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        self.webhook_secret = self.webhook_secret.filter(|s| !s.is_empty());
        if let Some(url) = &self.webhook_url {
            let host = self.webhook_host().unwrap_or("");
            if host.is_empty() || url.len() > 2_000 || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(DomainError::invalid("webhook_url", "must be an http:// or https:// URL"));
            }
        }
        if let Some(secret) = &self.webhook_secret {
            if secret.len() < 16 || secret.len() > 200 {
                return Err(DomainError::invalid("webhook_secret", "must be 16 to 200 characters"));
            }
        }
        if self.webhook_url.is_some() && self.webhook_secret.is_none() {
            return Err(DomainError::invalid("webhook_secret", "is required with a webhook_url (signs every request)"));
        }
        if self.email_to.len() > MAX_RECIPIENTS {
            return Err(DomainError::invalid("email_to", format!("at most {MAX_RECIPIENTS} recipients")));
        }
        for (i, addr) in self.email_to.iter_mut().enumerate() {
            *addr = addr.trim().to_string();
            if !plausible_address(addr) {
                return Err(DomainError::invalid(format!("email_to[{i}]"), format!("{addr:?} is not an e-mail address")));
            }
        }
        Ok(self)
    }

    /// The webhook URL's host (and port), without any user name or password: what may be shown
    /// or logged, since the rest of such a URL is often a credential. `None` without a webhook or
    /// when the URL is not http(s).
    pub fn webhook_host(&self) -> Option<&str> {
        let url = self.webhook_url.as_deref()?;
        let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        Some(authority.rsplit('@').next().unwrap_or(""))
    }
}

/// local@domain with no spaces, one @, a dotted or localhost domain; the mailer checks the rest.
fn plausible_address(a: &str) -> bool {
    let Some((local, domain)) = a.split_once('@') else { return false };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && a.len() <= 254
        && !a.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"'))
        && (domain.contains('.') || domain == "localhost")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(url: Option<&str>, secret: Option<&str>, to: &[&str]) -> Result<NotificationSettings, DomainError> {
        NotificationSettings {
            webhook_url: url.map(str::to_string),
            webhook_secret: secret.map(str::to_string),
            email_to: to.iter().map(|t| t.to_string()).collect(),
        }
        .validated()
    }

    #[test]
    fn bad_settings_name_the_field() {
        assert_eq!(s(Some("ftp://x"), Some("0123456789abcdef"), &[]).unwrap_err().field(), "webhook_url");
        assert_eq!(s(Some("http://127.0.0.1:9/hook"), None, &[]).unwrap_err().field(), "webhook_secret");
        assert_eq!(s(None, Some("short"), &[]).unwrap_err().field(), "webhook_secret");
        assert_eq!(s(None, None, &["a@b.co", "nope"]).unwrap_err().field(), "email_to[1]");
        assert!(s(Some(" http://127.0.0.1:9/hook "), Some("0123456789abcdef"), &[" ops@fund.example "]).is_ok());
        assert_eq!(s(Some("  "), None, &[]).unwrap(), NotificationSettings::default());
    }

    #[test]
    fn the_webhook_host_leaves_out_credentials_and_the_path() {
        let host = |url: &str| NotificationSettings { webhook_url: Some(url.into()), ..Default::default() }.webhook_host().map(str::to_string);
        assert_eq!(host("https://hooks.slack.com/services/T000/B000/XXXX"), Some("hooks.slack.com".into()));
        assert_eq!(host("http://bot:hunter2@chat.example:8443?token=1"), Some("chat.example:8443".into()));
        assert_eq!(host("ftp://x"), None);
        assert!(s(Some("http://user@/hook"), Some("0123456789abcdef"), &[]).is_err());
    }
}
