"""The people directory and profiles."""

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user, login_required

from app.accounts import bp
from app.accounts.permissions import can_see_profile
from app.accounts.queries import departments, directory_select, user_by_handle
from app.core.htmx import render_page_or_fragment
from app.core.pagination import paginate


@bp.get("/people/")
@login_required
def people():
    q = request.args.get("q", "")[:100]
    department = request.args.get("department", "")[:80]
    page = paginate(directory_select(q=q, department=department),
                    default_per_page=current_app.config["PEOPLE_PER_PAGE"])
    return render_page_or_fragment(
        "accounts/people_list.html", "accounts/_people_results.html",
        page=page, q=q, department=department, departments=departments(),
    )


@bp.get("/people/<handle>")
@login_required
def profile(handle: str):
    user = user_by_handle(handle)
    if user is None or not can_see_profile(current_user, user):
        abort(404)
    if user.handle != handle:
        return redirect(url_for("accounts.profile", handle=user.handle), 301)
    from app.exchanges.ledger import ledger_for  # exchanges build on accounts too
    from app.offers.queries import profile_offers  # offers build on accounts, not the reverse

    return render_page_or_fragment("accounts/profile_detail.html", "accounts/_profile.html",
                                   person=user, offers=profile_offers(user, current_user),
                                   ledger=ledger_for(user))
