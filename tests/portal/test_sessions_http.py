"""Sessions and logins against the real portal over HTTP (issue 10, finding 7): two
``lagesbild serve`` processes on loopback sharing one SQLite database.

A cookie stops working after logout, a password reset and disabling; failed logins are
throttled per account and per address, and the limit holds across the two processes.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from approval.accounts import throttle
from approval.accounts.users import add_user, reset_password, set_active
from approval.db.engine import init_db
from approval.testing import record_version
from tests.flows.conftest import stop_group

PASSWORD = "grön cykel under bron"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def portals(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[str], object]]:
    """Two portal processes (same database and key) and the database's engine."""
    home = tmp_path_factory.mktemp("sessions-home")
    url = f"sqlite:///{home / 'lagesbild.db'}"
    engine = init_db(url)
    for name in ("anna", "bert", "cissi", "dora"):
        add_user(engine, username=name, password=PASSWORD, role="forvaltare",
                 areas=["sodermalm"])  # fmt: skip
    record_version(engine, home / "reports", "sodermalm", 2024, 1)
    env = {**os.environ, "LAGESBILD_HOME": str(home), "LAGESBILD_DATABASE_URL": url,
           "LAGESBILD_SECRET_KEY": "sessions-test-key"}  # fmt: skip
    processes, bases = [], []
    for _ in range(2):
        port = _free_port()
        processes.append(subprocess.Popen(
            [str(Path(sys.executable).parent / "lagesbild"), "serve", "--port", str(port)],
            env=env, start_new_session=True, stdout=subprocess.DEVNULL,
            stderr=(home / f"serve-{port}.log").open("wb"),
        ))  # fmt: skip
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base, process in zip(bases, processes, strict=True):
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(f"{base}/login", timeout=2)
                    break
                except httpx.TransportError:
                    assert process.poll() is None, "portal process died"
                    assert time.monotonic() < deadline, "portal did not start"
                    time.sleep(0.2)
        yield bases, engine
    finally:
        for process in processes:
            stop_group(process)
        engine.dispose()


def _login(base: str, username: str, password: str = PASSWORD) -> httpx.Response:
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=10)
    token = _CSRF.search(client.get("/login").text).group(1)
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": token})  # fmt: skip
    response.client = client  # type: ignore[attr-defined]
    return response


def _session(base: str, username: str) -> httpx.Client:
    response = _login(base, username)
    assert response.status_code == 303, response.text
    return response.client  # type: ignore[attr-defined]


def _works(base: str, cookies: httpx.Cookies) -> bool:
    response = httpx.get(f"{base}/rapporter", cookies=cookies, follow_redirects=False)
    return response.status_code == 200


def test_a_copied_cookie_stops_working_after_logout(portals) -> None:
    (a, b), _engine = portals
    client = _session(a, "anna")
    copied = httpx.Cookies(client.cookies)
    assert _works(a, copied) and _works(b, copied)  # one key: valid in both processes
    token = _CSRF.search(client.get("/rapporter").text).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert not _works(a, copied) and not _works(b, copied)


def test_reset_and_disable_end_every_session(portals) -> None:
    (a, b), engine = portals
    cookies = httpx.Cookies(_session(a, "bert").cookies)
    reset_password(engine, "bert", "en helt ny fras i höst", actor="admin")
    assert not _works(a, cookies) and not _works(b, cookies)
    assert _login(b, "bert").status_code == 401  # the old password is gone
    fresh = _login(b, "BERT", "en helt ny fras i höst")  # user names are case-insensitive
    assert fresh.status_code == 303
    cookies = httpx.Cookies(fresh.client.cookies)
    assert _works(a, cookies)
    set_active(engine, "bert", False, actor="admin")
    assert not _works(a, cookies) and not _works(b, cookies)


def test_changing_the_password_in_the_portal_ends_every_session(portals) -> None:
    (a, b), _engine = portals
    client, other = _session(a, "dora"), _session(b, "dora")
    copied = httpx.Cookies(other.cookies)
    page = client.get("/konto/losenord").text
    token = _CSRF.search(page).group(1)
    weak = client.post("/konto/losenord", data={"nuvarande": PASSWORD, "nytt": "kort",
                                                "igen": "kort", "csrf_token": token})  # fmt: skip
    assert weak.status_code == 400 and "minst 12 tecken" in weak.text
    done = client.post("/konto/losenord", data={
        "nuvarande": PASSWORD, "nytt": "tre nya ord i kväll", "igen": "tre nya ord i kväll",
        "csrf_token": token})  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == "/login"
    assert not _works(a, httpx.Cookies(client.cookies)) and not _works(b, copied)
    assert _login(a, "dora", "tre nya ord i kväll").status_code == 303


def test_failed_logins_lock_the_account_in_every_process(portals) -> None:
    (a, b), _engine = portals
    statuses = [_login(a if i % 2 else b, "cissi", f"fel lösenord {i}").status_code
                for i in range(6)]  # fmt: skip
    assert statuses[:5] == [401] * 5 and statuses[5] == 429
    locked = _login(b, "Cissi")  # the right password, other process, other case
    assert locked.status_code == 429 and "För många misslyckade inloggningar" in locked.text
    assert 0 < int(locked.headers["Retry-After"]) <= 60
    assert "Content-Security-Policy" in locked.headers


def test_failed_logins_lock_the_address_across_accounts(portals) -> None:
    (a, b), engine = portals
    throttle.clear(engine, throttle.address_key("127.0.0.1"))  # earlier tests' failures
    statuses = [_login(a if i % 2 else b, f"gissning{i}", "fel lösenord").status_code
                for i in range(21)]  # fmt: skip
    assert statuses[:20] == [401] * 20 and statuses[20] == 429
    assert _login(a, "anna").status_code == 429  # a valid account from the same address
