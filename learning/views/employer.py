"""Employers' pages: only ever their own organisation's staff."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from ..access import require_role
from ..extensions import db
from ..models import Role, User
from ..professions import BY_CODE

bp = Blueprint("employer", __name__, url_prefix="/employer")
bp.before_request(require_role(Role.EMPLOYER))


@bp.get("/")
def dashboard():
    """The staff of the employer's own organisation, filterable by profession."""
    organisation = current_user.organisation
    if organisation is None:
        return render_template("employer/no_organisation.html")
    profession = request.args.get("profession", "")
    statement = (
        sa.select(User).where(User.organisation_id == organisation.id).order_by(User.name, User.id)
    )
    if profession in BY_CODE:
        statement = statement.where(User.profession_code == profession)
    else:
        profession = ""
    page = db.paginate(
        statement, per_page=current_app.config["PAGE_SIZE"], max_per_page=100, error_out=False
    )
    return render_template(
        "employer/dashboard.html", organisation=organisation, page=page, profession=profession
    )
