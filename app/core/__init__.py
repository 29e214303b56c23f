"""The shared kernel: database helpers, errors, signals, Markdown, htmx, pagination, security.

Nothing in here knows about a domain (users, questions, events...).
"""
