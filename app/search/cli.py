"""`flask search …`: bring the search index up to date, rebuild it, or check it."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db
from app.search import maintenance
from app.search.maintenance import IndexBusy

search_cli = AppGroup("search", help="Maintain the full-text search index.")

BUSY_HINT = ("Another process is writing to it (a reindex, a sync or the web app); "
             "try again in a moment.")


def _require_search_enabled() -> None:
    if not current_app.config.get("SEARCH_ENABLED", True):
        raise click.ClickException("Search is switched off (SEARCH_ENABLED); nothing to do.")


def _ids(ids: list[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:maintenance.SAMPLE_SIZE])
    return shown + (" …" if len(ids) > maintenance.SAMPLE_SIZE else "")


@search_cli.command("sync")
def sync() -> None:
    """Apply pending changes (the outbox) to the index, then merge its segments."""
    _require_search_enabled()
    try:
        report = maintenance.sync_index()
    except IndexBusy as busy:
        db.session.rollback()
        done = f" {busy.applied} outbox rows were applied first." if busy.applied else ""
        waiting = (f" {busy.waiting} outbox row{'s' * (busy.waiting != 1)} "
                   "left for the next sync." if busy.waiting else "")
        raise click.ClickException(
            f"The search index is locked. {BUSY_HINT}{done}{waiting}") from busy
    click.echo(f"Applied {report.applied} outbox row{'s' * (report.applied != 1)} "
               "and merged the index.")


@search_cli.command("reindex")
@click.option("--batch-size", default=maintenance.BATCH_SIZE, show_default=True,
              type=click.IntRange(1, 10_000), help="Rows loaded from the database at a time.")
def reindex(batch_size: int) -> None:
    """Rebuild the whole index from the database."""
    _require_search_enabled()
    total = maintenance.count_candidates()
    try:
        with click.progressbar(length=total, label="Indexing") as bar:
            report = maintenance.rebuild_index(batch_size, progress=bar.update)
    except IndexBusy as busy:
        db.session.rollback()
        raise click.ClickException(f"The search index is locked. {BUSY_HINT}") from busy
    db.session.commit()  # the outbox rows the rebuild covered
    if report.cleared:
        click.echo(f"Cleared {report.cleared} outbox row{'s' * (report.cleared != 1)} "
                   "the rebuild covered.")
    click.echo(f"Indexed {report.documents} document{'s' * (report.documents != 1)} "
               f"in {report.seconds:.1f} s ({report.per_second:,.0f} docs/s).")


@search_cli.command("check")
def check() -> None:
    """Compare the index with the database; exit status 1 when they differ."""
    report = maintenance.check_index()
    db.session.rollback()
    for part in report.types:
        click.echo(f"{part.doc_type}: {part.in_database} in the database, "
                   f"{part.in_index} in the index.")
        if part.missing:
            click.echo(f"  {len(part.missing)} missing from the index: {_ids(part.missing)}")
        if part.extra:
            click.echo(f"  {len(part.extra)} in the index but not in the database "
                       f"(deleted or hidden): {_ids(part.extra)}")
    if report.pending:
        click.echo(f"{report.pending} outbox row{'s' * (report.pending != 1)} "
                   "not applied yet.")
    if report.consistent:
        click.echo("The index matches the database.")
        return
    advice = ("Run `flask search sync` to apply the pending changes, or "
              if report.pending else "Run ")
    click.echo(f"The index differs from the database. {advice}"
               "`flask search reindex` to rebuild it.", err=True)
    click.get_current_context().exit(1)
