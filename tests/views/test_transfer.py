"""Import (dry run, then all or nothing) and export, through the pages and the CLI."""

import html
import io
import json
import re
import tempfile
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import stream_encode_multipart

from quizapp.domain.formats import FORMATS
from quizapp.extensions import db
from quizapp.models import Bank, PendingImport, Question, QuestionRevision, Topic
from quizapp.services.banks import load_paths
from tests.domain.test_formats_apkg import basic, deck, zip_bomb, zipped

BANKS = Path(__file__).resolve().parents[2] / "question_bank"
# the shipped bank's questions, counted in its file (one "- key:" line each)
MINSK_QUESTIONS = len(re.findall(r"^  - key: ", (BANKS / "minsk-talks.yaml").read_text(
    encoding="utf-8"), re.MULTILINE))


@pytest.fixture
def bank(app, make_user):
    make_user("owner", role="instructor")
    with app.app_context():
        load_paths([BANKS / "minsk-talks.yaml"])
        bank = db.session.scalar(select(Bank))
        bank.owner_id = 1
        db.session.commit()
        return bank.id


def counts(app):
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Question)),
                db.session.scalar(select(func.count()).select_from(QuestionRevision)))


def upload(client, bank_id, data: bytes, fmt: str, name: str = "upload"):
    # Encode the body in memory: werkzeug's test client would spool a large one to a
    # temporary file that it never closes (a ResourceWarning, an error under our settings).
    files = MultiDict({"format": fmt, "file": FileStorage(io.BytesIO(data), filename=name)})
    stream, length, boundary = stream_encode_multipart(files, use_tempfile=False)
    return client.post(f"/author/banks/{bank_id}/transfer", input_stream=stream,
                       content_length=length,
                       content_type=f'multipart/form-data; boundary="{boundary}"')


@pytest.mark.parametrize("fmt", ["yaml", "csv", "gift", "moodle-xml", "apkg"])
def test_export_then_import_changes_nothing(app, client, auth, bank, fmt):
    auth.login("owner")
    exported = client.get(f"/author/banks/{bank}/export?format={fmt}")
    assert exported.status_code == 200
    assert exported.headers["Content-Disposition"].startswith("attachment")
    before = counts(app)
    page = upload(client, bank, exported.data, fmt).data.decode()
    assert "0 added" in page and "0 changed" in page and "Nothing to import" in page
    assert counts(app) == before


def test_import_preview_then_apply(app, client, auth, bank):
    auth.login("owner")
    text = client.get(f"/author/banks/{bank}/export?format=yaml").data.decode()
    text = text.replace("difficulty: 1\n", "difficulty: 3\n", 1)
    text += ("  - key: brand-new\n    type: true_false\n    prompt: New?\n"
             "    explanation: Why.\n    source: [minsk-talks#2]\n    tags: [venue]\n"
             "    answer: true\n"
             "  - key: broken\n    type: numeric\n    prompt: Bad\n    explanation: x\n"
             "    source: [minsk-talks#2]\n    tags: [venue]\n    value: 1\n"
             "    tolerance: -1\n")
    page = upload(client, bank, text.encode(), "yaml").data.decode()
    assert "1 added" in page and "1 changed" in page and "1 rejected" in page
    assert "tolerance must be 0 or more" in page
    assert counts(app)[0] == MINSK_QUESTIONS  # dry run: nothing written yet
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(f"/author/banks/{bank}/transfer/apply", data={"token": token})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Question.id).where(Question.key == "brand-new"))
        assert db.session.scalar(select(func.count()).select_from(PendingImport)) == 0
    again = client.post(f"/author/banks/{bank}/transfer/apply", data={"token": token})
    assert again.status_code == 404


HOSTILE = [
    ("oversize", b"a" * (2 * 1024 * 1024 + 10), "yaml", "larger than 2 MB"),
    ("invalid utf-8", b"bank: \xff\xfe\xfa", "yaml", "UTF-8"),
    ("yaml python tag", b"bank: !!python/object/apply:os.system ['true']\n", "yaml",
     "constructor"),
    ("billion laughs", b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
     b'<!ENTITY lol2 "&lol;&lol;&lol;">]><quiz>&lol2;</quiz>', "moodle-xml", "entity"),
    ("external entity", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM '
     b'"file:///etc/passwd">]><quiz>&e;</quiz>', "moodle-xml", "entity"),
    ("bad csv header", b"nope,columns\n1,2\n", "csv", "column"),
    ("apkg zip bomb", zip_bomb(), "apkg", "would unpack to more than 64 MB"),
    ("apkg traversal", zipped({"../../evil.py": b"x"}), "apkg", "unsafe file name"),
    ("apkg absolute path", zipped({"/etc/cron.d/x": b"x"}), "apkg", "unsafe file name"),
    ("apkg not a zip", b"bank: {slug: x}\n", "apkg", "not a zip file"),
]


@pytest.mark.parametrize(("case", "data", "fmt", "words"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_uploads_get_400_and_write_nothing(app, client, auth, bank, case, data, fmt,
                                                  words):
    auth.login("owner")
    before = counts(app)
    response = upload(client, bank, data, fmt)
    assert response.status_code in (400, 413)
    if response.status_code == 400:
        assert words.lower() in response.data.decode().lower()
    assert counts(app) == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PendingImport)) == 0


def test_apkg_import_preview_then_apply(app, client, auth, bank):
    """Any Anki deck: its Front/Back notes become short answers, the rest are reasons."""
    auth.login("owner")
    data = deck(basic(front="Who <b>hosted</b> the&nbsp;talks?", back="Lukashenka",
                      source="minsk-talks#2", guid="hosted"),
                basic(front="Unsourced?", source="", guid="unsourced"))
    before = counts(app)
    page = upload(client, bank, data, "apkg", "deck.apkg").data.decode()
    assert "1 added" in page and "0 changed" in page and "1 rejected" in page
    assert "needs a source citation" in page
    assert counts(app) == before  # dry run: nothing written yet
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(f"/author/banks/{bank}/transfer/apply", data={"token": token})
    assert response.status_code == 302
    assert counts(app) == (before[0] + 1, before[1] + 1)
    with app.app_context():
        question = db.session.scalars(select(Question).order_by(Question.id.desc())).first()
        assert (question.type, question.prompt) == ("short_answer", "Who hosted the talks?")
        assert question.data["answers"] == ["Lukashenka"] and question.key.startswith("anki-")
        assert db.session.scalar(select(func.count()).select_from(PendingImport)) == 0


def test_the_import_page_offers_apkg(client, auth, bank):
    auth.login("owner")
    page = client.get(f"/author/banks/{bank}/transfer").data.decode()
    select = re.search(r'<select[^>]*name="format".*?</select>', page, re.S).group(0)
    assert 'value="apkg"' in select
    file_input = re.search(r'<input[^>]*type="file"[^>]*>', page).group(0)
    accept = re.search(r'accept="([^"]*)"', file_input)
    assert accept is None or ".apkg" in accept.group(1)


def test_gift_export_reports_what_it_leaves_out(client, auth, bank):
    auth.login("owner")
    page = client.get(f"/author/banks/{bank}/transfer").data.decode()
    assert "GIFT would leave out" in page and "cannot be written to GIFT" in page
    response = client.get(f"/author/banks/{bank}/export?format=gift")
    assert int(response.headers["X-Quizapp-Left-Out"]) > 0
    assert client.get(f"/author/banks/{bank}/export?format=pdf").status_code == 400


def cli_round_trip(app, runner, tmp_path, fmt: str):
    """Export the bank with the CLI and import it back: nothing changes. The file, and the
    counts before."""
    out = tmp_path / f"bank.{FORMATS[fmt].extension}"
    result = runner.invoke(args=["bank", "export", "minsk-talks", "--format", fmt,
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    before = counts(app)
    result = runner.invoke(args=["bank", "import", str(out), "--bank", "minsk-talks"])
    assert result.exit_code == 0 and "0 to add, 0 to change" in result.output, result.output
    assert counts(app) == before
    return out, before


def test_cli_export_and_import_round_trip(app, runner, bank, tmp_path):
    _, before = cli_round_trip(app, runner, tmp_path, "csv")
    yaml_out = tmp_path / "copy.yaml"
    runner.invoke(args=["bank", "export", "minsk-talks", "--format", "yaml", "-o",
                        str(yaml_out)])
    yaml_out.write_text(yaml_out.read_text().replace("slug: minsk-talks", "slug: copy"))
    result = runner.invoke(args=["bank", "import", str(yaml_out)])
    assert result.exit_code == 0 and f"{MINSK_QUESTIONS} to add" in result.output
    assert counts(app)[0] == before[0] + MINSK_QUESTIONS


def test_cli_imports_an_apkg(app, runner, bank, tmp_path):
    out, before = cli_round_trip(app, runner, tmp_path, "apkg")
    result = runner.invoke(args=["bank", "import", str(out), "--dry-run"])  # bank from the deck
    assert result.exit_code == 0, result.output
    assert (f"minsk-contact-group-talks-on-ukraine-31-july-2014: {MINSK_QUESTIONS} to add"
            in result.output)
    out.write_bytes(zipped({"../evil": b"x"}))
    result = runner.invoke(args=["bank", "import", str(out)])
    assert result.exit_code != 0 and "unsafe file name" in result.output
    assert counts(app) == before


def test_apkg_export_is_a_valid_package(client, auth, bank):
    auth.login("owner")
    response = client.get(f"/author/banks/{bank}/export?format=apkg")
    assert response.status_code == 200
    assert "collection.anki2" in zipfile.ZipFile(io.BytesIO(response.data)).namelist()


def test_anki_imports_the_apkg(client, auth, bank):
    """Anki's own importer reads our package: note count, fields and tags."""
    collection_module = pytest.importorskip(
        "anki.collection", reason="the anki package (AGPL, test extra) is not installed")
    auth.login("owner")
    data = client.get(f"/author/banks/{bank}/export?format=apkg").data
    with tempfile.TemporaryDirectory() as folder:
        package = Path(folder) / "bank.apkg"
        package.write_bytes(data)
        col = collection_module.Collection(str(Path(folder) / "collection.anki2"))
        try:
            request = collection_module.ImportAnkiPackageRequest(package_path=str(package))
            request.options.update_notes = 1  # Anki's "update if newer" (IMPORT_ANKI...)
            col.import_anki_package(request)
            note_ids = col.find_notes("")
            assert len(note_ids) == MINSK_QUESTIONS
            note = col.get_note(note_ids[0])
            assert list(note.keys()) == ["Front", "Back", "Explanation", "Source", "Quizapp"]
            assert note["Source"].startswith("minsk-talks#")
            assert json.loads(html.unescape(note["Quizapp"]))["source"][0].startswith(
                "minsk-talks#")
            assert set(col.tags.all()) >= {"venue", "participants"}
            # A second import of the same export updates, never duplicates.
            col.import_anki_package(request)
            assert len(col.find_notes("")) == MINSK_QUESTIONS
        finally:
            col.close()
    assert FORMATS["apkg"].can_export


@pytest.mark.parametrize("fmt", ["yaml", "csv", "gift", "moodle-xml", "apkg"])
@pytest.mark.parametrize("named", [True, False], ids=["by-name", "by-content"])
def test_the_import_form_detects_the_format(app, client, auth, bank, fmt, named):
    auth.login("owner")
    page = client.get(f"/author/banks/{bank}/transfer").data.decode()
    select = re.search(r'<select[^>]*name="format".*?</select>', page, re.S).group(0)
    assert re.search(r'<option selected value="detect">', select)
    exported = client.get(f"/author/banks/{bank}/export?format={fmt}")
    name = exported.headers["Content-Disposition"].split("filename=")[1].strip('"')
    response = upload(client, bank, exported.data, "detect", name if named else "upload")
    assert response.status_code == 200, response.data.decode()[-1500:]
    assert "0 added" in response.data.decode()


def test_a_file_whose_format_cannot_be_told_asks_for_the_format(client, auth, bank):
    auth.login("owner")
    response = upload(client, bank, b"just some words\n", "detect", "notes")
    assert response.status_code == 400
    assert "choose the format" in response.data.decode()


def test_a_yaml_export_keeps_the_banks_topics_and_a_copy_gets_their_labels(
        app, client, auth, runner, bank, tmp_path):
    from quizapp.domain.bank_file import parse_bank
    from quizapp.services import topics

    with app.app_context():
        topic = db.session.scalar(select(Topic).where(Topic.bank_id == bank,
                                                      Topic.slug == "venue"))
        topic.label = "Conference site"
        db.session.commit()
        labels = topics.labels(bank)
    auth.login("owner")
    text = client.get(f"/author/banks/{bank}/export?format=yaml").data.decode()
    assert parse_bank(text).header.topic_labels() == labels
    copy = tmp_path / "copy.yaml"
    copy.write_text(text.replace("slug: minsk-talks", "slug: copy"))
    assert runner.invoke(args=["bank", "import", str(copy)]).exit_code == 0
    with app.app_context():
        copy_id = db.session.scalar(select(Bank.id).where(Bank.slug == "copy"))
        assert topics.labels(copy_id) == labels
