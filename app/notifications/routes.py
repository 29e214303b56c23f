"""The notification list, marking read, and the badge fragment htmx refreshes."""

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from app.core.htmx import is_htmx_request, render_page_or_fragment
from app.core.pagination import paginate
from app.core.security import safe_next
from app.extensions import db
from app.notifications import bp, services
from app.notifications.models import Notification


def _own_notification(note_id: int) -> Notification:
    note = db.get_or_404(Notification, note_id)
    if note.user_id != current_user.id:
        abort(404)
    return note


@bp.get("/")
@login_required
def index():
    page = paginate(services.inbox_select(current_user),
                    current_app.config["NOTIFICATIONS_PER_PAGE"])
    return render_page_or_fragment(
        "notifications/notification_list.html", "notifications/_notification_items.html",
        page=page, unread=services.unread_count(current_user),
    )


@bp.get("/badge")
def badge():
    # Not login_required: a tab polling after its session ended gets an empty badge, not
    # the login page (htmx follows the redirect and would swap that page into the nav).
    return render_template("notifications/_badge.html", unread=unread_notifications())


@bp.post("/<int:note_id>/read")
@login_required
def mark_read(note_id: int):
    note = _own_notification(note_id)
    services.mark_read(current_user, note)
    db.session.commit()
    if is_htmx_request():
        response = make_response(render_template("notifications/_notification.html", note=note))
        response.headers["HX-Trigger"] = "notifications-changed"
        return response
    if request.args.get("stay"):
        return redirect(url_for("notifications.index"), 303)
    return redirect(safe_next(note.url, url_for("notifications.index")), 303)


@bp.post("/read-all")
@login_required
def mark_all_read():
    count = services.mark_all_read(current_user)
    db.session.commit()
    flash(f"Marked {count} notification{'s' if count != 1 else ''} as read." if count
          else "You had no unread notifications.", "success")
    return redirect(url_for("notifications.index"), 303)


@bp.app_template_global()
def unread_notifications() -> int:
    """For the badge in the navigation of every full page."""
    return services.unread_count(current_user) if current_user.is_authenticated else 0
