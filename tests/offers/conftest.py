"""Fixtures for the offers tests: the people of the marketplace cache tests."""

from tests.offers.cache_support import admin_client, owner, owner_client, viewer  # noqa: F401
