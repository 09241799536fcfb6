"""A learner's records: certificates and their CPD record; and public certificate checks."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from .. import clock, cpd, records
from ..curriculum import curriculum
from ..extensions import db
from ..forms import ActionForm, CpdEntryForm, options

bp = Blueprint("records", __name__)


@bp.get("/certificates")
@login_required
def certificates():
    """What the learner has achieved, with a certificate to download for each."""
    found = records.achievements(current_user, curriculum())
    return render_template(
        "records/certificates.html",
        achievements=found,
        kinds=records.KIND_LABELS,
        form=ActionForm(),
    )


@bp.post("/certificates")
@login_required
def issue():
    """Make (or find) the certificate for one achievement, then download it."""
    if not ActionForm().validate_on_submit():
        abort(400)
    kind, ref = request.form.get("kind", ""), request.form.get("ref", "")
    match = next(
        (
            a
            for a in records.achievements(current_user, curriculum())
            if a.kind == kind and a.ref == ref
        ),
        None,
    )
    if match is None:
        abort(404)
    certificate = records.issue(current_user, match)
    db.session.commit()
    return redirect(url_for("records.download", code=certificate.code))


@bp.get("/certificates/<code>.pdf")
@login_required
def download(code: str):
    """The learner's own certificate as a PDF (anyone else's is not found)."""
    certificate = records.by_code(code)
    if certificate is None or certificate.user_id != current_user.id:
        abort(404)
    data = records.pdf(
        certificate,
        platform=current_app.config["SITE_NAME"],
        verify_url=url_for("records.verify", code=certificate.code, _external=True),
    )
    return Response(
        data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="certificate-{certificate.code}.pdf"'
        },
    )


@bp.get("/verify/<code>")
def verify(code: str):
    """Anyone can check a certificate: genuine, revoked or unknown, and nothing else."""
    certificate = records.by_code(code)
    status = 404 if certificate is None else 200
    return render_template(
        "records/verify.html", certificate=certificate, kinds=records.KIND_LABELS
    ), status


# CPD -------------------------------------------------------------------------------------


@bp.get("/cpd")
@login_required
def cpd_record():
    """Totals, regulator progress and every entry of the learner's CPD record."""
    entries = records.cpd_entries(current_user, curriculum())
    today = clock.today()
    export = cpd.export_for(current_user.profession_code)
    return render_template(
        "records/cpd.html",
        entries=entries,
        totals=cpd.totals(entries, today),
        nmc=cpd.nmc_progress(entries, today) if export.key == "nmc" else None,
        export=export,
        activity_labels={a.value: a.label for a in cpd.Activity},
        form=ActionForm(),
    )


@bp.route("/cpd/new", methods=["GET", "POST"])
@login_required
def new_cpd_entry():
    """Record a learning activity by hand."""
    form = CpdEntryForm()
    form.activity.choices = options([("", "Choose a type"), *cpd.activity_choices()])
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("records/cpd_entry.html", form=form), status
    records.add_cpd_entry(
        current_user,
        on=form.on.data,
        activity=form.activity.data,
        topic=form.topic.data,
        hours=float(form.hours.data),
        participatory=bool(form.participatory.data),
        learned=form.learned.data or "",
        impact=form.impact.data or "",
        standard=form.standard.data or "",
        peer_reflection=bool(form.peer_reflection.data),
    )
    db.session.commit()
    flash("The activity has been added to your CPD record.", "success")
    return redirect(url_for("records.cpd_record"))


@bp.post("/cpd/<int:entry_id>/delete")
@login_required
def delete_cpd_entry(entry_id: int):
    """Remove an entry the learner added by hand."""
    if not ActionForm().validate_on_submit():
        abort(400)
    if not records.remove_cpd_entry(current_user, entry_id):
        abort(404)
    db.session.commit()
    flash("The entry has been removed.", "success")
    return redirect(url_for("records.cpd_record"))


def _export() -> tuple[cpd.CpdExport, list[cpd.Entry]]:
    """The layout asked for (``?as=nmc``), else the learner's regulator's; and the entries."""
    export = cpd.EXPORTS.get(request.args.get("as", "")) or cpd.export_for(
        current_user.profession_code
    )
    return export, records.cpd_entries(current_user, curriculum())


@bp.get("/cpd/export")
@login_required
def cpd_export():
    """The record in the shape the learner's regulator asks for: a printable page."""
    export, entries = _export()
    return render_template(
        "records/cpd_export.html",
        export=export,
        tables=export.tables(entries),
        totals=cpd.totals(entries, clock.today()),
        exports=cpd.EXPORTS,
    )


@bp.get("/cpd/export.csv")
@login_required
def cpd_export_csv():
    """The same record as CSV."""
    export, entries = _export()
    return Response(
        cpd.to_csv(export.tables(entries)[0]),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{export.filename(clock.today())}"'},
    )
