"""People: registration, passwords, sign-in, reset links, roles and organisations.

Domain functions take explicit arguments, may add and flush, and never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import joinedload, selectinload

from .emails import normalise_email
from .extensions import db
from .models import (
    EndedSession,
    Membership,
    Organisation,
    OrganisationKind,
    RememberToken,
    Role,
    RoleGrant,
    User,
    utcnow,
)
from .professions import BY_CODE, Stage

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256


@cache
def _hasher_with(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    """An argon2id hasher at this cost, built once per cost."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def _hasher() -> PasswordHasher:
    """The app's argon2id hasher, at the cost its ``PASSWORD_HASH_*`` settings give.

    Read from the app rather than fixed here so that test apps, and the servers and commands
    the tests start as separate processes, can hash cheaply while production keeps its cost.
    """
    config = current_app.config
    return _hasher_with(
        config["PASSWORD_HASH_TIME_COST"],
        config["PASSWORD_HASH_MEMORY_COST"],
        config["PASSWORD_HASH_PARALLELISM"],
    )


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Verified against when the email is unknown, so both failures take the same time."""
    return hasher.hash("not a real password, only for timing")


@cache
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords, from the zxcvbn package's frequency lists."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why this password is not acceptable, or None if it is."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Password must be {MAX_PASSWORD_LENGTH} characters or fewer"
    folded = password.casefold()
    if folded in _common_passwords() or len(set(folded)) < 3:
        return "This password is too common. Choose one that is harder to guess"
    local_part = email.split("@", 1)[0].casefold()
    if (local_part and len(local_part) >= 4 and local_part in folded) or (
        name and name.replace(" ", "").casefold() == folded.replace(" ", "")
    ):
        return "Password must not be your name or email address"
    return None


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher().hash(password)


def user_by_email(email: str) -> User | None:
    """The user with this email address, if any."""
    return db.session.execute(
        sa.select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


@dataclass(frozen=True)
class NewPerson:
    """What someone gives when they register."""

    name: str
    email: str
    password: str
    profession: str
    stage: Stage
    organisation_id: int | None = None
    registration_number: str | None = None


def register(person: NewPerson) -> User:
    """Create a learner account. The caller checks the email is free and the password is fine."""
    if person.profession not in BY_CODE:
        raise ValueError(f"unknown profession {person.profession!r}")
    user = User(
        name=person.name.strip(),
        email=normalise_email(person.email),
        password_hash=hash_password(person.password),
        profession_code=person.profession,
        stage=person.stage,
        organisation_id=person.organisation_id,
        registration_number=(person.registration_number or "").strip() or None,
    )
    _claimed(user)
    db.session.add(user)
    db.session.flush()
    return user


def _claimed(user: User) -> None:
    """A person's own claim to an organisation waits for the organisation to confirm it."""
    user.membership = Membership.PENDING
    user.membership_changed_at = utcnow() if user.organisation_id is not None else None


def authenticate(email: str, password: str) -> User | None:
    """The user these credentials belong to, or None; takes the same time either way.

    A closed account is refused like an unknown one (its password hash is unusable anyway).
    """
    user = user_by_email(email)
    if user is not None and user.closed_at is not None:
        user = None
    hasher = _hasher()
    try:
        hasher.verify(user.password_hash if user else _dummy_hash(hasher), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def verify_password(user: User, password: str) -> bool:
    """Whether this is the user's current password."""
    try:
        return _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def set_password(user: User, password: str) -> None:
    """Change a password and sign out every session and remembered device of this user."""
    user.password_hash = hash_password(password)
    end_sessions(user)


def end_sessions(user: User) -> None:
    """Sign a person out everywhere: every session cookie and every remember-me token.

    Sessions carry the user's ``session_version`` (see ``User.get_id``), checked on each
    request, so bumping it refuses every session cookie issued before, copied ones included.
    """
    user.session_version += 1
    db.session.execute(sa.delete(RememberToken).where(RememberToken.user_id == user.id))


# Remember-me tokens: 32 random bytes, so a plain SHA-256 is enough to keep them unusable if
# the table leaks (no dictionary to try); a slow password hash would buy nothing.


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def remember(user: User, expires_at: datetime) -> str:
    """A new remember-me token for this user, valid until ``expires_at``; only its hash is kept."""
    db.session.execute(  # the user's expired tokens, never presented again, go now
        sa.delete(RememberToken).where(
            RememberToken.user_id == user.id, RememberToken.expires_at <= utcnow()
        )
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        RememberToken(user_id=user.id, token_hash=_token_hash(token), expires_at=expires_at)
    )
    db.session.flush()
    return token


def use_remember_token(token: str) -> tuple[User, str, datetime] | None:
    """Spend a remember-me token: its user, the token that replaces it and its expiry, or None.

    The token is deleted as it is read (one statement), so of two requests presenting the same
    token only one gets the user. The new token keeps the old one's expiry.
    """
    spent = db.session.execute(
        sa.delete(RememberToken)
        .where(RememberToken.token_hash == _token_hash(token))
        .returning(RememberToken.user_id, RememberToken.expires_at)
    ).first()
    if spent is None or spent.expires_at <= utcnow():
        return None
    user = db.session.get(User, spent.user_id)
    if user is None or user.closed_at is not None:
        return None
    return user, remember(user, spent.expires_at), spent.expires_at


def user_for_session(
    session_id: str, sign_in: str | None, signed_in_at: datetime | None, lifetime: timedelta
) -> User | None:
    """The user a session names, if it is still current.

    ``session_id`` is Flask-Login's (``User.get_id``: id and session version); ``sign_in`` is
    the random id of this browser's sign-in, refused once that browser signed out, and
    ``signed_in_at`` ends the session ``lifetime`` after signing in, however busy it is.
    """
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()) or not sign_in or signed_in_at is None:
        return None
    if signed_in_at + lifetime <= utcnow():
        return None
    ended = sa.select(EndedSession.id).where(EndedSession.session_hash == _token_hash(sign_in))
    return db.session.execute(
        sa.select(User).where(
            User.id == int(user_id),
            User.session_version == int(version),
            User.closed_at.is_(None),
            ~ended.exists(),
        )
    ).scalar_one_or_none()


def end_session(sign_in: str, expires_at: datetime, remember_token: str | None) -> None:
    """Sign one browser out: refuse its session from now on, and spend its remember-me token.

    The session is remembered as ended only until ``expires_at``, when it would have ended
    anyway; older entries are cleared here.
    """
    db.session.execute(sa.delete(EndedSession).where(EndedSession.expires_at <= utcnow()))
    try:
        with db.session.begin_nested():
            db.session.add(EndedSession(session_hash=_token_hash(sign_in), expires_at=expires_at))
    except sa.exc.IntegrityError:
        pass  # two sign-outs of one session at once (a double click): it has ended either way
    if remember_token:
        db.session.execute(
            sa.delete(RememberToken).where(RememberToken.token_hash == _token_hash(remember_token))
        )
    db.session.flush()


# Password reset links: signed, time-limited, and bound to the current password hash, so a
# link stops working once it has been used (the hash changes) or the password changed otherwise.


RESET = "password-reset"
INVITATION = "invitation"


def _reset_serializer(secret_key: str, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=salt)


def _password_fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def reset_token(user: User, secret_key: str, salt: str = RESET) -> str:
    """A one-time token for setting this user's password (a reset, or an invitation)."""
    return _reset_serializer(secret_key, salt).dumps([user.id, _password_fingerprint(user)])


def user_for_reset_token(
    token: str, secret_key: str, max_age: int, salt: str = RESET
) -> User | None:
    """The user a token was made for, if it is genuine, unexpired and unused."""
    try:
        user_id, fingerprint = _reset_serializer(secret_key, salt).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired, ValueError, TypeError):
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or user.closed_at is not None or fingerprint != _password_fingerprint(user):
        return None
    return user


# Registration creates nothing until the emailed link is followed, so its answer is the same
# whether or not the address has an account. The link carries the password's hash, never the
# password; once followed, the address has an account and the link is spent.
REGISTRATION = "registration"
REGISTRATION_MAX_AGE = 24 * 3600


def registration_token(person: NewPerson, secret_key: str) -> str:
    """A signed token describing the account to create when its link is followed."""
    if person.profession not in BY_CODE:
        raise ValueError(f"unknown profession {person.profession!r}")
    return _reset_serializer(secret_key, REGISTRATION).dumps(
        {
            "name": person.name.strip(),
            "email": normalise_email(person.email),
            "password_hash": hash_password(person.password),
            "profession": person.profession,
            "stage": person.stage.value,
            "organisation_id": person.organisation_id,
            "registration_number": (person.registration_number or "").strip() or None,
        }
    )


def register_from_token(token: str, secret_key: str) -> User | None:
    """Create the account a registration link describes; None if the link is bad, old or spent."""
    try:
        data = _reset_serializer(secret_key, REGISTRATION).loads(
            token, max_age=REGISTRATION_MAX_AGE
        )
        stage = Stage(data["stage"])
    except (BadSignature, SignatureExpired, ValueError, TypeError, KeyError):
        return None
    if user_by_email(data["email"]) is not None or data["profession"] not in BY_CODE:
        return None
    organisation_id = data["organisation_id"]
    if organisation_id is not None and db.session.get(Organisation, organisation_id) is None:
        organisation_id = None  # closed since the link was sent
    user = User(
        name=data["name"],
        email=data["email"],
        password_hash=data["password_hash"],
        profession_code=data["profession"],
        stage=stage,
        organisation_id=organisation_id,
        registration_number=data["registration_number"],
    )
    _claimed(user)
    db.session.add(user)
    db.session.flush()
    return user


def update_profile(
    user: User, *, name: str, profession: str, stage: Stage, registration_number: str | None
) -> None:
    """Change what a person says about themselves."""
    if profession not in BY_CODE:
        raise ValueError(f"unknown profession {profession!r}")
    user.name = name.strip()
    user.profession_code = profession
    user.stage = stage
    user.registration_number = (registration_number or "").strip() or None


def set_roles(user: User, roles: set[Role], *, granted_by: User) -> None:
    """Make the user's granted roles exactly ``roles``."""
    for grant in list(user.role_grants):
        if grant.role not in roles:
            user.role_grants.remove(grant)
    for role in sorted(roles - user.roles):
        user.role_grants.append(RoleGrant(role=role, granted_by=granted_by))
    db.session.flush()


def grant_role(user: User, role: Role, *, granted_by: User | None = None) -> None:
    """Add one role, if the user does not have it."""
    if role not in user.roles:
        user.role_grants.append(RoleGrant(role=role, granted_by=granted_by))
        db.session.flush()


def move_to_organisation(user: User, organisation: Organisation | None) -> None:
    """Record that a person now belongs to another organisation (or none), as confirmed staff."""
    if organisation is not user.organisation or user.membership is not Membership.CONFIRMED:
        user.membership_changed_at = utcnow()
    user.organisation = organisation
    user.membership = Membership.CONFIRMED


def claim_organisation(user: User, organisation: Organisation | None) -> bool:
    """A person says they now work for another organisation (or none): pending until confirmed.

    False, and nothing changes, when it is the organisation they already name.
    """
    if organisation is user.organisation:
        return False
    user.organisation = organisation
    user.membership = Membership.PENDING
    user.membership_changed_at = utcnow() if organisation is not None else None
    db.session.flush()
    return True


def confirm_membership(user: User) -> None:
    """The organisation confirms that a person who named it is one of its staff."""
    user.membership = Membership.CONFIRMED
    user.membership_changed_at = utcnow()
    db.session.flush()


def end_membership(user: User) -> None:
    """The person has left the organisation (or never was staff): no record of theirs is deleted."""
    user.membership = Membership.ENDED
    user.membership_changed_at = utcnow()
    db.session.flush()


def members_in(organisation: Organisation, membership: Membership) -> sa.Select[tuple[User]]:
    """The people naming the organisation whose membership is in this state, by name."""
    return (
        sa.select(User)
        .where(User.organisation_id == organisation.id, User.membership == membership)
        .order_by(User.name, User.id)
    )


def employers_of(organisation_ids: Iterable[int]) -> sa.Select[tuple[User]]:
    """The people with the employer role whom these organisations have confirmed as staff
    (open accounts only), by organisation, with it loaded: one query for them all."""
    return (
        sa.select(User)
        .options(joinedload(User.organisation))
        .where(
            User.organisation_id.in_(list(organisation_ids)),
            User.membership == Membership.CONFIRMED,
            User.closed_at.is_(None),
            User.id.in_(sa.select(RoleGrant.user_id).where(RoleGrant.role == Role.EMPLOYER)),
        )
        .order_by(User.organisation_id, User.name, User.id)
    )


def search_users(query: str = "", role: Role | None = None) -> sa.Select[tuple[User]]:
    """Users matching a free-text query on name, email or registration number, by name."""
    statement = (
        sa.select(User)
        .options(selectinload(User.organisation), selectinload(User.role_grants))
        .order_by(User.name, User.id)
    )
    words = query.split()
    for word in words[:6]:
        word = word.lower()
        statement = statement.where(
            sa.or_(
                sa.func.lower(User.name).contains(word, autoescape=True),
                User.email.contains(word, autoescape=True),
                sa.func.lower(User.registration_number).contains(word, autoescape=True),
            )
        )
    if role is not None:
        statement = statement.where(
            User.id.in_(sa.select(RoleGrant.user_id).where(RoleGrant.role == role))
        )
    return statement


def organisations() -> sa.Select[tuple[Organisation]]:
    """Every organisation, by name."""
    return sa.select(Organisation).order_by(Organisation.name)


def organisation_sizes() -> sa.Select[tuple[Organisation, int, int]]:
    """Every organisation by name, with its confirmed staff and the claims waiting for its
    confirmation: one query."""

    def counted(membership: Membership) -> sa.ColumnElement[int]:
        return sa.func.coalesce(
            sa.func.sum(sa.case((User.membership == membership, 1), else_=0)), 0
        )

    return (
        sa.select(Organisation, counted(Membership.CONFIRMED), counted(Membership.PENDING))
        .outerjoin(User, User.organisation_id == Organisation.id)
        .group_by(Organisation.id)
        .order_by(Organisation.name)
    )


def organisation_name_taken(name: str, *, except_id: int | None = None) -> bool:
    """Whether another organisation already has this name (ignoring case)."""
    statement = sa.select(Organisation.id).where(
        sa.func.lower(Organisation.name) == name.strip().lower()
    )
    if except_id is not None:
        statement = statement.where(Organisation.id != except_id)
    return db.session.execute(statement).first() is not None


def create_organisation(name: str, kind: OrganisationKind) -> Organisation:
    """A new organisation (the caller has checked the name is free)."""
    organisation = Organisation(name=name.strip(), kind=kind)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def update_organisation(organisation: Organisation, name: str, kind: OrganisationKind) -> None:
    """Rename an organisation or change its kind."""
    organisation.name = name.strip()
    organisation.kind = kind
    db.session.flush()
