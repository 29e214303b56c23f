"""The skill taxonomy in domain words: normalise a name, find a skill by any of its names,
add one while posting; and, for administrators, aliases, renames and categories (merging
two skills lives in `app.skills.merging`).

Services take the acting user explicitly, flush but never commit, and raise typed errors.

A renamed skill keeps its old name as an alias, so every old lookup still finds it, and its
slug follows the new name; `/skills/<old-slug>` then redirects through that alias (see
`app.skills.routes.skill`).
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.core.errors import Conflict, Invalid, NotAllowed
from app.core.text import ascii_fold, slug
from app.core.validators import has_control_characters
from app.extensions import db
from app.skills.models import (
    CATEGORY_MAX,
    SKILL_KEY_MAX,
    SKILL_NAME_MAX,
    Skill,
    SkillCategory,
    SkillName,
)
from app.skills.permissions import can_edit_taxonomy

_SEPARATORS = re.compile(r"[\s_\-./]+")
_ALLOWED = re.compile(r"^[\w\s+#.&/'()-]+$")
# Spelled out in slugs, so "C", "C#" and "C++" get addresses of their own.
_SLUG_WORDS = (("#", " sharp "), ("+", " plus "), ("&", " and "))
SLUG_BASE_MAX = 60


def clean_skill_name(raw: str | None, field: str = "skill") -> str:
    """The name as a person would write it, with spacing tidied: "  node   JS " → "node JS".
    Raises `Invalid` for an empty name, one too long, or one with odd characters."""
    name = " ".join((raw or "").split())
    if not name:
        raise Invalid(field, "Name a skill, like “SQL” or “Public speaking”.")
    if len(name) > SKILL_NAME_MAX:
        raise Invalid(field, f"Keep a skill's name to {SKILL_NAME_MAX} characters at most.")
    if not _ALLOWED.match(name) or not any(ch.isalnum() for ch in name):
        raise Invalid(field, "Use letters, digits, spaces and + # . & / ' ( ) - in a skill's name.")
    return name


def _fold(text: str) -> str:
    """Accents folded to ASCII ("Café" → "Cafe"); letters and digits with no ASCII form
    ("日本語") kept as they are rather than dropped, so such a name still has a key; control
    characters dropped."""
    out = []
    for ch in text:
        if unicodedata.category(ch) == "Cc":
            continue
        folded = ascii_fold(ch)
        if folded:
            out.append(folded)
        elif unicodedata.category(ch)[0] in "LN":
            out.append(ch)
    return "".join(out)


def skill_key(name: str) -> str:
    """The form every lookup compares: case, accents, spacing and separators folded away, but
    "c#", "c++" and "f#" kept apart from "c" and "f" ("Node.js", "node js", "NodeJS" → "nodejs")."""
    folded = _fold(name).casefold().strip()
    return _SEPARATORS.sub("", folded)[:SKILL_KEY_MAX]


def find_skill(name: str | None) -> Skill | None:
    """The skill known by this name or one of its aliases, or None."""
    key = skill_key(name or "")
    if not key:
        return None
    return db.session.scalar(
        select(Skill).join(SkillName, SkillName.skill_id == Skill.id).where(SkillName.key == key))


def skill_slug_text(name: str) -> str:
    """The readable part of a skill's address: "C#" → "c-sharp", "Node.js" → "node-js"."""
    for char, word in _SLUG_WORDS:
        name = name.replace(char, word)
    return slug(name)[:SLUG_BASE_MAX].strip("-")


def _unique_slug(name: str, *, keep: Skill | None = None) -> str:
    """A free slug for this name; `keep`'s own slug counts as free (a rename that keeps it)."""
    base = skill_slug_text(name) or "skill"
    candidate, n = base, 2
    while True:
        owner = db.session.scalar(select(Skill.id).where(Skill.slug == candidate))
        if owner is None or (keep is not None and owner == keep.id):
            return candidate
        candidate, n = f"{base}-{n}", n + 1


def get_or_create_skill(actor: User | None, raw_name: str | None, *, category=None,
                        field: str = "skill") -> Skill:
    """The skill this name means, created (with the name as canonical) when nobody has used
    it yet. Two people adding it at once end up with the same row: the unique key settles it."""
    name = clean_skill_name(raw_name, field)
    existing = find_skill(name)
    if existing is not None:
        return existing
    skill = Skill(name=name, slug=_unique_slug(name), category=category, created_by=actor)
    skill.names.append(SkillName(name=name, key=skill_key(name), is_canonical=True))
    try:
        with db.session.begin_nested():
            db.session.add(skill)
    except IntegrityError:
        found = find_skill(name)
        if found is None:
            raise Conflict("We couldn't save that skill just now. Please try again.") from None
        return found
    return skill


# -- Names and aliases (administrators) ------------------------------------------------------


def require_taxonomy_editor(actor: User | None) -> None:
    if not can_edit_taxonomy(actor):
        raise NotAllowed("Only administrators can change the skill taxonomy.")


def name_owner(key: str) -> SkillName | None:
    """The name row holding this key, with its skill."""
    return db.session.scalar(
        select(SkillName).where(SkillName.key == key).options(joinedload(SkillName.skill)))


def _taken(name: str, owner: SkillName) -> str:
    return f"“{name}” already names the skill “{owner.skill.name}”."


def _save_names(field: str, name: str) -> None:
    """Flush inside a savepoint: a key claimed at the same moment by someone else becomes a
    message on the field instead of an error page."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Invalid(field, f"“{name}” was just given to another skill. Reload the page to "
                             "see it, then try again.") from None


def add_alias(actor: User, skill: Skill, raw_alias: str | None) -> SkillName:
    """Another name `skill` is found by ("JS" for JavaScript). A name already in use — by
    this skill or another — is refused with a message naming the skill that has it."""
    require_taxonomy_editor(actor)
    name = clean_skill_name(raw_alias, "alias")
    key = skill_key(name)
    owner = name_owner(key)
    if owner is not None:
        if owner.skill_id == skill.id:
            raise Invalid("alias", f"“{name}” already finds this skill (as “{owner.name}”).")
        raise Invalid("alias", _taken(name, owner) + " If they are the same skill, merge "
                                                    "them instead.")
    alias = SkillName(name=name, key=key, is_canonical=False)
    skill.names.append(alias)
    _save_names("alias", name)
    return alias


def remove_alias(actor: User, skill: Skill, alias: SkillName) -> None:
    """Forget one alias. The canonical name can't be removed: rename the skill instead."""
    require_taxonomy_editor(actor)
    if alias.skill_id != skill.id:
        raise Invalid("alias", f"“{alias.name}” is not a name of “{skill.name}”.")
    if alias.is_canonical:
        raise Invalid("alias", f"“{alias.name}” is the skill's name; rename the skill instead "
                               "of removing it.")
    skill.names.remove(alias)
    db.session.flush()


def rename_skill(actor: User, skill: Skill, raw_name: str | None) -> Skill:
    """Give `skill` a new canonical name. The old name stays as an alias, so lookups and
    links that used it still find the skill; the slug follows the new name. A name one of
    the skill's aliases already has is promoted; another skill's name is refused."""
    require_taxonomy_editor(actor)
    name = clean_skill_name(raw_name, "name")
    key = skill_key(name)
    owner = name_owner(key)
    if owner is not None and owner.skill_id != skill.id:
        raise Invalid("name", _taken(name, owner) + " Merge the two skills instead.")
    for row in skill.names:
        if row.is_canonical and row is not owner:
            row.is_canonical = False
    if owner is None:
        skill.names.append(SkillName(name=name, key=key, is_canonical=True))
    else:
        owner.name, owner.is_canonical = name, True
    skill.name = name
    skill.slug = _unique_slug(name, keep=skill)
    _save_names("name", name)
    return skill


# -- Categories (administrators) -------------------------------------------------------------


def clean_category_name(raw: str | None, field: str = "name") -> str:
    name = " ".join((raw or "").split())
    if not name:
        raise Invalid(field, "Name the category, like “Data” or “Leadership”.")
    if len(name) > CATEGORY_MAX:
        raise Invalid(field, f"Keep a category's name to {CATEGORY_MAX} characters at most.")
    if has_control_characters(name) or not any(ch.isalnum() for ch in name):
        raise Invalid(field, "Use letters or digits in a category's name.")
    return name


def _category_slug(name: str, *, keep: SkillCategory | None = None) -> str:
    base = skill_slug_text(name) or "category"
    candidate, n = base, 2
    while True:
        owner = db.session.scalar(select(SkillCategory.id).where(SkillCategory.slug == candidate))
        if owner is None or (keep is not None and owner == keep.id):
            return candidate
        candidate, n = f"{base}-{n}", n + 1


def _check_category_name_free(name: str, keep: SkillCategory | None) -> None:
    query = select(SkillCategory).where(func.lower(SkillCategory.name) == name.lower())
    if keep is not None:
        query = query.where(SkillCategory.id != keep.id)
    if db.session.scalar(query) is not None:
        raise Invalid("name", f"There is already a category called “{name}”.")


def _save_category(category: SkillCategory) -> None:
    try:
        with db.session.begin_nested():
            db.session.add(category)
    except IntegrityError:
        raise Invalid("name", f"There is already a category called “{category.name}”.") from None


def create_category(actor: User, raw_name: str | None) -> SkillCategory:
    require_taxonomy_editor(actor)
    name = clean_category_name(raw_name)
    _check_category_name_free(name, None)
    category = SkillCategory(name=name, slug=_category_slug(name))
    _save_category(category)
    return category


def rename_category(actor: User, category: SkillCategory, raw_name: str | None) -> SkillCategory:
    """A new name (and slug) for a category; its skills stay in it."""
    require_taxonomy_editor(actor)
    name = clean_category_name(raw_name)
    _check_category_name_free(name, category)
    category.name = name
    category.slug = _category_slug(name, keep=category)
    _save_category(category)
    return category


def set_skill_category(actor: User, skill: Skill, category: SkillCategory | None) -> Skill:
    """Put `skill` in `category`, or in none."""
    require_taxonomy_editor(actor)
    skill.category = category
    db.session.flush()
    return skill
