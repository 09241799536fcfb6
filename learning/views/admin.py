"""Administrators' pages: people, roles and organisations."""

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

from .. import accounts, audit, clock, erasure, notify, outbox, records, retention
from ..access import require_role
from ..curriculum import curriculum
from ..extensions import db
from ..forms import (
    ActionForm,
    CloseAccountForm,
    MoveOrganisationForm,
    OrganisationForm,
    RolesForm,
    options,
)
from ..models import (
    AuditAction,
    Certificate,
    Organisation,
    OrganisationKind,
    OutboxMessage,
    Role,
    User,
)
from . import audit_search, audited, csv_download, paged, total

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(require_role(Role.ADMIN))


@bp.get("/")
def users():
    """Find people by name, email or registration number, optionally by role."""
    query = request.args.get("q", "").strip()[:200]
    role = request.args.get("role", "")
    role_filter = Role(role) if role in {r.value for r in Role} else None
    page = paged(accounts.search_users(query, role_filter))
    return render_template(
        "admin/users.html", page=page, query=query, role=role_filter.value if role_filter else ""
    )


def _organisation_choices() -> list:
    organisations = db.session.execute(accounts.organisations()).scalars()
    return options([(0, "No organisation"), *[(o.id, o.name) for o in organisations]])


def _open_account(user_id: int) -> User:
    """The person, if their account is still open (a closed one is not found)."""
    person = db.get_or_404(User, user_id)
    if person.closed_at is not None:
        abort(404)
    return person


def _user_forms(user: User) -> tuple[RolesForm, MoveOrganisationForm, ActionForm]:
    roles_form = RolesForm(roles=[role.value for role in user.roles])
    move_form = MoveOrganisationForm(organisation=user.organisation_id or 0)
    move_form.organisation.choices = _organisation_choices()
    return roles_form, move_form, ActionForm()


@bp.get("/users/<int:user_id>")
def user(user_id: int):
    """One person's details, roles and organisation."""
    person = db.get_or_404(User, user_id)
    roles_form, move_form, reset_form = _user_forms(person)
    return render_template(
        "admin/user.html",
        person=person,
        roles_form=roles_form,
        move_form=move_form,
        reset_form=reset_form,
        mail_configured=notify.can_send_mail(current_app.config),
        certificates=records.certificates_of(person),
    )


@bp.post("/users/<int:user_id>/roles")
def set_roles(user_id: int):
    """Grant and remove roles."""
    person = _open_account(user_id)
    form = RolesForm()
    if not form.validate_on_submit():
        abort(400)
    roles = {Role(value) for value in form.roles.data or []}
    if person.id == current_user.id and Role.ADMIN not in roles:
        flash("You cannot remove your own administrator role.", "error")
        return redirect(url_for("admin.user", user_id=person.id))
    before = sorted(role.value for role in person.roles)
    accounts.set_roles(person, roles, granted_by=current_user)
    audited(
        AuditAction.ROLES_CHANGED,
        subject_user=person,
        details={"before": before, "after": sorted(role.value for role in roles)},
    )
    db.session.commit()
    flash(f"Roles saved for {person.name}.", "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.post("/users/<int:user_id>/membership")
def confirm_membership(user_id: int):
    """Confirm a person's claim to the organisation they named."""
    person = _open_account(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if person.organisation is None:
        abort(404)
    before = person.membership.value
    accounts.confirm_membership(person)
    audited(AuditAction.MEMBERSHIP_CONFIRMED, subject_user=person, details={"before": before})
    if notify.can_send_mail(current_app.config):
        notify.send_membership_news(person, url_for("learner.dashboard", _external=True))
    db.session.commit()
    flash(f"{person.name} is confirmed as staff of {person.organisation.name}.", "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.post("/users/<int:user_id>/organisation")
def move_user(user_id: int):
    """Move a person to another organisation, or to none."""
    person = _open_account(user_id)
    form = MoveOrganisationForm()
    form.organisation.choices = _organisation_choices()
    if not form.validate_on_submit():
        abort(400)
    organisation = db.session.get(Organisation, form.organisation.data) or None
    before = person.organisation
    accounts.move_to_organisation(person, organisation)
    audited(
        AuditAction.PERSON_MOVED,
        subject_user=person,
        organisation=organisation or before,
        details={
            "from": before.name if before else "none",
            "to": organisation.name if organisation else "none",
        },
    )
    db.session.commit()
    where = organisation.name if organisation else "no organisation"
    flash(f"{person.name} now belongs to {where}.", "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.post("/users/<int:user_id>/reset-link")
def create_reset_link(user_id: int):
    """Make a one-time password reset link for the admin to pass on."""
    person = _open_account(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    token = accounts.reset_token(person, current_app.config["SECRET_KEY"])
    link = url_for("auth.reset_password", token=token, _external=True)
    audited(AuditAction.RESET_LINK_MADE, subject_user=person)
    db.session.commit()
    roles_form, move_form, reset_form = _user_forms(person)
    return render_template(
        "admin/user.html",
        person=person,
        roles_form=roles_form,
        move_form=move_form,
        reset_form=reset_form,
        reset_link=link,
        mail_configured=notify.can_send_mail(current_app.config),
        certificates=records.certificates_of(person),
    )


@bp.post("/users/<int:user_id>/sign-out")
def sign_out_everywhere(user_id: int):
    """End every session and remembered browser of a person (a lost phone, a leaver)."""
    person = _open_account(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    accounts.end_sessions(person)
    audited(AuditAction.SIGNED_OUT_EVERYWHERE, subject_user=person)
    db.session.commit()
    flash(f"{person.name} has been signed out everywhere.", "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.get("/organisations")
def organisations():
    """Every organisation with its number of members."""
    rows = db.session.execute(accounts.organisation_sizes()).all()
    return render_template("admin/organisations.html", rows=rows)


@bp.route("/organisations/new", methods=["GET", "POST"])
def new_organisation():
    """Create an organisation."""
    form = OrganisationForm()
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("admin/organisation_form.html", form=form, organisation=None), status
    if accounts.organisation_name_taken(form.name.data):
        form.name.errors.append("An organisation with this name already exists")
        return render_template("admin/organisation_form.html", form=form, organisation=None), 422
    organisation = accounts.create_organisation(form.name.data, OrganisationKind(form.kind.data))
    audited(
        AuditAction.ORGANISATION_CREATED,
        subject=organisation.name,
        organisation=organisation,
        details={"kind": organisation.kind.value},
    )
    db.session.commit()
    flash(f"{organisation.name} has been created.", "success")
    return redirect(url_for("admin.organisations"))


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
def edit_organisation(organisation_id: int):
    """Rename an organisation or change its kind."""
    organisation = db.get_or_404(Organisation, organisation_id)
    form = OrganisationForm(name=organisation.name, kind=organisation.kind.value)
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template(
            "admin/organisation_form.html", form=form, organisation=organisation
        ), status
    if accounts.organisation_name_taken(form.name.data, except_id=organisation.id):
        form.name.errors.append("An organisation with this name already exists")
        return render_template(
            "admin/organisation_form.html", form=form, organisation=organisation
        ), 422
    before = {"name": organisation.name, "kind": organisation.kind.value}
    accounts.update_organisation(organisation, form.name.data, OrganisationKind(form.kind.data))
    audited(
        AuditAction.ORGANISATION_EDITED,
        subject=organisation.name,
        organisation=organisation,
        details={"before": before, "after": {"name": form.name.data, "kind": form.kind.data}},
    )
    db.session.commit()
    flash(f"{organisation.name} has been saved.", "success")
    return redirect(url_for("admin.organisations"))


@bp.post("/certificates/<int:certificate_id>/revoke")
def revoke_certificate(certificate_id: int):
    """Mark a certificate as revoked: /verify then says so."""
    certificate = db.get_or_404(Certificate, certificate_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    records.revoke(certificate)
    audited(
        AuditAction.CERTIFICATE_REVOKED,
        subject_user=certificate.user,
        subject=f"Certificate {certificate.code}: {certificate.title}",
        details={"certificate": certificate.code},
    )
    db.session.commit()
    flash(f"The certificate {certificate.code} has been revoked.", "success")
    return redirect(url_for("admin.user", user_id=certificate.user_id))


# Closing accounts, and accounts to review ---------------------------------------------------


@bp.get("/review")
def accounts_to_review():
    """Accounts whose owners asked to close them, and accounts unused for the review period
    (the longest unused first, a page at a time)."""
    periods = retention.Periods.from_config(current_app.config)
    page = paged(retention.inactive(clock.now(), periods.inactive_months))
    return render_template(
        "admin/review.html",
        requests=db.session.execute(erasure.requests()).scalars().all(),
        close_by=erasure.close_by,
        page=page,
        periods=periods,
    )


def _close_page(person: User, form: CloseAccountForm, status: int = 200):
    form.email.description = f"Type {person.email}"
    periods = retention.Periods.from_config(current_app.config)
    return render_template(
        "admin/close_account.html", person=person, form=form, periods=periods
    ), status


@bp.get("/users/<int:user_id>/close")
def confirm_close(user_id: int):
    """What closing this account does, and the form that confirms it."""
    person = _open_account(user_id)
    return _close_page(person, CloseAccountForm(expected=person.email))


@bp.post("/users/<int:user_id>/close")
def close_account(user_id: int):
    """Close an account: its personal data removed, the facts others rely on kept."""
    person = _open_account(user_id)
    if person.id == current_user.id:
        flash("You cannot close your own account: ask another administrator.", "error")
        return redirect(url_for("admin.user", user_id=person.id))
    form = CloseAccountForm(expected=person.email)
    if not form.validate_on_submit():
        return _close_page(person, form, 422)
    erasure.close_account(
        person, by=current_user, address=request.remote_addr, quizzes=curriculum().quizzes
    )
    db.session.commit()
    flash(f"Account {person.id} is closed. Its personal data has been removed.", "success")
    return redirect(url_for("admin.user", user_id=person.id))


# The audit trail ----------------------------------------------------------------------------


@bp.get("/audit")
def audit_trail():
    """Search and filter the audit trail, newest first, a page at a time."""
    form, filters, kept = audit_search()
    page = paged(audit.search(filters))
    return render_template(
        "admin/audit.html", form=form, page=page, rows=audit.rows(page.items), kept=kept
    ), (422 if form.errors else 200)


@bp.get("/audit.csv")
def audit_csv():
    """Every entry the search matches, as CSV streamed a chunk at a time; the download is
    itself recorded (with how many entries it holds) before the first byte is sent."""
    _, filters, kept = audit_search()
    entries = audit.search(filters)
    audited(
        AuditAction.AUDIT_DOWNLOADED,
        subject="Audit trail (CSV)",
        details={"rows": total(entries), **kept},
    )
    db.session.commit()
    return csv_download("audit-trail.csv", audit.csv_lines(entries))


# The outbox -----------------------------------------------------------------------------


@bp.get("/outbox")
def outbox_messages():
    """Email waiting to be sent (or, with no mail server, passed on by hand), then sent."""
    page = paged(outbox.listing())
    return render_template(
        "admin/outbox.html",
        page=page,
        rows=outbox.rows(page.items),
        waiting=db.session.execute(outbox.waiting_count()).scalar_one(),
        mail_configured=notify.can_send_mail(current_app.config),
        max_attempts=outbox.MAX_ATTEMPTS,
    )


@bp.get("/outbox/<int:message_id>")
def outbox_message(message_id: int):
    """One message; reading a waiting one's text (which may hold a link) is recorded."""
    message = db.get_or_404(OutboxMessage, message_id)
    row = outbox.rows([message])[0]
    if row.readable:
        person = db.session.get(User, message.user_id) if message.user_id is not None else None
        audited(
            AuditAction.OUTBOX_READ,
            subject_user=person,
            subject=f"Email {message.id} to {message.to_address}: {message.subject}"[:300],
            details={"message": message.id},
        )
        db.session.commit()
    return render_template(
        "admin/outbox_message.html",
        row=row,
        body=message.body if row.readable else "",
        mail_configured=notify.can_send_mail(current_app.config),
        max_attempts=outbox.MAX_ATTEMPTS,
    )


# The learning content ---------------------------------------------------------------------


@bp.context_processor
def content_left_out() -> dict[str, int]:
    """How many content files are left out, for the administrators' menu."""
    return {"content_left_out": len(curriculum().problems_by_file)}


@bp.get("/content")
def content():
    """The content files left out of the site, each problem with its file and line, then the
    reviews overdue and the warnings: all derived from the files when they were loaded."""
    found = curriculum()
    today = clock.today()
    return render_template(
        "admin/content.html",
        files=found.problems_by_file,
        warnings=found.warnings,
        overdue=[m for m in found.modules.modules if m.review_overdue(today)],
        strict=current_app.config["STRICT_CONTENT"],
    )
