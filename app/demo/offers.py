"""Demo offers: what people can teach and want to learn, with swaps and cycles to find.

`create_offers` uses only the `random.Random` it is given. Most active people get one to
three teaching and one to three learning offers, drawn mostly from their department's kind
of skills; teaching goes mostly to people open to mentoring or swaps, learning to people
open to being mentored or swaps. On top of that it plants reciprocal pairs (A teaches X and
wants Y, B teaches Y and wants X) and three-person cycles (A → B → C → A) across
departments, so the matching page has something to show. Rows are created directly and
flushed, never committed; every rule the services keep still holds (one offer that is not
closed per person, kind and skill; capacities 1–5 here; at least one format).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from app.accounts.models import User
from app.core.markdown import render_markdown
from app.extensions import db
from app.offers.models import AVAILABILITY_MAX, CLOSED, LEARN, OPEN, PAUSED, TEACH, Offer
from app.skills.models import Skill

HISTORY_DAYS = 180
PAIRS = 10  # reciprocal swaps, at most
CYCLES = 5  # three-person cycles, at most
PAUSED_SHARE, CLOSED_SHARE = 0.05, 0.04
OWN_DEPARTMENT_SHARE = {TEACH: 0.65, LEARN: 0.35}
COUNT_WEIGHTS = {True: ((1, 2, 3), (45, 35, 20)), False: ((0, 1), (70, 30))}
LEVEL_WEIGHTS = {TEACH: (10, 45, 45), LEARN: (55, 35, 10)}
LEVELS = ("beginner", "intermediate", "advanced")
CAPACITY_WEIGHTS = ((1, 2, 3, 4, 5), (25, 30, 20, 15, 10))

# The kinds of skill each department has to teach (category names of the demo taxonomy).
DEPARTMENT_CATEGORIES = {
    "Engineering": ("Programming languages", "Web & mobile", "Cloud & DevOps",
                    "Engineering practices"),
    "Data & Analytics": ("Data & AI", "Programming languages"),
    "Product": ("Product", "Design"),
    "Design": ("Design", "Product"),
    "Marketing": ("Sales & Marketing", "Communication"),
    "Sales": ("Sales & Marketing", "Communication"),
    "Customer Success": ("Communication", "Sales & Marketing", "Operations"),
    "Finance": ("Finance", "Data & AI"),
    "People & Culture": ("People & HR", "Leadership & management"),
    "Legal": ("Security, IT & legal", "Communication"),
    "Operations": ("Operations", "Finance"),
}

AVAILABILITY = (
    "Tuesday and Thursday afternoons", "Most lunchtimes", "Friday mornings",
    "Mondays after 4 pm", "Flexible — message me", "Wednesday mornings, every other week",
    "An hour a week, usually Thursdays", "Early mornings before stand-up",
    "Late afternoons", "Async during the week, calls on Fridays",
)
TEACH_OPENERS = (
    "I've used {skill} every day for years and enjoy explaining it.",
    "Happy to share what I know about {skill}.",
    "I picked up {skill} the hard way, so I can save you some of the detours.",
    "I run our team's {skill} sessions and would like to help more people.",
)
TEACH_DETAILS = (
    "We can start from the basics or work on a real problem you have.",
    "Bring a question or a piece of your own work and we'll go through it together.",
    "I usually suggest **three or four short sessions** with a small exercise in between.",
    "I can share my notes and the resources that helped me most.",
)
LEARN_OPENERS = (
    "I'd like to get properly comfortable with {skill}.",
    "{skill} keeps coming up in my work and I want to understand it better.",
    "I'm looking for someone to help me get started with {skill}.",
    "I know a little {skill} but have gaps I'd like to fill.",
)
LEARN_DETAILS = (
    "A few conversations and some pointers would already help a lot.",
    "Happy to swap: ask me about what I teach in return.",
    "I learn best by doing, so a small **practical project** would be ideal.",
    "I'd like to be able to work on my own within a couple of months.",
)


class _Offers:
    """The offers being built, with the rules they must keep."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng, self.now = rng, now
        self.rows: list[Offer] = []
        self.skills_of: dict[int, set[int]] = defaultdict(set)
        self.count: dict[tuple[int, str], int] = defaultdict(int)
        self.html: dict[str, str] = {}

    def free(self, person: User, skill: Skill) -> bool:
        """Not already teaching or learning this skill: one offer per person and skill
        keeps the one-not-closed-offer rule, and teaching what you want to learn makes no
        sense."""
        return skill.id not in self.skills_of[person.id]

    def add(self, person: User, kind: str, skill: Skill, *, status: str = OPEN,
            level: str | None = None) -> Offer:
        rng = self.rng
        self.skills_of[person.id].add(skill.id)
        self.count[(person.id, kind)] += 1
        formats = {"one_to_one": rng.random() < 0.8, "group": rng.random() < 0.3,
                   "async": rng.random() < 0.3}
        if level is not None:  # planted matches: both sides can meet 1:1
            formats["one_to_one"] = True
        if not any(formats.values()):
            formats[rng.choice(tuple(formats))] = True
        created = self.now - timedelta(days=rng.uniform(0, HISTORY_DAYS))
        description = self.description(kind, skill.name)
        offer = Offer(
            user_id=person.id, skill_id=skill.id, kind=kind,
            level=level or rng.choices(LEVELS, weights=LEVEL_WEIGHTS[kind])[0],
            format_one_to_one=formats["one_to_one"], format_group=formats["group"],
            format_async=formats["async"],
            availability=self.availability(person),
            description_md=description, description_html=self.render(description),
            capacity=rng.choices(*CAPACITY_WEIGHTS)[0] if kind == TEACH else None,
            seats_taken=0, status=status, created_at=created, updated_at=created)
        self.rows.append(offer)
        return offer

    def availability(self, person: User) -> str:
        text = self.rng.choice(AVAILABILITY)
        if self.rng.random() < 0.5 and person.timezone:
            text = f"{text} ({person.timezone} time)"
        return text[:AVAILABILITY_MAX]

    def description(self, kind: str, skill: str) -> str:
        rng = self.rng
        if rng.random() < 0.1:
            return ""
        openers, details = ((TEACH_OPENERS, TEACH_DETAILS) if kind == TEACH
                            else (LEARN_OPENERS, LEARN_DETAILS))
        return " ".join((rng.choice(openers).format(skill=skill), rng.choice(details)))

    def render(self, text: str) -> str:
        if text not in self.html:
            self.html[text] = render_markdown(text)
        return self.html[text]


def _skill_pools(skills: Sequence[Skill]) -> dict[str, list[Skill]]:
    by_category: dict[str, list[Skill]] = defaultdict(list)
    for skill in skills:
        if skill.category is not None:
            by_category[skill.category.name].append(skill)
    return {department: [s for c in categories for s in by_category.get(c, ())]
            for department, categories in DEPARTMENT_CATEGORIES.items()}


def _pick_skill(rng: random.Random, kind: str, person: User, pools, popular, weights,
                offers: _Offers) -> Skill | None:
    """A skill from the person's department's kind of skills, or a popular one; None when
    every try is one they already have."""
    pool = pools.get(person.department) or []
    for _ in range(12):
        if pool and rng.random() < OWN_DEPARTMENT_SHARE[kind]:
            skill = rng.choice(pool)
        else:
            skill = rng.choices(popular, weights=weights)[0]
        if offers.free(person, skill):
            return skill
    return None


def _plant(rng: random.Random, offers: _Offers, people: list[User], pools,
           skills: Sequence[Skill], size: int, count: int) -> int:
    """`count` rings of `size` people from different departments: each teaches the skill
    the next one wants (two people make a swap, three a cycle). Returns how many."""
    swappers = [p for p in people if p.open_to_swaps] or people
    used: set[int] = {p for p, _ in offers.count}
    planted = 0
    for _ in range(count * 20):
        if planted == count:
            break
        candidates = [p for p in swappers if p.id not in used]
        if len(candidates) < size:
            break
        ring = rng.sample(candidates, size)
        if len({p.department for p in ring}) < size:
            continue
        taught = []
        for person in ring:
            pool = pools.get(person.department) or list(skills)
            choice = rng.choice(pool)
            if choice in taught:
                break
            taught.append(choice)
        if len(taught) < size:
            continue
        for i, person in enumerate(ring):
            wanted = taught[(i - 1) % size]  # the previous person teaches what I want
            offers.add(person, TEACH, taught[i], level=rng.choice(LEVELS[1:]))
            offers.add(person, LEARN, wanted, level="beginner")
            used.add(person.id)
        planted += 1
    return planted


def create_offers(rng: random.Random, people: Sequence[User], skills: Sequence[Skill], *,
                  now: datetime | None = None) -> list[Offer]:
    """Teaching and learning offers for the active demo people; flushed, not committed."""
    active = [p for p in people if p.active]
    skills = list(skills)
    if len(active) < 2 or len(skills) < 3:
        return []
    offers = _Offers(rng, now or datetime.now(UTC))
    pools = _skill_pools(skills)
    popular = skills[:]
    rng.shuffle(popular)  # a few skills are in demand everywhere, most are niche
    weights = [1 / (rank + 4) for rank in range(len(popular))]

    _plant(rng, offers, active, pools, skills, 2, min(PAIRS, len(active) // 8))
    _plant(rng, offers, active, pools, skills, 3, min(CYCLES, len(active) // 16))

    for person in active:
        for kind, willing in ((TEACH, person.open_to_mentoring or person.open_to_swaps),
                              (LEARN, person.open_to_being_mentored or person.open_to_swaps)):
            choices, weights_ = COUNT_WEIGHTS[bool(willing)]
            wanted = rng.choices(choices, weights=weights_)[0] - offers.count[(person.id, kind)]
            for _ in range(max(0, wanted)):
                skill = _pick_skill(rng, kind, person, pools, popular, weights, offers)
                if skill is None:
                    break
                roll = rng.random()
                status = (PAUSED if roll < PAUSED_SHARE
                          else CLOSED if roll < PAUSED_SHARE + CLOSED_SHARE else OPEN)
                offers.add(person, kind, skill, status=status)
    db.session.add_all(offers.rows)
    db.session.flush()
    return offers.rows
