"""Stored-XSS payloads, a checker for "nothing executable" in a rendered page, and a walk
through every page that shows a bank's questions, as its author and as a learner."""

import re
from html.parser import HTMLParser

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Card, Question
from quizapp.services import study
from tests.conftest import NOW

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "![x](javascript:alert(1))",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=javascript:alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<style>@import 'http://evil.example/x.css';</style>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "{{7*7}} {% raw %}",
    "<scr<script>ipt>alert(1)</script>",
    "`<script>alert(1)</script>`",
    "<form action=javascript:alert(1)><button>x</button></form>",
]

OUR_SCRIPTS = ("/static/js/", "/static/vendor/")


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith(OUR_SCRIPTS):
                self.problems.append(f"<script {attrs}>")
        if tag in ("iframe", "object", "embed", "base", "meta") and tag != "meta":
            self.problems.append(f"<{tag}>")
        if tag == "meta" and any(k == "http-equiv" for k, _ in attrs):
            self.problems.append("<meta http-equiv>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction", "data") and value:
                scheme = value.strip().lower().replace("\t", "").replace("\n", "")
                if scheme.startswith(("javascript:", "data:", "vbscript:")):
                    self.problems.append(f"<{tag} {name}={value}>")


def executable_parts(html: str) -> list[str]:
    checker = _Checker()
    checker.feed(html)
    return checker.problems


def assert_page_is_inert(client, url: str) -> str:
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 200, url
    page = response.data.decode()
    problems = executable_parts(page)
    assert problems == [], f"{url}: {problems}"
    return page


def assert_bank_pages_are_inert(app, client, auth, make_user, bank_id: int, owner: str) -> None:
    """Every page that shows the bank's text: the author's list, editor and history; a
    learner's quiz questions, feedback, results, flashcards (front and back), progress; the
    class view of the bank's questions."""
    with app.app_context():
        ids = list(db.session.scalars(select(Question.id).where(Question.bank_id == bank_id)))
    assert ids, "the bank has no questions to show"
    auth.login(owner)
    assert_page_is_inert(client, f"/author/banks/{bank_id}/questions")
    for qid in ids:
        assert_page_is_inert(client, f"/author/banks/{bank_id}/questions/{qid}")
        assert_page_is_inert(client, f"/author/banks/{bank_id}/questions/{qid}/history")
    auth.logout()
    learner = make_user()
    with app.app_context():
        study.enrol(learner.id, bank_id, [], NOW)
        db.session.commit()  # services flush; the caller commits
    auth.login(learner.username)
    response = client.post("/quiz/", data={"banks": [str(bank_id)], "count": str(len(ids)),
                                           "mode": "practice"})
    attempt = re.search(r"/quiz/(\d+)/", response.location).group(1)
    for position in range(len(ids)):
        url = f"/quiz/{attempt}/q/{position}"
        assert_page_is_inert(client, url)
        client.post(url, data={"answer": "1"})
        assert_page_is_inert(client, url)  # feedback: both answers, explanation
    with app.app_context():
        cards = list(db.session.scalars(select(Card.id).where(Card.user_id == learner.id)))
    backs = [f"/study/?card={card_id}&show=1" for card_id in cards]
    for url in (f"/quiz/{attempt}/results", "/study/", "/progress/", "/study/banks", *backs):
        assert_page_is_inert(client, url)
    auth.logout()
    auth.login(owner)  # the class view, now that a learner has answered every question
    assert_page_is_inert(client, f"/progress/class/{bank_id}")
    auth.logout()
