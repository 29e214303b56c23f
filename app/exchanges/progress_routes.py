"""A running exchange: fit check, completing, rating and logging hours.

Thin: load → authorize → act → commit once → respond (303 after a POST). The exchange page
shows all of this through the `exchanges/_progress.html` fragment; a form with mistakes comes
back on a page of its own with the messages next to the fields and the input kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.accounts.models import User
from app.core.errors import DomainError, Invalid
from app.core.forms import csrf_checked_by_form, show_invalid
from app.exchanges import bp, progress
from app.exchanges.models import ACCEPTED, CANCELLED, COMPLETED, FITS, Exchange, ExchangeMember
from app.exchanges.progress_forms import (
    FitForm,
    HoursForm,
    RatingForm,
    hours_to_minutes,
    parse_date,
)
from app.exchanges.services import NOT_A_FIT as NOT_A_FIT_REASON
from app.extensions import db

# -- What the fragment shows ---------------------------------------------------------------


@dataclass
class ProgressView:
    exchange: Exchange
    viewer: User
    me: ExchangeMember
    others: list[ExchangeMember]
    fit_due: bool = False
    fit_opens_at: datetime | None = None
    ratings_visible: bool = False
    reveal_at: datetime | None = None
    hours: list = field(default_factory=list)
    leg_choices: dict = field(default_factory=dict)
    fit_form: FitForm | None = None
    rating_form: RatingForm | None = None
    hours_form: HoursForm | None = None

    @property
    def my_fit_label(self) -> str:
        return FITS.get(self.me.fit or "", "")

    def label_of(self, leg) -> str:
        return progress.leg_label(leg, self.viewer)

    @property
    def is_active(self) -> bool:
        return self.exchange.status == ACCEPTED

    @property
    def is_completed(self) -> bool:
        return self.exchange.status == COMPLETED

    @property
    def ended_not_a_fit(self) -> bool:
        return (self.exchange.status == CANCELLED
                and self.exchange.close_reason == NOT_A_FIT_REASON)

    @property
    def can_answer_fit(self) -> bool:
        return self.is_active and self.fit_due and self.me.fit in (None, progress.UNSURE)

    @property
    def can_rate(self) -> bool:
        return self.is_completed and self.me.rated_at is None

    @property
    def can_log_hours(self) -> bool:
        return self.exchange.status in progress.HOURS_STATUSES and bool(self.leg_choices)

    @property
    def everyone_rated(self) -> bool:
        return all(m.rated_at is not None for m in self.exchange.members)

    @property
    def total_minutes(self) -> int:
        return sum(entry.minutes for entry in self.hours)


def _leg_choices(exchange: Exchange, viewer) -> dict[str, str]:
    return {str(leg.id): progress.leg_label(leg, viewer)
            for leg in progress.own_legs(exchange, viewer)}


def _hours_form(exchange: Exchange, viewer, *, submitted: bool = False) -> HoursForm:
    """A blank form (dated today) for the page, or the one just submitted."""
    form = HoursForm() if submitted else HoursForm(formdata=None)
    form.leg.choices = _leg_choices(exchange, viewer)
    if not submitted:
        form.happened_on.data = progress.local_today(viewer).isoformat()
    return form


@bp.app_template_global()
def exchange_progress(exchange: Exchange, viewer) -> ProgressView | None:
    """Everything `_progress.html` shows to `viewer`; None for someone not in the exchange."""
    me = progress.membership(exchange, viewer)
    if me is None:
        return None
    return ProgressView(
        exchange=exchange, viewer=viewer, me=me,
        others=[m for m in exchange.members if m is not me],
        fit_due=progress.fit_check_is_due(exchange),
        fit_opens_at=progress.fit_check_opens_at(exchange),
        ratings_visible=progress.ratings_are_visible(exchange),
        reveal_at=progress.ratings_reveal_at(exchange),
        hours=progress.hours_logged(exchange) if exchange.accepted_at else [],
        leg_choices=_leg_choices(exchange, viewer),
        fit_form=FitForm(formdata=None), rating_form=RatingForm(formdata=None),
        hours_form=_hours_form(exchange, viewer))


@bp.app_template_filter("as_hours")
def as_hours(minutes: int | None) -> str:
    """90 → "1.5", 60 → "1", 20 → "0.33"."""
    return f"{(minutes or 0) / 60:.2f}".rstrip("0").rstrip(".")


# -- Requests ------------------------------------------------------------------------------


def load_member_exchange(exchange_id: int) -> Exchange:
    """The exchange, for its members only: anyone else gets a 404, as if it didn't exist."""
    exchange = db.get_or_404(Exchange, exchange_id)
    if not progress.is_member(current_user, exchange):
        abort(404)
    return exchange


def _back_url(exchange: Exchange, anchor: str = "progress") -> str:
    return url_for(progress.EXCHANGE_ENDPOINT, exchange_id=exchange.id, _anchor=anchor)


def _back(exchange: Exchange, anchor: str = "progress"):
    return redirect(_back_url(exchange, anchor), 303)


def _flash_form_errors(form) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")


@bp.post("/<int:exchange_id>/fit")
@login_required
def answer_fit(exchange_id: int):
    exchange = load_member_exchange(exchange_id)
    form = FitForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return _back(exchange, "fit-check")
    try:
        progress.answer_fit(exchange, current_user, form.fit.data)
    except DomainError as err:
        db.session.rollback()
        flash(str(err), "error")
        return _back(exchange, "fit-check")
    db.session.commit()
    if form.fit.data == progress.NOT_FIT:
        flash("Thank you for being honest — not every pairing clicks, and that's fine. "
              "The exchange is closed; your matches have other people to learn with.", "success")
    elif form.fit.data == progress.GOOD:
        flash("Great — glad it's working. Keep logging your hours as you go.", "success")
    else:
        flash("Noted. You can change your answer once you know more.", "success")
    return _back(exchange, "fit-check")


@bp.post("/<int:exchange_id>/complete")
@login_required
def complete(exchange_id: int):
    exchange = load_member_exchange(exchange_id)
    try:
        progress.complete_exchange(exchange, current_user)
    except DomainError as err:
        db.session.rollback()
        flash(str(err), "error")
        return _back(exchange)
    db.session.commit()
    flash("The exchange is completed. Rate it below: the others see your rating once "
          "everyone has rated.", "success")
    return _back(exchange, "ratings")


@bp.route("/<int:exchange_id>/rating", methods=["GET", "POST"])
@csrf_checked_by_form
@login_required
def rate(exchange_id: int):
    exchange = load_member_exchange(exchange_id)
    view = exchange_progress(exchange, current_user)
    if not view.can_rate:
        flash("You've already rated this exchange." if view.me.rated_at else
              "You can rate an exchange once it is completed.", "error")
        return _back(exchange, "ratings")
    form = RatingForm()
    if form.validate_on_submit():
        try:
            progress.rate_exchange(exchange, current_user, form.rating.data, form.comment.data)
        except Invalid as err:
            db.session.rollback()
            show_invalid(form, err)
        except DomainError as err:
            db.session.rollback()
            flash(str(err), "error")
            return _back(exchange, "ratings")
        else:
            db.session.commit()
            flash("Thank you for rating the exchange.", "success")
            return _back(exchange, "ratings")
    return render_template("exchanges/rating_form.html", exchange=exchange, view=view,
                           form=form, back_url=_back_url(exchange, "ratings"))


@bp.route("/<int:exchange_id>/hours", methods=["GET", "POST"])
@csrf_checked_by_form
@login_required
def log_hours(exchange_id: int):
    exchange = load_member_exchange(exchange_id)
    view = exchange_progress(exchange, current_user)
    if not view.can_log_hours:
        flash("Hours can only be logged on active or completed exchanges.", "error")
        return _back(exchange, "hours")
    form = _hours_form(exchange, current_user, submitted=request.method == "POST")
    if form.validate_on_submit():
        try:
            entry = progress.log_hours(
                exchange, current_user, leg_id=form.leg.data,
                minutes=hours_to_minutes(form.hours.data),
                happened_on=parse_date(form.happened_on.data), note=form.note.data)
        except Invalid as err:
            db.session.rollback()
            show_invalid(form, err)
        except DomainError as err:
            db.session.rollback()
            flash(str(err), "error")
            return _back(exchange, "hours")
        else:
            db.session.commit()
            flash(f"Logged {as_hours(entry.minutes)} h.", "success")
            return _back(exchange, "hours")
    return render_template("exchanges/hours_form.html", exchange=exchange, view=view,
                           form=form, back_url=_back_url(exchange, "hours"))
