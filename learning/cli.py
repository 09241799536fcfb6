"""``flask`` commands: users and demo data."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from . import accounts, demo
from .curriculum import catalogue, quizzes
from .extensions import db
from .models import Role, User
from .professions import CODES, Stage

users_cli = AppGroup("users", help="Manage user accounts.")
demo_cli = AppGroup("demo", help="Demo organisations and accounts.")


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
    db.session.commit()
    click.echo(f"Created {user.email}" + (" (administrator)" if admin else ""))


@demo_cli.command("load")
def load_demo() -> None:
    """Create the demo organisations and accounts that are missing (safe to repeat)."""
    created = demo.load(current_app.config["DEMO_PASSWORD"], catalogue(), quizzes())
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
    created = demo.load(current_app.config["DEMO_PASSWORD"], catalogue(), quizzes())
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
