"""The site of a pattern: its security headers, its runtime config, and the page with everything it loads."""

from __future__ import annotations

import re
import urllib.parse

from verify.checks import Context, expect, expect_status, check, origin

HSTS_MIN_SECONDS = 31536000  # a year: what browsers' preload lists ask
MAX_ASSETS = 60
# <script src>, <link href> (stylesheet, icon), <img src> in the page; static imports in its modules.
HTML_REFS = re.compile(r"""<(?:script|link|img)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"'#]+)["']""", re.I)
JS_IMPORTS = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}/[^"']+)["']""")


@check("site-headers", "the site answers with its security headers and a CSP that lets it call its API and sign-in",
       scope="site")
def site_headers(ctx: Context, site: str) -> str:
    response = ctx.http("GET", site)
    expect_status(response, 200, "the site's page")
    headers = response.headers
    problems = []
    hsts = re.search(r"max-age=(\d+)", headers.get("strict-transport-security", ""))
    if not hsts or int(hsts.group(1)) < HSTS_MIN_SECONDS:
        problems.append(f"Strict-Transport-Security max-age >= {HSTS_MIN_SECONDS} "
                        f"(got {headers.get('strict-transport-security')!r})")
    for name, value in (("x-content-type-options", "nosniff"), ("x-frame-options", "deny")):
        if headers.get(name, "").lower() != value:
            problems.append(f"{name}: {value} (got {headers.get(name)!r})")
    if not headers.get("referrer-policy"):
        problems.append("a Referrer-Policy")
    csp = _directives(headers.get("content-security-policy", ""))
    if csp.get("frame-ancestors") != ["'none'"]:
        problems.append(f"CSP frame-ancestors 'none' (got {csp.get('frame-ancestors')!r})")
    connect = csp.get("connect-src", [])
    for needed in {origin(api.url) for api in ctx.pattern.apis} | {origin(ctx.pattern.sign_in_endpoint)}:
        if needed not in connect:
            problems.append(f"CSP connect-src naming {needed} (got {' '.join(connect) or 'none'})")
    expect(not problems, f"{site} lacks security headers", "; ".join(problems), response,
           actual=", ".join(f"{k}: {v}" for k, v in sorted(headers.items())))
    return "HSTS, nosniff, DENY, Referrer-Policy; the CSP allows its API and sign-in, no framing"


@check("site-config", "the site's config.json names this pattern's API, user pool, app client and sign-in endpoint",
       scope="site")
def site_config(ctx: Context, site: str) -> str:
    response = ctx.http("GET", urllib.parse.urljoin(site, "config.json"))
    config = expect_status(response, 200, "config.json")
    expect(isinstance(config, dict), "config.json is not a JSON object", "a JSON object", response)
    p = ctx.pattern
    auth = config.get("auth") if isinstance(config.get("auth"), dict) else {}
    wanted = {"pattern": (config.get("pattern"), p.name),
              "apiUrl": (str(config.get("apiUrl", "")).rstrip("/"), " or ".join(a.url for a in p.apis)),
              "region": (config.get("region"), ctx.target.region),
              "auth.userPoolId": (auth.get("userPoolId"), p.user_pool_id),
              "auth.clientId": (auth.get("clientId"), p.client_id),
              "auth.endpoint": (auth.get("endpoint"), p.sign_in_endpoint)}
    wrong = [f"{key} = {want}" for key, (got, want) in wanted.items()
             if not (got in [a.url for a in p.apis] if key == "apiUrl" else got == want)]
    expect(not wrong, "config.json names the wrong endpoints", "; ".join(wrong), response)
    return f"API {config['apiUrl']}, sign-in {auth['endpoint']}, pool {auth['userPoolId']}"


@check("site-page", "the page and every script, stylesheet and module it loads are served", scope="site")
def site_page(ctx: Context, site: str) -> str:
    page = ctx.http("GET", site)
    expect_status(page, 200, "the site's page")
    expect("text/html" in page.headers.get("content-type", "") and b"<html" in page.body.lower(),
           "the site's page is not HTML", "Content-Type text/html with an <html> document", page)
    seen: set[str] = set()
    queue = [urllib.parse.urljoin(site, ref) for ref in HTML_REFS.findall(page.body.decode("utf-8", "replace"))]
    while queue and len(seen) < MAX_ASSETS:
        url = queue.pop(0)
        if url in seen or origin(url) != origin(site):
            continue
        seen.add(url)
        asset = ctx.http("GET", url)
        expect_status(asset, 200, f"{urllib.parse.urlparse(url).path} (loaded by the page)")
        kind = asset.headers.get("content-type", "")
        if url.endswith((".js", ".mjs")):
            expect("javascript" in kind, f"{url} is not served as JavaScript (browsers refuse the module)",
                   "Content-Type text/javascript", asset, actual=f"Content-Type {kind!r}")
            queue += [urllib.parse.urljoin(url, ref) for ref in JS_IMPORTS.findall(asset.body.decode("utf-8", "replace"))]
        elif url.endswith(".css"):
            expect("text/css" in kind, f"{url} is not served as CSS", "Content-Type text/css", asset,
                   actual=f"Content-Type {kind!r}")
    expect(bool(seen), "the page loads nothing", "at least the app's script", page)
    return f"the page and {len(seen)} files it loads"


def _directives(csp: str) -> dict[str, list[str]]:
    directives = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives
