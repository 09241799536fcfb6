"""Who may open which pages: the checks blueprints run at their door."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort
from flask_login import current_user

from .extensions import login_manager
from .models import Role


def require_role(role: Role) -> Callable[[], object]:
    """A ``before_request`` hook admitting only signed-in people who hold ``role``."""

    def door() -> object:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.has_role(role):
            abort(403)
        return None

    door.__doc__ = f"Admit only people with the {role.value} role."
    return door


def require_sign_in() -> object:
    """A ``before_request`` hook admitting any signed-in person."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None
