"""Demo people: a believable, international organisation, reproducible from a seed.

`create_people` uses only the `random.Random` it is given, reads the existing handles and
emails once, builds every row in memory, adds them in one go and flushes (never commits).
The same seed on an empty database gives the same people (apart from `created_at`, which is
relative to now, and the random session tokens).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.accounts.models import (
    BIO_MAX,
    DEPARTMENT_MAX,
    EMAIL_MAX,
    HANDLE_MAX,
    HANDLE_MIN,
    JOB_TITLE_MAX,
    LOCATION_MAX,
    NAME_MAX,
    TIMEZONE_MAX,
    User,
)
from app.core.text import slug
from app.demo import data
from app.extensions import db

EMAIL_DOMAIN = "skillswap.example"
EMAIL_LOCAL_MAX = 64  # RFC 5321 limit on the part before the @
HISTORY_DAYS = 730  # people joined over the last ~2 years
DEACTIVATED_SHARE = 0.03
BIO_SHARE = 0.75
SWAPS_SHARE = 0.40
LOCAL_CULTURE_SHARE = 0.75  # names from a culture common where the person works
MIXED_NAME_SHARE = 0.08  # family name from another culture
# Chance of being open to mentoring others / to being mentored, by seniority tier.
MENTORING_BY_TIER = (0.05, 0.25, 0.55, 0.70, 0.60)
MENTORED_BY_TIER = (0.80, 0.55, 0.30, 0.15, 0.10)
PROGRESS_BATCH = 100
assert EMAIL_LOCAL_MAX + len(EMAIL_DOMAIN) + 1 <= EMAIL_MAX

_CULTURES = tuple(data.NAME_CULTURES)  # insertion order: deterministic
_DEPARTMENT_NAMES = tuple(data.DEPARTMENTS)
_DEPARTMENT_WEIGHTS = tuple(share for share, _ in data.DEPARTMENTS.values())
_OFFICE_WEIGHTS = tuple(office[2] for office in data.OFFICES)


class _UniqueNames:
    """Hands out unique values from a base, numbering repeats; all in memory."""

    def __init__(self, taken: set[str], max_length: int, separator: str) -> None:
        self.taken = taken
        self.max_length = max_length
        self.separator = separator
        self.next_number: dict[str, int] = {}

    def claim(self, base: str) -> str:
        candidate = base[: self.max_length].rstrip("-.")
        number = self.next_number.get(base, 2)
        while candidate in self.taken:
            suffix = f"{self.separator}{number}"
            candidate = base[: self.max_length - len(suffix)].rstrip("-.") + suffix
            number += 1
        self.next_number[base] = number
        self.taken.add(candidate)
        return candidate


@dataclass(frozen=True)
class _Place:
    location: str
    timezone: str
    cultures: tuple[str, ...]


def _pick_place(rng: random.Random) -> _Place:
    location, zone, _, cultures = rng.choices(data.OFFICES, weights=_OFFICE_WEIGHTS)[0]
    if not zone:  # remote: a home time zone somewhere in the world
        zone, cultures = rng.choice(data.REMOTE_ZONES)
    return _Place(location, zone, cultures)


def _pick_name(rng: random.Random, cultures: tuple[str, ...]) -> tuple[str, str]:
    """A given and a family name, usually from a culture common where the person works."""
    local = cultures and rng.random() < LOCAL_CULTURE_SHARE
    culture = rng.choice(cultures) if local else rng.choice(_CULTURES)
    first_names, last_names = data.NAME_CULTURES[culture]
    if rng.random() < MIXED_NAME_SHARE:
        last_names = data.NAME_CULTURES[rng.choice(_CULTURES)][1]
    return rng.choice(first_names), rng.choice(last_names)


def _pick_job(rng: random.Random) -> tuple[str, str, int]:
    department = rng.choices(_DEPARTMENT_NAMES, weights=_DEPARTMENT_WEIGHTS)[0]
    tier = rng.choices(range(len(data.TIER_WEIGHTS)), weights=data.TIER_WEIGHTS)[0]
    title = rng.choice(data.DEPARTMENTS[department][1][tier])
    return department, title, tier


def _learn_skill(rng: random.Random, exclude: tuple[str, ...]) -> str:
    while True:
        if rng.random() < 0.5:
            skill = rng.choice(data.GENERAL_SKILLS)
        else:
            skill = rng.choice(data.TEACH_SKILLS[rng.choice(_DEPARTMENT_NAMES)])
        if skill not in exclude:
            return skill


def _bio(rng: random.Random, department: str) -> str:
    """2–4 sentences about work, teaching and learning; sometimes a list or a bold word."""
    teachable = data.TEACH_SKILLS[department] + data.GENERAL_SKILLS[:6]
    skill, skill2 = rng.sample(teachable, 2)
    learn = _learn_skill(rng, (skill, skill2))
    if rng.random() < 0.25:
        skill = f"**{skill}**"
    opener = rng.choice(data.OPENERS).format(
        topic=rng.choice(data.WORK_TOPICS[department]), department=department
    )
    learn_line = rng.choice(data.LEARN_LINES).format(skill=learn)
    extra = rng.choice(data.EXTRA_LINES).format(hobby=rng.choice(data.HOBBIES))

    if rng.random() < 0.2:  # a short intro and a bullet list of things they can teach
        items = rng.sample(teachable, rng.randint(3, 4))
        lines = "\n".join(f"- {item}" for item in items)
        intro = opener if rng.random() < 0.5 else f"{opener} {learn_line}"
        return f"{intro}\n\n{rng.choice(data.LIST_INTROS)}\n\n{lines}"

    teach = rng.choice(data.TEACH_LINES).format(skill=skill, skill2=skill2)
    sentences = [opener, teach]
    if rng.random() < 0.6:
        sentences.append(learn_line)
    if rng.random() < 0.35:
        sentences.append(extra)
    if len(sentences) > 2 and rng.random() < 0.3:  # a second paragraph now and then
        return " ".join(sentences[:2]) + "\n\n" + " ".join(sentences[2:])
    return " ".join(sentences)


def _fit(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[:limit].rstrip()


def create_people(
    rng: random.Random,
    count: int,
    *,
    password: str | None = None,
    progress: Callable[[int], None] = lambda n: None,
) -> list[User]:
    """Add `count` demo people to the session, flush, and return them (no commit).

    With `password` every person gets the same hash of it (hashed once); without, nobody
    can log in as a demo person.
    """
    from app.core.markdown import render_markdown

    password_hash = None
    if password is not None:
        from app.accounts.passwords import hash_password

        password_hash = hash_password(password)

    # Existing accounts are read once; everything after this happens in memory.
    domain = f"@{EMAIL_DOMAIN}"
    taken_locals = {
        email.removesuffix(domain)
        for email in db.session.scalars(select(User.email))
        if email.endswith(domain)
    }
    handles = _UniqueNames(set(db.session.scalars(select(User.handle))), HANDLE_MAX, "-")
    emails = _UniqueNames(taken_locals, EMAIL_LOCAL_MAX, "")

    now = datetime.now(UTC).replace(microsecond=0)
    # Older accounts first, so ids follow joining order; recent joiners are more common.
    span = HISTORY_DAYS * 86400
    ages = sorted((int(span * rng.random() ** 1.3) for _ in range(count)), reverse=True)

    people: list[User] = []
    pending = 0
    for age in ages:
        place = _pick_place(rng)
        first, last = _pick_name(rng, place.cultures)
        department, title, tier = _pick_job(rng)
        display_name = _fit(f"{first} {last}", NAME_MAX)

        handle_base = slug(f"{first} {last}") or "member"
        if len(handle_base) < HANDLE_MIN:
            handle_base = f"{handle_base}-member"
        handle = handles.claim(handle_base)
        local = emails.claim(f"{slug(first)}.{slug(last)}".strip("."))
        email = f"{local}{domain}"

        bio_md = _fit(_bio(rng, department), BIO_MAX) if rng.random() < BIO_SHARE else ""
        created_at = now - timedelta(seconds=age)
        deactivated_at = None
        if rng.random() < DEACTIVATED_SHARE:
            deactivated_at = created_at + timedelta(seconds=int(age * rng.uniform(0.2, 1.0)))

        people.append(User(
            email=email,
            handle=handle,
            display_name=display_name,
            password_hash=password_hash,
            job_title=_fit(title, JOB_TITLE_MAX),
            department=_fit(department, DEPARTMENT_MAX),
            location=_fit(place.location, LOCATION_MAX),
            timezone=_fit(place.timezone, TIMEZONE_MAX),
            bio_md=bio_md,
            bio_html=render_markdown(bio_md) if bio_md else "",
            open_to_mentoring=rng.random() < MENTORING_BY_TIER[tier],
            open_to_being_mentored=rng.random() < MENTORED_BY_TIER[tier],
            open_to_swaps=rng.random() < SWAPS_SHARE,
            is_admin=False,
            active=deactivated_at is None,
            deactivated_at=deactivated_at,
            created_at=created_at,
            updated_at=deactivated_at or created_at,
        ))
        pending += 1
        if pending == PROGRESS_BATCH:
            progress(pending)
            pending = 0

    db.session.add_all(people)
    db.session.flush()
    if pending:
        progress(pending)
    return people
