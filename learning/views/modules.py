"""Reading: the module catalogue, module pages with profession lenses, glossary and search.

Reading is open to everyone; recording progress needs an account.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import clock, progress
from ..content import SECTORS
from ..curriculum import curriculum
from ..extensions import db
from ..forms import ActionForm
from ..professions import BY_CODE

bp = Blueprint("modules", __name__)

MAX_QUERY = 200


def _profession_param(name: str) -> str | None:
    value = request.args.get(name, "")
    return value if value in BY_CODE else None


@bp.get("/modules")
def index():
    """The catalogue grouped by topic, filterable by profession, with the learner's status."""
    profession = _profession_param("profession")
    groups = curriculum().modules.by_topic(profession)
    statuses = (
        progress.module_statuses(current_user, curriculum().modules.modules)
        if current_user.is_authenticated
        else {}
    )
    return render_template(
        "modules/index.html", groups=groups, profession=profession, statuses=statuses
    )


@bp.get("/modules/<slug>")
def module(slug: str):
    """One module, through the reader's lens (their profession unless they choose another)."""
    found = curriculum().modules.get(slug)
    if found is None:
        abort(404)
    own = current_user.profession_code if current_user.is_authenticated else None
    lens = _profession_param("lens") or own
    status, refreshable = None, False
    if current_user.is_authenticated:
        status = progress.open_module(current_user, found)
        db.session.commit()
        refreshable = status.completed_at is not None and progress.can_refresh(
            current_user, found.slug, clock.now()
        )
    return render_template(
        "modules/module.html",
        module=found,
        lens=lens,
        own=own,
        status=status,
        refreshable=refreshable,
        form=ActionForm(),
        today=clock.today(),
        quizzes=[q for q in (curriculum().quizzes.get(s) for s in found.quizzes) if q is not None],
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
    terms = [t for t in curriculum().glossary.terms if t.in_sector(sector or None)]
    return render_template(
        "modules/glossary.html",
        terms=terms,
        sector=sector,
        sectors=[s for s in SECTORS if s != "all"],
        ambiguous=curriculum().glossary.ambiguous,
    )


@bp.get("/search")
def search():
    """Search modules and glossary; an empty or odd query gets help, never an error."""
    query = request.args.get("q", "")[:MAX_QUERY].strip()
    hits = curriculum().modules.search(query) if query else []
    return render_template("modules/search.html", query=query, hits=hits)
