"""Error pages and what happens to half-done work."""

from __future__ import annotations

import sqlalchemy as sa

from learning import create_app
from learning.extensions import db
from learning.models import Organisation, OrganisationKind


def test_an_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_a_server_error_rolls_back_the_session(app):
    failing = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "x",
            "PROPAGATE_EXCEPTIONS": False,
            "CONTENT_ROOT": app.config["CONTENT_ROOT"],
        }
    )

    @failing.get("/_boom")
    def boom():
        db.session.add(Organisation(name="Half-done", kind=OrganisationKind.OTHER))
        db.session.flush()
        raise RuntimeError("boom")

    response = failing.test_client().get("/_boom")
    with failing.app_context():
        db.engine.dispose()
    assert response.status_code == 500
    assert "Nothing you were doing has been saved" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(sa.select(Organisation)).first() is None
