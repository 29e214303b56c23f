"""Who may do what with the skill taxonomy: pure predicates, also available in templates."""

from __future__ import annotations

from app.accounts.permissions import is_admin


def can_edit_taxonomy(user) -> bool:
    """Renaming, merging, aliases and categories shape everyone's lookups: admins only."""
    return is_admin(user)


TEMPLATE_PREDICATES = {
    "can_edit_taxonomy": can_edit_taxonomy,
}
