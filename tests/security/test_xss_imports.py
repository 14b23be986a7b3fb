"""Stored XSS through every import format: a file whose every text field carries a payload is
previewed, imported, and then shown on every page; nothing in them is executable.

SQLite only: what is checked is the rendering, which does not depend on the database."""

import re

import pytest

from quizapp.domain.bank_file import BankHeader
from quizapp.domain.formats import FORMATS
from tests.conftest import sample_question
from tests.security.xss import PAYLOADS, assert_bank_pages_are_inert, executable_parts
from tests.views.test_transfer import upload

IMPORTABLE = [name for name, fmt in FORMATS.items() if fmt.can_import]


def hostile_questions() -> list:
    questions = [sample_question(
        "single_choice", key=f"x{n}", prompt=f"Q {payload}", explanation=f"Because {payload}",
        options=[{"text": f"Right {payload}", "correct": True}, {"text": f"Wrong {payload}"}])
        for n, payload in enumerate(PAYLOADS)]
    script, image, link = PAYLOADS[0], PAYLOADS[1], PAYLOADS[5]
    return questions + [
        sample_question("multiple_choice", key="many", prompt=f"Pick {image}",
                        options=[{"text": script, "correct": True},
                                 {"text": link, "correct": True}, {"text": image}]),
        sample_question("true_false", key="truth", prompt=f"True? {link}",
                        explanation=f"Indeed {script}"),
        sample_question("short_answer", key="short", prompt=f"Say {link}",
                        answers=[script, image]),
        sample_question("numeric", key="number", prompt=f"How many {script}?", unit=image),
        sample_question("matching", key="pairs", prompt=f"Match {script}",
                        pairs=[{"left": script, "right": image}, {"left": link, "right": "b"}]),
        sample_question("ordering", key="order", prompt=f"Order {link}",
                        items=[script, image, link]),
        sample_question("cloze", key="gaps", prompt=f"{script} then {{{{1}}}} {image}",
                        gaps=[[script]]),
    ]


@pytest.fixture
def database():
    return "sqlite"


@pytest.fixture
def owner(make_user):
    return make_user("owner", role="instructor")


def test_the_file_carries_a_payload_in_every_kind_of_field():
    kinds = {q.type for q in hostile_questions()}
    assert len(kinds) == 8 and len(PAYLOADS) >= 20


@pytest.mark.parametrize("fmt", IMPORTABLE)
def test_no_imported_payload_executes_in_any_page(app, client, auth, make_user, make_bank,
                                                  owner, fmt):
    bank = make_bank(slug="hostile", title="Hostile", owner=owner)
    header = BankHeader(slug="hostile", title=f"Title {PAYLOADS[0]}",
                        description=f"About {PAYLOADS[1]}")
    questions = hostile_questions()
    data = FORMATS[fmt].export(header, questions)
    if fmt == "yaml":  # and a rejected question whose reason quotes a payload
        data += (f"  - key: bad\n    type: '{PAYLOADS[1]}'\n").encode()
    auth.login("owner")
    preview = upload(client, bank.id, data, fmt, f"hostile.{FORMATS[fmt].extension}")
    page = preview.data.decode()
    assert preview.status_code == 200 and executable_parts(page) == []
    carried = len(questions) - len(FORMATS[fmt].unsupported(questions))
    assert f"{carried} added" in page
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    applied = client.post(f"/author/banks/{bank.id}/transfer/apply", data={"token": token},
                          follow_redirects=True)
    assert applied.status_code == 200 and executable_parts(applied.data.decode()) == []
    auth.logout()
    assert_bank_pages_are_inert(app, client, auth, make_user, bank.id, "owner")


@pytest.mark.parametrize("fmt", IMPORTABLE)
def test_no_payload_executes_in_the_job_pages_of_a_large_import(app, client, auth, make_bank,
                                                                owner, fmt):
    """The same file taken as large: its dry-run and apply job pages (and the failed job of
    a file that does not parse, whose message quotes it) are inert too."""
    app.config["QUIZAPP_INLINE_IMPORT_BYTES"] = 0
    bank = make_bank(slug="hostile", title="Hostile", owner=owner)
    header = BankHeader(slug="hostile", title=f"Title {PAYLOADS[0]}",
                        description=f"About {PAYLOADS[1]}")
    data = FORMATS[fmt].export(header, hostile_questions())
    auth.login("owner")
    name = f"{PAYLOADS[0]}.{FORMATS[fmt].extension}"
    preview = upload(client, bank.id, data, fmt, name)
    assert preview.status_code == 302
    page = client.get(preview.headers["Location"]).data.decode()
    assert "What importing would do" in page and executable_parts(page) == []
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    applied = client.post(f"/author/banks/{bank.id}/transfer/apply", data={"token": token},
                          follow_redirects=True)
    assert "Imported" in applied.data.decode()
    assert executable_parts(applied.data.decode()) == []
    broken = upload(client, bank.id, data[: len(data) // 2] + b"\x00" + PAYLOADS[1].encode(),
                    fmt, name)
    page = client.get(broken.headers["Location"]).data.decode()
    assert executable_parts(page) == []
