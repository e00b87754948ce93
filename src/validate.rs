//! `hooktest validate`: everything tsuru would refuse, everything that would fail at send time,
//! and everything that is probably a mistake, as `file:line:col: severity: message`.

use url::Url;

use crate::diagnostic::Diagnostic;
use crate::hook::closest;
use crate::project::{HookEntry, Project};
use crate::template::tera::TeraSet;
use crate::template::{go::GoBody, Body, TemplateError};

/// tsuru's target types (TSURU.md §2), including the older ones.
pub const TARGET_TYPES: &[&str] = &[
    "global",
    "app",
    "job",
    "node",
    "container",
    "pool",
    "service",
    "service-instance",
    "team",
    "user",
    "role",
    "platform",
    "plan",
    "node-container",
    "install-host",
    "event-block",
    "cluster",
    "volume",
    "webhook",
    "gc",
    "router",
    "iaas",
    "service-broker",
];

/// tsuru's kind types.
pub const KIND_TYPES: &[&str] = &["permission", "internal"];

/// Internal kind names tsuru emits.
pub const INTERNAL_KINDS: &[&str] = &[
    "healer",
    "bootstrap deploy",
    "version gc",
    "gc",
    "node-container",
    "router-sync",
    "app-sync",
    "rebuild-routes",
    "migrate",
];

/// Permission kind names of tsuru's events (the leaves; every dot-prefix is valid too).
pub const PERMISSION_KINDS: &[&str] = &[
    "app.create",
    "app.delete",
    "app.deploy",
    "app.deploy.rollback",
    "app.deploy.rollback.update",
    "app.deploy.rebuild",
    "app.build",
    "app.run",
    "app.admin.routes",
    "app.admin.quota",
    "app.update.description",
    "app.update.teamowner",
    "app.update.platform",
    "app.update.plan",
    "app.update.plan-override",
    "app.update.pool",
    "app.update.tags",
    "app.update.metadata",
    "app.update.env.set",
    "app.update.env.unset",
    "app.update.restart",
    "app.update.start",
    "app.update.stop",
    "app.update.sleep",
    "app.update.swap",
    "app.update.cname.add",
    "app.update.cname.remove",
    "app.update.bind",
    "app.update.unbind",
    "app.update.bind-volume",
    "app.update.unbind-volume",
    "app.update.units.add",
    "app.update.units.remove",
    "app.update.units.autoscale.add",
    "app.update.units.autoscale.remove",
    "app.update.grant",
    "app.update.revoke",
    "app.update.router.add",
    "app.update.router.update",
    "app.update.router.remove",
    "app.update.certificate.set",
    "app.update.certificate.unset",
    "app.update.log",
    "app.update.image-reset",
    "app.update.deploy.rollback",
    "app.update.process",
    "job.create",
    "job.delete",
    "job.update",
    "job.run",
    "job.trigger",
    "node.create",
    "node.update",
    "node.delete",
    "node.update.movecontainers",
    "node.update.movecontainer",
    "node.update.rebalance",
    "node.autoscale.update",
    "pool.create",
    "pool.update",
    "pool.update.team.add",
    "pool.update.team.remove",
    "pool.update.constraints.set",
    "pool.delete",
    "service.create",
    "service.update",
    "service.delete",
    "service.update.doc",
    "service.update.grant-access",
    "service.update.revoke-access",
    "service-instance.create",
    "service-instance.update",
    "service-instance.update.bind",
    "service-instance.update.unbind",
    "service-instance.update.grant",
    "service-instance.update.revoke",
    "service-instance.delete",
    "team.create",
    "team.update",
    "team.delete",
    "user.create",
    "user.delete",
    "user.update.password",
    "user.update.reset",
    "user.update.key.add",
    "user.update.key.remove",
    "user.update.token",
    "user.update.quota",
    "user.update.roles",
    "role.create",
    "role.delete",
    "role.update",
    "role.update.assign",
    "role.update.dissociate",
    "role.update.permission.add",
    "role.update.permission.remove",
    "role.update.context.add",
    "role.default.create",
    "role.default.delete",
    "platform.create",
    "platform.update",
    "platform.delete",
    "plan.create",
    "plan.delete",
    "install.host.create",
    "install.host.delete",
    "event-block.add",
    "event-block.remove",
    "cluster.create",
    "cluster.update",
    "cluster.delete",
    "volume.create",
    "volume.update",
    "volume.delete",
    "volume.update.bind",
    "volume.update.unbind",
    "webhook.create",
    "webhook.update",
    "webhook.delete",
    "router.create",
    "router.update",
    "router.delete",
    "node-container.create",
    "node-container.update",
    "node-container.delete",
    "certissuer.set",
];

/// Whether tsuru knows `name` as a kind name (a permission name or one of its dot-prefixes, or
/// an internal kind).
pub fn is_known_kind(name: &str) -> bool {
    INTERNAL_KINDS.contains(&name)
        || PERMISSION_KINDS.iter().any(|k| {
            *k == name
                || k.strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
}

/// Every kind name tsuru knows, prefixes included (for suggestions).
pub fn known_kinds() -> Vec<String> {
    let mut all: Vec<String> = INTERNAL_KINDS.iter().map(|s| s.to_string()).collect();
    for k in PERMISSION_KINDS {
        all.extend(k.match_indices('.').map(|(i, _)| k[..i].to_string()));
        all.push(k.to_string());
    }
    all.sort();
    all.dedup();
    all
}

/// Whether `name` is a name tsuru accepts: `^[a-z][a-z0-9-]{0,39}$`.
pub fn is_valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 40
        && bytes[0].is_ascii_lowercase()
        && bytes[1..]
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

/// Parses a proxy URL as tsuru does: no scheme means `http://`.
pub fn parse_proxy(text: &str) -> Result<Url, String> {
    let full = if text.contains("://") {
        text.to_string()
    } else {
        format!("http://{text}")
    };
    let url = Url::parse(&full).map_err(|e| format!("proxy_url {text:?} does not parse: {e}"))?;
    if !matches!(url.scheme(), "http" | "https" | "socks5" | "socks5h") {
        return Err(format!(
            "proxy_url {text:?} has scheme `{}`: use http://, https:// or socks5://",
            url.scheme()
        ));
    }
    Ok(url)
}

/// Go's `url.Parse` refuses control characters ("net/url: invalid control character in URL"),
/// which the WHATWG parser used here would silently strip: a trailing newline from a YAML `|`
/// block, a tab pasted with the URL.
fn control_character(url: &str) -> Option<&'static str> {
    url.bytes().any(|b| b < b' ' || b == 0x7f).then_some(
        "has a control character (a newline or tab?), which tsuru's Go URL parser refuses: remove it",
    )
}

/// Checks the whole project; diagnostics in file order, loading problems first.
pub fn validate(project: &Project) -> Vec<Diagnostic> {
    let mut out = project.diagnostics.clone();
    let mut teras = TeraSet::default();
    for entry in &project.hooks {
        check_hook(entry, &mut teras, &mut out);
    }
    out.extend(crate::contract::load_contracts(&project.root).1);
    out.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    out.dedup();
    out
}

fn check_hook(entry: &HookEntry, teras: &mut TeraSet, out: &mut Vec<Diagnostic>) {
    let hook = &entry.hook;
    let err = |key: &str, m: String| {
        let (l, c) = entry.at(key);
        Diagnostic::error(&entry.file, l, c, m)
    };
    let warn = |key: &str, m: String| {
        let (l, c) = entry.at(key);
        Diagnostic::warning(&entry.file, l, c, m)
    };
    if !is_valid_name(&hook.name) {
        out.push(err("name", if hook.name.is_empty() {
            "hook has no `name`: tsuru requires one matching ^[a-z][a-z0-9-]{0,39}$".to_string()
        } else {
            format!(
                "hook name `{}` is not valid for tsuru: it must match ^[a-z][a-z0-9-]{{0,39}}$ (lowercase letters, digits and dashes, starting with a letter, at most 40 characters)",
                hook.name
            )
        }));
    }
    let name = &hook.name;
    if hook.url.is_empty() {
        out.push(err(
            "url",
            format!("hook `{name}` has no `url`: tsuru requires one"),
        ));
    } else if let Some(e) = control_character(&hook.url) {
        out.push(err("url", format!("hook `{name}`: url {:?} {e}", hook.url)));
    } else {
        match Url::parse(&hook.url) {
            Err(e) => out.push(err("url", format!("hook `{name}`: url {:?} does not parse: {e}", hook.url))),
            Ok(u) if !matches!(u.scheme(), "http" | "https") => out.push(err(
                "url",
                format!(
                "hook `{name}`: url {:?} has scheme `{}`; tsuru can only send to http:// or https:// URLs",
                hook.url,
                u.scheme()
            ))),
            Ok(_) => {}
        }
    }
    if let Some(e) = control_character(&hook.proxy_url) {
        out.push(err(
            "proxy_url",
            format!("hook `{name}`: proxy_url {:?} {e}", hook.proxy_url),
        ));
    } else if !hook.proxy_url.is_empty() {
        if let Err(e) = parse_proxy(&hook.proxy_url) {
            out.push(err("proxy_url", format!("hook `{name}`: {e}")));
        }
    }
    if let Some(p) = crate::request::method_problem(&hook.method) {
        out.push(err("method", format!("hook `{name}`: {p}")));
    }
    for (header, values) in &hook.headers {
        // An empty list still sends nothing, but a bad name is worth knowing about.
        let problems = values
            .iter()
            .filter_map(|v| crate::request::header_problem(header, v))
            .chain(
                values
                    .is_empty()
                    .then(|| crate::request::header_problem(header, ""))
                    .flatten(),
            );
        for p in problems {
            out.push(err("headers", format!("hook `{name}`: {p}")));
        }
    }
    let f = &hook.event_filter;
    if f.error_only && f.success_only {
        out.push(warn(
            "event_filter.error_only",
            format!(
            "hook `{name}` sets both error_only and success_only, so it never fires: remove one"
        ),
        ));
    }
    for t in &f.target_types {
        if !TARGET_TYPES.contains(&t.as_str()) {
            let hint = closest(t, TARGET_TYPES.iter().copied())
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_default();
            out.push(warn(
                "event_filter.target_types",
                format!("hook `{name}`: tsuru has no target type `{t}`{hint}"),
            ));
        }
    }
    for t in &f.kind_types {
        if !KIND_TYPES.contains(&t.as_str()) {
            let hint = closest(t, KIND_TYPES.iter().copied())
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_default();
            out.push(warn(
                "event_filter.kind_types",
                format!(
                "hook `{name}`: tsuru has no kind type `{t}` (only permission and internal){hint}"
            ),
            ));
        }
    }
    for k in &f.kind_names {
        if !is_known_kind(k) {
            // The full list (prefixes included) is only built for a name that needs a suggestion.
            let kinds = known_kinds();
            let hint = closest(k, kinds.iter().map(String::as_str))
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_default();
            out.push(warn(
                "event_filter.kind_names",
                format!("hook `{name}`: `{k}` is not a kind name tsuru emits{hint}"),
            ));
        }
    }
    let body_diag = |e: &TemplateError, sev_error: bool, what: &str| {
        let (bl, bc) = entry.body_position(e.line, e.column);
        let pos = e.position();
        let pos = if pos.is_empty() {
            String::new()
        } else {
            format!(" at {pos}")
        };
        let msg = format!("hook `{name}`: {what}{pos}: {}", e.message);
        if sev_error {
            Diagnostic::error(&entry.file, bl, bc, msg)
        } else {
            Diagnostic::warning(&entry.file, bl, bc, msg)
        }
    };
    match Body::compile(hook, entry.engine, true, teras) {
        Ok(Body::Go(body)) => check_go(&body, name, entry, out),
        Ok(_) => {}
        Err(e) if entry.engine == crate::hook::Engine::Go => out.push(body_diag(
            &e,
            true,
            "body does not parse as a Go template (tsuru would send the raw text)",
        )),
        Err(e) => out.push(body_diag(&e, true, "the tera body does not compile")),
    }
}

fn check_go(body: &GoBody, name: &str, entry: &HookEntry, out: &mut Vec<Diagnostic>) {
    for c in body.check() {
        let (line, column) = entry.body_position(Some(c.line), Some(c.column));
        out.push(Diagnostic::error(
            &entry.file,
            line,
            column,
            format!(
                "hook `{name}`: at body line {}, column {}: {}",
                c.line, c.column, c.message
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_tsuru_pattern() {
        assert!(is_valid_name("a"));
        assert!(is_valid_name("deploy-notifier-2"));
        assert!(!is_valid_name("Deploy"));
        assert!(!is_valid_name("1abc"));
        assert!(!is_valid_name(""));
        assert!(!is_valid_name(&"a".repeat(41)));
        assert!(is_valid_name(&"a".repeat(40)));
    }

    #[test]
    fn kinds_accept_prefixes_only_on_dots() {
        assert!(is_known_kind("app"));
        assert!(is_known_kind("app.update"));
        assert!(is_known_kind("app.update.env.set"));
        assert!(is_known_kind("healer"));
        assert!(!is_known_kind("app.dep"));
        assert!(!is_known_kind("app.deplyo"));
    }

    #[test]
    fn proxies_default_to_http() {
        assert_eq!(parse_proxy("squid:3128").unwrap().scheme(), "http");
        assert!(parse_proxy("socks5://x:1").is_ok());
        assert!(parse_proxy("ftp://x").is_err());
    }
}
