//! Share-link tokens: `<link id>.<expiry, unix seconds>.<HMAC-SHA256 of both, hex>`, signed with a
//! secret the server processes share. The id finds the link (and its revocation); the signature
//! proves the server issued exactly this id and expiry.

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use uuid::Uuid;

/// The `server_secrets` row that signs share links.
pub const SECRET_NAME: &str = "share_links";

#[derive(Debug, Clone, PartialEq)]
pub enum ShareTokenError {
    Malformed,
    BadSignature,
    Expired(DateTime<Utc>),
}

pub fn sign(secret: &[u8], link_id: Uuid, expires_at: DateTime<Utc>) -> String {
    let body = format!("{}.{}", link_id.simple(), expires_at.timestamp());
    format!("{body}.{}", hex::encode(mac(secret, &body).finalize().into_bytes()))
}

/// The link id of a well-formed, correctly signed, unexpired token.
pub fn verify(secret: &[u8], token: &str, now: DateTime<Utc>) -> Result<Uuid, ShareTokenError> {
    let mut parts = token.split('.');
    let (Some(id), Some(expiry), Some(signature), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(ShareTokenError::Malformed);
    };
    let link_id = Uuid::try_parse(id).map_err(|_| ShareTokenError::Malformed)?;
    let expires: i64 = expiry.parse().map_err(|_| ShareTokenError::Malformed)?;
    let signature = hex::decode(signature).map_err(|_| ShareTokenError::Malformed)?;
    mac(secret, &format!("{id}.{expiry}")).verify_slice(&signature).map_err(|_| ShareTokenError::BadSignature)?;
    let expires_at = DateTime::from_timestamp(expires, 0).ok_or(ShareTokenError::Malformed)?;
    if expires_at <= now {
        return Err(ShareTokenError::Expired(expires_at));
    }
    Ok(link_id)
}

/// `verify` with each of `secrets` (the current key first, then retired ones): the first that
/// verifies wins; an expired or malformed token is reported as such.
pub fn verify_any(secrets: &[Vec<u8>], token: &str, now: DateTime<Utc>) -> Result<Uuid, ShareTokenError> {
    let mut outcome = Err(ShareTokenError::BadSignature);
    for secret in secrets {
        match verify(secret, token, now) {
            Err(ShareTokenError::BadSignature) => continue,
            other => {
                outcome = other;
                break;
            }
        }
    }
    outcome
}

fn mac(secret: &[u8], body: &str) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(body.as_bytes());
    mac
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn a_signed_token_verifies_until_it_expires() {
        let (secret, id, now) = (b"k".repeat(32), Uuid::new_v4(), Utc::now());
        let token = sign(&secret, id, now + Duration::days(30));
        assert_eq!(verify(&secret, &token, now), Ok(id));
        assert!(matches!(verify(&secret, &token, now + Duration::days(31)), Err(ShareTokenError::Expired(_))));
    }

    #[test]
    fn a_token_signed_with_a_retired_key_verifies_while_that_key_is_kept() {
        let (old, new, id, now) = (b"o".repeat(32), b"n".repeat(32), Uuid::new_v4(), Utc::now());
        let token = sign(&old, id, now + Duration::days(30));
        assert_eq!(verify_any(&[new.clone(), old.clone()], &token, now), Ok(id));
        assert_eq!(verify_any(&[new.clone()], &token, now), Err(ShareTokenError::BadSignature));
        assert!(matches!(verify_any(&[new, old], &token, now + Duration::days(31)), Err(ShareTokenError::Expired(_))));
    }

    #[test]
    fn tampering_with_any_part_breaks_the_signature() {
        let (secret, id, now) = (b"k".repeat(32), Uuid::new_v4(), Utc::now());
        let token = sign(&secret, id, now + Duration::days(30));
        let later = sign(&secret, id, now + Duration::days(300));
        let (body, _) = token.rsplit_once('.').unwrap();
        let (_, later_sig) = later.rsplit_once('.').unwrap();
        let extended = format!("{}.{}.{}", id.simple(), (now + Duration::days(300)).timestamp(), token.rsplit_once('.').unwrap().1);
        assert_eq!(verify(&secret, &extended, now), Err(ShareTokenError::BadSignature));
        assert_eq!(verify(&secret, &format!("{body}.{later_sig}"), now), Err(ShareTokenError::BadSignature));
        assert_eq!(verify(b"another secret", &token, now), Err(ShareTokenError::BadSignature));
        assert_eq!(verify(&secret, "nonsense", now), Err(ShareTokenError::Malformed));
    }
}
