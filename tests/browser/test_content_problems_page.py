"""An administrator finds which content files are left out of the site, and why, from the
menu (#14): the page passes axe."""

from __future__ import annotations

import shutil

from learning import curriculum as curricula
from learning.models import Role

from ..conftest import FIXTURE_COURSE, PASSWORD


def test_an_admin_reads_why_a_file_is_left_out(journey, app, make_user, monkeypatch, tmp_path):
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    (root / "modules" / "broken.md").write_text("---\ntitle: Broken\nbogus: 1\n---\nBody\n")
    monkeypatch.setitem(app.extensions, "curriculum", curricula.load(root, strict=False))
    admin = make_user(Role.ADMIN)
    journey.sign_in(admin.email, PASSWORD)
    journey.goto("/admin/")
    page = journey.page
    with page.expect_navigation():
        page.click("text=Content (1 left out)")
    journey.assert_accessible()
    main = page.inner_text("main")
    assert "1 file has problems" in main
    assert 'modules/broken.md:3: unknown front matter key "bogus"' in main
