"""The commands added for the portal: users add, audit verify."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from approval.db import init_db
from approval.models import AuditEntry
from lagesbild.cli import app

runner = CliRunner()


def test_users_add_then_audit_verify(lagesbild_home) -> None:
    result = runner.invoke(
        app,
        [
            "users",
            "add",
            "--username",
            "greta",
            "--role",
            "granskare",
            "--areas",
            "sodermalm,farsta",
            "--password",
            "p",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "farsta, sodermalm" in result.output
    result = runner.invoke(
        app,
        [
            "users",
            "add",
            "--username",
            "x",
            "--role",
            "admin",
            "--areas",
            "sodermalm",
            "--password",
            "p",
        ],
    )
    assert result.exit_code == 1 and "okänd roll" in result.output
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0 and "intakt: 1 poster" in result.output


def test_users_add_prompts_for_the_password(lagesbild_home) -> None:
    result = runner.invoke(
        app,
        ["users", "add", "--username", "sara", "--role", "sekreterare", "--areas", "*"],
        input="hemligt\nhemligt\n",
    )
    assert result.exit_code == 0, result.output


def test_audit_verify_fails_on_an_edited_entry(lagesbild_home) -> None:
    runner.invoke(
        app,
        [
            "users",
            "add",
            "--username",
            "greta",
            "--role",
            "granskare",
            "--areas",
            "sodermalm",
            "--password",
            "p",
        ],
    )
    engine = init_db(f"sqlite:///{lagesbild_home / 'lagesbild.db'}")
    with Session(engine) as session, session.begin():
        session.execute(update(AuditEntry).values(actor="mallory"))
    engine.dispose()
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "har ändrats" in result.output
