"""Behind PgBouncer in transaction mode (a PgBouncer of the test's own, in front of the
shared server): the set-up commands and two gunicorn workers with no pool of their own
(QUIZAPP_DB_POOL_SIZE=0) work, so the app keeps no state in a connection between
transactions: no session settings, no prepared statements, no session-level locks."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from quizapp.models import Bank, Review
from tests.conftest import IN_CI, PASSWORD, scratch_database
from tests.reliability.server import Client, free_port, gunicorn

pytestmark = pytest.mark.slow
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
CONFIG = """\
[databases]
* = host={host} port={port}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen}
unix_socket_dir =
auth_type = trust
auth_file = {dir}/users.txt
pool_mode = transaction
default_pool_size = 3
max_client_conn = 200
ignore_startup_parameters = extra_float_digits,options
logfile = {dir}/pgbouncer.log
"""


@pytest.fixture
def pgbouncer():
    """A PgBouncer on a free port; it refuses to run as root, so it runs as `postgres`."""
    if not Path(PGBOUNCER).exists():
        if IN_CI:
            pytest.fail("pgbouncer is not installed; `make test` installs Debian's package")
        pytest.skip("pgbouncer is not installed")
    server = make_url(scratch_database("pgbouncer"))
    folder = Path(tempfile.mkdtemp(prefix="quizapp-pgbouncer-"))
    listen = free_port()
    (folder / "users.txt").write_text(f'"{server.username}" ""\n')
    (folder / "pgbouncer.ini").write_text(CONFIG.format(
        host=server.host, port=server.port or 5432, listen=listen, dir=folder))
    os.chmod(folder, 0o777)
    for item in folder.iterdir():
        os.chmod(item, 0o666)
    command = [PGBOUNCER, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", listen), 0.2):
                    break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(process.stderr.read().decode()) from None
                time.sleep(0.05)
        yield server.set(host="127.0.0.1", port=listen).render_as_string(hide_password=False)
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()
        shutil.rmtree(folder, ignore_errors=True)


def test_the_app_works_behind_pgbouncer_in_transaction_mode(pgbouncer):
    env = {**os.environ, "DATABASE_URL": pgbouncer, "SECRET_KEY": "behind-pgbouncer",
           "QUIZAPP_DB_POOL_SIZE": "0", "QUIZAPP_ADMIN_PASSWORD": PASSWORD}
    flask = [sys.executable, "-m", "flask", "--app", "quizapp"]
    for step in (["db", "upgrade"], ["bank", "load"], ["user", "ensure-admin"]):
        done = subprocess.run([*flask, *step], env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
    with gunicorn(pgbouncer, workers=2, env={"QUIZAPP_DB_POOL_SIZE": "0"}) as server:
        browser = Client(server)
        assert browser.login("admin", PASSWORD) == 302
        assert browser.request("GET", "/readyz")[0] == 200
        token = browser.token
        status, _, _ = browser.request(
            "POST", "/study/banks", f"bank_id=1&csrf_token={token}&b1-csrf_token={token}"
            .encode(), {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302
        card_id, applied = _first_card(browser), 0
        for n in range(40):  # Again keeps cards coming; the same statements again and again
            status, answer = browser.post_json("/study/review", {
                "card_id": card_id, "rating": 1, "submission_id": f"through-pgbouncer-{n:03d}"})
            assert status == 200, answer
            applied += answer["applied"]
            card_id = answer["card"]["card_id"]
        for path in ("/", "/progress/", "/study/", "/quiz/"):
            assert browser.request("GET", path)[0] == 200, path
        browser.close()
    engine = create_engine(pgbouncer, connect_args={"prepare_threshold": None})
    try:
        with engine.connect() as conn:
            assert conn.scalar(select(func.count(Bank.id))) == 2
            assert conn.scalar(select(func.count(Review.id))) == applied == 40
    finally:
        engine.dispose()


def _first_card(browser: Client) -> int:
    status, _, page = browser.request("GET", "/study/")
    text = page.decode()
    marker = 'data-card-id="'
    assert status == 200 and marker in text, text[:500]
    start = text.index(marker) + len(marker)
    return int(text[start:text.index('"', start)])
