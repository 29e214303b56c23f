"""Flagging a question, answer or comment for the moderators (works without JavaScript: each
post's Flag link opens a small form page). The moderators' side is in `app/admin`."""

from flask import abort, flash, redirect, render_template
from flask_login import current_user, login_required

from app.core.errors import DomainError, Invalid
from app.core.forms import csrf_checked_by_form, show_invalid
from app.extensions import db
from app.forum import bp, moderation
from app.forum.forms import FlagForm
from app.forum.models import Comment
from app.forum.permissions import can_see_post
from app.forum.post_routes import load_visible_answer
from app.forum.queries import post_excerpt
from app.forum.question_routes import load_visible_question, question_url


def load_visible_comment(comment_id: int) -> Comment:
    comment = db.get_or_404(Comment, comment_id)
    question, answer = moderation.post_context(comment)
    if not all(can_see_post(current_user, p) for p in (comment, question, answer)
               if p is not None):
        abort(404)
    return comment


def _flag(post):
    question, _ = moderation.post_context(post)
    back = question_url(question, _anchor=moderation.post_anchor(post))
    form = FlagForm()
    try:
        moderation.ensure_flaggable(current_user, post)
        if form.validate_on_submit():
            moderation.flag_post(current_user, post, reason=form.reason.data)
            db.session.commit()
            flash("Thanks — a moderator will take a look.", "success")
            return redirect(back, 303)
    except Invalid as err:
        db.session.rollback()
        show_invalid(form, err)
    except DomainError as err:  # own post, already hidden, already flagged
        db.session.rollback()
        flash(str(err), "error")
        return redirect(back, 303)
    return render_template(
        "forum/flag_form.html", form=form, post=post, kind=moderation.post_kind(post),
        question=question, excerpt=post_excerpt(post), back=back,
    ), 400 if form.is_submitted() else 200


@bp.route("/questions/<int:question_id>/flag", methods=["GET", "POST"])
@csrf_checked_by_form
@login_required
def flag_question(question_id: int):
    return _flag(load_visible_question(question_id))


@bp.route("/answers/<int:answer_id>/flag", methods=["GET", "POST"])
@csrf_checked_by_form
@login_required
def flag_answer(answer_id: int):
    return _flag(load_visible_answer(answer_id))


@bp.route("/comments/<int:comment_id>/flag", methods=["GET", "POST"])
@csrf_checked_by_form
@login_required
def flag_comment(comment_id: int):
    return _flag(load_visible_comment(comment_id))
