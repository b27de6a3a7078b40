//! Security headers on every answer (pages, static files, REST, server functions), added outside
//! the page cache so cached pages carry them too. The reasons are in `docs/security.md`.
//!
//! The Content-Security-Policy of a page allows scripts from this origin, WebAssembly compilation
//! (`'wasm-unsafe-eval'`, which the islands' bundle needs) and, by SHA-256 hash, exactly the
//! inline `<script>` elements the page carries (Leptos' hydration loader, serialised island
//! data): the hashes are computed from the page itself, so no `'unsafe-inline'` for scripts and
//! no nonce in the policy (the page cache would replay it). A page render passes its Leptos
//! nonce in [`SCRIPT_NONCE`] (`router::page_handler`): then only the scripts carrying that nonce,
//! which Leptos writes and an injected script cannot guess, are hashed, and they are found with
//! one substring search instead of a read of every tag. Other HTML answers are tokenized.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::set_header::SetResponseHeaderLayer;

/// Pages larger than this are sent without reading them for hashes (and with a CSP that allows no
/// inline script); no page of the app comes near it.
const MAX_HTML: usize = 16 * 1024 * 1024;

/// The response header by which a page render hands its Leptos nonce to the CSP; removed before
/// the answer leaves (by the page cache or [`per_answer`]).
pub const SCRIPT_NONCE: HeaderName = HeaderName::from_static("x-fundlens-script-nonce");

/// What every page may load, before the inline-script hashes are added to `script-src`.
const PAGE_POLICY: &str = "default-src 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; \
     connect-src 'self'; img-src 'self' data:; style-src 'self'; font-src 'self'; worker-src 'none'; manifest-src 'self'";

/// Non-HTML answers (JSON, CSV, static assets) run nothing.
const DATA_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Adds the headers to `router`: the fixed ones with `SetResponseHeaderLayer` (kept when a
/// handler set its own), the per-answer ones (CSP, caching, referrer policy of share pages) with
/// [`per_answer`]. HSTS only when `hsts` (COOKIE_SECURE=true, i.e. served over HTTPS).
pub fn apply<S: Clone + Send + Sync + 'static>(router: Router<S>, hsts: bool) -> Router<S> {
    let router = router
        .layer(axum::middleware::from_fn(per_answer))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ));
    if hsts {
        router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ))
    } else {
        router
    }
}

/// What kind of URL answered, for its caching and referrer rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `/share/{token}`: the secret is in the URL.
    Share,
    /// A fund's pages and the REST API: a fund's data, for one user.
    Private,
    Other,
}

fn kind(path: &str) -> Kind {
    if path.starts_with("/share/") {
        Kind::Share
    } else if path.starts_with("/funds/") || path.starts_with("/api/") || path == "/" || path == "/account" || path.starts_with("/sfn/") {
        Kind::Private
    } else {
        Kind::Other
    }
}

async fn per_answer(req: Request, next: Next) -> Response {
    let kind = kind(req.uri().path());
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    match kind {
        Kind::Share => {
            // The token must not leak to other sites through Referer, nor stay in shared caches.
            headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        Kind::Private => {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
        }
        Kind::Other => {}
    }
    let nonce = response.headers_mut().remove(SCRIPT_NONCE);
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        response.headers_mut().entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(DATA_POLICY));
        return response;
    }
    // The page cache stores a page's policy with it (computed by [`html_policy`] when the page
    // was rendered): a cache hit is not read again.
    if response.headers().contains_key(header::CONTENT_SECURITY_POLICY) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match to_bytes(body, MAX_HTML).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "page body failed while adding its CSP");
            return Response::builder().status(StatusCode::INTERNAL_SERVER_ERROR).body(Body::empty()).unwrap_or_default();
        }
    };
    parts.headers.insert(header::CONTENT_SECURITY_POLICY, html_policy(&bytes, nonce.as_ref()));
    Response::from_parts(parts, Body::from(bytes))
}

/// The CSP header of an HTML page's bytes ([`page_policy`]; no inline script is allowed when the
/// page is not UTF-8 or the policy is not a valid header). `nonce`: the render's [`SCRIPT_NONCE`].
pub fn html_policy(bytes: &[u8], nonce: Option<&HeaderValue>) -> HeaderValue {
    let nonce = nonce.and_then(|n| n.to_str().ok()).filter(|n| !n.is_empty());
    match std::str::from_utf8(bytes) {
        Ok(html) => {
            let scripts = match nonce {
                Some(nonce) => scripts_with_nonce(html, nonce),
                None => inline_scripts(html),
            };
            HeaderValue::from_str(&policy_for(&scripts)).unwrap_or(HeaderValue::from_static(DATA_POLICY))
        }
        Err(_) => HeaderValue::from_static(DATA_POLICY),
    }
}

/// The page's CSP: `PAGE_POLICY` plus `script-src 'self' 'wasm-unsafe-eval'` and the hash of each
/// inline script in `html`.
pub fn page_policy(html: &str) -> String {
    policy_for(&inline_scripts(html))
}

/// `PAGE_POLICY` with a `script-src` allowing exactly `scripts` inline.
fn policy_for(scripts: &[&str]) -> String {
    let mut hashes: Vec<String> = scripts
        .iter()
        .map(|s| format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()))))
        .collect();
    hashes.sort();
    hashes.dedup();
    let mut script_src = String::from("script-src 'self' 'wasm-unsafe-eval'");
    for h in hashes {
        script_src.push(' ');
        script_src.push_str(&h);
    }
    format!("{PAGE_POLICY}; {script_src}")
}

/// The text of every inline `<script …>` whose start tag carries `nonce="{nonce}"`, as Leptos
/// writes it. A start tag is recognised by the `<script` before the attribute with no `>` between;
/// the nonce (random per render, base64url) holds no quote or `>`.
fn scripts_with_nonce<'a>(html: &'a str, nonce: &str) -> Vec<&'a str> {
    let bytes = html.as_bytes();
    let needle = format!("nonce=\"{nonce}\"");
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = memchr::memmem::find(&bytes[from..], needle.as_bytes()).map(|p| from + p) {
        from = at + needle.len();
        let Some(tag_start) = memchr::memrchr(b'<', &bytes[..at]) else { continue };
        let is_script_tag = bytes.len() - tag_start > 8
            && bytes[tag_start..tag_start + 7].eq_ignore_ascii_case(b"<script")
            && bytes[tag_start + 7].is_ascii_whitespace();
        if !is_script_tag || memchr::memchr(b'>', &bytes[tag_start..at]).is_some() {
            continue;
        }
        let Some(tag_end) = memchr::memchr(b'>', &bytes[from..]).map(|p| from + p) else { break };
        if attribute_names(&html[tag_start + 7..tag_end]).iter().any(|a| a.eq_ignore_ascii_case("src")) {
            continue;
        }
        let close = find_closing_script(bytes, tag_end + 1);
        if close > tag_end + 1 {
            found.push(&html[tag_end + 1..close]);
        }
        from = close;
    }
    found
}

/// The text of every `<script>` element without a `src` attribute (what the browser hashes).
///
/// A small tokenizer rather than a substring search: `<script` inside a quoted attribute value or
/// a comment is not a script, and must not get a hash (text nodes have `<` escaped already). It
/// jumps between the bytes that matter (`<`, quotes, `>`) with `memchr`: it reads every page
/// that misses the page cache, and a byte-at-a-time scan was a seventh of such a render.
fn inline_scripts(html: &str) -> Vec<&str> {
    let bytes = html.as_bytes();
    let end = bytes.len();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(lt) = memchr::memchr(b'<', &bytes[i..]).map(|p| i + p) {
        i = lt + 1;
        if bytes[i..].starts_with(b"!--") {
            i = memchr::memmem::find(&bytes[i..], b"-->").map_or(end, |p| i + p + 3);
            continue;
        }
        let name_end = bytes[i..].iter().position(|b| !b.is_ascii_alphanumeric()).map_or(end, |p| i + p);
        if name_end == i {
            // `</…>`, `<!…>`, `<?…>`: skip to the end of the markup.
            i = memchr::memchr(b'>', &bytes[i..]).map_or(end, |p| i + p + 1);
            continue;
        }
        // Attributes, honouring quotes, up to the closing `>`.
        let attrs_start = name_end;
        let mut j = name_end;
        while let Some(p) = memchr::memchr3(b'"', b'\'', b'>', &bytes[j..]) {
            j += p;
            let quote = bytes[j];
            if quote == b'>' {
                break;
            }
            j = memchr::memchr(quote, &bytes[j + 1..]).map_or(end, |p| j + 1 + p + 1);
            if j >= end {
                break;
            }
        }
        if !bytes[j.min(end)..].starts_with(b">") {
            j = end;
        }
        if html[i..name_end].eq_ignore_ascii_case("script") {
            let has_src = attribute_names(&html[attrs_start..j]).iter().any(|a| a.eq_ignore_ascii_case("src"));
            let content_start = (j + 1).min(end);
            let close = find_closing_script(bytes, content_start);
            if !has_src && close > content_start {
                found.push(&html[content_start..close]);
            }
            i = close;
        } else {
            i = (j + 1).min(end);
        }
    }
    found
}

/// Where the `</script` (any case) after `from` starts, or the end of the page. Compares in place:
/// lower-casing the rest of the page for each script made every answer cost a copy of the page
/// per inline script.
fn find_closing_script(bytes: &[u8], from: usize) -> usize {
    const CLOSE: &[u8] = b"</script";
    let mut i = from;
    while let Some(p) = memchr::memchr(b'<', &bytes[i..]) {
        i += p;
        if bytes.len() - i >= CLOSE.len() && bytes[i..i + CLOSE.len()].eq_ignore_ascii_case(CLOSE) {
            return i;
        }
        i += 1;
    }
    bytes.len()
}

/// The attribute names in a start tag's attribute text (values skipped).
fn attribute_names(attrs: &str) -> Vec<&str> {
    let b = attrs.as_bytes();
    let mut names = Vec::new();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'/' {
            i += 1;
        }
        if i > start {
            names.push(&attrs[start..i]);
        }
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                i += 1;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
                i += 1;
            } else {
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
            }
        } else if i == start {
            i += 1;
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_allowed_by_their_hash_only() {
        let html = r#"<html><head><script type="module" nonce="">import('/pkg/x.js')</script><script src="/pkg/y.js"></script></head>
            <body><SCRIPT>window.a=1</SCRIPT></body></html>"#;
        assert_eq!(inline_scripts(html), vec!["import('/pkg/x.js')", "window.a=1"]);
        let tricky = r#"<input value="<script>alert(1)</script>"><!-- <script>alert(2)</script> --><p data-src="x">&lt;script&gt;</p><script data-src="1">ok()</script>"#;
        assert_eq!(inline_scripts(tricky), vec!["ok()"], "only real script elements");
        assert_eq!(inline_scripts("<SCRIPT>a<b</SCRIPT><script>c</Script >"), vec!["a<b", "c"], "closing tags in any case");
        let policy = page_policy(html);
        let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"window.a=1"));
        assert!(policy.contains(&format!("'sha256-{expected}'")), "{policy}");
        assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"));
        assert!(!policy.contains("unsafe-inline"));
    }

    #[test]
    fn with_the_nonce_only_scripts_carrying_it_are_allowed() {
        let html = r#"<html><head><script type="module" nonce="Ab-9_x">boot()</script><script nonce="Ab-9_x" src="/pkg/y.js"></script></head>
            <body><p title='nonce="Ab-9_x">'>x</p><script>injected()</script><script nonce="other">guessed()</script><scripty nonce="Ab-9_x">no()</scripty><SCRIPT NONCE="Ab-9_x">data=1</SCRIPT></body></html>"#;
        assert_eq!(scripts_with_nonce(html, "Ab-9_x"), vec!["boot()"], "attribute names are matched as Leptos writes them");
        let lower = html.replace("NONCE", "nonce");
        assert_eq!(scripts_with_nonce(&lower, "Ab-9_x"), vec!["boot()", "data=1"]);
        let nonce = HeaderValue::from_static("Ab-9_x");
        let policy = html_policy(lower.as_bytes(), Some(&nonce));
        let hash = |s: &str| base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()));
        let policy = policy.to_str().unwrap();
        assert!(policy.contains(&hash("boot()")) && policy.contains(&hash("data=1")), "{policy}");
        assert!(!policy.contains(&hash("injected()")) && !policy.contains(&hash("guessed()")) && !policy.contains(&hash("no()")), "{policy}");
        // Without a nonce every inline script of the page is found, as before.
        let all = html_policy(lower.as_bytes(), None);
        assert!(all.to_str().unwrap().contains(&hash("injected()")));
    }

    #[test]
    fn urls_are_sorted_into_kinds() {
        assert_eq!(kind("/share/abc"), Kind::Share);
        assert_eq!(kind("/funds/1/overview"), Kind::Private);
        assert_eq!(kind("/api/funds"), Kind::Private);
        assert_eq!(kind("/pkg/fundlens.css"), Kind::Other);
        assert_eq!(kind("/login"), Kind::Other);
    }

    /// The tokenizer as it was before it used `memchr`, one byte at a time: the reference the
    /// fast one must agree with on any input.
    fn byte_at_a_time(html: &str) -> Vec<&str> {
        let bytes = html.as_bytes();
        let mut found = Vec::new();
        let mut i = 0;
        while let Some(lt) = html[i..].find('<').map(|p| i + p) {
            i = lt + 1;
            if html[i..].starts_with("!--") {
                i = html[i..].find("-->").map_or(bytes.len(), |p| i + p + 3);
                continue;
            }
            let name_end = html[i..].find(|c: char| !c.is_ascii_alphanumeric()).map_or(bytes.len(), |p| i + p);
            let name = &html[i..name_end];
            if name.is_empty() {
                // `</…>`, `<!…>`, `<?…>`: skip to the end of the markup.
                i = html[i..].find('>').map_or(bytes.len(), |p| i + p + 1);
                continue;
            }
            // Attributes, honouring quotes, up to the closing `>`.
            let mut j = name_end;
            let mut quote: Option<u8> = None;
            let mut has_src = false;
            let attrs_start = j;
            while j < bytes.len() {
                let b = bytes[j];
                match quote {
                    Some(q) if b == q => quote = None,
                    Some(_) => {}
                    None if b == b'"' || b == b'\'' => quote = Some(b),
                    None if b == b'>' => break,
                    None => {}
                }
                j += 1;
            }
            if name.eq_ignore_ascii_case("script") {
                has_src |= attribute_names(&html[attrs_start..j.min(bytes.len())]).iter().any(|a| a.eq_ignore_ascii_case("src"));
                let content_start = (j + 1).min(bytes.len());
                let close = closing_byte_at_a_time(bytes, content_start);
                if !has_src && close > content_start {
                    found.push(&html[content_start..close]);
                }
                i = close;
            } else {
                i = (j + 1).min(bytes.len());
            }
        }
        found
    }

    fn closing_byte_at_a_time(bytes: &[u8], from: usize) -> usize {
        const CLOSE: &[u8] = b"</script";
        let mut i = from;
        while i + CLOSE.len() <= bytes.len() {
            match bytes[i..].iter().position(|&b| b == b'<') {
                Some(p) => i += p,
                None => return bytes.len(),
            }
            if i + CLOSE.len() <= bytes.len() && bytes[i..i + CLOSE.len()].eq_ignore_ascii_case(CLOSE) {
                return i;
            }
            i += 1;
        }
        bytes.len()
    }

    proptest::proptest! {
        #[test]
        fn the_fast_scan_finds_what_the_byte_scan_finds(parts in proptest::collection::vec(proptest::prop_oneof![
            proptest::strategy::Just("<script>".to_string()),
            proptest::strategy::Just("<SCRIPT src=x>".to_string()),
            proptest::strategy::Just("</script>".to_string()),
            proptest::strategy::Just("</ScRiPt".to_string()),
            proptest::strategy::Just("<!--".to_string()),
            proptest::strategy::Just("-->".to_string()),
            proptest::strategy::Just("<a title=\"".to_string()),
            proptest::strategy::Just("'".to_string()),
            proptest::strategy::Just("\"".to_string()),
            proptest::strategy::Just(">".to_string()),
            proptest::strategy::Just("<".to_string()),
            proptest::strategy::Just("<!x>".to_string()),
            "[a-z <>=/\"'é]{0,12}",
        ], 0..40)) {
            let html = parts.concat();
            proptest::prop_assert_eq!(inline_scripts(&html), byte_at_a_time(&html));
        }
    }

}
