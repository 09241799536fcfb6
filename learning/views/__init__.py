"""Blueprints, one per audience: auth, learner, trainer, employer, admin; and error pages."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

import sqlalchemy as sa
from flask import Response, abort, current_app, request, stream_with_context
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from .. import audit
from ..extensions import db
from ..forms import AuditSearchForm, options
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


def paged(statement: sa.Select):
    """The page of ``statement``'s rows the address asks for (``?page=``), the site's page size
    at a time; a page number out of range is an empty page, not an error."""
    return db.paginate(
        statement,
        page=request.args.get("page", 1, type=number),
        per_page=current_app.config["PAGE_SIZE"],
        max_per_page=100,
        error_out=False,
    )


def refuse_nul() -> None:
    """No page has a use for a NUL byte in its address, and PostgreSQL cannot compare one: 404."""
    if "\x00" in request.path or any("\x00" in v for v in request.args.values()):
        abort(404)


def audited(action: AuditAction, **about: object) -> AuditEntry:
    """Record in the audit trail an action the signed-in person is doing, from this address."""
    return audit.record(action, actor=current_user, address=request.remote_addr, **about)


def total(statement: sa.Select) -> int:
    """How many rows a select finds (what an export records before it sends them)."""
    counted = sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())
    return db.session.execute(counted).scalar_one()


#: How much CSV text a download gathers before sending it on.
CSV_BUFFER = 64 * 1024


def csv_download(filename: str, lines: Iterable[Sequence[str]]) -> Response:
    """A CSV file sent as its lines are made, so that memory holds a chunk, never the file.

    ``lines`` is read after the view returns, with the request still open: commit before, so
    that what the request records is kept whatever happens to the download.
    """

    def body() -> Iterator[str]:
        out = io.StringIO()
        out.write("\ufeff")  # a BOM so that Excel reads the names correctly
        writer = csv.writer(out)
        for line in lines:
            writer.writerow(line)
            if out.tell() >= CSV_BUFFER:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()

    return current_app.response_class(
        stream_with_context(body()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def audit_search() -> tuple[AuditSearchForm, audit.Filters, dict[str, str]]:
    """The audit trail's search form read from the address, the filters it gives, and the
    query string to keep them on other pages (bad input filters nothing and says why).
    Administrators and employers search the same way."""
    form = AuditSearchForm(request.args)
    form.action.choices = options([("", "Any action"), *[(a.value, a.label) for a in AuditAction]])
    if not form.validate():
        return form, audit.Filters(), {}
    filters = audit.Filters(
        actor=(form.actor.data or "").strip(),
        action=AuditAction(form.action.data) if form.action.data else None,
        subject=(form.subject.data or "").strip(),
        since=form.since.data,
        until=form.until.data,
    )
    kept = {
        "actor": filters.actor,
        "action": form.action.data or "",
        "subject": filters.subject,
        "since": filters.since.isoformat() if filters.since else "",
        "until": filters.until.isoformat() if filters.until else "",
    }
    return form, filters, {k: v for k, v in kept.items() if v}
