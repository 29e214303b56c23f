"""The shared skill taxonomy: categories, skills and every name a skill goes by.

A skill's canonical name and its aliases ("JS", "k8s") are all rows of `skill_names`, whose
normalised `key` is unique: one name can never point at two skills, and a skill can never
exist twice under names that normalise alike ("Node JS", "node.js" → one key).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.db import UTCDateTime, utcnow
from app.extensions import db

CATEGORY_MAX = 60
SKILL_NAME_MAX = 60
SKILL_SLUG_MAX = 70
SKILL_KEY_MAX = 60


class SkillCategory(db.Model):
    __tablename__ = "skill_categories"
    __table_args__ = (CheckConstraint("length(name) > 0", name="name_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(CATEGORY_MAX), unique=True)
    slug: Mapped[str] = mapped_column(String(SKILL_SLUG_MAX), unique=True)

    def __repr__(self) -> str:
        return f"<SkillCategory {self.name}>"


class Skill(db.Model):
    __tablename__ = "skills"
    __table_args__ = (CheckConstraint("length(name) > 0", name="name_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(SKILL_NAME_MAX))
    slug: Mapped[str] = mapped_column(String(SKILL_SLUG_MAX), unique=True)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("skill_categories.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    category: Mapped[SkillCategory | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    names: Mapped[list[SkillName]] = relationship(
        back_populates="skill", cascade="all, delete-orphan", order_by="SkillName.name")

    @property
    def aliases(self) -> list[str]:
        return [n.name for n in self.names if not n.is_canonical]

    def __repr__(self) -> str:
        return f"<Skill {self.name}>"


class SkillName(db.Model):
    """A name a skill is known by: its canonical name, or an alias. `key` is the normalised
    form every lookup uses (`app.skills.services.skill_key`)."""

    __tablename__ = "skill_names"
    __table_args__ = (CheckConstraint("length(key) > 0", name="key_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(SKILL_NAME_MAX))
    key: Mapped[str] = mapped_column(String(SKILL_KEY_MAX), unique=True)
    is_canonical: Mapped[bool] = mapped_column(Boolean, default=False)

    skill: Mapped[Skill] = relationship(back_populates="names")
