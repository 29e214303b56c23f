"""The marketplace and offer pages. Thin: load → authorize → act → commit → respond."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.core.errors import DomainError, Invalid
from app.core.forms import csrf_checked_by_form, show_invalid
from app.core.htmx import is_htmx_request
from app.core.validators import has_control_characters
from app.extensions import db
from app.offers import bp, marketplace_page, queries, services
from app.offers.forms import NewOfferForm, OfferDetailsForm
from app.offers.models import KINDS, TEACH, Offer
from app.offers.permissions import can_manage_offer, can_see_offer
from app.skills.models import SKILL_NAME_MAX


@bp.app_template_global()
def skill_page_url(skill) -> str:
    """The skill's hub page, /skills/<slug>: who teaches it, who wants it, questions."""
    return url_for("skills.skill", slug=skill.slug)


def _per_page() -> int:
    return current_app.config.get("OFFERS_PER_PAGE", 20)


def load_visible_offer(offer_id: int) -> Offer:
    offer = queries.offer_with_details(offer_id)
    if offer is None or not can_see_offer(current_user, offer):
        abort(404)
    return offer


def load_own_offer(offer_id: int) -> Offer:
    offer = load_visible_offer(offer_id)
    if not can_manage_offer(current_user, offer):
        abort(403)
    return offer


@bp.get("/offers/")
@login_required
def marketplace():
    filters = queries.MarketplaceFilters.from_args(request.args)
    results = marketplace_page.results_html(current_user, filters, _per_page())
    if is_htmx_request():
        return results
    return render_template("offers/offer_list.html", results=results,
                           filter_form=marketplace_page.filter_form_html(filters))


def _prefill() -> dict:
    """?kind=teach|learn&skill=<name> from links like "Teach this" on a skill's page."""
    kind = request.args.get("kind", TEACH)
    skill = request.args.get("skill", "")[:SKILL_NAME_MAX]
    return {"kind": kind if kind in KINDS else TEACH,
            "skill": "" if has_control_characters(skill) else skill.strip()}


def render_offer_form(form, offer: Offer | None = None):
    return render_template("offers/offer_form.html", form=form, offer=offer,
                           skill_names=queries.skill_names() if offer is None else [])


@bp.route("/offers/new", methods=["GET", "POST"])
@csrf_checked_by_form
@login_required
def new_offer():
    form = NewOfferForm() if request.method == "POST" else NewOfferForm(**_prefill())
    if form.validate_on_submit():
        try:
            offer = services.create_offer(
                current_user, kind=form.kind.data, skill_name=form.skill.data,
                level=form.level.data, formats=form.formats.data,
                availability=form.availability.data, description=form.description.data,
                capacity=form.capacity.data)
        except Invalid as err:
            db.session.rollback()
            show_invalid(form, err)
        else:
            db.session.commit()
            flash("Your offer is on the marketplace.", "success")
            return redirect(url_for("offers.offer", offer_id=offer.id), 303)
    return render_offer_form(form)


@bp.get("/offers/<int:offer_id>")
@login_required
def offer(offer_id: int):
    return render_template("offers/offer_detail.html", offer=load_visible_offer(offer_id))


@bp.route("/offers/<int:offer_id>/edit", methods=["GET", "POST"])
@csrf_checked_by_form
@login_required
def edit_offer(offer_id: int):
    offer = load_own_offer(offer_id)
    if request.method == "POST":
        form = OfferDetailsForm()
    else:
        form = OfferDetailsForm(
            level=offer.level, formats=offer.formats, availability=offer.availability,
            description=offer.description_md,
            capacity="" if offer.capacity is None else str(offer.capacity))
    form.offer_kind = offer.kind
    if form.validate_on_submit():
        try:
            services.edit_offer(current_user, offer, level=form.level.data,
                                formats=form.formats.data, availability=form.availability.data,
                                description=form.description.data, capacity=form.capacity.data)
        except Invalid as err:
            db.session.rollback()
            show_invalid(form, err)
        except DomainError as err:
            db.session.rollback()
            flash(str(err), "error")
            return redirect(url_for("offers.offer", offer_id=offer_id), 303)
        else:
            db.session.commit()
            flash("Your changes are saved.", "success")
            return redirect(url_for("offers.offer", offer_id=offer.id), 303)
    return render_offer_form(form, offer)


_CHANGES = {
    "pause": (services.pause_offer, "Your offer is paused: it no longer shows on the "
                                    "marketplace."),
    "reopen": (services.reopen_offer, "Your offer is open again."),
    "close": (services.close_offer, "Your offer is closed."),
}


def _change_status(offer_id: int, action: str):
    offer = load_own_offer(offer_id)
    change, message = _CHANGES[action]
    try:
        change(current_user, offer)
    except DomainError as err:
        db.session.rollback()
        flash(str(err), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("offers.offer", offer_id=offer_id), 303)


@bp.post("/offers/<int:offer_id>/pause")
@login_required
def pause_offer(offer_id: int):
    return _change_status(offer_id, "pause")


@bp.post("/offers/<int:offer_id>/reopen")
@login_required
def reopen_offer(offer_id: int):
    return _change_status(offer_id, "reopen")


@bp.post("/offers/<int:offer_id>/close")
@login_required
def close_offer(offer_id: int):
    return _change_status(offer_id, "close")
