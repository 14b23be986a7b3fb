"""`make run`'s set-up (migrate, load the banks, ensure an admin) started on three machines at
once, on one database: every one succeeds, and the work is done once."""

import os
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, func, select

from quizapp.models import Bank, Question, Role, User
from tests.conftest import scratch_database

pytestmark = pytest.mark.slow
SETUP = "{flask} db upgrade && {flask} bank load && {flask} user ensure-admin"


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_setup_on_three_machines_at_once(database, tmp_path):
    if database == "sqlite":
        url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    else:
        url = scratch_database("setup")
    flask = f"{sys.executable} -m flask --app quizapp"
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "setup-test",
           "QUIZAPP_ADMIN_PASSWORD": "a long admin passphrase"}
    env.pop("QUIZAPP_BANK_DIR", None)
    machines = [subprocess.Popen(["sh", "-c", SETUP.format(flask=flask)], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                for _ in range(3)]
    outputs = [machine.communicate(timeout=300)[0] for machine in machines]
    assert [machine.returncode for machine in machines] == [0, 0, 0], "\n---\n".join(outputs)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(select(func.count(Bank.id))) == 2
            keys = conn.execute(select(Question.bank_id, Question.key)).all()
            assert len(keys) == len(set(keys)) > 150
            assert conn.scalar(select(func.count(User.id)).where(User.role == Role.ADMIN)) == 1
    finally:
        engine.dispose()
