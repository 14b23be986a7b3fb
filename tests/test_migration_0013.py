"""0013 on a database holding data: each bank is linked to the loaded sources it names or
its questions cite; banks, questions and articles survive; nothing else is linked."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from quizapp import create_app
from quizapp.extensions import db
from tests.test_migrations import _fresh_database_url

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_0013_links_existing_banks_to_the_sources_they_cite(database, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": _fresh_database_url(database, tmp_path),
                      "SECRET_KEY": "x"})
    with app.app_context():
        upgrade(revision="0012")
        with db.engine.begin() as conn:
            for n, slug in ((1, "owls"), (2, "rivers"), (3, "unused")):
                conn.execute(text("INSERT INTO source_article (id, slug, title) "
                                  "VALUES (:n, :s, :s)"), {"n": n, "s": slug})
                conn.execute(text("INSERT INTO source_paragraph (article_id, number, section, "
                                  "text) VALUES (:n, 1, '', 'Invented text.')"), {"n": n})
            for n, article in ((1, "rivers"), (2, None), (3, "missing")):
                conn.execute(text(
                    "INSERT INTO bank (id, slug, title, description, article, archived, "
                    "created_at) VALUES (:n, :s, 'B', '', :a, false, '2026-01-01')"),
                    {"n": n, "s": f"b{n}", "a": article})
            questions = [(1, 1, '["owls#1", "rivers#2"]'), (2, 1, '["owls#3"]'),
                         (3, 2, '["nowhere#1", "bad citation"]'), (4, 3, "[]")]
            for qid, bank_id, sources in questions:
                conn.execute(text(
                    "INSERT INTO question (id, bank_id, key, position, type, prompt, data, "
                    "explanation, sources, tags, difficulty, revision, archived) VALUES "
                    "(:q, :b, :k, :q, 'single', 'P?', '{}', '', :src, '[]', 2, 1, false)"),
                    {"q": qid, "b": bank_id, "k": f"q{qid}", "src": sources})
        upgrade(revision="0013")
        with db.engine.connect() as conn:
            links = conn.execute(text("SELECT bank_id, source_article_id, position "
                                      "FROM bank_source ORDER BY bank_id, position")).all()
            assert [tuple(r) for r in links] == [(1, 2, 0), (1, 1, 1)]
            assert conn.execute(text("SELECT count(*) FROM question")).scalar() == 4
            assert conn.execute(text("SELECT count(*) FROM source_paragraph")).scalar() == 3
            assert conn.execute(text("SELECT article FROM bank WHERE id = 1")).scalar() == "rivers"
        downgrade(revision="0012")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM bank")).scalar() == 3
        db.engine.dispose()
