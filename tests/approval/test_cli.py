"""The commands added for the portal: users add, audit verify."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from approval.db.engine import init_db
from approval.db.models import AuditEntry
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
            "grön cykel under bron",
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
            "grön cykel under bron",
        ],
    )
    assert result.exit_code == 1 and "okänd roll" in result.output
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0 and "intakt: 1 poster" in result.output


def test_users_add_prompts_for_the_password(lagesbild_home) -> None:
    result = runner.invoke(
        app,
        ["users", "add", "--username", "sara", "--role", "sekreterare", "--areas", "*"],
        input="grön cykel under bron\ngrön cykel under bron\n",
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
            "grön cykel under bron",
        ],
    )
    engine = init_db(f"sqlite:///{lagesbild_home / 'lagesbild.db'}")
    with Session(engine) as session, session.begin():
        session.execute(update(AuditEntry).values(actor="mallory"))
    engine.dispose()
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "har ändrats" in result.output


def test_users_list_disable_and_reset_password(lagesbild_home) -> None:
    args = ["users", "add", "--role", "granskare", "--areas", "sodermalm", "--password"]
    assert runner.invoke(app, [*args, "grön cykel under bron", "--username", "gs"]).exit_code == 0
    twin = runner.invoke(app, [*args, "grön cykel under bron", "--username", "GS"])
    assert twin.exit_code == 1 and "finns redan" in twin.output
    weak = runner.invoke(app, [*args, "x", "--username", "olle"])
    assert weak.exit_code == 1 and "minst 12 tecken" in weak.output
    assert runner.invoke(app, ["users", "disable", "--username", "GS"]).exit_code == 0
    listed = runner.invoke(app, ["users", "list"])
    assert listed.exit_code == 0 and "gs\tgranskare\tavstängd\tsodermalm" in listed.output
    reset = runner.invoke(app, ["users", "reset-password", "--username", "gs"],
                          input="kort\nkort\n")  # fmt: skip
    assert reset.exit_code == 1 and "minst 12" in reset.output
    reset = runner.invoke(app, ["users", "reset-password", "--username", "gs", "--enable"],
                          input="en helt ny fras i höst\nen helt ny fras i höst\n")  # fmt: skip
    assert reset.exit_code == 0, reset.output
    assert "gs\tgranskare\taktiv" in runner.invoke(app, ["users", "list"]).output
    missing = runner.invoke(app, ["users", "disable", "--username", "nobody"])
    assert missing.exit_code == 1 and "ingen användare" in missing.output
