"""``flask content check``: validate modules, glossary and quizzes, as the app would load them.

A plain click group, registered as a Flask CLI plugin (see pyproject.toml), so that it works
even when the app cannot start because the content is broken: that is when it is needed most.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import click

from .catalogue import check, quiz_slugs_in

#: The project folder, where ``modules/`` and ``quizzes/`` live by default.
PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent

content_cli = click.Group("content", help="Check the learning content.")


@content_cli.command("check")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: os.environ.get("CONTENT_ROOT") or PROJECT_ROOT,
    help="Folder holding modules/ and quizzes/ (default: $CONTENT_ROOT, else the project).",
)
def check_command(root: Path) -> None:
    """Print every problem as path:line: message; exit 1 if there is any."""
    result = check(root, quiz_slugs=quiz_slugs_in(root), today=date.today())
    for warning in result.warnings:
        click.echo(f"warning: {warning}")
    for problem in result.problems:
        click.echo(str(problem))
    if result.problems:
        count = len(result.problems)
        click.echo(f"{count} problem{'s' if count != 1 else ''} found.")
        raise SystemExit(1)
    counts = [
        f"{result.counts['modules']} modules",
        f"{result.counts['glossary terms']} glossary terms",
    ]
    if "quizzes" in result.counts:
        counts.append(f"{result.counts['quizzes']} quizzes")
    click.echo(f"Content OK: {', '.join(counts)}.")
