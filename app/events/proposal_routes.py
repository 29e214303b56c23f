"""Session proposals: the list, proposing one, adding or removing interest, withdrawing.

Thin: load → authorize → act → commit once → respond. The interest buttons work in place with
htmx (the proposal's card comes back); a plain form gets a 303 back to the list it came from.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import false, select

from app.core.errors import DomainError, Invalid, NotAllowed
from app.core.forms import csrf_checked_by_form, show_invalid
from app.core.htmx import is_htmx_request
from app.core.pagination import paginate
from app.core.security import safe_next
from app.core.validators import has_control_characters
from app.events import bp, proposal_queries, proposals
from app.events.models import PROPOSAL_STATUSES, SessionProposal
from app.events.proposal_forms import ProposalForm
from app.extensions import db
from app.offers.queries import skill_names
from app.skills.models import SKILL_NAME_MAX, Skill

bp.add_app_template_global(proposals.can_withdraw_proposal, "can_withdraw_proposal")
bp.add_app_template_global(proposals.can_add_interest, "can_add_interest")
bp.add_app_template_global(PROPOSAL_STATUSES, "proposal_statuses")


def _per_page() -> int:
    return current_app.config.get("PROPOSALS_PER_PAGE", proposal_queries.PER_PAGE)


def _skill_filter() -> tuple[str, Skill | None]:
    slug = request.args.get("skill", "").strip()[:SKILL_NAME_MAX * 2]
    if not slug:
        return "", None
    return slug, db.session.scalar(select(Skill).where(Skill.slug == slug))


@bp.get("/events/proposals/", endpoint="proposals")
@login_required
def proposal_list():
    slug, skill = _skill_filter()
    unknown_skill = bool(slug) and skill is None
    teachable = [] if unknown_skill else proposal_queries.teachable_proposals(current_user, skill)
    query = proposal_queries.proposal_list_select(skill)
    if unknown_skill:
        query = query.where(false())
    if teachable:
        query = query.where(SessionProposal.id.not_in([p.id for p in teachable]))
    page = paginate(query, _per_page())
    state = proposal_queries.card_state(current_user, [*teachable, *page.items])
    return render_template("events/proposal_list.html", page=page, teachable=teachable,
                           state=state, skill=skill, unknown_skill=unknown_skill,
                           skill_options=proposal_queries.skill_options(),
                           back=request.full_path.rstrip("?"))


def _prefill_skill() -> str:
    skill = request.args.get("skill", "")[:SKILL_NAME_MAX]
    return "" if has_control_characters(skill) else skill.strip()


@bp.route("/events/proposals/new", methods=["GET", "POST"])
@csrf_checked_by_form
@login_required
def new_proposal():
    if request.method == "POST":
        form = ProposalForm()
    else:
        form = ProposalForm(formdata=None, skill=_prefill_skill())
    if form.validate_on_submit():
        try:
            proposal = proposals.propose_session(current_user, form.skill.data, form.text.data)
        except Invalid as err:
            db.session.rollback()
            show_invalid(form, err)
        else:
            db.session.commit()
            flash("Your proposal is up. Colleagues can add their interest, and whoever "
                  "schedules it will let everyone interested know.", "success")
            return redirect(url_for("events.proposals", skill=proposal.skill.slug,
                                    _anchor=f"proposal-{proposal.id}"), 303)
    status = 400 if form.errors else 200
    return render_template("events/proposal_form.html", form=form,
                           skill_names=skill_names()), status


# -- Interest and withdrawing ----------------------------------------------------------------


def _respond(proposal: SessionProposal, message: str, *, category: str = "success",
             status: int = 200):
    """htmx: the proposal's card with the message in it. Otherwise: back to the list."""
    if is_htmx_request():
        state = proposal_queries.card_state(current_user, [proposal])
        return render_template("events/_proposal_card.html", proposal=proposal, state=state,
                               card_message=message, card_message_category=category), status
    flash(message, category)
    back = safe_next(request.form.get("next"), url_for("events.proposals"))
    return redirect(f"{back}#proposal-{proposal.id}", 303)


def _act(proposal_id: int, act):
    proposal = db.get_or_404(SessionProposal, proposal_id)
    try:
        message = act(proposal)
    except NotAllowed:
        raise
    except DomainError as err:
        db.session.rollback()
        return _respond(proposal, str(err), category="error", status=err.status_code)
    db.session.commit()
    return _respond(proposal, message)


@bp.post("/events/proposals/<int:proposal_id>/interest")
@login_required
def add_interest(proposal_id: int):
    def act(proposal):
        if proposals.add_interest(proposal, current_user):
            return "Interest added. We'll let you know when it's scheduled."
        return "You'd already added your interest."

    return _act(proposal_id, act)


@bp.post("/events/proposals/<int:proposal_id>/interest/remove")
@login_required
def remove_interest(proposal_id: int):
    def act(proposal):
        if proposals.remove_interest(proposal, current_user):
            return "Interest removed."
        return "You hadn't added your interest to this proposal."

    return _act(proposal_id, act)


@bp.post("/events/proposals/<int:proposal_id>/withdraw")
@login_required
def withdraw_proposal(proposal_id: int):
    def act(proposal):
        proposals.withdraw_proposal(proposal, current_user)
        return "Proposal withdrawn."

    return _act(proposal_id, act)
