"""Trainers' pages. The door admits only people with the trainer role."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template

from ..access import require_role
from ..extensions import db
from ..models import Role, User
from ..professions import PROFESSIONS, Stage

bp = Blueprint("trainer", __name__, url_prefix="/trainer")
bp.before_request(require_role(Role.TRAINER))


@bp.get("/")
def dashboard():
    """The learners a trainer can draw on, by profession and stage."""
    counts = {
        (code, stage): count
        for code, stage, count in db.session.execute(
            sa.select(User.profession_code, User.stage, sa.func.count(User.id)).group_by(
                User.profession_code, User.stage
            )
        )
    }
    rows = [
        (p, counts.get((p.code, Stage.STUDENT), 0), counts.get((p.code, Stage.QUALIFIED), 0))
        for p in PROFESSIONS
    ]
    return render_template("trainer/dashboard.html", rows=rows)
