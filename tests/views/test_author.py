"""Authoring pages: access, the editor for every type, revisions, import and export."""

import re

import pytest
from sqlalchemy import delete, event, func, select

from quizapp import unit_of_work
from quizapp.extensions import db
from quizapp.models import Bank, Card, Question, QuestionRevision, User
from quizapp.services import authoring, study
from tests.conftest import NOW, SAMPLE_ANSWERS, sample_question


@pytest.fixture
def owner(make_user):
    return make_user("owner", role="instructor")


@pytest.fixture
def bank(make_bank, make_question, owner):
    bank = make_bank(title="Editable", owner=owner, article="minsk-talks")
    make_question(bank, "numeric", key="victims")
    return bank


def question_id(app, key="victims"):
    with app.app_context():
        return db.session.scalar(select(Question.id).where(Question.key == key))


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 302), ("learner", 403), ("stranger", 403), ("owner", 200), ("editor", 200),
     ("admin", 200)],
)
def test_access_to_authoring(app, client, auth, make_user, bank, who, status):
    make_user("learner")
    make_user("stranger", role="instructor")
    make_user("admin", role="admin")
    editor = make_user("editor", role="instructor")
    with app.app_context():
        owned = db.session.get(Bank, bank.id)
        owned.editors.append(db.session.get(User, editor.id))
        db.session.commit()
    if who:
        auth.login(who)
    qid = question_id(app)
    for url in (f"/author/banks/{bank.id}/questions", f"/author/banks/{bank.id}/questions/{qid}",
                f"/author/banks/{bank.id}/transfer",
                f"/author/banks/{bank.id}/questions/{qid}/history"):
        assert client.get(url).status_code == status, url
    # Bank settings, editors and archiving belong to the owner (and admins).
    settings = client.get(f"/author/banks/{bank.id}").status_code
    assert settings == (403 if who == "editor" else status)
    if who not in (None, "learner"):
        assert client.get("/author/banks/9999/questions").status_code == 404


def form_for(qtype: str, **overrides) -> dict:
    data = {"key": f"new-{qtype.replace('_', '-')}", "type": qtype, "prompt": "Question?",
            "explanation": "Why.", "source": "minsk-talks#2", "tags": ["venue"],
            "difficulty": "2", "save": "Save"}
    answers = SAMPLE_ANSWERS[qtype]
    if qtype in ("single_choice", "multiple_choice"):
        for i, o in enumerate(answers["options"]):
            data[f"options-{i}-text"] = o["text"]
            if o.get("correct"):
                data[f"options-{i}-correct"] = "y"
    elif qtype == "true_false":
        data["answer"] = "true"
    elif qtype == "short_answer":
        data["answers-0-text"], data["answers-1-text"] = answers["answers"]
        data["typos"] = "y"
    elif qtype == "numeric":
        data["value"], data["tolerance"], data["unit"] = "5063", "0", "victims"
    elif qtype == "ordering":
        for i, item in enumerate(answers["items"]):
            data[f"items-{i}"] = item
    elif qtype == "matching":
        for i, p in enumerate(answers["pairs"]):
            data[f"pairs-{i}-left"], data[f"pairs-{i}-right"] = p["left"], p["right"]
    elif qtype == "cloze":
        data["prompt"] = "They freed {{1}} detainees."
        data["gaps-0"] = "20 | twenty"
    data.update(overrides)
    return data


@pytest.mark.parametrize("qtype", list(SAMPLE_ANSWERS))
def test_every_type_can_be_created(app, client, auth, bank, qtype):
    auth.login("owner")
    response = client.post(f"/author/banks/{bank.id}/questions/new", data=form_for(qtype))
    assert response.status_code == 302, response.data.decode()[-2000:]
    with app.app_context():
        created = db.session.scalar(select(Question).where(Question.type == qtype,
                                                           Question.bank_id == bank.id,
                                                           Question.key.like("new-%")))
        assert created.data == sample_question(qtype).answer_data()
        assert created.revision == 1 and len(created.revisions) == 1


INVALID = [
    ("single_choice", {"options-1-correct": "y"}, "single choice needs exactly one correct option"),
    ("numeric", {"tolerance": "-1"}, "tolerance must be 0 or more"),
    ("numeric", {"value": "lots"}, "Enter a number, such as 5063 or 2.5."),
    ("cloze", {"prompt": "A {{1}} and {{2}}."}, "every gap needs an answer"),
    ("true_false", {"source": "trafficking 11"}, "source must look like trafficking#11"),
    ("true_false", {"key": "Bad Key"}, "Use lowercase letters, digits and hyphens only"),
    ("true_false", {"tags": []}, "Give at least 1 topic."),
    ("short_answer", {"answers-0-text": "", "answers-1-text": ""},
     "Give at least 1 accepted answer."),
    ("ordering", {"items-1": "", "items-2": ""}, "Give at least 2 items."),
    ("matching", {"pairs-1-right": "Ukraine"}, "two right items are the same"),
    ("multiple_choice", {"options-0-correct": "", "options-1-correct": ""}, "at least one correct"),
    ("true_false", {"key": "victims"}, "already uses that key"),
]


@pytest.mark.parametrize(("qtype", "change", "message"), INVALID,
                         ids=[m[2][:30] for m in INVALID])
def test_invalid_questions_get_400_and_save_nothing(app, client, auth, bank, qtype, change,
                                                    message):
    auth.login("owner")
    before = _counts(app)
    response = client.post(f"/author/banks/{bank.id}/questions/new",
                           data={**form_for(qtype), **change})
    assert response.status_code == 400
    page = response.data.decode()
    assert message in page
    for raw in ("should match pattern", "List should have", "unable to parse", "Input should",
                "after validation"):
        assert raw not in page
    assert _counts(app) == before


def _counts(app):
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Question)),
                db.session.scalar(select(func.count()).select_from(QuestionRevision)))


def test_add_row_works_without_javascript(client, auth, bank):
    auth.login("owner")
    data = {**form_for("ordering"), "add_row": "items"}
    data.pop("save")
    page = client.post(f"/author/banks/{bank.id}/questions/new", data=data).data.decode()
    assert 'name="items-3"' in page


def test_preview_shows_quiz_and_flashcard_without_saving(app, client, auth, bank):
    auth.login("owner")
    data = {**form_for("single_choice"), "preview": "Preview"}
    data.pop("save")
    page = client.post(f"/author/banks/{bank.id}/questions/new", data=data).data.decode()
    assert "Preview: as a quiz question" in page and "Preview: as a flashcard" in page
    assert _counts(app)[0] == 1


def test_edit_creates_revisions_diff_and_revert(app, client, auth, bank):
    auth.login("owner")
    qid = question_id(app)
    url = f"/author/banks/{bank.id}/questions/{qid}"
    page = client.get(url).data.decode()
    revision = re.search(r'name="revision" type="hidden" value="(\d+)"', page).group(1)
    data = {**form_for("numeric", key="victims", value="4463", revision=revision,
                       message="fix the figure")}
    assert client.post(url, data=data).status_code == 302
    stale = client.post(url, data={**data, "value": "597"})
    assert stale.status_code == 409 and "Nothing was saved" in stale.data.decode()
    history = client.get(f"{url}/history").data.decode()
    assert "fix the figure" in history
    assert "- value: 5063" in history and "+ value: 4463" in history
    assert client.post(f"{url}/revert", data={"number": 1}).status_code == 302
    with app.app_context():
        question = db.session.get(Question, qid)
        assert question.revision == 3 and question.data["value"] == 5063
        assert [r.message for r in question.revisions][-1] == "revert to revision 1"


def test_duplicate_and_archive(app, client, auth, bank):
    auth.login("owner")
    qid = question_id(app)
    assert client.post(f"/author/banks/{bank.id}/questions/{qid}/duplicate").status_code == 302
    assert question_id(app, "victims-copy") is not None
    client.post(f"/author/banks/{bank.id}/questions/{qid}/archive")
    listing = client.get(f"/author/banks/{bank.id}/questions").data.decode()
    assert "victims-copy" in listing and ">victims<" not in listing
    archived = client.get(f"/author/banks/{bank.id}/questions?status=archived").data.decode()
    assert ">victims<" in archived


def test_question_list_filters(client, auth, bank, make_question):
    make_question(bank, "true_false", key="tf-one", tags=["economy"], prompt="About trade")
    auth.login("owner")
    url = f"/author/banks/{bank.id}/questions"
    assert "tf-one" in client.get(f"{url}?q=trade").data.decode()
    assert "tf-one" not in client.get(f"{url}?type=numeric").data.decode()
    assert "tf-one" in client.get(f"{url}?tag=economy").data.decode()
    assert "<code>victims</code>" not in client.get(f"{url}?tag=economy").data.decode()


def test_bank_create_edit_editors_archive(app, client, auth, owner, make_user):
    make_user("helper", role="instructor")
    make_user("pupil")
    auth.login("owner")
    bad = client.post("/author/banks/new", data={"slug": "Bad Slug", "title": "T"})
    assert bad.status_code == 400 and "lowercase" in bad.data.decode()
    response = client.post("/author/banks/new", data={"slug": "mine", "title": "Mine"})
    bank_id = int(re.search(r"/banks/(\d+)/", response.location).group(1))
    client.post(f"/author/banks/{bank_id}/editors", data={"editors": "helper, pupil"})
    page = client.get(f"/author/banks/{bank_id}").data.decode()
    assert "helper" in page
    client.post(f"/author/banks/{bank_id}/archive")
    assert "archived" in client.get("/author/").data.decode()


def test_editor_shows_the_cited_paragraph_and_warns_on_save(app, client, auth, runner, bank,
                                                           tmp_path):
    (tmp_path / "minsk-talks.md").write_text(
        "# Talks\n\n[1] Intro.\n\n## Venue\n\n[2] The talks took place in Zaslaūje near Minsk.\n")
    runner.invoke(args=["source", "load", str(tmp_path)])
    auth.login("owner")
    page = client.get(f"/author/banks/{bank.id}/questions/new").data.decode()
    assert "Cited paragraphs" in page
    data = form_for("short_answer", key="venue-q", source="minsk-talks#2")
    data["answers-0-text"], data["answers-1-text"] = "Kyiv", ""
    response = client.post(f"/author/banks/{bank.id}/questions/new", data=data,
                           follow_redirects=True)
    text = response.data.decode()
    assert response.status_code == 200 and "Saved." in text
    assert "Source check:" in text and "kyiv" in text.lower()
    assert "The talks took place in Zaslaūje near Minsk." in text  # the paragraph beside it


@pytest.mark.parametrize("missing", ["0", str(2**31), str(2**31 - 1), str(2**63 - 1)])
def test_an_id_that_names_no_question_is_404_and_creates_nothing(app, client, auth, bank,
                                                                 missing):
    auth.login("owner")
    before = _counts(app)
    url = f"/author/banks/{bank.id}/questions/{missing}"
    assert client.get(url).status_code == 404
    assert client.post(url, data=form_for("numeric", key="fresh")).status_code == 404
    assert client.get(f"/author/banks/{missing}/questions").status_code == 404
    assert _counts(app) == before


@pytest.mark.parametrize("revision", ["", "²", "1" + "0" * 40, "x"])
def test_a_save_without_a_readable_revision_is_refused_as_stale(app, client, auth, bank,
                                                                revision):
    auth.login("owner")
    url = f"/author/banks/{bank.id}/questions/{question_id(app)}"
    data = form_for("numeric", key="victims", value="4463", revision=revision)
    response = client.post(url, data=data)
    assert response.status_code == 409 and "Nothing was saved" in response.data.decode()
    assert _counts(app)[1] == 1  # still one revision


def test_the_cited_paragraph_box_knows_the_sources_are_loaded(app, client, auth, runner, bank,
                                                              tmp_path):
    auth.login("owner")
    new = f"/author/banks/{bank.id}/questions/new"
    assert "Load the source articles" in client.get(new).data.decode()
    (tmp_path / "minsk-talks.md").write_text("# Talks\n\n[1] Intro.\n\n[2] In Minsk.\n")
    runner.invoke(args=["source", "load", str(tmp_path)])
    blank = client.get(new).data.decode()
    assert "Load the source articles" not in blank and "Cite a paragraph as" in blank
    missing = client.post(new, data=form_for("true_false", source="minsk-talks#9",
                                             save="", preview="Preview")).data.decode()
    assert "Load the source articles" not in missing
    assert "No loaded article has the cited paragraph. Loaded articles: minsk-talks." in missing


# --- the unit of work: conflicts, repeats, targeted cards, statement counts ----------------

def editor_revision(client, url) -> str:
    page = client.get(url).data.decode()
    return re.search(r'name="revision" type="hidden" value="(\d+)"', page).group(1)


def test_a_stale_save_is_409_with_the_editors_text_kept(app, client, auth, bank):
    auth.login("owner")
    url = f"/author/banks/{bank.id}/questions/{question_id(app)}"
    opened = editor_revision(client, url)
    with app.app_context():  # someone else saves first
        authoring.save_question(bank.id, sample_question("numeric", key="victims", value=1),
                                author_id=bank.owner_id, now=NOW,
                                question_id=question_id(app), expected_revision=1)
        db.session.commit()
    response = client.post(url, data=form_for("numeric", key="victims", value="4463",
                                              revision=opened, prompt="My careful wording"))
    page = response.data.decode()
    assert response.status_code == 409
    assert "Someone saved revision 2 of this question after you opened revision 1." in page
    assert "Nothing was saved" in page and "Your text is kept below" in page
    assert "My careful wording" in page and 'value="4463"' in page
    assert "History (revision 2)" in page  # the page shows where the question is now
    with app.app_context():
        assert db.session.get(Question, question_id(app)).data["value"] == 1


def test_saving_the_same_content_makes_no_revision(app, client, auth, bank):
    auth.login("owner")
    url = f"/author/banks/{bank.id}/questions/{question_id(app)}"
    data = form_for("numeric", key="victims", value="4463")
    client.post(url, data={**data, "revision": editor_revision(client, url)})
    response = client.post(url, data={**data, "revision": editor_revision(client, url)},
                           follow_redirects=True)
    assert "No change: nothing to save." in response.data.decode()
    assert _counts(app) == (1, 2)


def test_a_revert_sent_twice_makes_one_revision_and_a_stale_one_is_409(app, client, auth,
                                                                      bank):
    auth.login("owner")
    url = f"/author/banks/{bank.id}/questions/{question_id(app)}"
    client.post(url, data=form_for("numeric", key="victims", value="4463",
                                   revision=editor_revision(client, url)))
    first = client.post(f"{url}/revert", data={"number": 1, "revision": 2},
                        follow_redirects=True)
    assert "Reverted to revision 1" in first.data.decode()
    again = client.post(f"{url}/revert", data={"number": 1, "revision": 2},
                        follow_redirects=True)
    assert again.status_code == 200
    assert "Revision 1 is what the question already says; nothing changed." in again.data.decode()
    assert _counts(app) == (1, 3)
    # From a history page that still says revision 2: someone saved 3 since.
    stale = client.post(f"{url}/revert", data={"number": 2, "revision": 2})
    assert stale.status_code == 409 and "Nothing was saved" in stale.data.decode()
    assert client.post(f"{url}/revert", data={"number": 9, "revision": 3}).status_code == 404
    assert _counts(app) == (1, 3)


def test_archive_and_restore_do_what_the_button_said(app, client, auth, bank):
    auth.login("owner")
    qid = question_id(app)
    for _ in range(2):  # sent twice: archived once, not archived then restored
        response = client.post(f"/author/banks/{bank.id}/archive", follow_redirects=True)
    assert "The bank was already archived." in response.data.decode()
    with app.app_context():
        assert db.session.get(Bank, bank.id).archived
    restored = client.post(f"/author/banks/{bank.id}/archive", data={"restore": "1"},
                           follow_redirects=True)
    assert "Bank restored." in restored.data.decode()
    archive = f"/author/banks/{bank.id}/questions/{qid}/archive"
    client.post(archive)
    twice = client.post(archive, follow_redirects=True).data.decode()
    assert "The question was already archived." in twice
    listing = client.get(f"/author/banks/{bank.id}/questions?status=archived").data.decode()
    assert 'name="restore" value="1"' in listing  # the archived row's button restores
    client.post(archive, data={"restore": "1"})
    with app.app_context():
        assert not db.session.get(Bank, bank.id).archived
        assert not db.session.get(Question, qid).archived


def enrol(app, bank, *learners):
    with app.app_context(), unit_of_work.unit():
        for learner in learners:
            study.enrol(learner.id, bank.id, [], NOW)


def cards_of(app, qid) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Card)
                                 .where(Card.question_id == qid))


def test_a_restored_question_gets_cards_for_learners_who_enrolled_meanwhile(app, client,
                                                                           auth, bank,
                                                                           make_user):
    auth.login("owner")
    qid = question_id(app)
    client.post(f"/author/banks/{bank.id}/questions/{qid}/archive")
    enrol(app, bank, make_user(), make_user())
    assert cards_of(app, qid) == 0
    client.post(f"/author/banks/{bank.id}/questions/{qid}/archive", data={"restore": "1"})
    assert cards_of(app, qid) == 2


class Statements:
    """Count the SQL statements the app sends while the block runs (and keep them)."""

    def __init__(self, app):
        self.app, self.sent = app, []

    def _note(self, conn, cursor, statement, parameters, context, executemany):
        self.sent.append((statement, parameters))

    def __enter__(self):
        with self.app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._note)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._note)

    def __len__(self):
        return len(self.sent)


def test_saving_a_question_makes_only_its_cards_in_fixed_statements(app, client, auth, bank,
                                                                    make_user, make_question):
    """ensure_cards runs over the saved question only: one card per enrolled learner, in one
    INSERT; the other questions' cards are not looked at (one a learner lacks stays so);
    and the save sends as many statements with 2 learners x 2 questions as with 6 x 8."""
    auth.login("owner")
    learners = [make_user(), make_user()]
    make_question(bank, "true_false", key="other-0")
    enrol(app, bank, *learners)

    def save(key: str, expected_cards: int) -> int:
        with Statements(app) as sent:
            response = client.post(f"/author/banks/{bank.id}/questions/new",
                                   data=form_for("true_false", key=key))
        assert response.status_code == 302
        assert cards_of(app, question_id(app, key)) == expected_cards
        inserts = [params for statement, params in sent.sent
                   if statement.lstrip().upper().startswith("INSERT INTO CARD")]
        assert [len(params) for params in inserts] == [expected_cards]
        return len(sent)

    small = save("fresh-small", 2)
    for n in range(1, 6):
        make_question(bank, "true_false", key=f"other-{n}")
    more = [make_user() for _ in range(4)]
    enrol(app, bank, *more)  # 6 learners, 8 questions, every card made
    other = question_id(app, "other-0")
    with app.app_context():
        db.session.execute(delete(Card).where(Card.user_id == more[0].id,
                                              Card.question_id == other))
        db.session.commit()
    large = save("fresh-large", 6)
    assert large == small
    assert cards_of(app, other) == 5  # not this save's business


def test_author_pages_send_as_many_statements_whatever_the_data(app, client, auth,
                                                               make_bank, make_question,
                                                               make_user):
    """The bank list, a bank's question list and its settings page: no query per bank,
    owner, question or editor (counted at two sizes; an administrator sees every bank)."""
    make_user("admin", role="admin")
    auth.login("admin")
    helpers = [make_user(role="instructor") for _ in range(3)]

    def grow(n: int) -> None:
        for _ in range(n):
            bank = make_bank(owner=make_user(role="instructor"))
            for k in range(n):
                make_question(bank, "true_false", key=f"q{k}", tags=["venue", "economy"])
            with app.app_context():
                stored = db.session.get(Bank, bank.id)
                stored.editors.extend(db.session.get(User, h.id) for h in helpers[:n])
                db.session.commit()

    def measure() -> list[int]:
        with app.app_context():
            newest = db.session.scalar(select(func.max(Bank.id)))
        counts = []
        for url in ("/author/", f"/author/banks/{newest}/questions",
                    f"/author/banks/{newest}/questions?status=all&tag=venue",
                    f"/author/banks/{newest}"):
            with Statements(app) as sent:
                assert client.get(url).status_code == 200, url
            counts.append(len(sent))
        return counts

    grow(1)
    small = measure()
    grow(3)
    assert measure() == small
