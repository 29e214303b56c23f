"""Questions: list, ask, read, edit, revisions, follow. Thin: load → authorize → act →
commit → respond."""

import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from app.core.errors import Invalid
from app.core.forms import csrf_checked_by_form, show_invalid
from app.core.htmx import is_htmx_request, render_page_or_fragment
from app.core.pagination import paginate
from app.extensions import db
from app.forum import bp, queries, services
from app.forum.forms import AnswerForm, CommentForm, ConfirmForm, QuestionForm
from app.forum.models import TITLE_MAX, Answer, Comment, Question
from app.forum.permissions import (
    can_accept_answer,
    can_edit_post,
    can_flag_post,
    can_moderate,
    can_see_post,
    can_vote_on,
    is_open,
)
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


# -- The question page ------------------------------------------------------------------------
# A long question has hundreds of posts, each with a handful of links and forms. Everything a
# post shows that depends on the viewer or on the URL map is worked out here, once per page:
# each endpoint's address is built with one `url_for` and each post's id is put into it, and
# each permission is asked once per post.

_PLACEHOLDER_ID = 2_147_483_647  # no row has this id; it marks where a post's id goes
_URL_SAFE = re.compile(r"[a-z0-9_-]+")
_TIME_FORMAT = "%-d %b %Y, %H:%M"  # as the `local_time` filter shows a time


def _url_pattern(endpoint: str, **values):
    """`url_for(endpoint, <id>=post_id)` for many ids at the cost of one `url_for`."""
    url = url_for(endpoint, **values)
    head, marker, tail = url.partition(str(_PLACEHOLDER_ID))
    if not marker:
        raise ValueError(f"{endpoint} has no id in its address")
    return lambda post_id: f"{head}{post_id}{tail}"


def _time_formatter(viewer):
    """The `local_time` filter with the viewer's time zone looked up once."""
    name = (viewer.timezone or "UTC") if getattr(viewer, "is_authenticated", False) else "UTC"
    try:
        zone = ZoneInfo(name)
    except (KeyError, ValueError):
        zone = None

    def local_time(value: datetime | None) -> str:
        if value is None:
            return ""
        if zone is not None:
            try:
                return value.astimezone(zone).strftime(_TIME_FORMAT)
            except (KeyError, ValueError):
                pass
        return value.strftime(_TIME_FORMAT)

    return local_time


@dataclass(slots=True)
class CommentView:
    post: Comment
    author_url: str
    time: str
    flag_url: str = ""  # empty when the viewer may not flag it
    moderate_url: str = ""  # hide or restore; empty for all but moderators
    back: str = ""  # where moderation returns to
    kind: str = "comment"


@dataclass(slots=True)
class PostView:
    """The question or one answer, with what this viewer may do to it."""

    post: Question | Answer
    kind: str  # "question" or "answer"
    author_url: str
    time: str
    my_vote: int
    can_vote: bool
    vote_url: str
    edit_url: str  # empty when the viewer may not edit it
    comment_url: str
    comment_key: str
    flag_url: str = ""
    moderate_url: str = ""
    back: str = ""
    lock_url: str = ""  # lock or unlock (the question, for moderators)
    accept_url: str = ""  # accept or un-accept (an answer, for the question's author)
    comments: list[CommentView] = field(default_factory=list)


@dataclass(slots=True)
class QuestionPageView:
    question: PostView
    answers: list[PostView]
    csrf: str
    is_open: bool


def question_page_view(page: queries.QuestionPage) -> QuestionPageView:
    viewer = current_user._get_current_object()
    question = page.question
    address = question_url(question)
    moderator = can_moderate(viewer)
    flaggable = not question.is_hidden
    local_time = _time_formatter(viewer)
    profile = _url_pattern("accounts.profile", handle=str(_PLACEHOLDER_ID))

    def profile_url(handle: str) -> str:
        # Handles are URL-safe (lower-case letters, digits, "-" and "_"); anything else
        # takes the long way.
        return profile(handle) if _URL_SAFE.fullmatch(handle) else url_for(
            "accounts.profile", handle=handle)

    flag = {kind: _url_pattern(f"forum.flag_{kind}", **{f"{kind}_id": _PLACEHOLDER_ID})
            for kind in ("question", "answer", "comment")}
    hide = {kind: _url_pattern("admin.hide_post", kind=kind, post_id=_PLACEHOLDER_ID)
            for kind in ("question", "answer", "comment")} if moderator else {}
    restore = {kind: _url_pattern("admin.restore_post", kind=kind, post_id=_PLACEHOLDER_ID)
               for kind in ("question", "answer", "comment")} if moderator else {}

    def moderation(view, post, kind: str, anchor: str | None) -> None:
        if flaggable and can_flag_post(viewer, post):
            view.flag_url = flag[kind](post.id)
        if moderator:
            view.moderate_url = (restore if post.is_hidden else hide)[kind](post.id)
            view.back = f"{address}#{anchor}" if anchor else address

    def comments_on(post) -> list[CommentView]:
        views = []
        for comment in page.comments_on(post):
            view = CommentView(comment, profile_url(comment.author.handle),
                               local_time(comment.created_at))
            moderation(view, comment, "comment", f"comment-{comment.id}")
            views.append(view)
        return views

    question_view = PostView(
        question, "question", profile_url(question.author.handle),
        local_time(question.created_at), page.my_vote(question),
        can_vote_on(viewer, question),
        url_for("forum.vote_question", question_id=question.id),
        url_for("forum.edit_question", question_id=question.id)
        if can_edit_post(viewer, question) else "",
        url_for("forum.comment_question", question_id=question.id), f"q{question.id}",
        comments=comments_on(question))
    moderation(question_view, question, "question", None)
    if moderator:
        question_view.lock_url = url_for(
            "admin.unlock_question" if question.is_locked else "admin.lock_question",
            question_id=question.id)

    vote = _url_pattern("forum.vote_answer", answer_id=_PLACEHOLDER_ID)
    edit = _url_pattern("forum.edit_answer", answer_id=_PLACEHOLDER_ID)
    comment = _url_pattern("forum.comment_answer", answer_id=_PLACEHOLDER_ID)
    accept = _url_pattern("forum.accept_answer", answer_id=_PLACEHOLDER_ID)
    open_ = is_open(question)
    may_accept = can_accept_answer(viewer, question) and open_
    answers = []
    for answer in page.answers:
        view = PostView(
            answer, "answer", profile_url(answer.author.handle), local_time(answer.created_at),
            page.my_vote(answer), can_vote_on(viewer, answer), vote(answer.id),
            edit(answer.id) if can_edit_post(viewer, answer) else "", comment(answer.id),
            f"a{answer.id}", accept_url=accept(answer.id)
            if may_accept and not answer.is_hidden else "",
            comments=comments_on(answer))
        moderation(view, answer, "answer", f"answer-{answer.id}")
        answers.append(view)
    return QuestionPageView(question_view, answers, generate_csrf(), open_)


def render_question(question_id: int, *, answer_form=None, status: int = 200):
    page = queries.question_page(current_user, question_id)
    if page is None or not can_see_post(current_user, page.question):
        abort(404)
    return render_template(
        "forum/question_detail.html", page=page, question=page.question,
        view=question_page_view(page),
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
