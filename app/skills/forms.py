"""Forms for the taxonomy's administration: they validate input, never save or query.

The category choices come from the route (forms never query)."""

from flask_wtf import FlaskForm
from wtforms import Form, SelectField, StringField
from wtforms.validators import DataRequired, Length

from app.core.validators import NoControlCharacters
from app.skills.models import CATEGORY_MAX, SKILL_NAME_MAX

NO_CATEGORY = ""


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _skill_name_field(label: str, required: str, description: str = "") -> StringField:
    return StringField(label, filters=[_strip], description=description, validators=[
        DataRequired(required),
        Length(max=SKILL_NAME_MAX,
               message=f"Keep a skill's name to {SKILL_NAME_MAX} characters at most."),
        NoControlCharacters(),
    ], render_kw={"maxlength": SKILL_NAME_MAX, "autocomplete": "off"})


class RenameSkillForm(FlaskForm):
    name = _skill_name_field(
        "Name", "Give the skill a name.",
        "The old name stays as an alias, so links and searches that used it still work.")


class SkillCategoryForm(FlaskForm):
    category = SelectField("Category", choices={NO_CATEGORY: "No category"},
                           validate_choice=True)


class AliasForm(FlaskForm):
    alias = _skill_name_field(
        "New alias", "Write the alias, like “JS” for JavaScript.",
        "Another name people use for this skill; searches and new offers with it find this "
        "skill.")


class MergeTargetForm(Form):
    """Sent with GET: choosing the skill to merge into only shows what would happen."""

    into = _skill_name_field(
        "Skill to keep", "Name the skill to merge this one into.",
        "The skill that stays, by any of its names. You'll see what moves before anything "
        "changes.")


class CategoryForm(FlaskForm):
    name = StringField("Category name", filters=[_strip], validators=[
        DataRequired("Name the category, like “Data” or “Leadership”."),
        Length(max=CATEGORY_MAX,
               message=f"Keep a category's name to {CATEGORY_MAX} characters at most."),
        NoControlCharacters(),
    ], render_kw={"maxlength": CATEGORY_MAX, "autocomplete": "off"})
