"""Moderation pages and actions: the flag queue; hiding, restoring and locking posts; dismissing
flags. Every view is `admin_required`. The actions are small POST forms on the queue and on
the question page; each redirects back to where it was pressed (`next`)."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from app.accounts.permissions import admin_required
from app.admin import bp
from app.core.errors import DomainError
from app.core.htmx import render_page_or_fragment
from app.core.pagination import paginate
from app.core.security import safe_next
from app.extensions import db
from app.forum import moderation
from app.forum import queries as forum_queries
from app.forum.models import Question

POST_KINDS = "any(question, answer, comment)"
FLAGS_PER_PAGE = 20


@bp.context_processor
def moderation_counts():
    """`open_flag_count()` for the admin navigation (a query only when it is shown)."""
    return {"open_flag_count": forum_queries.open_flag_count}


@bp.get("/flags")
@admin_required
def flags():
    page = paginate(forum_queries.flagged_posts_select(), FLAGS_PER_PAGE)
    return render_page_or_fragment("admin/flag_list.html", "admin/_flag_rows.html",
                                   page=page, flagged=forum_queries.flagged_posts(page.items))


def _in_context(post) -> str:
    question, _ = moderation.post_context(post)
    return url_for("forum.question", question_id=question.id,
                   slug=forum_queries.question_slug(question),
                   _anchor=moderation.post_anchor(post))


def _act(post, action, message):
    """Run one moderation service, commit, flash `message(result)`, go back."""
    try:
        result = action(current_user, post)
    except DomainError as err:
        db.session.rollback()
        flash(str(err), "error")
    else:
        db.session.commit()
        flash(message(result), "success")
    return redirect(safe_next(request.form.get("next"), _in_context(post)), 303)


def _resolved(count: int) -> str:
    if not count:
        return ""
    return f" {count} open flag{'' if count == 1 else 's'} resolved."


def _load(kind: str, post_id: int):
    return db.get_or_404(moderation.KINDS[kind], post_id)


@bp.post(f"/posts/<{POST_KINDS}:kind>/<int:post_id>/hide")
@admin_required
def hide_post(kind: str, post_id: int):
    return _act(_load(kind, post_id), moderation.hide_post, lambda done: (
        (f"The {kind} is hidden." if done.changed else f"The {kind} was already hidden.")
        + _resolved(done.resolved)))


@bp.post(f"/posts/<{POST_KINDS}:kind>/<int:post_id>/restore")
@admin_required
def restore_post(kind: str, post_id: int):
    return _act(_load(kind, post_id), moderation.restore_post, lambda done: (
        (f"The {kind} is visible again." if done.changed
         else f"The {kind} wasn't hidden.") + _resolved(done.resolved)))


@bp.post(f"/posts/<{POST_KINDS}:kind>/<int:post_id>/dismiss-flags")
@admin_required
def dismiss_flags(kind: str, post_id: int):
    return _act(_load(kind, post_id), moderation.dismiss_flags, lambda count: (
        f"Dismissed: the {kind} stays as it is." + _resolved(count) if count
        else f"There were no open flags on this {kind}."))


@bp.post("/questions/<int:question_id>/lock")
@admin_required
def lock_question(question_id: int):
    return _act(db.get_or_404(Question, question_id), moderation.lock_question,
                lambda changed: "The question is locked: no new answers, comments or votes."
                if changed else "The question was already locked.")


@bp.post("/questions/<int:question_id>/unlock")
@admin_required
def unlock_question(question_id: int):
    return _act(db.get_or_404(Question, question_id), moderation.unlock_question,
                lambda changed: "The question is open again." if changed
                else "The question wasn't locked.")
