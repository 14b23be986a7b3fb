"""The worker's entry point: `huey_consumer quizapp.worker.huey` runs queued jobs."""

from quizapp import create_app
from quizapp.job_queue import JobQueue

app = create_app()
huey = JobQueue.huey(app)
