"""`bank load`: idempotent upsert, revisions on change, archive on removal, no silent overwrite."""

from pathlib import Path

import pytest
import yaml
from sqlalchemy import event, func, select

from quizapp import unit_of_work
from quizapp.domain.bank_file import BankFormatError
from quizapp.extensions import db
from quizapp.models import Bank, Card, Question, QuestionRevision
from quizapp.services.banks import BankConflict, load_paths, question_snapshot
from tests.conftest import NOW
from tests.domain.test_bank_file import bank_text, question

BANK_DIR = Path(__file__).resolve().parents[2] / "question_bank"


def write(path: Path, *questions: dict) -> Path:
    path.write_text(bank_text(*questions), encoding="utf-8")
    return path


def load(paths, *, force: bool = False):
    """`load_paths` as `flask bank load` runs it: one unit of work."""
    with unit_of_work.unit():
        return load_paths(paths, force=force)


def counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(Question)),
            db.session.scalar(select(func.count()).select_from(QuestionRevision)))


def test_loading_twice_changes_nothing(app, tmp_path):
    path = write(tmp_path / "demo.yaml", question("numeric", key="a"), question("cloze", key="b"))
    with app.app_context():
        [first] = load([path])
        assert sorted(first.added) == ["a", "b"]
        before = counts()
        [second] = load([path])
        assert (second.added, second.changed, second.archived) == ([], [], [])
        assert second.unchanged == 2
        assert counts() == before


def test_a_changed_question_gets_a_revision_and_keeps_progress(app, tmp_path, make_user):
    learner = make_user()
    path = write(tmp_path / "demo.yaml", question("numeric", key="a", value=5063))
    with app.app_context():
        load([path])
        q = db.session.scalar(select(Question).where(Question.key == "a"))
        db.session.add(Card(user_id=learner.id, question_id=q.id, due=NOW, reps=3))
        db.session.commit()
        question_id = q.id
    write(tmp_path / "demo.yaml", question("numeric", key="a", value=4463))
    with app.app_context():
        [summary] = load([path])
        assert summary.changed == ["a"]
        q = db.session.get(Question, question_id)
        assert q.revision == 2 and q.data["value"] == 4463
        assert [r.snapshot["value"] for r in q.revisions] == [5063, 4463]
        card = db.session.scalar(select(Card).where(Card.question_id == question_id))
        assert card.reps == 3


def test_a_removed_question_is_archived_not_deleted(app, tmp_path):
    path = write(tmp_path / "demo.yaml", question("numeric", key="a"), question("cloze", key="b"))
    with app.app_context():
        load([path])
    write(path, question("numeric", key="a"))
    with app.app_context():
        [summary] = load([path])
        assert summary.archived == ["b"]
        b = db.session.scalar(select(Question).where(Question.key == "b"))
        assert b.archived
    write(path, question("numeric", key="a"), question("cloze", key="b"))
    with app.app_context():
        [summary] = load([path])
        assert summary.changed == ["b"]
        assert not db.session.scalar(select(Question).where(Question.key == "b")).archived


def test_an_app_edit_is_not_overwritten_without_force(app, tmp_path):
    path = write(tmp_path / "demo.yaml", question("numeric", key="a", value=1))
    with app.app_context():
        load([path])
        q = db.session.scalar(select(Question).where(Question.key == "a"))
        q.data = {**q.data, "value": 2}
        q.revision += 1  # as the editor does on save
        db.session.commit()
    write(path, question("numeric", key="a", value=3))
    with app.app_context():
        with pytest.raises(BankConflict, match="--force"):
            load([path])
        q = db.session.scalar(select(Question).where(Question.key == "a"))
        assert q.data["value"] == 2
        [summary] = load([path], force=True)
        assert summary.changed == ["a"]
        assert db.session.get(Question, q.id).data["value"] == 3


def test_an_invalid_file_loads_nothing(app, tmp_path):
    good = write(tmp_path / "a.yaml", question("numeric", key="a"))
    bad = tmp_path / "b.yaml"
    bad.write_text(bank_text(question("numeric", key="x", tolerance=-1),
                             header={"slug": "other", "title": "Other"}))
    with app.app_context():
        with pytest.raises(BankFormatError, match="tolerance must be 0 or more"):
            load([good, bad])
        assert db.session.scalar(select(func.count()).select_from(Bank)) == 0


def test_cli_load_prints_a_summary(app, runner):
    result = runner.invoke(args=["bank", "load", str(BANK_DIR)])
    assert result.exit_code == 0, result.output
    assert "minsk-talks:" in result.output and "added" in result.output
    again = runner.invoke(args=["bank", "load", str(BANK_DIR)])
    assert "0 added, 0 changed, 0 archived" in again.output


def test_cli_validate_lists_every_error(runner, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(bank_text(question("numeric", key="a", tolerance=-1),
                              question("true_false", key="b", tags=["No pe"])))
    result = runner.invoke(args=["bank", "validate", str(path)])
    assert result.exit_code == 1
    assert "tolerance must be 0 or more" in result.output
    assert "a topic tag is lowercase letters, digits and dashes" in result.output


def test_yaml_tags_are_refused(runner, tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("bank: !!python/object/apply:os.system ['touch /tmp/pwned']\n")
    result = runner.invoke(args=["bank", "validate", str(path)])
    assert result.exit_code == 1
    assert "not valid YAML" in result.output
    assert yaml  # safe_load only: the tag is never constructed


def test_a_reload_revises_moves_archives_and_adds_in_one_pass(app, tmp_path):
    path = write(tmp_path / "demo.yaml", question("numeric", key="a"),
                 question("true_false", key="b", tags=["venue"]), question("cloze", key="c"))
    with app.app_context():
        load([path])
    write(path, question("numeric", key="d", value=7),
          question("true_false", key="b", prompt="Changed?", tags=["economy", "venue"]),
          question("numeric", key="a"))
    with app.app_context():
        [summary] = load([path])
        assert (summary.added, summary.changed, summary.archived, summary.unchanged) == (
            ["d"], ["b"], ["c"], 1)
        rows = {q.key: q for q in db.session.scalars(select(Question))}
        assert {k: (q.position, q.revision, q.loaded_revision, q.archived)
                for k, q in rows.items()} == {
            "d": (0, 1, 1, False), "b": (1, 2, 2, False), "a": (2, 1, 1, False),
            "c": (2, 1, 1, True)}
        b = rows["b"]
        assert [r.number for r in b.revisions] == [1, 2]
        assert b.revisions[-1].snapshot == question_snapshot(b)
        assert b.prompt == "Changed?" and sorted(t.tag for t in b.tag_rows) == [
            "economy", "venue"]
        assert [r.number for r in rows["d"].revisions] == [1]
        assert counts() == (4, 5)


def statements_to_load(app, path, size: int, **changes) -> int:
    path.write_text(bank_text(*(question("numeric", key=f"k{n}", **changes) for n in range(size)),
                              header={"slug": f"size-{size}", "title": "Sized"}))
    seen = []
    with app.app_context():
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            load([path])
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen)


@pytest.mark.parametrize("changes", [{}, {"value": 9}], ids=["new", "changed"])
def test_a_bank_loads_in_statements_whatever_its_size(app, tmp_path, changes):
    """Bulk: executemany in batches, not one statement (or ORM object) per question."""
    counted = []
    for size in (10, 200):
        path = tmp_path / f"bank{size}.yaml"
        if changes:  # load it first, so that the counted load changes every question
            statements_to_load(app, path, size)
        counted.append(statements_to_load(app, path, size, **changes))
    assert counted[0] == counted[1]


def test_cli_load_is_one_unit_of_work(app, runner, tmp_path):
    """A conflict in the second bank: the first bank's changes are not kept either."""
    first = write(tmp_path / "a.yaml", question("numeric", key="a", value=1))
    second = tmp_path / "b.yaml"
    second.write_text(bank_text(question("numeric", key="x", value=1),
                                header={"slug": "other", "title": "Other"}))
    assert runner.invoke(args=["bank", "load", str(tmp_path)]).exit_code == 0
    with app.app_context():
        edited = db.session.scalar(select(Question).where(Question.key == "x"))
        edited.revision += 1  # edited in the app since the load
        db.session.commit()
    write(first, question("numeric", key="a", value=2))
    second.write_text(bank_text(question("numeric", key="x", value=3),
                                header={"slug": "other", "title": "Other"}))
    result = runner.invoke(args=["bank", "load", str(tmp_path)])
    assert result.exit_code != 0 and "--force" in result.output
    with app.app_context():
        values = dict(db.session.execute(select(Question.key, Question.data)).all())
        assert (values["a"]["value"], values["x"]["value"]) == (1, 1)
        assert counts() == (2, 2)


# --- the file's topics ------------------------------------------------------------------------

def write_with_topics(path: Path, topics: list[dict], *questions: dict) -> Path:
    path.write_text(bank_text(*questions, header={"slug": "demo", "title": "Demo",
                                                  "topics": topics}), encoding="utf-8")
    return path


def bank_topics_of(slug: str) -> list[tuple[str, str]]:
    from quizapp.services import topics
    bank_id = db.session.scalar(select(Bank.id).where(Bank.slug == slug))
    return list(topics.labels(bank_id).items())


def test_a_load_stores_the_files_topic_labels_in_its_order_and_stays_idempotent(app, tmp_path):
    declared = [{"slug": "venue", "label": "Conference site"},
                {"slug": "people", "label": "Who was there"}]
    path = write_with_topics(tmp_path / "demo.yaml", declared,
                             question("numeric", key="a", tags=["people", "venue"]))
    with app.app_context():
        load([path])
        assert bank_topics_of("demo") == [("venue", "Conference site"),
                                          ("people", "Who was there")]
        before = counts()
        [second] = load([path])
        assert (second.added, second.changed, second.archived) == ([], [], [])
        assert counts() == before
        assert bank_topics_of("demo") == [("venue", "Conference site"),
                                          ("people", "Who was there")]


def test_a_label_changed_in_the_file_is_updated_on_load(app, tmp_path):
    path = write_with_topics(tmp_path / "demo.yaml", [{"slug": "venue", "label": "Venue"}],
                             question("numeric", key="a"))
    with app.app_context():
        load([path])
        write_with_topics(path, [{"slug": "venue", "label": "Conference site"}],
                          question("numeric", key="a"))
        [second] = load([path])
        assert second.unchanged == 1
        assert bank_topics_of("demo") == [("venue", "Conference site")]


def test_a_file_without_topics_labels_them_from_their_slugs(app, tmp_path):
    path = write(tmp_path / "demo.yaml", question("numeric", key="a", tags=["global-picture"]))
    with app.app_context():
        load([path])
        assert bank_topics_of("demo") == [("global-picture", "Global picture")]


def test_the_shipped_banks_label_their_topics(app):
    with app.app_context():
        load([BANK_DIR])
        assert ("balancing", "Lukashenka's balancing") in bank_topics_of("minsk-talks")
        assert ("routes", "Origins and destinations") in bank_topics_of("trafficking")
