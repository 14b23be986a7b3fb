"""Questions: the list, the editor (every type, preview), copies, archive, history, revert."""

from types import SimpleNamespace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from pydantic import ValidationError

from quizapp import unit_of_work
from quizapp.access import instructor_required
from quizapp.author import bp
from quizapp.author.forms import ROW_LISTS, ArchiveForm, QuestionForm, RevertForm
from quizapp.domain import bank_rules
from quizapp.domain import quiz as rules
from quizapp.domain.diff import diff_snapshots
from quizapp.domain.messages import plain_message
from quizapp.domain.questions import CITATION_RE
from quizapp.forms import ActionForm, add_error, whole_number
from quizapp.models.types import utcnow
from quizapp.presenting import card_faces, cloze_parts, prompt_html
from quizapp.qtypes import registry
from quizapp.qtypes.common.web import MAX_ROWS
from quizapp.qtypes.registry import LABELS, SCHEMAS
from quizapp.qtypes.web import editor_sections, web
from quizapp.quiz.forms import answer_form
from quizapp.services import authoring, sources, topics
from quizapp.services.banks import question_snapshot
from quizapp.services.errors import Conflict, ServiceError

KEPT = ("Your text is kept below: copy what you need, open the question again (it shows the "
        "newer revision), then make your change there.")


def _bank(bank_id: int):
    return authoring.get_bank_for_edit(bank_id, current_user)


@bp.get("/banks/<int:bank_id>/questions")
@instructor_required
def questions(bank_id: int):
    bank = _bank(bank_id)
    args = request.args
    status = args.get("status", "active")
    if status not in ("active", "archived", "all"):
        status = "active"
    found = authoring.list_questions(
        bank, text=args.get("q", "")[:200], qtype=args.get("type", "")[:32],
        tag=args.get("tag", "")[:64], status=status)
    # The bank's source check (badge) when it has sources; else the page says how to add one.
    summary = sources.check_summary(bank) if sources.bank_sources(bank.id) else None
    return render_template("author/questions.html", bank=bank, questions=found, args=args,
                           status=status, types=LABELS, tags=topics.labels(bank.id),
                           summary=summary, overview=authoring.bank_overview(bank.id),
                           action_form=ActionForm())


def _error_field(error: dict, kind: str) -> str | None:
    """The field an error belongs to; a whole-question error goes to the type's row list."""
    if error["loc"]:
        return str(error["loc"][0])
    rows = web(kind).row_lists
    return rows[0] if len(rows) == 1 else None


def _preview(spec) -> SimpleNamespace:
    snap = spec.model_dump(mode="json", exclude_none=True)
    shown = rules.shown_options(snap, 0, 0)
    inline = registry.get(snap["type"]).inline_inputs
    q = SimpleNamespace(type=snap["type"], snapshot=snap, prompt=prompt_html(snap),
                        input_template=web(snap["type"]).input_template, inline_inputs=inline,
                        cloze_parts=cloze_parts(snap["prompt"]) if inline else [])
    return SimpleNamespace(q=q, form=answer_form(snap, shown),
                           card={"faces": card_faces(snap)})


@bp.route("/banks/<int:bank_id>/questions/new", methods=["GET", "POST"])
@bp.route("/banks/<int:bank_id>/questions/<int:question_id>", methods=["GET", "POST"])
@instructor_required
def editor(bank_id: int, question_id: int | None = None):
    bank = _bank(bank_id)
    question = authoring.get_question_for_edit(bank, question_id) \
        if question_id is not None else None
    form = QuestionForm()
    labels = topics.labels(bank.id)
    if question is not None:  # a topic merged away meanwhile still shows, to be unticked
        labels |= {t: topics.label_of(labels, t) for t in question.tags if t not in labels}
    form.offer_topics(labels)
    if request.method == "GET":
        if question is not None:
            form.load(question_snapshot(question), question.revision)
        else:
            form.type.data = request.args.get("type") if request.args.get("type") in \
                SCHEMAS else next(iter(SCHEMAS))
            form.source.data = f"{bank.article}#" if bank.article else ""
    status, preview = 200, None
    add_row = request.form.get("add_row")
    if request.method == "POST" and (add_row or request.form.get("switch_type")):
        rows = getattr(form, add_row) if add_row in ROW_LISTS else None
        if rows is not None and len(rows.entries) >= MAX_ROWS:
            rows.errors = [*rows.errors, f"A list holds at most {MAX_ROWS} rows."]
            status = 400
        elif rows is not None:
            rows.append_entry()
    elif form.validate_on_submit():
        try:
            spec = SCHEMAS[form.type.data].model_validate(
                form.question_data(), context=bank_rules.context(bank.policy))
        except ValidationError as e:
            for error in e.errors():
                add_error(form, ServiceError(plain_message(error),
                                             field=_error_field(error, form.type.data)))
            status = 400
        else:
            if form.preview.data:
                preview = _preview(spec)
            else:
                try:
                    result = authoring.save_question(
                        bank_id, spec, author_id=current_user.id, now=utcnow(),
                        message=form.message.data or "", question_id=question_id,
                        expected_revision=whole_number(form.revision.data) if question
                        else None)
                except Conflict as e:
                    form.form_errors.append(f"{e} {KEPT}")
                    status = 409
                except ServiceError as e:
                    add_error(form, e)
                    status = 400
                else:
                    for problem in result.warnings:
                        flash(f"Source check: {problem.message}", "warning")
                    flash("Saved." if result.saved else "No change: nothing to save.",
                          "success")
                    return redirect(url_for("author.editor", bank_id=bank_id,
                                            question_id=result.question.id))
                unit_of_work.finish(commit=False)  # refused, nothing written: render outside
    elif request.method == "POST":
        status = 400
    citations = (form.source.data or "").replace(",", " ").split()
    cited = sources.cited_paragraphs(citations)
    return render_template("author/editor.html", bank=bank, question=question, form=form,
                           preview=preview, cited=cited, row_lists=ROW_LISTS,
                           editor_sections=editor_sections(),
                           cited_hint=None if cited else _cited_hint(citations)), status


def _cited_hint(citations: list[str]) -> str:
    """Why the cited-paragraph box is empty."""
    loaded = sources.loaded_slugs()
    if not loaded:
        return "Load the source articles (flask source load DIR) to see the cited paragraphs here."
    if not any(CITATION_RE.match(c) for c in citations):
        return "Cite a paragraph as article#number (for example trafficking#11) to see it here."
    return ("No loaded article has the cited paragraph. Loaded articles: "
            + ", ".join(sorted(loaded)) + ".")


@bp.post("/banks/<int:bank_id>/questions/<int:question_id>/duplicate")
@instructor_required
def duplicate(bank_id: int, question_id: int):
    authoring.get_question_for_edit(_bank(bank_id), question_id)
    copy = authoring.duplicate_question(bank_id, question_id, author_id=current_user.id,
                                        now=utcnow())
    flash("Copied. You are editing the copy.", "success")
    return redirect(url_for("author.editor", bank_id=bank_id, question_id=copy.id))


@bp.post("/banks/<int:bank_id>/questions/<int:question_id>/archive")
@instructor_required
def archive_question(bank_id: int, question_id: int):
    """Archive (or, with restore=1, restore): what the button said, once."""
    authoring.get_question_for_edit(_bank(bank_id), question_id)
    form = ArchiveForm()
    if not form.validate_on_submit():
        abort(400, "The form could not be read.")
    archived = not form.restoring()
    changed = authoring.set_question_archived(bank_id, question_id, archived, utcnow())
    if not changed:
        flash("The question was already archived." if archived
              else "The question was already active.", "info")
    else:
        flash("Question archived: learners keep their history." if archived
              else "Question restored.", "info")
    return redirect(url_for("author.questions", bank_id=bank_id))


@bp.get("/banks/<int:bank_id>/questions/<int:question_id>/history")
@instructor_required
def history(bank_id: int, question_id: int):
    bank = _bank(bank_id)
    question = authoring.get_question_for_edit(bank, question_id)
    revisions = authoring.revisions(question)
    numbers = [r.number for r in revisions]
    newest = numbers[0]
    a = request.args.get("a", type=int) or max(newest - 1, 1)
    b = request.args.get("b", type=int) or newest
    if a not in numbers or b not in numbers:
        abort(404, "No such revision.")
    by_number = {r.number: r for r in revisions}
    lines = diff_snapshots(by_number[a].snapshot, by_number[b].snapshot)
    return render_template("author/history.html", bank=bank, question=question,
                           revisions=revisions, a=a, b=b, lines=lines, revert_form=RevertForm())


@bp.post("/banks/<int:bank_id>/questions/<int:question_id>/revert")
@instructor_required
def revert(bank_id: int, question_id: int):
    authoring.get_question_for_edit(_bank(bank_id), question_id)
    form = RevertForm()
    if not form.validate_on_submit():
        abort(400, "Which revision? The request did not say.")
    result = authoring.revert(bank_id, question_id, form.number.data,
                              author_id=current_user.id, now=utcnow(),
                              expected_revision=form.revision.data)
    if result.saved:
        flash(f"Reverted to revision {form.number.data} (saved as a new revision).", "success")
    else:
        flash(f"Revision {form.number.data} is what the question already says; nothing "
              "changed.", "info")
    return redirect(url_for("author.history", bank_id=bank_id, question_id=question_id))
