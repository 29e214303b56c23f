"""Tags: the tag list, a tag's questions, following a tag."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.core.htmx import is_htmx_request
from app.core.pagination import paginate
from app.extensions import db
from app.forum import bp, queries, services
from app.forum.question_routes import render_question_list


def _load_tag(name: str):
    tag = services.tag_by_name(name[:60])
    if tag is None:
        abort(404)
    return tag


@bp.get("/tags/")
@login_required
def tags():
    sort = request.args.get("sort", "popular")
    if sort not in queries.TAG_SORTS:
        sort = "popular"
    page = paginate(queries.tag_list_select(sort=sort), 60)
    return render_template("forum/tag_list.html", page=page, sort=sort, sorts=queries.TAG_SORTS,
                           counts=queries.question_counts(page.items))


@bp.get("/tags/<name>")
@login_required
def tag(name: str):
    return render_question_list(tag=_load_tag(name))


@bp.post("/tags/<name>/follow")
@login_required
def follow_tag(name: str):
    tag = _load_tag(name)
    following = services.toggle_follow_tag(current_user, tag)
    db.session.commit()
    if is_htmx_request():
        return render_template("forum/_follow_button.html", following=following,
                               action=url_for("forum.follow_tag", name=tag.name), noun="tag")
    flash(f"You're following “{tag.name}”." if following
          else f"You stopped following “{tag.name}”.", "success")
    return redirect(url_for("forum.tag", name=tag.name), 303)
