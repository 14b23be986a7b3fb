"""`make bench`: quizapp's performance benchmark (see bench/README.md and `python -m bench -h`).

Generates seeded data at scale, times the services in process, loads the app under
gunicorn over loopback, compares with Anki's scheduler and measures worker memory.
Never imported by the app; the `anki` package (AGPL) is used here only to measure.
"""
