"""Search outbox ids are never reused (SQLite AUTOINCREMENT)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 04:00:00

A drain deletes the outbox rows it applied by id. SQLite's plain rowid can hand a deleted
row's id to the next row, which a drain still holding the old id would then delete before
it was applied. PostgreSQL's sequence never goes back, so only SQLite changes.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("search_outbox", recreate="always",
                              table_kwargs={"sqlite_autoincrement": True}):
        pass


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("search_outbox", recreate="always",
                              table_kwargs={"sqlite_autoincrement": False}):
        pass
