"""Pages for every signed-in person: home, dashboard, profile."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user

from .. import (
    accounts,
    attempts,
    clock,
    cohorts,
    compliance,
    erasure,
    notify,
    progress,
    reports,
    retention,
    subject_access,
)
from ..curriculum import curriculum
from ..extensions import db, limiter
from ..forms import NO_ORGANISATION, ActionForm, ChangePasswordForm, JoinForm, ProfileForm, options
from ..models import AuditAction, Cohort, CohortMember
from ..professions import Stage
from . import audited

bp = Blueprint("learner", __name__)


@bp.get("/")
def home():
    """Tell a newcomer what the platform is and what to do next."""
    return render_template("home.html")


@bp.get("/privacy")
def privacy():
    """The privacy notice: what is held about people, why, for how long and who sees it."""
    config = current_app.config
    return render_template(
        "privacy.html",
        controller=config["PRIVACY_CONTROLLER"],
        contact=config["PRIVACY_CONTACT"],
        dpo=config["PRIVACY_DPO"],
        lawful_basis=config["PRIVACY_LAWFUL_BASIS"],
        inactive_months=config["RETENTION_INACTIVE_MONTHS"],
        record_years=config["RETENTION_RECORD_YEARS"],
        audit_years=config["RETENTION_AUDIT_YEARS"],
        backup_days=config["RETENTION_BACKUP_DAYS"],
        session_hours=int(config["PERMANENT_SESSION_LIFETIME"].total_seconds() // 3600),
        remember_days=config["REMEMBER_COOKIE_DURATION"].days,
    )


@bp.get("/accessibility")
def accessibility():
    """The accessibility statement: how accessible the site is, what is not yet, how to ask
    for another format or report a problem, and how to complain."""
    config = current_app.config
    return render_template(
        "accessibility.html",
        organisation=config["ACCESSIBILITY_ORGANISATION"],
        contact=config["ACCESSIBILITY_CONTACT"],
        response_days=config["ACCESSIBILITY_RESPONSE_DAYS"],
        tested=config["ACCESSIBILITY_TESTED"],
        reviewed=config["ACCESSIBILITY_REVIEWED"],
    )


@bp.get("/dashboard")
@login_required
def dashboard():
    """A learner's starting point after signing in: what their employer requires of them,
    their progress, their scenarios."""
    results = attempts.results(current_user, curriculum().quizzes.slugs)
    taken = [(q, results[q.slug]) for q in curriculum().quizzes if q.slug in results]
    return render_template(
        "learner/dashboard.html",
        summary=progress.summary(current_user, curriculum().modules),
        taken=taken,
        invitations=db.session.execute(cohorts.invitations_for(current_user)).scalars().all(),
        duties=compliance.duties(current_user, clock.today()),
        titles=curriculum().titles(),
        action=ActionForm(),
    )


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """See and edit one's own details."""
    form = ProfileForm(
        name=current_user.name,
        profession=current_user.profession_code,
        stage=current_user.stage.value,
        registration_number=current_user.registration_number,
        organisation=current_user.organisation_id or NO_ORGANISATION,
    )
    organisations = db.session.execute(accounts.organisations()).scalars().all()
    form.organisation.choices = options(
        [(NO_ORGANISATION, "None, or not listed"), *[(o.id, o.name) for o in organisations]]
    )
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("learner/profile.html", form=form), status
    accounts.update_profile(
        current_user,
        name=form.name.data,
        profession=form.profession.data,
        stage=Stage(form.stage.data),
        registration_number=form.registration_number.data,
    )
    claimed = accounts.claim_organisation(
        current_user, next((o for o in organisations if o.id == form.organisation.data), None)
    )
    if claimed and notify.can_send_mail(current_app.config):
        notify.send_claims([current_user])
    db.session.commit()
    flash("Your profile has been saved.", "success")
    return redirect(url_for("learner.profile"))


@bp.post("/profile/data")
@login_required
def download_data():
    """Download everything held about oneself, as a zip of JSON and CSV."""
    if not ActionForm().validate_on_submit():
        abort(400)
    made_at = clock.now()
    audited(AuditAction.PERSONAL_DATA_DOWNLOADED, subject_user=current_user)
    archive = subject_access.archive(current_user, current_app.config["SITE_NAME"], made_at)
    db.session.commit()
    name = f"your-data-{made_at:%Y-%m-%d}.zip"
    return current_app.response_class(
        archive,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/profile/close")
@login_required
def close_account():
    """What closing one's account removes and keeps, and the button to ask for it."""
    if current_user.closure_requested_at is not None:
        return redirect(url_for("learner.profile"))
    config = current_app.config
    return render_template(
        "learner/close_account.html",
        form=ActionForm(),
        periods=retention.Periods.from_config(config),
        backup_days=config["RETENTION_BACKUP_DAYS"],
    )


@bp.post("/profile/close")
@login_required
def request_closure():
    """Ask an administrator to close one's account."""
    if not ActionForm().validate_on_submit():
        abort(400)
    erasure.request_closure(current_user, address=request.remote_addr)
    db.session.commit()
    flash(
        "You have asked to close your account. An administrator will close it within one "
        "month; until then you can carry on using it, or withdraw your request here.",
        "success",
    )
    return redirect(url_for("learner.profile"))


@bp.post("/profile/close/withdraw")
@login_required
def withdraw_closure():
    """Withdraw one's request to close the account."""
    if not ActionForm().validate_on_submit():
        abort(400)
    erasure.withdraw_request(current_user, address=request.remote_addr)
    db.session.commit()
    flash("You have withdrawn your request: your account stays open.", "success")
    return redirect(url_for("learner.profile"))


@bp.route("/profile/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's password; other sessions are signed out, this one stays."""
    form = ChangePasswordForm()
    form.account_email = current_user.email
    if form.validate_on_submit():
        if accounts.verify_password(current_user, form.current_password.data):
            accounts.set_password(current_user, form.password.data)
            db.session.commit()
            login_user(current_user._get_current_object())
            flash("Your password has been changed. Other devices have been signed out.", "success")
            return redirect(url_for("learner.profile"))
        form.current_password.errors.append("Your current password is not right")
    status = 422 if form.errors else 200
    return render_template("learner/change_password.html", form=form), status


@bp.get("/cohorts")
@login_required
def my_cohorts():
    """The cohorts a learner belongs to, and the invitations waiting for their answer."""
    mine = db.session.execute(cohorts.my_cohorts(current_user)).scalars().all()
    return render_template(
        "learner/cohorts.html",
        cohorts=mine,
        invitations=db.session.execute(cohorts.invitations_for(current_user)).scalars().all(),
        action=ActionForm(),
    )


def _invitation_or_404(cohort_id: int) -> CohortMember:
    """The signed-in person's invitation to this cohort, if it waits for their answer."""
    invitation = cohorts.invitation(cohort_id, current_user)
    if invitation is None:
        abort(404)
    return invitation


@bp.get("/cohorts/<int:cohort_id>/invitation")
@login_required
def invitation(cohort_id: int):
    """An invitation to a cohort: who invites, what the cohort is, what its trainers would see."""
    return render_template(
        "learner/invitation.html", invitation=_invitation_or_404(cohort_id), action=ActionForm()
    )


def _answer(cohort_id: int, answer: Callable[[CohortMember], None], action: AuditAction) -> Cohort:
    """Record the learner's answer to an invitation of theirs, and in the trail that they gave
    it; returns the cohort."""
    invitation = _invitation_or_404(cohort_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    answer(invitation)
    cohort = invitation.cohort
    audited(
        action,
        subject=cohorts.audit_subject(cohort),
        organisation=current_user.staff_organisation,
        details={"cohort": cohort.id},
    )
    db.session.commit()
    return cohort


@bp.post("/cohorts/<int:cohort_id>/invitation/accept")
@login_required
def accept_invitation(cohort_id: int):
    """Accept a place in a cohort: a member from now on."""
    cohort = _answer(cohort_id, cohorts.accept, AuditAction.INVITATION_ACCEPTED)
    flash(f"You have joined “{cohort.name}”.", "success")
    return redirect(url_for("learner.my_cohort", cohort_id=cohort.id))


@bp.post("/cohorts/<int:cohort_id>/invitation/decline")
@login_required
def decline_invitation(cohort_id: int):
    """Say no to a place in a cohort; its trainers see that you declined, nothing more."""
    cohort = _answer(cohort_id, cohorts.decline, AuditAction.INVITATION_DECLINED)
    flash(f"You have declined the invitation to “{cohort.name}”.", "success")
    return redirect(url_for("learner.my_cohorts"))


@bp.get("/cohorts/<int:cohort_id>")
@login_required
def my_cohort(cohort_id: int):
    """A learner's view of one cohort they accepted: the programme with due dates and their own
    status (from their whole history), and their group's members (names and professions,
    never others' scores)."""
    membership = cohorts.membership(cohort_id, current_user)
    if membership is None:
        abort(404)
    cohort = membership.cohort
    cols = reports.columns(cohort, curriculum())
    mine = reports.progress_rows(cols, [membership], clock.today(), since_joining=False)[0]
    return render_template(
        "learner/cohort.html",
        cohort=cohort,
        membership=membership,
        programme=list(zip(cols, mine.statuses, strict=True)),
        group_members=cohorts.group_members(membership),
    )


@bp.route("/join", methods=["GET", "POST"])
@bp.route("/join/<code>", methods=["GET"])
@login_required
@limiter.limit(
    lambda: current_app.config["JOIN_LIMIT"],
    methods=["POST"],
    key_func=lambda: f"join:{current_user.get_id()}",
    scope="join",
)
def join(code: str = ""):
    """Join a cohort with the code (or link) a trainer gave."""
    form = JoinForm(code=code) if request.method == "GET" else JoinForm()
    if form.validate_on_submit():
        cohort = cohorts.join(current_user, form.code.data)
        if cohort is not None:
            db.session.commit()
            flash(f"You have joined “{cohort.name}”.", "success")
            return redirect(url_for("learner.my_cohort", cohort_id=cohort.id))
        form.code.errors.append(
            "This code does not work. Check it with your trainer: it may have expired"
        )
    status = 422 if form.errors else 200
    return render_template("learner/join.html", form=form), status
