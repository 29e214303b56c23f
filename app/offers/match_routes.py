"""My matches: suggested swaps, teachers and learners, and dismissing a suggestion."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.core.htmx import is_htmx_request
from app.extensions import db
from app.offers import bp, match_queries, match_services


@bp.get("/matches/")
@login_required
def matches():
    return render_template("offers/match_list.html",
                           results=match_queries.matches_for(current_user))


@bp.post("/matches/dismiss")
@login_required
def dismiss_match():
    match_services.dismiss_suggestion(current_user, request.form.get("key"))
    db.session.commit()
    if is_htmx_request():
        return ""  # the card is removed in place
    flash("Dismissed. You won't see that suggestion again.", "success")
    return redirect(url_for("offers.matches"), 303)
