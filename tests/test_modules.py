"""Reading modules: catalogue, lenses, completion, glossary and search, on the fixture course."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from learning import config, create_app
from learning.content import ContentError
from learning.extensions import db
from learning.models import ModuleProgress, Role

from .conftest import FIXTURE_COURSE, PASSWORD


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_catalogue_groups_modules_by_topic(client):
    page = text(client.get("/modules"))
    assert page.index("Roles and responsibilities") < page.index("Hospital discharge</h2>")
    assert "2 minutes" in page and "0.5 CPD hours" in page


def test_the_catalogue_filters_by_profession(client):
    page = text(client.get("/modules?profession=housing"))
    assert "Hospital discharge" in page  # written for housing among others
    assert "Roles and values" in page  # written for all
    assert "Safeguarding adults" not in text(client.get("/modules?profession=pharmacy"))


def test_a_learner_sees_their_status_in_the_catalogue(client, make_user, login):
    login(make_user())
    client.get("/modules/roles-and-values")
    client.post("/modules/hospital-discharge/complete")
    page = text(client.get("/modules"))
    assert re.search(r"Completed on \d{1,2} \w+ \d{4}", page)
    assert "In progress" in page and "Not started" in page


def test_a_nurse_sees_her_own_callout_open_and_labelled(client, make_user, login):
    login(make_user(profession="nursing"))
    page = text(client.get("/modules/roles-and-values"))
    nursing = page.split('data-profession="nursing"')[1].split("</details>")[0]
    social = page.split('data-profession="social-work"')[1].split("</details>")[0]
    assert " open>" in nursing and "Your profession" in nursing
    assert " open>" not in social and "Your profession" not in social


def test_a_nurse_switches_the_lens_to_read_what_social_workers_are_told(client, make_user, login):
    login(make_user(profession="nursing"))
    page = text(client.get("/modules/roles-and-values?lens=social-work"))
    social = page.split('data-profession="social-work"')[1].split("</details>")[0]
    nursing = page.split('data-profession="nursing"')[1].split("</details>")[0]
    assert " open>" in social and "Reading as Social work" in social
    assert " open>" not in nursing


def test_an_unknown_lens_is_ignored(client):
    page = text(client.get("/modules/roles-and-values?lens=<script>"))
    assert "<script>" not in page
    assert "callout--yours" not in page


def test_the_module_page_shows_outcomes_references_and_review_dates(client):
    page = text(client.get("/modules/roles-and-values"))
    assert "Name the professions in a typical discharge team" in page
    assert "Care and support statutory guidance" in page
    assert "next review due 15 January 2027" in page


def test_glossary_terms_link_to_the_glossary(client):
    page = text(client.get("/modules/hospital-discharge"))
    assert 'href="/glossary#discharge-to-assess"' in page
    assert "HRA has more than one meaning" in page


def test_an_unknown_module_is_not_found(client):
    assert client.get("/modules/no-such-module").status_code == 404
    assert client.post("/modules/no-such-module/complete").status_code in (302, 404)


def test_a_module_page_request_does_not_render_markdown(client, make_user, login, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("Markdown rendered during a request")

    monkeypatch.setattr("learning.content.render.render_body", refuse)
    login(make_user())
    for path in ("/modules/roles-and-values", "/modules/hospital-discharge?lens=housing"):
        assert client.get(path).status_code == 200


def test_completing_a_module_records_the_version_once(app, client, make_user, login):
    user = make_user()
    login(user)
    assert client.post("/modules/hospital-discharge/complete").status_code == 302
    with app.app_context():
        row = db.session.get(ModuleProgress, (user.id, "hospital-discharge"))
        first = row.completed_at
        version = app.extensions["curriculum"].modules.get("hospital-discharge").version
        assert row.completed_version == version
    client.post("/modules/hospital-discharge/complete")
    with app.app_context():
        assert db.session.get(ModuleProgress, (user.id, "hospital-discharge")).completed_at == first
        count = db.session.execute(sa.select(sa.func.count()).select_from(ModuleProgress)).scalar()
        assert count == 1


def test_a_completion_survives_a_content_change_and_says_so(app, client, make_user, login):
    user = make_user()
    login(user)
    client.post("/modules/hospital-discharge/complete")
    assert "updated since you completed it" not in text(client.get("/modules/hospital-discharge"))
    with app.app_context():
        row = db.session.get(ModuleProgress, (user.id, "hospital-discharge"))
        row.completed_version = "0" * 64  # as if the file changed after completion
        db.session.commit()
    page = text(client.get("/modules/hospital-discharge"))
    assert "updated since you completed it" in page
    assert "You completed this module on" in page


def test_a_quiz_completed_module_cannot_be_marked_as_read(client, make_user, login):
    login(make_user())
    page = text(client.get("/modules/safeguarding-adults"))
    assert "completed by passing its scenario" in page and "/quizzes/safeguarding-basics" in page
    assert client.post("/modules/safeguarding-adults/complete").status_code == 404


def test_anyone_can_read_but_only_learners_record_progress(client):
    page = text(client.get("/modules/hospital-discharge"))
    assert "to record that you have read this module" in page
    response = client.post("/modules/hospital-discharge/complete")
    assert response.location.startswith("/sign-in")


def test_the_dashboard_shows_progress_and_the_next_module(client, make_user, login):
    login(make_user(profession="housing"))
    page = text(client.get("/dashboard"))
    assert "0 of 3" in page and "Next:" in page
    client.post("/modules/roles-and-values/complete")
    client.get("/modules/hospital-discharge")
    page = text(client.get("/dashboard"))
    assert "1 of 3" in page and "started 1 more" in page
    assert re.search(r"Next: <a href=\"/modules/hospital-discharge\">", page)


def test_the_glossary_lists_terms_with_anchors_and_filters_by_sector(client):
    page = text(client.get("/glossary"))
    assert 'id="discharge-to-assess"' in page and 'id="care-act"' in page
    assert "<strong>HRA</strong> can mean" in page
    housing = text(client.get("/glossary?sector=housing"))
    assert 'id="homelessness-reduction-act"' in housing
    assert 'id="discharge-to-assess"' not in housing
    assert 'id="safeguarding"' in housing  # used in all sectors
    assert "6 terms" in text(client.get("/glossary?sector=nonsense"))


def test_the_glossary_shows_what_a_term_means_to_each_profession(client, make_user, login):
    login(make_user(profession="occupational-therapy"))
    page = text(client.get("/glossary"))
    assert "To occupational therapists (your profession):" in page


def test_search_ranks_title_matches_first(client):
    page = text(client.get("/search?q=discharge"))
    titles = re.findall(r'class="result__title"><a href="([^"]+)"', page)
    assert titles[0] == "/modules/hospital-discharge"
    assert titles[-1] == "/modules/roles-and-values"
    assert "<mark>" in page


@pytest.mark.parametrize(
    "query", ["", "   ", "%%%", "<script>alert(1)</script>", "x" * 5000, "é£∂ƒ", "'; drop table"]
)
def test_odd_searches_get_a_helpful_page(client, query):
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    page = text(response)
    assert "<script>alert(1)</script>" not in page
    assert "Type a word or phrase" in page or "Nothing matched" in page or "result" in page


@pytest.fixture
def broken_course(tmp_path: Path) -> Path:
    """The fixture course and one more module, whose front matter has a mistake."""
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    (root / "modules" / "broken.md").write_text("---\ntitle: Broken\nbogus: 1\n---\nBody\n")
    return root


def test_a_started_site_with_one_broken_file_serves_the_rest_and_lists_the_problem(
    app, broken_course, make_user, caplog
):
    site = create_app({**app.config, "CONTENT_ROOT": broken_course, "STRICT_CONTENT": False})
    assert "modules/broken.md:3: unknown front matter key" in caplog.text  # logged at start-up
    client = site.test_client()
    catalogue = text(client.get("/modules"))
    assert "Hospital discharge" in catalogue and "Broken" not in catalogue
    assert client.get("/modules/roles-and-values").status_code == 200
    assert client.get("/modules/broken").status_code == 404

    admin = make_user(Role.ADMIN)
    client.post("/sign-in", data={"email": admin.email, "password": PASSWORD})
    page = text(client.get("/admin/content"))
    assert "Content (1 left out)" in text(client.get("/admin/"))
    assert "<h2>modules/broken.md</h2>" in page
    assert "<code>modules/broken.md:3: unknown front matter key &#34;bogus&#34;" in page.replace(
        "&quot;", "&#34;"
    )
    assert "modules/broken.md:4: the front matter is missing &#34;summary&#34;" in page.replace(
        "&quot;", "&#34;"
    )


def test_strict_content_refuses_to_start_naming_every_problem(broken_course):
    with pytest.raises(ContentError) as caught:
        create_app(
            {
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "SECRET_KEY": "x",
                "CONTENT_ROOT": broken_course,
                "STRICT_CONTENT": True,
            }
        )
    assert "modules/broken.md:3:" in str(caught.value)


def test_strict_content_is_read_from_the_environment(tmp_path: Path):
    assert config.from_environ({"STRICT_CONTENT": "1"}, tmp_path)["STRICT_CONTENT"] is True
    assert "STRICT_CONTENT" not in config.from_environ({}, tmp_path)
    assert config.DEFAULTS["STRICT_CONTENT"] is False


def test_reading_a_module_again_after_a_month_records_a_refresher(app, client, make_user, login):
    from datetime import timedelta

    from freezegun import freeze_time

    from learning.models import Completion

    user = make_user()
    with freeze_time("2026-01-10") as clock:
        login(user)  # signed sessions are dated: sign in at the frozen time
        client.post("/modules/hospital-discharge/complete")
        client.post("/modules/hospital-discharge/complete")  # a double click
        assert "Mark as read again" not in text(client.get("/modules/hospital-discharge"))
        clock.tick(timedelta(days=31))
        login(user)  # a month later: a new session
        assert "Mark as read again" in text(client.get("/modules/hospital-discharge"))
        client.post("/modules/hospital-discharge/complete")
    with app.app_context():
        dates = sorted(
            c.completed_at.date().isoformat()
            for c in db.session.execute(sa.select(Completion)).scalars()
        )
        assert dates == ["2026-01-10", "2026-02-10"]
        first = db.session.get(ModuleProgress, (user.id, "hospital-discharge")).completed_at
        assert first.date().isoformat() == "2026-01-10"  # the first completion never changes
