"""Employers' pages: only ever their own organisation's staff (anyone else is 404)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from .. import accounts, audit, clock, cohorts, compliance, notify
from ..access import require_role
from ..curriculum import curriculum
from ..extensions import db
from ..forms import ActionForm, RequirementForm, options
from ..items import ItemRef
from ..models import AuditAction, Membership, RequiredTraining, Role
from ..professions import BY_CODE, PROFESSIONS, Stage
from . import audit_search, audited, csv_download, number, paged, total

bp = Blueprint("employer", __name__, url_prefix="/employer")
bp.before_request(require_role(Role.EMPLOYER))


def _organisation():
    """The employer's own organisation (confirmed); without one there is nothing to show."""
    organisation = current_user.staff_organisation
    if organisation is None:
        abort(404)
    return organisation


def _titles() -> dict[ItemRef, str]:
    return curriculum().titles()


def _who(requirement: RequiredTraining) -> str:
    parts = []
    if requirement.profession:
        profession = BY_CODE.get(requirement.profession)
        parts.append(profession.plural if profession else requirement.profession)
    if requirement.stage:
        parts.append(requirement.stage.label.lower() + "s")
    return ", ".join(parts).capitalize() if parts else "All staff"


def _what(requirement: RequiredTraining) -> str:
    ref = ItemRef(requirement.kind, requirement.slug)
    return f"{ref.kind.noun.capitalize()}: {_titles().get(ref, requirement.slug)}"


@bp.get("/")
def dashboard():
    """Compliance at a glance: overall, per required item and by profession."""
    if current_user.staff_organisation is None:
        return render_template("employer/no_organisation.html")
    organisation = _organisation()
    required = compliance.requirements(organisation)
    return render_template(
        "employer/dashboard.html",
        organisation=organisation,
        required=required,
        summary=compliance.summary(organisation, required, clock.today()),
        staff_count=compliance.staff_count(organisation),
        pending_count=compliance.pending_count(organisation),
        titles=_titles(),
        who=_who,
    )


def _filters() -> dict[str, str]:
    """The matrix's filters and order from the address (anything unknown: none, by name)."""
    profession = request.args.get("profession", "")
    stage = request.args.get("stage", "")
    sort = request.args.get("sort", "name")
    return {
        "profession": profession if profession in BY_CODE else "",
        "stage": stage if stage in {s.value for s in Stage} else "",
        "sort": sort if sort in ("name", "profession", "stage") else "name",
    }


@bp.get("/compliance")
def matrix():
    """Staff x required items: each cell's state with its dates, filterable and sortable."""
    organisation = _organisation()
    filters = _filters()
    page = db.paginate(
        compliance.staff(organisation, **filters),
        page=request.args.get("page", 1, type=number),
        per_page=request.args.get("per_page", 50, type=number),
        max_per_page=500,
        error_out=False,
    )
    required = compliance.requirements(organisation)
    return render_template(
        "employer/matrix.html",
        organisation=organisation,
        page=page,
        required=required,
        rows=compliance.rows(page.items, required, clock.today()),
        filters=filters,
        titles=_titles(),
        who=_who,
    )


@bp.get("/compliance.csv")
def matrix_csv():
    """Every member of staff the matrix's filters find, on all its pages, as CSV: recorded in
    the audit trail first, then written as it is read, so memory stays flat for any size."""
    organisation = _organisation()
    filters = _filters()
    staff = compliance.staff(organisation, **filters)
    chosen = {k: v for k, v in filters.items() if k != "sort" and v}
    audited(
        AuditAction.REPORT_DOWNLOADED,
        subject="Compliance matrix (CSV)",
        organisation=organisation,
        details={"report": "compliance", "rows": total(staff), **chosen},
    )
    db.session.commit()
    lines = compliance.csv_lines(organisation, staff, _titles(), clock.today())
    return csv_download("compliance.csv", lines)


@bp.get("/staff/<int:user_id>")
def person(user_id: int):
    """One member of staff's record of required training, with dates."""
    organisation = _organisation()
    member = compliance.staff_member(organisation, user_id)
    if member is None:
        abort(404)
    required = compliance.requirements(organisation)
    row = compliance.rows([member], required, clock.today())[0]
    return render_template(
        "employer/person.html",
        organisation=organisation,
        member=member,
        items=list(zip(required, row.cells, strict=True)),
        action=ActionForm(),
        titles=_titles(),
        who=_who,
    )


@bp.route("/requirements", methods=["GET", "POST"])
def requirements():
    """Set which modules and scenarios staff must complete, for whom and how often."""
    organisation = _organisation()
    form = RequirementForm()
    titles = _titles()
    form.item.choices = options(
        [("", "Choose a module or scenario")]
        + [(str(ref), f"{ref.kind.noun.capitalize()}: {title}") for ref, title in titles.items()]
    )
    form.profession.choices = options(
        [("", "Every profession"), *[(p.code, p.label) for p in PROFESSIONS]]
    )
    if form.validate_on_submit():
        ref = ItemRef.parse(form.item.data)
        if ref not in titles:
            form.item.errors.append("Choose a module or scenario from the list")
        else:
            requirement = compliance.require(
                organisation,
                ref.kind,
                ref.slug,
                profession=form.profession.data or None,
                stage=Stage(form.stage.data) if form.stage.data else None,
                refresh_months=form.refresh_months.data,
                due_soon_days=form.due_soon_days.data,
            )
            audited(
                AuditAction.REQUIREMENT_ADDED,
                subject=_what(requirement),
                organisation=organisation,
                details={"requirement": requirement.id, "who": _who(requirement)},
            )
            db.session.commit()
            flash(f"“{titles[ref]}” is now required.", "success")
            return redirect(url_for("employer.requirements"))
    status = 422 if form.errors else 200
    return render_template(
        "employer/requirements.html",
        organisation=organisation,
        form=form,
        required=compliance.requirements(organisation),
        titles=titles,
        who=_who,
        action=ActionForm(),
    ), status


@bp.post("/requirements/<int:requirement_id>/remove")
def remove_requirement(requirement_id: int):
    """Stop requiring an item."""
    organisation = _organisation()
    if not ActionForm().validate_on_submit():
        abort(400)
    requirement = db.session.get(RequiredTraining, requirement_id)
    if requirement is None or requirement.organisation_id != organisation.id:
        abort(404)
    what, who = _what(requirement), _who(requirement)
    compliance.stop_requiring(organisation, requirement_id)
    audited(
        AuditAction.REQUIREMENT_REMOVED,
        subject=what,
        organisation=organisation,
        details={"requirement": requirement_id, "who": who},
    )
    db.session.commit()
    flash("The requirement has been removed.", "success")
    return redirect(url_for("employer.requirements"))


@bp.get("/joint-learning")
def joint_learning():
    """Which cohorts the organisation's staff took part in, and whether each met the mix rule."""
    organisation = _organisation()
    found = cohorts.joint_learning(organisation)
    return render_template(
        "employer/joint_learning.html",
        organisation=organisation,
        rows=found.rows,
        staff_in_mixed=found.staff_in_mixed,
    )


@bp.get("/people")
def people():
    """Who claims to work here and waits to be confirmed, and who has left."""
    organisation = _organisation()
    return render_template(
        "employer/people.html",
        organisation=organisation,
        pending=db.session.execute(accounts.members_in(organisation, Membership.PENDING))
        .scalars()
        .all(),
        former=db.session.execute(accounts.members_in(organisation, Membership.ENDED))
        .scalars()
        .all(),
        action=ActionForm(),
    )


@bp.post("/people/<int:user_id>/confirm")
def confirm_member(user_id: int):
    """Confirm that a person who named the organisation is one of its staff."""
    organisation = _organisation()
    person = compliance.claimant(organisation, user_id)
    if person is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    before = person.membership.value
    accounts.confirm_membership(person)
    audited(AuditAction.MEMBERSHIP_CONFIRMED, subject_user=person, details={"before": before})
    _tell(person)
    db.session.commit()
    flash(f"{person.name} is now confirmed as one of your staff.", "success")
    return redirect(url_for("employer.people"))


@bp.post("/people/<int:user_id>/end")
def end_member(user_id: int):
    """Record that a person has left the organisation, or never worked here; nothing is deleted."""
    organisation = _organisation()
    person = compliance.claimant(organisation, user_id)
    if person is None or person.id == current_user.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    was_pending = person.membership is Membership.PENDING
    before = person.membership.value
    accounts.end_membership(person)
    audited(AuditAction.MEMBERSHIP_ENDED, subject_user=person, details={"before": before})
    _tell(person)
    db.session.commit()
    if was_pending:
        flash(f"{person.name} is not on your staff list.", "success")
    else:
        flash(f"{person.name} has left the organisation. Their own records are kept.", "success")
    return redirect(url_for("employer.people"))


def _tell(person) -> None:
    """Email the person that their membership changed, when mail can be sent (in the
    transaction that changes it)."""
    if notify.can_send_mail(current_app.config):
        notify.send_membership_news(person, url_for("learner.dashboard", _external=True))


@bp.get("/audit")
def audit_trail():
    """What staff and administrators did about the organisation and its people, newest first,
    searched and filtered as administrators do."""
    organisation = _organisation()
    form, filters, kept = audit_search()
    page = paged(audit.search(filters, organisation))
    return render_template(
        "employer/audit.html",
        organisation=organisation,
        form=form,
        page=page,
        rows=audit.rows(page.items),
        kept=kept,
    ), (422 if form.errors else 200)
