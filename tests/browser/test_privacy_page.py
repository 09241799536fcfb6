"""The privacy notice and the "your data" download pass axe and work in a browser."""

from __future__ import annotations

import json
import zipfile

from ..conftest import PASSWORD


def test_the_privacy_notice_is_reached_from_the_footer_and_is_accessible(journey):
    journey.goto("/")
    journey.page.click(".site-footer a[href='/privacy']")
    journey.page.wait_for_url("**/privacy")
    journey.assert_accessible()
    assert "Privacy notice" in journey.page.inner_text("h1")


def test_a_learner_downloads_their_data_from_their_profile(journey, make_user):
    person = make_user(email="learner@example.test")
    journey.sign_in(person.email, PASSWORD)
    journey.goto("/profile")
    with journey.page.expect_download() as download:
        journey.page.click("button:has-text('Download your data')")
    path = download.value.path()
    assert download.value.suggested_filename.startswith("your-data-")
    with zipfile.ZipFile(path) as archive:
        profile = json.loads(archive.read("your-data.json"))["tables"]["profile"]
    assert profile[0]["email"] == "learner@example.test"
