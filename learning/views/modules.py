"""Reading: the module catalogue, module pages with profession lenses, glossary and search.

Reading is open to everyone; recording progress needs an account.

For someone not signed in, these pages are the same for everyone who asks for the same
address, so they set no cookie and a shared cache may keep them: ``Cache-Control: public``
with an ETag made of what the page depends on (the content's version, the code's, the site's
name, the address's parameters), and ``Vary: Cookie`` so that no signed-in reader is served
the cached copy. Signed-in pages stay ``no-store`` (the app's security headers).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from .. import clock, progress
from ..content import SECTORS
from ..curriculum import curriculum
from ..extensions import db
from ..forms import ActionForm
from ..professions import BY_CODE

bp = Blueprint("modules", __name__)

MAX_QUERY = 200
#: How long a browser, and a shared cache, may use a page for everyone before asking again
#: (an unchanged page then costs a 304, not a rendering).
BROWSER_SECONDS = 60
SHARED_SECONDS = 600
#: What a session of someone not signed in may hold and still be served the page for
#: everyone: a CSRF token from another page's form, which these pages do not show, and
#: Flask-Login's mark that the session is not a fresh sign-in.
SHAREABLE_SESSION_KEYS = frozenset({"csrf_token", "_fresh"})


def _profession_param(name: str) -> str | None:
    value = request.args.get(name, "")
    return value if value in BY_CODE else None


def _for_everyone(render: Callable[[], str], *depends_on: object) -> Response | str:
    """The page for someone not signed in, cacheable by anyone and validated by its ETag:
    ``render`` runs only when the reader's copy (``If-None-Match``) is out of date.

    The page is rendered plainly, and so not stored (``no-store``), when the session holds
    something a page would show (a notice to flash), and in debug mode, where templates
    change without a new code version.
    """
    if current_app.debug or not set(session) <= SHAREABLE_SESSION_KEYS:
        return render()
    parts = (
        current_app.config["CODE_VERSION"],
        curriculum().version,
        current_app.config["SITE_NAME"],
        request.endpoint,
        *depends_on,
    )
    response = current_app.response_class(mimetype="text/html")
    response.set_etag(hashlib.sha256(repr(parts).encode()).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = BROWSER_SECONDS
    response.cache_control.s_maxage = SHARED_SECONDS
    response.vary.add("Cookie")
    response.make_conditional(request)
    if response.status_code != 304:
        response.set_data(render())
    return response


@bp.get("/modules")
def index():
    """The catalogue grouped by topic, filterable by profession, with the learner's status."""
    profession = _profession_param("profession")

    def page(statuses: dict) -> str:
        groups = curriculum().modules.by_topic(profession)
        return render_template(
            "modules/index.html", groups=groups, profession=profession, statuses=statuses
        )

    if not current_user.is_authenticated:
        return _for_everyone(lambda: page({}), profession)
    return page(progress.module_statuses(current_user, curriculum().modules.modules))


@bp.get("/modules/<slug>")
def module(slug: str):
    """One module, through the reader's lens (their profession unless they choose another)."""
    found = curriculum().modules.get(slug)
    if found is None:
        abort(404)
    today = clock.today()  # the page says whether the module's review is overdue

    def page(lens: str | None, **reader: object) -> str:
        quizzes = (curriculum().quizzes.get(s) for s in found.quizzes)
        return render_template(
            "modules/module.html",
            module=found,
            lens=lens,
            today=today,
            quizzes=[q for q in quizzes if q is not None],
            **reader,
        )

    if not current_user.is_authenticated:
        # No form: its CSRF token would set a cookie, and only a signed-in reader records.
        lens = _profession_param("lens")
        anyone = {"own": None, "status": None, "refreshable": False, "form": None}
        return _for_everyone(lambda: page(lens, **anyone), lens, today)
    own = current_user.profession_code
    status = progress.open_module(current_user, found)
    db.session.commit()
    refreshable = status.completed_at is not None and progress.can_refresh(
        current_user, found.slug, clock.now()
    )
    return page(
        _profession_param("lens") or own,
        own=own,
        status=status,
        refreshable=refreshable,
        form=ActionForm(),
    )


@bp.post("/modules/<slug>/complete")
@login_required
def complete(slug: str):
    """Mark a read-to-complete module as complete; doing it again changes nothing."""
    found = curriculum().modules.get(slug)
    if found is None or found.completion != "read":
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    progress.complete_module(current_user, found)
    db.session.commit()
    flash(f"“{found.title}” is marked as complete.", "success")
    return redirect(url_for("modules.module", slug=found.slug))


@bp.get("/glossary")
def glossary():
    """Every glossary term, filterable by sector."""
    sector = request.args.get("sector", "")
    sector = sector if sector in SECTORS and sector != "all" else ""

    def page() -> str:
        terms = [t for t in curriculum().glossary.terms if t.in_sector(sector or None)]
        return render_template(
            "modules/glossary.html",
            terms=terms,
            sector=sector,
            sectors=[s for s in SECTORS if s != "all"],
            ambiguous=curriculum().glossary.ambiguous,
        )

    if not current_user.is_authenticated:
        return _for_everyone(page, sector)
    return page()


@bp.get("/search")
def search():
    """Search modules and glossary; an empty or odd query gets help, never an error."""
    query = request.args.get("q", "")[:MAX_QUERY].strip()

    def page() -> str:
        hits = curriculum().modules.search(query) if query else []
        return render_template("modules/search.html", query=query, hits=hits)

    if not current_user.is_authenticated:
        return _for_everyone(page, query)
    return page()
