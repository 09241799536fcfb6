"""Trainers' pages: cohorts they own or co-train, and nothing else (anything else is 404)."""

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

from .. import accounts, clock, cohorts, grouping, notify, reports
from ..access import require_role
from ..curriculum import curriculum
from ..extensions import db
from ..forms import (
    ActionForm,
    AllocateForm,
    CohortForm,
    JoinCodeForm,
    ProgrammeItemForm,
    UploadForm,
    options,
)
from ..items import ItemRef
from ..models import AuditAction, Cohort, Role
from ..professions import BY_CODE, Stage
from . import audited, csv_download, number, paged, total

bp = Blueprint("trainer", __name__, url_prefix="/trainer")
# Admins may open any cohort, to support trainers; ownership is checked per cohort.
bp.before_request(require_role(Role.TRAINER, Role.ADMIN))


def _cohort_or_404(cohort_id: int) -> Cohort:
    """A cohort this trainer owns or co-trains (an admin: any); anything else is not found."""
    cohort = cohorts.managed_by(cohort_id, current_user)
    if cohort is None:
        abort(404)
    return cohort


@bp.get("/")
def dashboard():
    """The trainer's cohorts, and the learners on the platform to draw on."""
    mine = cohorts.listed_for(current_user)
    return render_template(
        "trainer/dashboard.html",
        cohorts=mine,
        sizes=cohorts.sizes(mine),
        rows=cohorts.learners_by_profession(),
    )


# Creating and editing --------------------------------------------------------------------


def _cohort_form(cohort: Cohort | None = None) -> CohortForm:
    if cohort is None:
        form = CohortForm()
    else:
        target = cohort.mix_target or {}
        form = CohortForm(
            obj=cohort,
            min_professions=target.get("min_professions", 3),
            max_share=target.get("max_share", 50),
            require_health_and_social_care=target.get("require_health_and_social_care", True),
            require_housing=target.get("require_housing", True),
            co_trainers=[t.id for t in cohort.co_trainers],
        )
    others = db.session.execute(cohorts.trainers(excluding=current_user)).scalars()
    form.co_trainers.choices = options([(u.id, f"{u.name} ({u.email})") for u in others])
    return form


def _details(form: CohortForm) -> cohorts.CohortDetails:
    return cohorts.CohortDetails(
        name=form.name.data,
        description=form.description.data or "",
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        group_size=form.group_size.data,
        mix_target={
            "min_professions": form.min_professions.data,
            "max_share": form.max_share.data,
            "require_health_and_social_care": bool(form.require_health_and_social_care.data),
            "require_housing": bool(form.require_housing.data),
        },
        co_trainer_ids=tuple(form.co_trainers.data or ()),
    )


@bp.route("/cohorts/new", methods=["GET", "POST"])
def new_cohort():
    """Create a cohort: name, dates, co-trainers, mix target and group size."""
    form = _cohort_form()
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("trainer/cohort_form.html", form=form, cohort=None), status
    cohort = cohorts.create(current_user, _details(form))
    audited(
        AuditAction.COHORT_CREATED,
        subject=cohorts.audit_subject(cohort),
        details={"cohort": cohort.id},
    )
    db.session.commit()
    flash(f"“{cohort.name}” has been created. Now add its programme and learners.", "success")
    return redirect(url_for("trainer.cohort", cohort_id=cohort.id))


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
def edit_cohort(cohort_id: int):
    """Change a cohort's details."""
    cohort = _cohort_or_404(cohort_id)
    form = _cohort_form(cohort)
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("trainer/cohort_form.html", form=form, cohort=cohort), status
    cohorts.update(cohort, _details(form))
    audited(
        AuditAction.COHORT_EDITED,
        subject=cohorts.audit_subject(cohort),
        details={"cohort": cohort.id},
    )
    db.session.commit()
    flash("The cohort has been saved.", "success")
    return redirect(url_for("trainer.cohort", cohort_id=cohort.id))


@bp.get("/cohorts/<int:cohort_id>")
def cohort(cohort_id: int):
    """A cohort at a glance: its mix against the target, programme, learners and join code."""
    cohort = _cohort_or_404(cohort_id)
    members = db.session.execute(cohorts.active_members(cohort)).all()
    return render_template(
        "trainer/cohort.html",
        cohort=cohort,
        members=members,
        mix=cohorts.mix_summary(cohort, [user for _, user in members]),
        columns=reports.columns(cohort, curriculum()),
        code=cohorts.current_join_code(cohort),
        now=clock.now(),
        action=ActionForm(),
    )


# Programme -------------------------------------------------------------------------------


def _programme_choices() -> list:
    items = [
        (str(ref), f"{ref.kind.noun.capitalize()}: {title}")
        for ref, title in curriculum().titles().items()
    ]
    return options([("", "Choose a module or scenario"), *items])


@bp.route("/cohorts/<int:cohort_id>/programme", methods=["GET", "POST"])
def programme(cohort_id: int):
    """The ordered list of modules and scenarios, with due dates."""
    cohort = _cohort_or_404(cohort_id)
    form = ProgrammeItemForm()
    form.item.choices = _programme_choices()
    if form.validate_on_submit():
        ref = ItemRef.parse(form.item.data)
        exists = curriculum().get(ref) if ref else None
        if exists is None:
            form.item.errors.append("Choose a module or scenario from the list")
        elif any((i.kind, i.slug) == ref for i in cohort.items):
            form.item.errors.append("That is already in the programme")
        else:
            cohorts.add_item(cohort, ref.kind, ref.slug, form.due_on.data)
            audited(
                AuditAction.PROGRAMME_CHANGED,
                subject=cohorts.audit_subject(cohort),
                details={"cohort": cohort.id, "added": str(ref)},
            )
            db.session.commit()
            flash(f"“{exists.title}” has been added to the programme.", "success")
            return redirect(url_for("trainer.programme", cohort_id=cohort.id))
    status = 422 if form.errors else 200
    return render_template(
        "trainer/programme.html",
        cohort=cohort,
        form=form,
        columns=reports.columns(cohort, curriculum()),
        action=ActionForm(),
    ), status


@bp.post("/cohorts/<int:cohort_id>/programme/<int:item_id>/<any(up, down, remove):change>")
def change_item(cohort_id: int, item_id: int, change: str):
    """Move an item up or down the programme, or take it out."""
    cohort = _cohort_or_404(cohort_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    done = (
        cohorts.remove_item(cohort, item_id)
        if change == "remove"
        else cohorts.move_item(cohort, item_id, -1 if change == "up" else 1)
    )
    if not done and change == "remove":
        abort(404)
    if done:
        audited(
            AuditAction.PROGRAMME_CHANGED,
            subject=cohorts.audit_subject(cohort),
            details={"cohort": cohort.id, "item": item_id, "change": change},
        )
    db.session.commit()
    return redirect(url_for("trainer.programme", cohort_id=cohort.id))


# Learners --------------------------------------------------------------------------------


@bp.get("/cohorts/<int:cohort_id>/learners")
def learners(cohort_id: int):
    """Members, invitations (waiting or declined: names only), a search for people to invite;
    the upload and join code forms."""
    cohort = _cohort_or_404(cohort_id)
    query = request.args.get("q", "").strip()[:200]
    profession = request.args.get("profession", "")
    profession = profession if profession in BY_CODE else ""
    organisation_id = request.args.get("organisation", type=number)
    found = None
    if query or profession or organisation_id:
        found = paged(cohorts.candidates(cohort, query, profession, organisation_id))
    invited = db.session.execute(cohorts.invited(cohort)).all()
    return render_template(
        "trainer/learners.html",
        cohort=cohort,
        members=db.session.execute(cohorts.active_members(cohort)).all(),
        waiting=[(m, u) for m, u in invited if m.declined_at is None],
        declined=[(m, u) for m, u in invited if m.declined_at is not None],
        found=found,
        query=query,
        profession=profession,
        organisation_id=organisation_id,
        organisations=db.session.execute(accounts.organisations()).scalars().all(),
        upload=UploadForm(),
        code_form=JoinCodeForm(expires_on=cohorts.default_last_day(cohort)),
        code=cohorts.current_join_code(cohort),
        now=clock.now(),
        action=ActionForm(),
    )


@bp.post("/cohorts/<int:cohort_id>/learners")
def add_learners(cohort_id: int):
    """Invite the people ticked in the search results; each joins only by accepting."""
    cohort = _cohort_or_404(cohort_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    ids = [int(v) for v in request.form.getlist("user") if v.isdigit()][:500]
    picked = cohorts.people(ids)
    invitations = cohorts.invite(cohort, picked, cohorts.EnrolmentRoute.PICKED)
    mailed = notify.can_send_mail(current_app.config)
    if mailed:
        invited = {m.user_id for m in invitations}
        notify.send_invitation_notices(
            [u for u in picked if u.id in invited], invited_by=current_user, cohort=cohort
        )
    audited(
        AuditAction.LEARNERS_INVITED,
        subject=cohorts.audit_subject(cohort),
        details={
            "cohort": cohort.id,
            "learners": sorted(u.id for u in picked),
            "invited": sorted(m.user_id for m in invitations),
        },
    )
    db.session.commit()
    n = len(invitations)
    flash(
        f"{n} {'person' if n == 1 else 'people'} invited. Each joins the cohort when they "
        "accept the invitation on their dashboard"
        + (", and is told of it by email." if mailed else "."),
        "success",
    )
    return redirect(url_for("trainer.learners", cohort_id=cohort.id))


@bp.post("/cohorts/<int:cohort_id>/learners/<int:user_id>/withdraw")
def withdraw_invitation(cohort_id: int, user_id: int):
    """Take back an invitation that waits for an answer."""
    cohort = _cohort_or_404(cohort_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not cohorts.withdraw(cohort, user_id):
        abort(404)
    learner = cohorts.people([user_id])[0]
    audited(
        AuditAction.INVITATION_WITHDRAWN,
        subject_user=learner,
        details={"cohort": cohort.id, "cohort_name": cohort.name},
    )
    db.session.commit()
    flash(f"The invitation to {learner.name} has been withdrawn.", "success")
    return redirect(url_for("trainer.learners", cohort_id=cohort.id))


@bp.post("/cohorts/<int:cohort_id>/learners/<int:user_id>/remove")
def remove_learner(cohort_id: int, user_id: int):
    """Take a learner out of the cohort; their records stay."""
    cohort = _cohort_or_404(cohort_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not cohorts.remove(cohort, user_id):
        abort(404)
    learner = cohorts.people([user_id])[0]
    audited(
        AuditAction.LEARNER_REMOVED,
        subject_user=learner,
        details={"cohort": cohort.id, "cohort_name": cohort.name},
    )
    db.session.commit()
    flash("The learner has been removed from the cohort. Their records are kept.", "success")
    return redirect(url_for("trainer.learners", cohort_id=cohort.id))


@bp.post("/cohorts/<int:cohort_id>/upload")
def upload(cohort_id: int):
    """Invite from a CSV: every row is checked first, and nothing changes unless all are good."""
    cohort = _cohort_or_404(cohort_id)
    form = UploadForm()
    if not form.validate_on_submit():
        return _upload_page(cohort, form, None, 422)
    data = form.file.data.read(cohorts.UPLOAD_LIMIT + 1)
    sheet = cohorts.read_upload(data)
    if not sheet.ok:
        return _upload_page(cohort, form, sheet.problems, 422)
    result = cohorts.enrol_upload(cohort, sheet.rows)
    if not result.ok:
        db.session.rollback()
        return _upload_page(cohort, form, result.problems, 422)
    # Each new account's link to set a password goes to its own address, never to the trainer.
    notify.send_invitations(result.created, invited_by=current_user, cohort=cohort)
    if notify.can_send_mail(current_app.config):
        notify.send_invitation_notices(
            [u for u in result.invited if u not in result.created],
            invited_by=current_user,
            cohort=cohort,
        )
        notify.send_claims(result.created, listed_by=current_user)
    audited(
        AuditAction.LEARNERS_UPLOADED,
        subject=cohorts.audit_subject(cohort),
        details={
            "cohort": cohort.id,
            "rows": len(sheet.rows),
            "invited": sorted(u.id for u in result.invited),
            "accounts_created": sorted(u.id for u in result.created),
        },
    )
    db.session.commit()
    return render_template(
        "trainer/upload_done.html",
        cohort=cohort,
        result=result,
        mail_configured=notify.can_send_mail(current_app.config),
    )


def _upload_page(cohort, form, problems, status):
    return render_template(
        "trainer/upload.html", cohort=cohort, form=form, problems=problems
    ), status


@bp.get("/cohorts/<int:cohort_id>/upload")
def upload_form(cohort_id: int):
    """The upload page on its own (also where problems are listed)."""
    return _upload_page(_cohort_or_404(cohort_id), UploadForm(), None, 200)


@bp.post("/cohorts/<int:cohort_id>/join-code")
def make_join_code(cohort_id: int):
    """Make a new join code (the old one stops working)."""
    cohort = _cohort_or_404(cohort_id)
    form = JoinCodeForm()
    if not form.validate_on_submit():
        flash("Enter the last day the code should work.", "error")
    elif form.expires_on.data < clock.today():
        flash("The last day must be today or later.", "error")
    else:
        cohorts.create_join_code(cohort, clock.end_of(form.expires_on.data))
        audited(
            AuditAction.JOIN_CODE_MADE,
            subject=cohorts.audit_subject(cohort),
            details={"cohort": cohort.id, "last_day": form.expires_on.data.isoformat()},
        )
        db.session.commit()
        flash("A new join code is ready. The old one no longer works.", "success")
    return redirect(url_for("trainer.learners", cohort_id=cohort.id) + "#join-code")


@bp.post("/cohorts/<int:cohort_id>/join-code/revoke")
def revoke_join_code(cohort_id: int):
    """Stop the join code working."""
    cohort = _cohort_or_404(cohort_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    cohorts.revoke_join_code(cohort)
    audited(
        AuditAction.JOIN_CODE_REVOKED,
        subject=cohorts.audit_subject(cohort),
        details={"cohort": cohort.id},
    )
    db.session.commit()
    flash("The join code no longer works.", "success")
    return redirect(url_for("trainer.learners", cohort_id=cohort.id) + "#join-code")


# Progress and perspectives ---------------------------------------------------------------


def _filters() -> dict:
    """The matrix's filters and order from the address (anything unknown: none, by name)."""
    profession = request.args.get("profession", "")
    stage = request.args.get("stage", "")
    sort = request.args.get("sort", "name")
    return {
        "profession": profession if profession in BY_CODE else "",
        "stage": stage if stage in {s.value for s in Stage} else "",
        "group": request.args.get("group", type=number),
        "sort": sort if sort in reports.SORTS else "name",
    }


@bp.get("/cohorts/<int:cohort_id>/progress")
def progress(cohort_id: int):
    """Learners x programme items: status, date and score, filterable and sortable."""
    cohort = _cohort_or_404(cohort_id)
    filters = _filters()
    page = db.paginate(
        reports.members_query(cohort, **filters),
        page=request.args.get("page", 1, type=number),
        per_page=request.args.get("per_page", 50, type=number),
        max_per_page=500,
        error_out=False,
    )
    cols = reports.columns(cohort, curriculum())
    rows = reports.progress_rows(cols, page.items, clock.today(), since_joining=True)
    return render_template(
        "trainer/progress.html", cohort=cohort, page=page, cols=cols, rows=rows, filters=filters
    )


@bp.get("/cohorts/<int:cohort_id>/progress.csv")
def progress_csv(cohort_id: int):
    """Every learner the matrix's filters find, on all its pages, as CSV: recorded in the audit
    trail first, then written as it is read, so memory stays flat for any size."""
    cohort = _cohort_or_404(cohort_id)
    filters = _filters()
    members = reports.members_query(cohort, **filters)
    cols = reports.columns(cohort, curriculum())
    chosen = {k: v for k, v in filters.items() if k != "sort" and v}
    name = f"cohort-{cohort.id}-progress.csv"
    audited(
        AuditAction.REPORT_DOWNLOADED,
        subject=f"Progress of {cohorts.audit_subject(cohort)} (CSV)",
        details={"report": "cohort progress", "cohort": cohort.id, "rows": total(members)} | chosen,
    )
    db.session.commit()
    rows = reports.every_row(cols, members, clock.today())
    return csv_download(name, reports.csv_rows(cols, rows))


@bp.get("/cohorts/<int:cohort_id>/perspectives")
def perspectives(cohort_id: int):
    """How each profession answered each decision, where they differed most first."""
    cohort = _cohort_or_404(cohort_id)
    decisions = reports.perspectives(cohort, curriculum())
    printable = request.args.get("print") == "1"
    return render_template(
        "trainer/perspectives.html",
        cohort=cohort,
        decisions=decisions[:10] if printable else decisions,
        printable=printable,
        smallest=reports.SMALLEST_CELL,
    )


# Groups ----------------------------------------------------------------------------------


@bp.get("/cohorts/<int:cohort_id>/groups")
def groups(cohort_id: int):
    """The groups, each one's mix, and the share meeting the mix rule."""
    cohort = _cohort_or_404(cohort_id)
    members = db.session.execute(cohorts.active_members(cohort)).all()
    allocation, rows, unplaced = cohorts.current_allocation(cohort, members)
    learners = [grouping.Learner(u.id, u.profession_code, u.stage.value) for _, u in members]
    report = grouping.mix_report(
        allocation, learners, min_professions=cohorts.target_of(cohort).min_professions
    )
    people = {u.id: u for _, u in members}
    form = AllocateForm(value=cohort.group_size, seed=cohort.group_seed)
    return render_template(
        "trainer/groups.html",
        cohort=cohort,
        report=report,
        rows=rows,
        people=people,
        unplaced=unplaced,
        form=form,
        action=ActionForm(),
    )


@bp.post("/cohorts/<int:cohort_id>/groups")
def allocate(cohort_id: int):
    """Form groups (again), keeping locked groups."""
    cohort = _cohort_or_404(cohort_id)
    form = AllocateForm()
    if not form.validate_on_submit():
        flash("Enter a group size or number of groups, and a shuffle number.", "error")
        return redirect(url_for("trainer.groups", cohort_id=cohort.id))
    by_size = form.by.data == "size"
    try:
        made = cohorts.allocate_groups(
            cohort,
            size=form.value.data if by_size else None,
            count=None if by_size else form.value.data,
            seed=form.seed.data,
        )
    except ValueError as problem:
        db.session.rollback()
        flash(f"The groups could not be formed: {problem}.", "error")
        return redirect(url_for("trainer.groups", cohort_id=cohort.id))
    audited(
        AuditAction.GROUPS_FORMED,
        subject=cohorts.audit_subject(cohort),
        details={"cohort": cohort.id, "groups": made, "seed": form.seed.data},
    )
    db.session.commit()
    flash(f"{made} {'group' if made == 1 else 'groups'} formed.", "success")
    return redirect(url_for("trainer.groups", cohort_id=cohort.id))


@bp.post("/cohorts/<int:cohort_id>/groups/move")
def move_learner(cohort_id: int):
    """Move one learner to another group by hand."""
    cohort = _cohort_or_404(cohort_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    user_id = request.form.get("user", type=number)
    if user_id is None:
        abort(400)
    target = request.form.get("group", "")
    group_id = int(target) if target.isdigit() else None
    if not cohorts.move_to_group(cohort, user_id, group_id):
        abort(404)
    audited(
        AuditAction.GROUPS_CHANGED,
        subject=cohorts.audit_subject(cohort),
        details={"cohort": cohort.id, "learner": user_id, "group": group_id or "none"},
    )
    db.session.commit()
    flash("Moved.", "success")
    return redirect(url_for("trainer.groups", cohort_id=cohort.id))


@bp.post("/cohorts/<int:cohort_id>/groups/<int:group_id>/<any(lock, unlock):change>")
def lock_group(cohort_id: int, group_id: int, change: str):
    """Lock a group so that forming groups again keeps it, or unlock it."""
    cohort = _cohort_or_404(cohort_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not cohorts.set_locked(cohort, group_id, change == "lock"):
        abort(404)
    audited(
        AuditAction.GROUPS_CHANGED,
        subject=cohorts.audit_subject(cohort),
        details={"cohort": cohort.id, "group": group_id, "change": change},
    )
    db.session.commit()
    return redirect(url_for("trainer.groups", cohort_id=cohort.id))
