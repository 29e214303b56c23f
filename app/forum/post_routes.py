"""Answers, comments, votes and accepting: actions on a question's posts."""

from flask import abort, flash, redirect, render_template
from flask_login import current_user, login_required

from app.core.errors import Invalid
from app.core.forms import csrf_checked_by_form, show_invalid
from app.core.htmx import is_htmx_request
from app.extensions import db
from app.forum import bp, services
from app.forum.forms import AnswerForm, CommentForm, VoteForm
from app.forum.models import Answer, Question
from app.forum.permissions import can_edit_post, can_see_post
from app.forum.question_routes import load_visible_question, question_url


def load_visible_answer(answer_id: int) -> Answer:
    answer = db.get_or_404(Answer, answer_id)
    if not (can_see_post(current_user, answer) and can_see_post(current_user, answer.question)):
        abort(404)
    return answer


def _anchor(post) -> str:
    return f"question-{post.id}" if isinstance(post, Question) else f"answer-{post.id}"


def _back_to(post, **values):
    question = post if isinstance(post, Question) else post.question
    return redirect(question_url(question, _anchor=_anchor(post), **values), 303)


def _comment(post):
    form = CommentForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return _back_to(post)
    try:
        services.comment_on(current_user, post, body=form.body.data)
    except Invalid as err:
        db.session.rollback()
        flash(err.message, "error")
    else:
        db.session.commit()
        flash("Your comment is posted.", "success")
    return _back_to(post)


@bp.post("/questions/<int:question_id>/comments")
@login_required
def comment_question(question_id: int):
    return _comment(load_visible_question(question_id))


@bp.post("/answers/<int:answer_id>/comments")
@login_required
def comment_answer(answer_id: int):
    return _comment(load_visible_answer(answer_id))


def _vote(post):
    form = VoteForm()
    if not form.validate_on_submit():
        raise Invalid("value", "Vote up or down.")
    seen = int(form.seen.data) if form.seen.data else None
    mine = services.vote(current_user, post, 1 if form.value.data == "up" else -1, seen=seen)
    db.session.commit()
    if is_htmx_request():
        return render_template("forum/_vote.html", post=post, my_vote=mine)
    return _back_to(post)


@bp.post("/questions/<int:question_id>/vote")
@login_required
def vote_question(question_id: int):
    return _vote(load_visible_question(question_id))


@bp.post("/answers/<int:answer_id>/vote")
@login_required
def vote_answer(answer_id: int):
    return _vote(load_visible_answer(answer_id))


@bp.post("/answers/<int:answer_id>/accept")
@login_required
def accept_answer(answer_id: int):
    answer = load_visible_answer(answer_id)
    accepted = services.accept_answer(current_user, answer)
    db.session.commit()
    flash("You accepted this answer." if accepted else "You un-accepted this answer.",
          "success")
    return _back_to(answer)


@bp.route("/answers/<int:answer_id>/edit", methods=["GET", "POST"])
@csrf_checked_by_form
@login_required
def edit_answer(answer_id: int):
    answer = load_visible_answer(answer_id)
    if not can_edit_post(current_user, answer):
        abort(403)
    form = AnswerForm()
    if not form.is_submitted():
        form.answer.data = answer.body_md
    if form.validate_on_submit():
        try:
            services.edit_answer(current_user, answer, body=form.answer.data)
        except Invalid as err:
            db.session.rollback()
            show_invalid(form, err)
        else:
            db.session.commit()
            flash("Your edit is saved.", "success")
            return _back_to(answer)
    return render_template("forum/answer_form.html", form=form, answer=answer)
