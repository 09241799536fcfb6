"""The reading pages, as someone not signed in gets them, are the same for everyone: they set
no cookie, a shared cache may keep them, and a reader whose copy is current gets a 304.
Signed-in pages are never stored and never answered from that cache (issue #18)."""

from __future__ import annotations

import dataclasses

import pytest

from learning.curriculum import curriculum
from learning.quizzes import QuizCatalogue

READING_PAGES = ["/modules", "/modules/hospital-discharge", "/glossary", "/search?q=discharge"]


@pytest.fixture
def csrf_on(app, monkeypatch):
    """CSRF protection as in production (the suite turns it off): a form's token would set a
    cookie."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def etag(response) -> str:
    value = response.headers["ETag"]
    assert value.startswith('"') and value.endswith('"'), value
    return value


@pytest.mark.parametrize("path", READING_PAGES)
def test_an_anonymous_reader_gets_a_page_a_shared_cache_may_keep(client, csrf_on, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "public, max-age=60, s-maxage=600"
    assert "Cookie" in response.vary
    assert etag(response)
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


@pytest.mark.parametrize("path", READING_PAGES)
def test_an_anonymous_reader_whose_copy_is_current_gets_a_304(client, csrf_on, path):
    first = client.get(path)
    again = client.get(path, headers={"If-None-Match": etag(first)})
    assert again.status_code == 304
    assert again.data == b""
    assert "Set-Cookie" not in again.headers
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == "public, max-age=60, s-maxage=600"
    assert "Cookie" in again.vary
    assert again.headers["X-Frame-Options"] == "DENY"


def test_a_reader_with_an_old_copy_gets_the_whole_page(client):
    response = client.get("/modules/hospital-discharge", headers={"If-None-Match": '"old"'})
    assert response.status_code == 200
    assert "Hospital discharge" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("/search?q=discharge", "/search?q=safeguarding"),
        ("/modules/hospital-discharge", "/modules/hospital-discharge?lens=housing"),
        ("/glossary", "/glossary?sector=housing"),
        ("/modules", "/modules?profession=housing"),
    ],
)
def test_the_etag_changes_with_what_the_address_asks_for(client, one, other):
    assert etag(client.get(one)) != etag(client.get(other))


def test_an_odd_parameter_the_page_ignores_gives_the_same_etag(client):
    assert etag(client.get("/search?q=discharge")) == etag(client.get("/search?q=+discharge+"))


def test_the_etag_changes_when_the_content_changes(app, client, monkeypatch):
    before = client.get("/modules/hospital-discharge")
    with app.app_context():
        current = curriculum()
    fewer_scenarios = QuizCatalogue(tuple(q for q in current.quizzes if q.slug != "discharge-case"))
    edited = dataclasses.replace(current, quizzes=fewer_scenarios)
    monkeypatch.setitem(app.extensions, "curriculum", edited)
    after = client.get("/modules/hospital-discharge", headers={"If-None-Match": etag(before)})
    assert after.status_code == 200
    assert etag(after) != etag(before)


def test_the_content_version_follows_every_file(app):
    with app.app_context():
        current = curriculum()
    module = current.modules.modules[0]
    edited_module = dataclasses.replace(
        current,
        modules=dataclasses.replace(
            current.modules,
            modules=(dataclasses.replace(module, version="edited"), *current.modules.modules[1:]),
        ),
    )
    edited_glossary = dataclasses.replace(
        current,
        modules=dataclasses.replace(
            current.modules, glossary=dataclasses.replace(current.glossary, version="edited")
        ),
    )
    versions = {current.version, edited_module.version, edited_glossary.version}
    assert len(versions) == 3


@pytest.mark.parametrize(
    ("setting", "value"), [("SITE_NAME", "Learning Apart"), ("CODE_VERSION", "next release")]
)
def test_the_etag_changes_with_the_site_name_and_the_code(app, client, monkeypatch, setting, value):
    before = etag(client.get("/glossary"))
    monkeypatch.setitem(app.config, setting, value)
    after = client.get("/glossary", headers={"If-None-Match": before})
    assert after.status_code == 200
    assert etag(after) != before


@pytest.mark.parametrize("path", READING_PAGES)
def test_a_signed_in_reader_is_never_served_the_shared_page(client, make_user, login, path):
    anonymous_etag = etag(client.get(path))
    login(make_user(profession="nursing"))
    response = client.get(path, headers={"If-None-Match": anonymous_etag})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers
    assert "Cookie" in response.vary


def test_a_signed_in_reader_gets_their_own_module_page(app, client, make_user, login):
    anonymous = client.get("/modules/hospital-discharge").get_data(as_text=True)
    assert "(your profession)" not in anonymous
    assert "Mark as complete" not in anonymous
    login(make_user(profession="nursing"))
    page = client.get("/modules/hospital-discharge").get_data(as_text=True)
    assert "(your profession)" in page
    assert "Mark as complete" in page


def test_an_anonymous_reader_with_a_notice_gets_it_and_the_page_is_not_stored(client):
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "You are signed out.")]
    response = client.get("/glossary")
    assert "You are signed out." in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers
    again = client.get("/glossary")
    assert again.headers["Cache-Control"] == "public, max-age=60, s-maxage=600"


def test_a_csrf_token_from_another_page_does_not_stop_the_page_being_shared(client, csrf_on):
    assert "Set-Cookie" in client.get("/sign-in").headers  # the sign-in form's token
    # Flask-Login marks a session it finds without a sign-in as not fresh: that one response
    # sets a cookie, so the security headers refuse to let it be shared; the next is shared.
    first = client.get("/modules/hospital-discharge")
    assert "Set-Cookie" in first.headers
    assert first.headers["Cache-Control"] == "no-store"
    assert "ETag" not in first.headers
    response = client.get("/modules/hospital-discharge")
    assert response.headers["Cache-Control"] == "public, max-age=60, s-maxage=600"
    assert "Set-Cookie" not in response.headers


def test_other_anonymous_pages_are_still_not_stored(client):
    for path in ["/", "/sign-in", "/modules/no-such-module", "/search?q=%00"]:
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store", path
        assert "ETag" not in response.headers, path
