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
from app.forum.models import Question
from app.forum.permissions import can_edit_post, can_see_post
from app.forum.queries import question_slug


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


@bp.route("/questions/ask", methods=["GET", "POST"])
@csrf_checked_by_form
@login_required
def ask():
    form = QuestionForm()
    if form.validate_on_submit():
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
    return render_template("forum/question_form.html", form=form, question=None)


def render_question(question_id: int, *, answer_form=None, status: int = 200):
    page = queries.question_page(current_user, question_id)
    if page is None or not can_see_post(current_user, page.question):
        abort(404)
    return render_template(
        "forum/question_detail.html", page=page, question=page.question,
        answer_form=answer_form or AnswerForm(formdata=None),
        comment_form=CommentForm(formdata=None), confirm_form=ConfirmForm(),
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
