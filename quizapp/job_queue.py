"""The task queue behind background jobs (Huey): SQLite storage by default, Redis with REDIS_URL.

The queue carries only job ids; what to do, the progress and the result live in our `job`
table (services.jobs), so the queue can be swapped or emptied without losing a job's story.
With QUIZAPP_JOBS_IMMEDIATE (the tests) a job runs inside `enqueue`, as ordinary code.
"""

import os
from collections.abc import Callable

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from sqlalchemy.engine import make_url

TASK_NAME = "quizapp.run_job"


def make_huey(app: Flask) -> Huey:
    name = app.config["QUIZAPP_REDIS_PREFIX"] + "-jobs"
    if app.config["QUIZAPP_JOBS_IMMEDIATE"]:
        return MemoryHuey(name, immediate=True, results=False)
    if app.config.get("REDIS_URL"):
        return RedisHuey(name, url=app.config["REDIS_URL"], results=False)
    return SqliteHuey(name, filename=queue_path(app), results=False)


def queue_path(app: Flask) -> str:
    """QUIZAPP_QUEUE_PATH, else beside the SQLite database, else in instance/."""
    if app.config.get("QUIZAPP_QUEUE_PATH"):
        return app.config["QUIZAPP_QUEUE_PATH"]
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return os.path.join(os.path.dirname(os.path.abspath(url.database)), "queue.sqlite3")
    return os.path.join(app.instance_path, "queue.sqlite3")


class JobQueue:
    """A Flask extension: one Huey per app, with one task that runs a job by id."""

    def init_app(self, app: Flask, run: Callable[[int], None]) -> None:
        huey = make_huey(app)

        @huey.task(name=TASK_NAME)
        def run_job(job_id: int) -> None:
            with app.app_context():
                run(job_id)

        app.extensions["quizapp_jobs"] = (huey, run_job)

    @staticmethod
    def huey(app: Flask | None = None) -> Huey:
        return (app or current_app).extensions["quizapp_jobs"][0]

    def enqueue(self, job_id: int) -> None:
        """Queue the job now; its row must be committed already (the worker reads it from
        another session). Views use `enqueue_after_commit`."""
        current_app.extensions["quizapp_jobs"][1](job_id)

    def enqueue_after_commit(self, job_id: int) -> None:
        """Queue the job once the unit of work that added its row has committed."""
        from quizapp import unit_of_work  # noqa: PLC0415 - it imports the extensions

        unit_of_work.after_commit(lambda: self.enqueue(job_id))
