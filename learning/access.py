"""Who may open which pages: the checks blueprints run at their door."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort
from flask_login import current_user

from .extensions import login_manager
from .models import Role


def require_role(*roles: Role) -> Callable[[], object]:
    """A ``before_request`` hook admitting only signed-in people who hold one of ``roles``."""

    def door() -> object:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not any(current_user.has_role(role) for role in roles):
            abort(403)
        return None

    door.__doc__ = "Admit only people with the role: " + " or ".join(r.value for r in roles)
    return door
