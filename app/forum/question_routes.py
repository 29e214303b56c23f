"""Questions: list, ask, read, edit, revisions, follow. Thin: load → authorize → act →
commit → respond."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.core.errors import Invalid
from app.core.forms import csrf_checked_by_form, show_invalid
from app.core.htmx import is_htmx_request, render_page_or_fragment
from app.core.pagination import paginate
from app.extensions import db
from app.forum import bp, queries, services
from app.forum.forms import AnswerForm, CommentForm, ConfirmForm, QuestionForm
from app.forum.models import TITLE_MAX, Question
from app.forum.permissions import can_edit_post, can_see_post
from app.forum.queries import question_slug
from app.search.queries import similar_questions

SIMILAR_MIN_CHARS = 10  # shorter titles say too little to compare
SIMILAR_LIMIT = 5


@bp.app_template_global()
def question_url(question: Question, **values) -> str:
    """The canonical address of a question: /questions/<id>/<slug>."""
    return url_for("forum.question", question_id=question.id, slug=question_slug(question),
                   **values)


def _per_page() -> int:
    return current_app.config.get("QUESTIONS_PER_PAGE", 20)


def load_visible_question(question_id: int) -> Question:
    question = db.get_or_404(Question, question_id)
    if not can_see_post(current_user, question):
        abort(404)
    return question


def render_question_list(tag=None):
    tab = request.args.get("tab", "newest")
    if tab not in queries.TABS:
        tab = "newest"
    if tag is None and request.args.get("tag"):
        tag = services.tag_by_name(request.args.get("tag", "")[:60])
        if tag is None:
            abort(404)
    page = paginate(queries.question_list_select(current_user, tab=tab, tag=tag), _per_page())
    following = tag is not None and queries.is_following_tag(current_user, tag)
    return render_page_or_fragment("forum/question_list.html", "forum/_question_results.html",
                                   page=page, tab=tab, tabs=queries.TABS, tag=tag,
                                   following=following)


@bp.get("/questions/")
@login_required
def questions():
    return render_question_list()


def similar_to_title(title: str | None) -> list[Question]:
    """Existing questions most like a title being typed; none for a title too short to say
    much."""
    title = (title or "").strip()[:TITLE_MAX]
    if len(title) < SIMILAR_MIN_CHARS:
        return []
    return similar_questions(title, limit=SIMILAR_LIMIT)


def related_to(question: Question) -> list[Question]:
    """Other questions most like this one, by its tags and title (tags first: the search
    reads only the first few words)."""
    text = " ".join([*(tag.name for tag in question.tags), question.title])
    return similar_questions(text, limit=SIMILAR_LIMIT, exclude_id=question.id)


@bp.route("/questions/ask", methods=["GET", "POST"])
@csrf_checked_by_form
@login_required
def ask():
    form = QuestionForm()
    # "Check for similar questions" without JavaScript: show the list, keep what was typed,
    # save nothing and judge nothing yet.
    checking = request.method == "POST" and "check_similar" in request.form
    if not checking and form.validate_on_submit():
        try:
            question = services.ask_question(current_user, title=form.title.data,
                                             body=form.body.data, tags=form.tags.data)
        except Invalid as err:
            db.session.rollback()
            show_invalid(form, err)
        else:
            db.session.commit()
            flash("Your question is posted.", "success")
            return redirect(question_url(question), 303)
    similar = similar_to_title(form.title.data) if request.method == "POST" else []
    return render_template("forum/question_form.html", form=form, question=None,
                           similar=similar, checked_similar=checking,
                           similar_min_chars=SIMILAR_MIN_CHARS)


@bp.get("/questions/similar")
@login_required
def similar_titles():
    """The questions most like ?title=…: the list alone for htmx while someone types, or the
    ask page with that title and the list for a plain request."""
    title = request.args.get("title", "")[:TITLE_MAX]
    return render_page_or_fragment("forum/question_form.html", "forum/_similar_questions.html",
                                   form=QuestionForm(title=title), question=None,
                                   similar=similar_to_title(title), checked_similar=True,
                                   similar_min_chars=SIMILAR_MIN_CHARS)


def render_question(question_id: int, *, answer_form=None, status: int = 200):
    page = queries.question_page(current_user, question_id)
    if page is None or not can_see_post(current_user, page.question):
        abort(404)
    return render_template(
        "forum/question_detail.html", page=page, question=page.question,
        answer_form=answer_form or AnswerForm(formdata=None),
        comment_form=CommentForm(formdata=None), confirm_form=ConfirmForm(),
        related=related_to(page.question),
    ), status


@bp.get("/questions/<int:question_id>")
@bp.get("/questions/<int:question_id>/<slug>")
@login_required
def question(question_id: int, slug: str | None = None):
    question = load_visible_question(question_id)
    if slug != question_slug(question):
        return redirect(question_url(question), 301)
    return render_question(question.id)


@bp.post("/questions/<int:question_id>/answers")
@csrf_checked_by_form
@login_required
def answer(question_id: int):
    question = load_visible_question(question_id)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            new = services.answer_question(current_user, question, body=form.answer.data)
        except Invalid as err:
            db.session.rollback()
            show_invalid(form, err)
        else:
            db.session.commit()
            flash("Your answer is posted.", "success")
            return redirect(question_url(question, _anchor=f"answer-{new.id}"), 303)
    return render_question(question.id, answer_form=form, status=400)


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
@csrf_checked_by_form
@login_required
def edit_question(question_id: int):
    question = load_visible_question(question_id)
    if not can_edit_post(current_user, question):
        abort(403)
    form = QuestionForm(obj=None if request.method == "POST" else question)
    if request.method == "GET":
        form.body.data = question.body_md
        form.tags.data = ", ".join(t.name for t in question.tags)
    if form.validate_on_submit():
        try:
            services.edit_question(current_user, question, title=form.title.data,
                                   body=form.body.data, tags=form.tags.data)
        except Invalid as err:
            db.session.rollback()
            show_invalid(form, err)
        else:
            db.session.commit()
            flash("Your edit is saved.", "success")
            return redirect(question_url(question), 303)
    return render_template("forum/question_form.html", form=form, question=question)


@bp.get("/questions/<int:question_id>/revisions")
@login_required
def revisions(question_id: int):
    question = load_visible_question(question_id)
    page = paginate(queries.revisions_select(question), 20)
    return render_template("forum/question_revisions.html", question=question, page=page)


@bp.post("/questions/<int:question_id>/follow")
@login_required
def follow_question(question_id: int):
    question = load_visible_question(question_id)
    following = services.toggle_follow_question(current_user, question)
    db.session.commit()
    if is_htmx_request():
        return render_template("forum/_follow_button.html", following=following,
                               action=url_for("forum.follow_question", question_id=question.id),
                               noun="question")
    flash("You're following this question." if following
          else "You stopped following this question.", "success")
    return redirect(question_url(question), 303)
