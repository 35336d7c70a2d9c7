"""``lagesbild users add|list|disable|enable|reset-password``: the portal's local accounts.

Every change is written to the audit log; disabling and resetting a password end every
session of the account at once (its session generation is raised).
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from lagesbild.errors import PipelineError

__all__ = ["os_user", "users_app"]

users_app = typer.Typer(help="Local accounts of the review portal.", no_args_is_help=True)
UsernameOption = Annotated[str, typer.Option("--username", help="Login name (any case).")]


def _engine():  # type: ignore[no-untyped-def]  # noqa: ANN202
    from approval.db.engine import init_db
    from lagesbild.settings import load_settings

    return init_db(load_settings().database_url)


def _fail(exc: Exception) -> None:
    typer.secho(f"fel: {exc}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)


def os_user() -> str:
    """Who runs the command, for the audit log (``LAGESBILD_ACTOR`` overrides)."""
    import getpass

    try:
        return os.environ.get("LAGESBILD_ACTOR") or getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return f"uid:{os.getuid()}"


def _new_password(password: str | None) -> str:
    if password is not None:
        return password
    return typer.prompt("Lösenord (minst 12 tecken; en fras med några ord går bra)",
                        hide_input=True, confirmation_prompt=True)  # fmt: skip


@users_app.command("add")
def users_add(
    username: UsernameOption,
    role: Annotated[
        str, typer.Option("--role", help="forvaltare, granskare, sekreterare or administrator.")
    ],
    areas: Annotated[str, typer.Option("--areas", help="Area ids, comma separated; * = all.")],
    password: Annotated[
        str | None, typer.Option("--password", help="Default: asked for (not echoed).")
    ] = None,
    email: Annotated[
        str | None, typer.Option("--email", help="Address for the portal's e-mail notices.")
    ] = None,
) -> None:
    """Create a portal account with a role and the areas it may see."""
    from approval.accounts.users import add_user
    from approval.review.notifications import set_email

    try:
        engine = _engine()
        user = add_user(engine, username=username, password=_new_password(password),
                        role=role, areas=areas.split(","))  # fmt: skip
        if email:
            set_email(engine, user.username, email)
    except PipelineError as exc:
        _fail(exc)
    typer.echo(f"användaren {user.username} ({user.role.value}) har tillgång till "
               f"{', '.join(sorted(user.areas))}")  # fmt: skip


@users_app.command("list")
def users_list() -> None:
    """Every account: name, role, active or disabled, areas, created."""
    from approval.accounts.users import list_users

    for u in list_users(_engine()):
        state = "aktiv" if u.active else "avstängd"
        typer.echo(f"{u.username}\t{u.role}\t{state}\t{','.join(u.areas)}"
                   f"\t{u.created_at:%Y-%m-%d}")  # fmt: skip


def _set_active(username: str, active: bool, done: str) -> None:
    from approval.accounts.users import set_active

    try:
        set_active(_engine(), username, active, actor=os_user())
    except PipelineError as exc:
        _fail(exc)
    typer.echo(done)


@users_app.command("disable")
def users_disable(username: UsernameOption) -> None:
    """Disable an account: it cannot log in, and its open sessions end now."""
    _set_active(username, False,
                f"användaren {username} är avstängd; alla dess sessioner är avslutade")  # fmt: skip


@users_app.command("enable")
def users_enable(username: UsernameOption) -> None:
    """Enable a disabled account again."""
    _set_active(username, True, f"användaren {username} är aktiv igen")


@users_app.command("reset-password")
def users_reset_password(
    username: UsernameOption,
    password: Annotated[
        str | None, typer.Option("--password", help="Default: asked for (not echoed).")
    ] = None,
    enable: Annotated[bool, typer.Option("--enable", help="Also enable the account.")] = False,
) -> None:
    """Set a new password; every session of the account ends, its login lock is lifted."""
    from approval.accounts.users import find_user, reset_password, set_active

    engine = _engine()
    try:
        if find_user(engine, username) is None:
            raise PipelineError(f"det finns ingen användare {username!r}")
        reset_password(engine, username, _new_password(password), actor=os_user())
        if enable:
            set_active(engine, username, True, actor=os_user())
    except PipelineError as exc:
        _fail(exc)
    typer.echo(f"nytt lösenord för {username}; alla dess sessioner är avslutade")
