"""The "Propose a session" form: it validates input, never saves or queries."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.core.validators import NoControlCharacters, normalise_newlines
from app.events.models import PROPOSAL_TEXT_MAX, PROPOSAL_TEXT_MIN
from app.skills.models import SKILL_NAME_MAX


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ProposalForm(FlaskForm):
    skill = StringField("Skill", filters=[_strip], validators=[
        DataRequired("Name a skill, like “SQL” or “Public speaking”."),
        Length(max=SKILL_NAME_MAX,
               message=f"Keep a skill's name to {SKILL_NAME_MAX} characters at most."),
        NoControlCharacters(),
    ], description="Pick a skill from the suggestions, or name a new one.",
        render_kw={"maxlength": SKILL_NAME_MAX, "autocomplete": "off",
                   "list": "skill-names"})
    text = TextAreaField("What would you like to learn?", filters=[normalise_newlines, _strip],
                         validators=[
        DataRequired("Say what you'd like to learn."),
        Length(min=PROPOSAL_TEXT_MIN,
               message=f"Say a little more about what you'd like to learn: at least "
                       f"{PROPOSAL_TEXT_MIN} characters."),
        Length(max=PROPOSAL_TEXT_MAX,
               message=f"Keep it to {PROPOSAL_TEXT_MAX} characters at most."),
        NoControlCharacters(allow_newlines=True),
    ], description="A sentence or two: what you'd like the session to cover, and your level. "
                   "Colleagues add their interest; someone who teaches it can schedule it.",
        render_kw={"rows": 4, "minlength": PROPOSAL_TEXT_MIN, "maxlength": PROPOSAL_TEXT_MAX})
