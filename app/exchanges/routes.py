"""My exchanges, one exchange, requesting one, and answering: accept, decline, cancel.

Thin: load → authorize → act → commit once → respond (303 after a POST). Someone outside an
exchange gets a 404 for it, as if it didn't exist; administrators may look.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.core.errors import DomainError, Invalid, NotAllowed
from app.core.forms import show_invalid
from app.core.pagination import paginate
from app.exchanges import bp, permissions, proposals, queries, services
from app.exchanges.forms import ReasonForm, RequestForm
from app.exchanges.models import ACCEPTED, Exchange
from app.extensions import db
from app.offers.models import Offer
from app.offers.permissions import can_see_offer


def _load_visible(exchange_id: int) -> Exchange:
    exchange = db.get_or_404(Exchange, exchange_id)
    if not permissions.can_view_exchange(current_user, exchange):
        abort(404)
    return exchange


def _back(exchange: Exchange):
    return redirect(url_for("exchanges.exchange", exchange_id=exchange.id), 303)


# -- Reading ---------------------------------------------------------------------------------


@bp.get("/")
@login_required
def index():
    group = request.args.get("group")
    if group in queries.GROUPS:
        page = paginate(queries.group_select(current_user, group), queries.PER_PAGE)
        return render_template("exchanges/exchange_list.html", groups={group: page},
                               only=group)
    groups = {name: db.paginate(queries.group_select(current_user, name), page=1,
                                per_page=queries.PER_PAGE, error_out=False, count=True)
              for name in queries.GROUPS}
    return render_template("exchanges/exchange_list.html", groups=groups, only=None)


@bp.get("/<int:exchange_id>")
@login_required
def exchange(exchange_id: int):
    exchange = _load_visible(exchange_id)
    return render_template("exchanges/exchange_detail.html", exchange=exchange,
                           decline_form=ReasonForm(prefix="decline", formdata=None),
                           cancel_form=ReasonForm(prefix="cancel", formdata=None))


# -- Requesting ------------------------------------------------------------------------------


def _proposal(values) -> proposals.Proposal:
    """What the person asked to propose: `offer=<id>` or `suggestion=<key>`."""
    offer_id = values.get("offer", type=int)
    if offer_id:
        offer = db.get_or_404(Offer, offer_id)
        if not can_see_offer(current_user, offer):
            abort(404)
        return proposals.from_offer(current_user, offer)
    if values.get("suggestion"):
        return proposals.from_suggestion(current_user, values.get("suggestion"))
    abort(404)


def _confirm_page(proposal, form, status: int = 200):
    duplicate = services.open_duplicate(proposal.legs)
    return render_template("exchanges/exchange_new.html", proposal=proposal, form=form,
                           duplicate=duplicate), status


@bp.get("/new")
@login_required
def new():
    proposal = _proposal(request.args)
    form = RequestForm(formdata=None, offer=proposal.offer_id or "",
                       suggestion=proposal.suggestion_key)
    return _confirm_page(proposal, form)


@bp.post("/new")
@login_required
def create():
    proposal = _proposal(request.form)
    form = RequestForm()
    if not form.validate():
        return _confirm_page(proposal, form, 400)
    try:
        exchange = services.request_exchange(current_user, proposal.legs, form.message.data)
    except Invalid as err:
        db.session.rollback()
        show_invalid(form, err)
        return _confirm_page(proposal, form, 400)
    except NotAllowed:
        raise
    except DomainError as err:
        db.session.rollback()
        flash(str(err), "error")
        return _confirm_page(proposal, form, err.status_code)
    db.session.commit()
    others = queries.others(exchange, current_user.id)
    flash(f"Request sent. It starts when {queries.names(others)} "
          f"accept{'s' if len(others) == 1 else ''}.", "success")
    return _back(exchange)


# -- Answering -------------------------------------------------------------------------------


def _answer(exchange_id: int, act):
    """Load, act as the viewer (`act(exchange)` returns the message to show), commit once
    and go back to the exchange."""
    exchange = _load_visible(exchange_id)
    try:
        message = act(exchange)
    except NotAllowed:
        raise
    except DomainError as err:
        db.session.rollback()
        flash(str(err), "error")
        return _back(exchange)
    db.session.commit()
    flash(message, "success")
    return _back(exchange)


def _reason(prefix: str) -> str:
    form = ReasonForm(prefix=prefix)
    if not form.validate():
        raise Invalid("reason", next(iter(form.reason.errors), "Check the reason."))
    return form.reason.data or ""


@bp.post("/<int:exchange_id>/accept")
@login_required
def accept(exchange_id: int):
    def act(exchange):
        services.accept(current_user, exchange)
        if exchange.status == ACCEPTED:
            return "Accepted: the exchange is active. Agree on a first session together."
        waiting = queries.waiting_for(exchange)
        return (f"Accepted. It starts when {queries.names(waiting)} "
                f"accept{'s' if len(waiting) == 1 else ''} too.")

    return _answer(exchange_id, act)


@bp.post("/<int:exchange_id>/decline")
@login_required
def decline(exchange_id: int):
    def act(exchange):
        services.decline(current_user, exchange, _reason("decline"))
        return "Declined. We've let the others know."

    return _answer(exchange_id, act)


@bp.post("/<int:exchange_id>/cancel")
@login_required
def cancel(exchange_id: int):
    def act(exchange):
        services.cancel(current_user, exchange, _reason("cancel"))
        return "Cancelled. We've let the others know, and any seats it held are free again."

    return _answer(exchange_id, act)
