"""Security headers on every response: every route of the access matrix, for every audience.

Nothing may be stored (``no-store``) except the static files and the reading pages as someone
not signed in gets them, which are the same for everyone (tests/test_caching.py).
"""

from __future__ import annotations

import pytest

from . import test_access
from .test_access import ANON, AUDIENCES, MATRIX

audience_client = test_access.audience_client  # the access matrix's people and their things

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
#: The pages a shared cache may keep, when no one is signed in.
FOR_EVERYONE = {"modules.index", "modules.module", "modules.glossary", "modules.search"}
PUBLIC = "public, max-age=60, s-maxage=600"


def assert_secure_headers(response, cache_control: str = "no-store") -> None:
    assert response.headers.get("Cache-Control") == cache_control
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # not without SECURE_COOKIES


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize(
    ("endpoint", "method", "path", "expected"), MATRIX, ids=[row[0] for row in MATRIX]
)
def test_every_route_sends_the_security_headers(
    audience_client, audience, endpoint, method, path, expected
):
    client, ids = audience_client(audience)
    data = {"roles": [], "organisation": ids["org"]} if method == "POST" else None
    response = client.open(path.format(**ids), method=method, data=data)
    assert response.status_code == expected[audience]
    shared = audience == ANON and endpoint in FOR_EVERYONE
    assert_secure_headers(response, PUBLIC if shared else "no-store")
    if shared:
        assert "Set-Cookie" not in response.headers


def test_error_pages_and_refused_hosts_send_them_too(client):
    assert_secure_headers(client.get("/no-such-page"))
    assert_secure_headers(client.get("/", headers={"Host": "attacker.example"}))


def test_static_files_may_be_cached_but_keep_the_other_headers(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_is_sent_when_cookies_are_secure(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    response = client.get("/")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
