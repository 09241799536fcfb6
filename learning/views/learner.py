"""Pages for every signed-in person: home, dashboard, profile."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, login_user

from .. import accounts, attempts, progress
from ..curriculum import catalogue, quizzes
from ..extensions import db
from ..forms import ChangePasswordForm, ProfileForm
from ..professions import Stage

bp = Blueprint("learner", __name__)


@bp.get("/")
def home():
    """Tell a newcomer what the platform is and what to do next."""
    return render_template("home.html")


@bp.get("/dashboard")
@login_required
def dashboard():
    """A learner's starting point after signing in."""
    results = attempts.results(current_user, quizzes().slugs)
    taken = [(q, results[q.slug]) for q in quizzes() if q.slug in results]
    return render_template(
        "learner/dashboard.html",
        summary=progress.summary(current_user, catalogue()),
        taken=taken,
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
    db.session.commit()
    flash("Your profile has been saved.", "success")
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
