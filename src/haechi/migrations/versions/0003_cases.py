"""cases: reports, cases, items, decisions

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _id() -> sa.Column[int]:
    return sa.Column("id", ID, autoincrement=True, nullable=False)


def upgrade() -> None:
    op.create_table(
        "case",
        _id(),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("owner_org_id", ID, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("shared_with", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_org_id"], ["organisation.id"], name=op.f("fk_case_owner_org_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case")),
        sa.UniqueConstraint("number", name=op.f("uq_case_number")),
    )
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_owner_org_id"), ["owner_org_id"], unique=False)
        batch_op.create_index("ix_case_queue", ["status", "priority", "created_at"], unique=False)

    op.create_table(
        "report",
        _id(),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("reporter_kind", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("platform", sa.String(length=200), nullable=True),
        sa.Column("room", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("exact_location", sa.Text(), nullable=True),
        sa.Column("contact", sa.String(length=320), nullable=True),
        sa.Column("good_faith", sa.Boolean(), nullable=False),
        sa.Column("pin_hash", sa.String(length=256), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("submitted_by_org_id", ID, nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("withdrawn_at", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_report_case_id_case"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_org_id"],
            ["organisation.id"],
            name=op.f("fk_report_submitted_by_org_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
    )
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_item",
        _id(),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("report_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("chat_link", sa.Text(), nullable=True),
        sa.Column("signals", sa.JSON(), nullable=False),
        sa.Column("media_key", sa.String(length=64), nullable=True),
        sa.Column("media_type", sa.String(length=64), nullable=True),
        sa.Column("match_evidence", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("bank_content_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_case_item_case_id_case"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
            name=op.f("fk_case_item_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_item")),
    )
    with op.batch_alter_table("case_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_item_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_item_report_id"), ["report_id"], unique=False)

    op.create_table(
        "case_item_signal",
        _id(),
        sa.Column("item_id", ID, nullable=False),
        sa.Column("signal_type", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=1024), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["case_item.id"],
            name=op.f("fk_case_item_signal_item_id_case_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_item_signal")),
    )
    with op.batch_alter_table("case_item_signal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_item_signal_item_id"), ["item_id"], unique=False)
        batch_op.create_index(
            "ix_case_item_signal_type_value", ["signal_type", "value"], unique=False
        )

    op.create_table(
        "decision",
        _id(),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("item_id", ID, nullable=False),
        sa.Column("org_id", ID, nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("statement_of_reasons", sa.JSON(), nullable=True),
        sa.Column("bank_name", sa.String(length=128), nullable=True),
        sa.Column("bank_content_id", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_decision_case_id_case"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["case_item.id"],
            name=op.f("fk_decision_item_id_case_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisation.id"], name=op.f("fk_decision_org_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision")),
    )
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_decision_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    for table, indexes in (
        ("decision", ("ix_decision_item_id", "ix_decision_case_id")),
        ("case_item_signal", ("ix_case_item_signal_type_value", "ix_case_item_signal_item_id")),
        ("case_item", ("ix_case_item_report_id", "ix_case_item_case_id")),
        ("report", ("ix_report_case_id",)),
        ("case", ("ix_case_queue", "ix_case_owner_org_id")),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in indexes:
                batch_op.drop_index(name)
        op.drop_table(table)
