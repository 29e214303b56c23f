from flask import render_template
from flask_login import current_user
from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.queries import colleagues_in_department
from app.extensions import db
from app.home import bp
from app.home.queries import my_upcoming_events
from app.notifications.services import inbox_select

HOME_MATCHES = 3  # the best suggestions shown on the home page; /matches/ has them all


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        people = db.session.scalar(select(func.count()).select_from(User).where(User.active))
        return render_template("home/landing.html", people_count=people or 0)
    missing = [label for label, value in (
        ("your department", current_user.department),
        ("your job title", current_user.job_title),
        ("a short bio", current_user.bio_md),
        ("what you're open to", current_user.open_to),
    ) if not value]
    from app.offers.match_queries import matches_for  # the marketplace imports accounts

    matches = matches_for(current_user)
    return render_template(
        "home/dashboard.html",
        missing=missing,
        matches=matches,
        top_matches=matches.suggestions[:HOME_MATCHES],
        notifications=db.session.scalars(inbox_select(current_user).limit(5)).all(),
        colleagues=colleagues_in_department(current_user),
        my_events=my_upcoming_events(current_user),
    )
