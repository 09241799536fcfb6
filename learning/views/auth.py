"""Registration, sign-in and out, and password reset."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Request,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user, user_logged_in

from .. import accounts, audit, clock, cohorts, notify
from ..extensions import (
    db,
    limiter,
    login_limit_account,
    login_limit_account_ceiling,
    login_limit_address,
    submitted_email,
    submitted_email_from_address,
)
from ..forms import (
    NO_ORGANISATION,
    NewPasswordForm,
    RegisterForm,
    ResetRequestForm,
    SignInForm,
    options,
)
from ..models import AuditAction, Organisation, User
from ..professions import Stage

bp = Blueprint("auth", __name__)

SIGN_IN_FAILED = "The email address or password is not right"


def _safe_next(target: str | None) -> str:
    """Follow ``next`` only to a path on this site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            if not target.startswith("//") and "\\" not in target and target.isprintable():
                return target
    return url_for("learner.dashboard")


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["REGISTER_LIMIT_ADDRESS"], methods=["POST"], scope="register"
)
def register():
    """Create a learner account and sign the new learner in."""
    if current_user.is_authenticated:
        return redirect(url_for("learner.dashboard"))
    form = RegisterForm()
    organisations = db.session.execute(accounts.organisations()).scalars().all()
    form.organisation.choices = options(
        [(NO_ORGANISATION, "None, or not listed"), *[(o.id, o.name) for o in organisations]]
    )
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("auth/register.html", form=form), status
    organisation_id = form.organisation.data or None
    if organisation_id is not None and db.session.get(Organisation, organisation_id) is None:
        organisation_id = None
    person = accounts.NewPerson(
        name=form.name.data,
        email=form.email.data,
        password=form.password.data,
        profession=form.profession.data,
        stage=Stage(form.stage.data),
        organisation_id=organisation_id,
        registration_number=form.registration_number.data,
    )
    # Hashed either way, so that the time taken does not tell whether the address is known.
    token = accounts.registration_token(person, current_app.config["SECRET_KEY"])
    owner = accounts.user_by_email(person.email)
    mail_configured = notify.can_send_mail(current_app.config)
    if mail_configured and owner is None:
        link = url_for("auth.confirm_registration", token=token, _external=True)
        notify.send_registration_link(person.name, person.email, link)
    elif mail_configured:
        notify.send_account_exists(
            owner,
            sign_in=url_for("auth.sign_in", _external=True),
            reset=url_for("auth.request_reset", _external=True),
        )
    db.session.commit()
    return render_template(
        "auth/register_sent.html", email=person.email, mail_configured=mail_configured
    )


@bp.get("/register/<token>")
def confirm_registration(token: str):
    """Create the account an emailed registration link describes, and sign its owner in."""
    user = accounts.register_from_token(token, current_app.config["SECRET_KEY"])
    if user is None:
        return render_template("auth/registration_invalid.html"), 404
    audit.record(
        AuditAction.SIGNED_IN,
        actor=user,
        address=request.remote_addr,
        details={"by": "registration link"},
    )
    if notify.can_send_mail(current_app.config):
        notify.send_claims([user])
    db.session.commit()
    login_user(user)
    flash(f"Welcome, {user.name}. Your account is ready.", "success")
    return redirect(url_for("learner.dashboard"))


def _refused(response: Response) -> bool:
    """Only refused sign-ins count against the sign-in limits: the owner's success costs nothing."""
    return response.status_code == 422


# Three limits on refused sign-ins, so that guessing from one address cannot lock the owner out:
# one account from one address; one address across accounts; and, against guessing from many
# addresses, a higher ceiling for one account from anywhere.
@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(login_limit_address, methods=["POST"], scope="sign-in-address", deduct_when=_refused)
@limiter.limit(
    login_limit_account,
    key_func=submitted_email_from_address,
    methods=["POST"],
    scope="sign-in-account-address",
    deduct_when=_refused,
)
@limiter.limit(
    login_limit_account_ceiling,
    key_func=submitted_email,
    methods=["POST"],
    scope="sign-in-account",
    deduct_when=_refused,
)
def sign_in():
    """Sign in with email and password; the same message for any failure."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = SignInForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            if form.remember.data:
                expires_at = clock.now() + current_app.config["REMEMBER_COOKIE_DURATION"]
                _remember_browser(accounts.remember(user, expires_at), expires_at)
            audit.record(AuditAction.SIGNED_IN, actor=user, address=request.remote_addr)
            db.session.commit()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        _refused_sign_in(form.email.data)
        form.password.errors.append(SIGN_IN_FAILED)
    status = 422 if form.errors else 200
    return render_template("auth/sign_in.html", form=form), status


def _refused_sign_in(email: str) -> None:
    """Record a refused sign-in: about the account if the address is one, else what was typed."""
    owner = accounts.user_by_email(email)
    audit.record(
        AuditAction.SIGN_IN_REFUSED,
        actor=None,
        address=request.remote_addr,
        subject_user=owner,
        subject="" if owner else f"Unknown address {email[:254]}",
    )
    db.session.commit()


@bp.post("/sign-out")
def sign_out():
    """Sign out: this browser, and every other session and remembered browser of the person."""
    if current_user.is_authenticated:
        sign_in, signed_in_at = signed_in()
        accounts.end_session(
            sign_in,
            signed_in_at + current_app.config["PERMANENT_SESSION_LIFETIME"],
            request.cookies.get(REMEMBER_COOKIE),
        )
        db.session.commit()
    logout_user()
    _remember_browser(None)
    flash("You have signed out.", "success")
    return redirect(url_for("learner.home"))


@bp.route("/reset-password", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["RESET_LIMIT_ADDRESS"], methods=["POST"], scope="reset-address"
)
@limiter.limit(
    login_limit_account, key_func=submitted_email, methods=["POST"], scope="reset-account"
)
def request_reset():
    """Send a reset link if the account exists; say the same thing either way."""
    form = ResetRequestForm()
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("auth/reset_request.html", form=form), status
    user = accounts.user_by_email(form.email.data)
    if user is not None and user.closed_at is None and notify.can_send_mail(current_app.config):
        token = accounts.reset_token(user, current_app.config["SECRET_KEY"])
        notify.send_reset_link(user, url_for("auth.reset_password", token=token, _external=True))
    db.session.commit()
    return render_template(
        "auth/reset_sent.html",
        email=form.email.data,
        mail_configured=notify.can_send_mail(current_app.config),
    )


# A link's token leaves the URL at once: the link keeps it in the session and sends the browser
# to an address without it, so no later request, page, history entry or Referer carries it.
# The link's own request line is redacted in the access log (``learning.redact_tokens``).


def _token_key(salt: str) -> str:
    return f"{salt}-token"


def _land_from_link(token: str, *, salt: str, max_age: int, page: str, invalid: str):
    """Keep a genuine link's token in the session and go to its page, which has no token."""
    if accounts.user_for_reset_token(token, current_app.config["SECRET_KEY"], max_age, salt=salt):
        session[_token_key(salt)] = token
        return redirect(url_for(page))
    return render_template(invalid), 404


def _password_from_link(*, salt: str, max_age: int, page: str, invalid: str):
    """Set a password from a one-time link: the user once it is set, or the page to show."""
    user = accounts.user_for_reset_token(
        session.get(_token_key(salt), ""), current_app.config["SECRET_KEY"], max_age, salt=salt
    )
    if user is None:
        return None, (render_template(invalid), 404)
    form = NewPasswordForm()
    form.account_email = user.email
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return None, (render_template(page, form=form, user=user), status)
    accounts.set_password(user, form.password.data)
    db.session.commit()
    session.pop(_token_key(salt), None)
    return user, None


@bp.get("/reset-password/<token>")
def reset_password(token: str):
    """The emailed reset link: keep its token, then choose a password at a token-free address."""
    return _land_from_link(
        token,
        salt=accounts.RESET,
        max_age=current_app.config["PASSWORD_RESET_MAX_AGE"],
        page="auth.new_password",
        invalid="auth/reset_invalid.html",
    )


@bp.route("/new-password", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["RESET_LIMIT_ADDRESS"], methods=["POST"], scope="reset-address"
)
def new_password():
    """Set a new password from a one-time link."""
    user, page = _password_from_link(
        salt=accounts.RESET,
        max_age=current_app.config["PASSWORD_RESET_MAX_AGE"],
        page="auth/reset_password.html",
        invalid="auth/reset_invalid.html",
    )
    if page is not None:
        return page
    logout_user()
    flash("Your password has been changed. Sign in with your new password.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.get("/invitation/<token>")
def accept_invitation(token: str):
    """The invitation link: keep its token, then set a password at a token-free address."""
    return _land_from_link(
        token,
        salt=accounts.INVITATION,
        max_age=cohorts.INVITATION_MAX_AGE,
        page="auth.first_password",
        invalid="auth/invitation_invalid.html",
    )


@bp.route("/invitation", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["RESET_LIMIT_ADDRESS"], methods=["POST"], scope="reset-address"
)
def first_password():
    """A person a trainer enrolled sets their first password from the invitation link."""
    user, page = _password_from_link(
        salt=accounts.INVITATION,
        max_age=cohorts.INVITATION_MAX_AGE,
        page="auth/invitation.html",
        invalid="auth/invitation_invalid.html",
    )
    if page is not None:
        return page
    audit.record(
        AuditAction.SIGNED_IN,
        actor=user,
        address=request.remote_addr,
        details={"by": "invitation link"},
    )
    db.session.commit()
    login_user(user)
    flash(f"Welcome, {user.name}. Your password is set.", "success")
    return redirect(url_for("learner.dashboard"))


# Each sign-in has a random id and a start time in the session: signing out records the id as
# ended, so copies of the cookie are refused, and the session ends a fixed time after the start.

SIGN_IN = "sign_in"
SIGNED_IN_AT = "signed_in_at"


@user_logged_in.connect
def _start_sign_in(_app: object, **_extra: object) -> None:
    """Give every new sign-in, whichever view made it, an id of its own and a start time."""
    session[SIGN_IN] = secrets.token_urlsafe(24)
    session[SIGNED_IN_AT] = int(clock.now().timestamp())


def signed_in() -> tuple[str | None, datetime | None]:
    """This session's sign-in id and start time, if it has them."""
    started = session.get(SIGNED_IN_AT)
    when = datetime.fromtimestamp(started, UTC) if isinstance(started, int) else None
    return session.get(SIGN_IN), when


# Remember-me: see ``remembered_user`` for why this is not Flask-Login's own cookie.

REMEMBER_COOKIE = "remember_me"


def _remember_browser(token: str | None, expires_at: datetime | None = None) -> None:
    """Give this browser a remember-me token with the response, or take its token away."""
    g.remember_cookie = (token, expires_at)


def remembered_user(request: Request) -> User | None:
    """Flask-Login's request loader: bring a person back from a remember-me cookie.

    Flask-Login's own remember cookie is the session's ``_user_id`` with an HMAC of it: the
    same at every sign-in, valid for as long as the secret key and the user's session version
    last, and never rotated. Its machinery cannot be fed another value without that value
    becoming the session's user id too, so the app never asks it to remember. It keeps its own
    cookie instead: a random token used once (``accounts.use_remember_token`` deletes it as it
    reads it), stored as its SHA-256 with a fixed expiry, replaced here at every use, and
    deleted with the person's sessions by signing out, a password change or an administrator.
    """
    token = request.cookies.get(REMEMBER_COOKIE)
    if not token:
        return None
    found = accounts.use_remember_token(token)
    if found is not None:
        audit.record(
            AuditAction.SIGNED_IN,
            actor=found[0],
            address=request.remote_addr,
            details={"by": "keep me signed in"},
        )
    db.session.commit()
    if found is None:
        _remember_browser(None)
        return None
    user, new_token, expires_at = found
    login_user(user, fresh=False)
    _remember_browser(new_token, expires_at)
    return user


@bp.after_app_request
def _write_remember_cookie(response: Response) -> Response:
    """Set or clear the remember-me cookie as the request decided."""
    if "remember_cookie" not in g:
        return response
    token, expires_at = g.remember_cookie
    config = current_app.config
    options = {
        "httponly": True,
        "secure": config["REMEMBER_COOKIE_SECURE"],
        "samesite": config["REMEMBER_COOKIE_SAMESITE"],
    }
    if token is None:
        if REMEMBER_COOKIE in request.cookies:
            response.delete_cookie(REMEMBER_COOKIE, **options)
    else:
        response.set_cookie(REMEMBER_COOKIE, token, expires=expires_at, **options)
    return response
