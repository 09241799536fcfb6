"""A housing officer finds a module by search, reads it, switches lens, looks up a term and
marks the module complete."""

from __future__ import annotations

from learning.extensions import db
from learning.models import ModuleProgress

from ..conftest import PASSWORD


def test_a_housing_officer_reads_a_module_through_two_lenses(journey, app, make_user):
    user = make_user(profession="housing", name="Marcus Campbell")
    page = journey.page
    journey.sign_in(user.email, PASSWORD)

    page.fill("#site-search-q", "discharge")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    journey.assert_accessible()
    with page.expect_navigation():
        page.click("main .result__title >> text=Hospital discharge")
    journey.assert_accessible()
    assert journey.path() == "/modules/hospital-discharge"

    own = page.locator("details[data-profession=housing]")
    assert own.get_attribute("open") is not None
    assert "Your profession" in own.inner_text()
    other = page.locator("details[data-profession=occupational-therapy]")
    assert other.get_attribute("open") is None
    other.locator("summary").click()  # collapsed callouts open on demand
    assert other.get_attribute("open") is not None

    page.select_option("#lens", "occupational-therapy")
    with page.expect_navigation():
        page.click("main button:text-is('Switch')")
    journey.assert_accessible()
    assert "lens=occupational-therapy" in page.url
    assert "Reading as Occupational therapy" in page.inner_text(
        "details[data-profession=occupational-therapy]"
    )

    page.click("a.glossary-term[href='/glossary#discharge-to-assess']")
    page.wait_for_url("**/glossary#discharge-to-assess")
    journey.assert_accessible()
    assert page.url.endswith("/glossary#discharge-to-assess")
    assert "Leaving hospital as soon as you are medically fit" in page.inner_text(
        "#discharge-to-assess"
    )

    page.go_back()
    journey.assert_accessible()
    with page.expect_navigation():
        page.click("text=Mark as complete")
    journey.assert_accessible()
    assert "is marked as complete" in page.inner_text("main")
    with app.app_context():
        assert db.session.get(ModuleProgress, (user.id, "hospital-discharge")).completed_at

    journey.goto("/modules")
    assert "Completed on" in page.inner_text("main")
    journey.goto("/dashboard")
    assert "1 of 3" in page.inner_text("main")
    journey.goto("/search?q=%3Cb%3E")
    journey.goto("/glossary?sector=housing")
