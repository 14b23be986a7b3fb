"""`flask --app quizapp user|bank|source ...`: thin wrappers over the services.

Each command is one unit of work (`UnitOfWorkGroup`): committed when it ends normally,
rolled back when it fails, so a refused or interrupted command leaves nothing half-done."""

import functools
import os
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from quizapp import unit_of_work
from quizapp.database import exclusive
from quizapp.domain.bank_file import BankFormatError, parse_bank
from quizapp.domain.bank_review import review_bank
from quizapp.domain.bank_rules import TRACED
from quizapp.domain.formats import FORMATS
from quizapp.domain.source_check import check_bank
from quizapp.extensions import db, job_queue
from quizapp.models import Role
from quizapp.models.types import utcnow
from quizapp.services import accounts, banks, jobs, optimisation, sources, transfer
from quizapp.services.errors import ServiceError

DEFAULT_BANK_DIR = Path(__file__).resolve().parent.parent / "question_bank"

class UnitOfWorkGroup(AppGroup):
    """A command group whose every command runs in the app context as one unit of work."""

    def command(self, *args, **kwargs):
        register = super().command(*args, **kwargs)

        def decorator(function):
            return register(unit_of_work.transactional(function))

        return decorator


user_cli = UnitOfWorkGroup("user", help="Manage accounts.")
bank_cli = UnitOfWorkGroup("bank", help="Validate, load and check question banks.")
source_cli = UnitOfWorkGroup("source", help="Store the source articles.")
fsrs_cli = UnitOfWorkGroup("fsrs", help="Fit FSRS parameters to learners' reviews.")


def one_machine_at_a_time(command):
    """Set-up commands that `make run` or a deploy may start on several machines at once
    take the database's "setup" lock, and commit before they release it: the others wait,
    then find the work done."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        with exclusive(db.engine, "setup"), unit_of_work.unit():
            return command(*args, **kwargs)

    return run


def _bank_paths(paths: tuple[str, ...]) -> list[Path]:
    return banks.bank_paths(paths or [os.environ.get("QUIZAPP_BANK_DIR") or DEFAULT_BANK_DIR])


@user_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.LEARNER.value)
@click.option("--email", default=None)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_create(username: str, role: str, email: str | None, password_stdin: bool) -> None:
    """Create an account (the same rules as the registration form)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(username, password, role=Role(role), email=email, now=utcnow())
    except ServiceError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"Created {user.username} ({user.role.value}).")


@user_cli.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice([r.value for r in Role]))
def user_set_role(username: str, role: str) -> None:
    user = accounts.find_user(username)
    if user is None:
        raise click.ClickException(f"No user {username!r}.")
    try:
        accounts.set_role(user.id, role)
    except ServiceError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"{user.username} is now {role}.")


@user_cli.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_set_password(username: str, password_stdin: bool) -> None:
    """Set a new password for USERNAME; every session of the account ends."""
    user = accounts.find_user(username)
    if user is None:
        raise click.ClickException(f"No user {username!r}.")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    try:
        accounts.set_password(user.id, password)
    except ServiceError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"The password of {user.username} is changed; their sessions have ended.")


@user_cli.command("ensure-admin")
@click.option("--url", default="http://127.0.0.1:5000/", show_default=True,
              help="Where the app is served, for the how-to-log-in box.")
@one_machine_at_a_time
def user_ensure_admin(url: str) -> None:
    """Create `admin` if there is no administrator (password: QUIZAPP_ADMIN_PASSWORD).

    `make run` calls it last, right before serving, so the box below ends the output."""
    given = os.environ.get("QUIZAPP_ADMIN_PASSWORD")
    try:
        created, generated = accounts.ensure_admin(given, now=utcnow())
    except ServiceError as e:
        raise click.ClickException(f"QUIZAPP_ADMIN_PASSWORD: {e}") from None
    if not created:
        click.echo(f"An administrator account exists already. Log in at {url}")
        return
    password = generated or "the one in QUIZAPP_ADMIN_PASSWORD"
    lines = [f"quizapp is starting at {url}", "",
             "Log in as:  admin",
             f"Password:   {password}"]
    if generated:
        lines.append("            (shown only this once: note it now)")
    lines += ["", "Change it on the account page (click 'admin' at the top right),",
              "or: .venv/bin/flask --app quizapp user set-password admin"]
    width = max(len(line) for line in lines)
    rule = "+" + "-" * (width + 4) + "+"
    click.echo("\n".join(["", rule, *(f"|  {line.ljust(width)}  |" for line in lines), rule,
                          ""]))


@bank_cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
def bank_validate(paths: tuple[str, ...]) -> None:
    """List every error in the bank files; exit 1 if there is any."""
    failed = False
    for path in _bank_paths(paths):
        result = parse_bank(path.read_text(encoding="utf-8"), str(path))
        for error in result.errors:
            click.echo(str(error), err=True)
        failed |= not result.ok
        if result.ok:
            click.echo(f"{path}: {len(result.questions)} questions, valid")
    if failed:
        sys.exit(1)


@bank_cli.command("load")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--force", is_flag=True, help="Overwrite questions edited in the app.")
@one_machine_at_a_time
def bank_load(paths: tuple[str, ...], force: bool) -> None:
    """Add or update banks from files (idempotent); questions gone from a file are archived."""
    try:
        summaries = banks.load_paths(_bank_paths(paths), force=force)
    except BankFormatError as e:
        raise click.ClickException(f"invalid bank file, nothing loaded:\n{e}") from None
    except banks.BankConflict as e:
        raise click.ClickException(str(e)) from None
    for summary in summaries:
        click.echo(str(summary))


@bank_cli.command("check-sources")
@click.option("--articles", "articles_dir", required=True, type=click.Path(file_okay=False))
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
def bank_check_sources(articles_dir: str, paths: tuple[str, ...]) -> None:
    """Check every answer against its cited paragraphs, and each bank's habits (telling
    option order, over-asked or uncited paragraphs); exit 1 on any problem."""
    if not Path(articles_dir).is_dir():
        raise click.ClickException(f"no articles folder at {articles_dir}")
    articles = {
        slug: {n: p.text for n, p in article.paragraphs.items()}
        for slug, article in sources.read_articles(articles_dir).items()
    }
    total = 0
    problems = []
    for path in _bank_paths(paths):
        try:
            bank_file = banks.read_bank_file(path)
        except BankFormatError as e:
            raise click.ClickException(f"invalid bank file:\n{e}") from None
        snapshots = [q.model_dump(mode="json", exclude_none=True) for q in bank_file.questions]
        total += len(snapshots)
        problems += [(path, p) for p in check_bank(snapshots, articles)]
        own = [bank_file.header.article] if bank_file.header.article else []
        problems += [(path, p) for p in review_bank(snapshots, articles, own)]
    for path, problem in problems:
        click.echo(f"{path}: {problem}", err=True)
    click.echo(f"{total} questions checked, {len(problems)} problem(s)")
    if problems:
        sys.exit(1)


@bank_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "format_name", type=click.Choice(
    [f.name for f in FORMATS.values() if f.can_import]),
    help="Default: detected from the content and the name.")
@click.option("--bank", "slug", help="Bank slug (default: the file's own, for YAML).")
@click.option("--dry-run", is_flag=True, help="Only show what would change.")
def bank_import(file: str, format_name: str | None, slug: str | None, dry_run: bool) -> None:
    """Import questions from FILE: a preview, then all of them or none."""
    path = Path(file)
    try:
        result = transfer.read_upload(format_name, path.read_bytes(), path.name)
    except ServiceError as e:
        raise click.ClickException(str(e)) from None
    slug = slug or (result.header.slug if result.header else None)
    if not slug:
        raise click.UsageError("Give --bank SLUG: this file does not name its bank.")
    bank = transfer.get_or_create_bank(slug, result.header)
    if bank.policy != TRACED:  # read first as traced, the stricter: the bank relaxes it
        result = transfer.read_upload(format_name, path.read_bytes(), path.name, bank.policy)
    plan = transfer.preview(bank, result)
    click.echo(f"{slug}: {len(plan.added)} to add, {len(plan.changed)} to change, "
               f"{len(plan.unchanged)} unchanged, {len(plan.rejected)} rejected")
    for rejection in plan.rejected:
        click.echo(f"  rejected: {rejection}", err=True)
    if dry_run or not plan.count:
        db.session.rollback()
        return
    transfer.apply(None, bank.id, result, utcnow(), f"import from {path.name}")
    click.echo("Imported.")


@bank_cli.command("export")
@click.argument("slug")
@click.option("--format", "format_name", required=True,
              type=click.Choice([f.name for f in FORMATS.values() if f.can_export]))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True))
def bank_export(slug: str, format_name: str, output: str) -> None:
    """Write bank SLUG to a file in the chosen format."""
    bank = transfer.find_bank(slug)
    if bank is None:
        raise click.ClickException(f"No bank {slug!r}.")
    result = transfer.export_bank(bank, format_name)
    Path(output).write_bytes(result.data)
    for rejection in result.left_out:
        click.echo(f"  left out: {rejection}", err=True)
    click.echo(f"Wrote {output} ({len(result.data):,} bytes, "
               f"{len(result.left_out)} question(s) left out)")


@source_cli.command("load")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@one_machine_at_a_time
def source_load(directory: str) -> None:
    """Store each article of DIRECTORY (title, sections, numbered paragraphs)."""
    slugs = sources.load_sources(directory)
    click.echo(f"Loaded sources: {', '.join(slugs) or 'none'}")


@fsrs_cli.command("optimize")
@click.option("--user", "username", help="One learner.")
@click.option("--all", "everyone", is_flag=True,
              help="Every learner with reviews: one background job each.")
@click.option("--here", is_flag=True, help="With --all: fit here, one after another, not "
              "as background jobs.")
def fsrs_optimize(username: str | None, everyone: bool, here: bool) -> None:
    """Fit and store FSRS parameters from each learner's own review history."""
    if bool(username) == everyone:
        raise click.UsageError("Give --user NAME or --all.")
    if username:
        user = accounts.find_user(username)
        if user is None:
            raise click.ClickException(f"No user {username!r}.")
        user_ids = [user.id]
    elif not here:
        user_ids = optimisation.learners_with_reviews()
        for user_id in user_ids:
            job_id = jobs.start(user_id, jobs.OPTIMISE, {}, utcnow()).id
            job_queue.enqueue_after_commit(job_id)  # when the command's unit commits
            click.echo(f"user {user_id}: job {job_id} queued")
        click.echo(f"Queued {len(user_ids)} jobs; the worker (huey_consumer "
                   "quizapp.worker.huey) runs them.")
        return
    else:
        user_ids = optimisation.learners_with_reviews()
    failures = 0
    for user_id in user_ids:
        with click.progressbar(length=100, label=f"user {user_id}") as bar:
            def advance(fraction: float, bar=bar) -> None:
                bar.update(round(fraction * 100) - bar.pos)

            try:
                with unit_of_work.unit():  # one learner's failure keeps the others' fits
                    result = optimisation.optimise_user(user_id, progress=advance)
            except ServiceError as e:
                failures += 1
                click.echo(f"\nuser {user_id}: skipped: {e}")
                continue
        click.echo(f"user {user_id}: {result.summary()}")
    if username and failures:
        sys.exit(1)


def register(app: Flask) -> None:
    for group in (user_cli, bank_cli, source_cli, fsrs_cli):
        app.cli.add_command(group)
