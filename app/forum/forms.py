"""Forum forms: they validate input, never save or query."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from app.core.validators import NoControlCharacters, normalise_newlines
from app.forum.models import (
    BODY_MAX,
    COMMENT_MAX,
    FLAG_REASON_MAX,
    TAG_MAX,
    TAGS_PER_QUESTION,
    TITLE_MAX,
    TITLE_MIN,
)

TAGS_FIELD_MAX = (TAG_MAX + 2) * TAGS_PER_QUESTION + 20


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class QuestionForm(FlaskForm):
    title = StringField("Title", filters=[_strip], validators=[
        DataRequired("Give your question a title."),
        Length(min=TITLE_MIN, max=TITLE_MAX,
               message=f"Use {TITLE_MIN} to {TITLE_MAX} characters: say what you want to know."),
        NoControlCharacters(),
    ], description="A specific question, as you would ask a colleague.",
        render_kw={"maxlength": TITLE_MAX})
    body = TextAreaField("Details", filters=[normalise_newlines], validators=[
        DataRequired("Describe your question."),
        Length(max=BODY_MAX, message=f"Keep it to {BODY_MAX:,} characters at most."),
        NoControlCharacters(allow_newlines=True),
    ], description="Markdown: what you tried, what happened, what you expected.",
        render_kw={"rows": 12, "maxlength": BODY_MAX})
    tags = StringField("Tags", filters=[_strip], validators=[
        DataRequired("Add at least one tag, like “python”."),
        Length(max=TAGS_FIELD_MAX), NoControlCharacters(),
    ], description=f"1 to {TAGS_PER_QUESTION} tags separated by commas, like “python, flask”.",
        render_kw={"maxlength": TAGS_FIELD_MAX, "autocapitalize": "none"})


class AnswerForm(FlaskForm):
    answer = TextAreaField("Your answer", filters=[normalise_newlines], validators=[
        DataRequired("Write your answer first."),
        Length(max=BODY_MAX, message=f"Keep it to {BODY_MAX:,} characters at most."),
        NoControlCharacters(allow_newlines=True),
    ], description="Markdown. Explain why, not only what.",
        render_kw={"rows": 10, "maxlength": BODY_MAX})


class CommentForm(FlaskForm):
    body = TextAreaField("Comment", filters=[normalise_newlines], validators=[
        DataRequired("Write a comment first."),
        Length(max=COMMENT_MAX, message=f"Keep comments to {COMMENT_MAX} characters at most."),
        NoControlCharacters(allow_newlines=True),
    ], render_kw={"rows": 2, "maxlength": COMMENT_MAX})


class VoteForm(FlaskForm):
    value = HiddenField(validators=[AnyOf(["up", "down"], message="Vote up or down.")])
    # The vote shown on the page when the button was pressed (-1, 0, 1); a repeated click
    # from the same page is then recognised and changes nothing.
    seen = HiddenField(validators=[Optional(), AnyOf(["-1", "0", "1"])])


class FlagForm(FlaskForm):
    reason = StringField("Why should a moderator look at this?", filters=[_strip], validators=[
        DataRequired("Say briefly what is wrong."),
        Length(max=FLAG_REASON_MAX,
               message=f"Keep the reason to {FLAG_REASON_MAX} characters at most."),
        NoControlCharacters(),
    ], render_kw={"maxlength": FLAG_REASON_MAX})


class ConfirmForm(FlaskForm):
    """An empty form for POST buttons: it only carries the CSRF token."""
