"""``flask content check``: validate every module and the glossary, as the app would load them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from .catalogue import check, quiz_slugs_in

content_cli = AppGroup("content", help="Check the learning content.")


@content_cli.command("check")
def check_command() -> None:
    """Print every problem as path:line: message; exit 1 if there is any."""
    root = Path(current_app.config["CONTENT_ROOT"])
    result = check(root, quiz_slugs=quiz_slugs_in(root), today=date.today())
    for warning in result.warnings:
        click.echo(f"warning: {warning}")
    for problem in result.problems:
        click.echo(str(problem))
    if result.problems:
        count = len(result.problems)
        click.echo(f"{count} problem{'s' if count != 1 else ''} found.")
        raise SystemExit(1)
    click.echo(
        f"Content OK: {result.counts['modules']} modules,"
        f" {result.counts['glossary terms']} glossary terms."
    )
