"""Blueprints, one per audience: auth, learner, trainer, employer, admin; and error pages."""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from .. import audit
from ..models import AuditAction, AuditEntry

#: The largest id or number a URL may carry: what a PostgreSQL ``integer`` column holds.
LARGEST = 2**31 - 1


class RowId(IntegerConverter):
    """``<int:...>`` in every route: a number no row can have is a 404, not a database error."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002, ANN001 - werkzeug's signature
        kwargs.setdefault("max", LARGEST)
        super().__init__(map, *args, **kwargs)


def number(value: str) -> int:
    """A query-string or form integer the database can hold: ``args.get(..., type=number)``
    falls back to the default for anything else."""
    result = int(value)
    if not -LARGEST <= result <= LARGEST:
        raise ValueError(value)
    return result


def refuse_nul() -> None:
    """No page has a use for a NUL byte in its address, and PostgreSQL cannot compare one: 404."""
    if "\x00" in request.path or any("\x00" in v for v in request.args.values()):
        abort(404)


def audited(action: AuditAction, **about: object) -> AuditEntry:
    """Record in the audit trail an action the signed-in person is doing, from this address."""
    return audit.record(action, actor=current_user, address=request.remote_addr, **about)
