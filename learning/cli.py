"""``flask`` commands: content check, users, demo data, backups and the outbox.

``flask content check`` is a plain click group, registered as a Flask CLI plugin (see
pyproject.toml), so that it works even when the app cannot start because the content is broken:
that is when it is needed most. The other groups need the app.
"""

from __future__ import annotations

import getpass
import os
import socket
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from . import PROJECT_ROOT, accounts, audit, backups, clock, demo, outbox, retention
from .curriculum import check as check_curriculum
from .curriculum import curriculum
from .extensions import db
from .models import AuditAction, Role, User
from .professions import CODES, Stage

content_cli = click.Group("content", help="Check the learning content.")
users_cli = AppGroup("users", help="Manage user accounts.")
demo_cli = AppGroup("demo", help="Demo organisations and accounts.")
backup_cli = AppGroup("backup", help="Back up and restore the whole platform's database.")
retention_cli = AppGroup("retention", help="Delete what is past its retention period.")
outbox_cli = AppGroup("outbox", help="Email waiting in the outbox.")


def operator() -> str:
    """How the audit trail names whoever runs a command: the system account and machine."""
    try:
        user = getpass.getuser()
    except OSError:  # no login name in a bare container
        user = f"uid {os.getuid()}"
    return f"Command line ({user}@{socket.gethostname()})"


@content_cli.command("check")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: os.environ.get("CONTENT_ROOT") or PROJECT_ROOT,
    help="Folder holding modules/ and quizzes/ (default: $CONTENT_ROOT, else the project).",
)
def check_content(root: Path) -> None:
    """Print every problem as path:line: message; exit 1 if there is any."""
    result = check_curriculum(root, today=clock.today())
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
        counts.append(f"{result.counts['quizzes']} scenarios")
    click.echo(f"Content OK: {', '.join(counts)}.")


@users_cli.command("create")
@click.option("--email", prompt=True, help="Email address, used to sign in.")
@click.option("--name", prompt=True, help="Full name.")
@click.option(
    "--profession", type=click.Choice(CODES), default="other", show_default=True, help="Code."
)
@click.option("--admin", is_flag=True, help="Grant the administrator role.")
@click.password_option(help="At least 10 characters; asked for when omitted.")
def create_user(email: str, name: str, profession: str, admin: bool, password: str) -> None:
    """Create an account, e.g. the first administrator."""
    if accounts.user_by_email(email) is not None:
        raise click.ClickException(f"an account with the email {email} already exists")
    problem = accounts.password_problem(password, email=email, name=name)
    if problem:
        raise click.ClickException(problem)
    user = accounts.register(
        accounts.NewPerson(
            name=name, email=email, password=password, profession=profession, stage=Stage.QUALIFIED
        )
    )
    if admin:
        accounts.grant_role(user, Role.ADMIN)
    audit.record(
        AuditAction.ACCOUNT_CREATED,
        actor=None,
        actor_name=operator(),
        address=None,
        subject_user=user,
        details={"roles": ["admin"] if admin else [], "by": "flask users create"},
    )
    db.session.commit()
    click.echo(f"Created {user.email}" + (" (administrator)" if admin else ""))


@demo_cli.command("load")
def load_demo() -> None:
    """Create the demo organisations and accounts that are missing (safe to repeat)."""
    content = curriculum()
    created = demo.load(current_app.config["DEMO_PASSWORD"], content)
    db.session.commit()
    click.echo(
        f"Demo data: {created['organisations']} organisations, {created['people']} people, "
        f"{created['progress']} module progress records, {created['cohorts']} cohorts and "
        f"{created['attempts']} scenario attempts created."
    )


@demo_cli.command("load-if-empty")
def load_demo_if_empty() -> None:
    """Load the demo data only into a database that has no users yet (used by make run)."""
    if db.session.execute(sa.select(User.id).limit(1)).first() is not None:
        click.echo("Database already has users: demo data not loaded.")
        return
    content = curriculum()
    created = demo.load(current_app.config["DEMO_PASSWORD"], content)
    db.session.commit()
    click.echo(
        f"Demo data loaded: {created['people']} people, {created['progress']} module progress "
        f"records, {created['cohorts']} cohorts, {created['attempts']} scenario attempts."
    )


@demo_cli.command("accounts")
def show_accounts() -> None:
    """Print the demo accounts and their password."""
    password = current_app.config["DEMO_PASSWORD"]
    click.echo(f"Demo accounts (password: {password}):")
    for email, what in demo.NAMED_ACCOUNTS:
        click.echo(f"  {email:<30} {what}")


@backup_cli.command("create")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def create_backup(file: Path) -> None:
    """Back up the database to FILE, safe while the site is serving."""
    url = db.engine.url
    db.session.remove()
    try:
        backups.create(url, file)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error
    _record_backup(AuditAction.BACKUP_MADE, file)
    click.echo(f"Backed up the {url.get_backend_name()} database to {file}.")


@backup_cli.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--replace", is_flag=True, help="Replace a database that already holds data.")
def restore_backup(file: Path, replace: bool) -> None:
    """Restore the database from FILE into an empty database (stop the site first)."""
    url = db.engine.url
    db.session.remove()
    db.engine.dispose()  # no pooled connection of ours may hold the database during the restore
    try:
        backups.restore(url, file, replace=replace)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error
    _record_backup(AuditAction.BACKUP_RESTORED, file, replace=replace)
    click.echo(f"Restored the {url.get_backend_name()} database from {file}.")


def _record_backup(action: AuditAction, file: Path, **details: object) -> None:
    """Record a backup or a restore in the trail (a restore's entry goes into the restored
    database, after the backup's own history)."""
    audit.record(
        action,
        actor=None,
        actor_name=operator(),
        address=None,
        subject=f"Backup file {file.name}",
        details={"file": str(file.resolve()), **details},
    )
    db.session.commit()


@outbox_cli.command("send")
def send_outbox() -> None:
    """Send the email that is due (run it from cron); exit 1 if any message failed.

    Safe to run as often as wanted, alongside the site and other runs: no message is sent
    twice. A message that failed is tried again at the next run, up to its attempt limit.
    """
    waiting = db.session.execute(outbox.waiting_count()).scalar_one()
    db.session.remove()
    if not outbox.mail_server_configured(current_app.config):
        click.echo(
            f"No mail server is configured (MAIL_SERVER): {waiting} waiting "
            f"{'message' if waiting == 1 else 'messages'} for an administrator to pass on."
        )
        return
    done = outbox.deliver(current_app.config)
    click.echo(f"Sent {done.sent}, failed {done.failed}.")
    if done.failed:
        raise SystemExit(1)


@retention_cli.command("apply")
@click.option("--dry-run", is_flag=True, help="Say what would be deleted, and delete nothing.")
def apply_retention(dry_run: bool) -> None:
    """Delete closed accounts' records and audit entries past their retention periods (run it
    from cron; a second run finds nothing). What it deletes is recorded in the audit trail."""
    periods = retention.Periods.from_config(current_app.config)
    purge = retention.apply(clock.now(), periods, dry_run=dry_run, by=operator())
    if not dry_run:
        db.session.commit()
    would = "would be " if dry_run else ""
    counts = purge.counts
    click.echo(
        f"Records of accounts closed before {purge.records_before:%Y-%m-%d} "
        f"({periods.record_years} years): {counts['accounts']} accounts; "
        + ", ".join(f"{counts[k]} {k.replace('_', ' ')}" for k in _RECORDS)
        + f" {would}deleted."
    )
    click.echo(
        f"Audit entries made before {purge.audit_before:%Y-%m-%d} ({periods.audit_years} "
        f"years): {counts['audit_entries']} {would}deleted."
    )
    if dry_run:
        click.echo("Dry run: nothing was deleted.")
    elif purge.anything:
        click.echo("Recorded in the audit trail as records-purged.")
    else:
        click.echo("Nothing is past its retention period.")


_RECORDS = (
    "completions",
    "module_progress",
    "quiz_attempts",
    "answers",
    "certificates",
    "cohort_places",
)
