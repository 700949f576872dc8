"""Builds the transparency report service (issue 9): read-only SQL queries, and the chart renderer
when matplotlib (the `reports` extra) is installed; without it JSON and CSV still work."""

from __future__ import annotations

import importlib.util

from sqlalchemy import Engine

from haechi.adapters.sql.engine import make_session_factory
from haechi.adapters.sql.transparency_queries import SqlTransparencyReader
from haechi.services.ports import UnitOfWorkFactory
from haechi.services.ports_transparency import ReportRenderer
from haechi.services.transparency import TransparencyService


def renderer() -> ReportRenderer | None:
    if importlib.util.find_spec("matplotlib") is None:
        return None
    from haechi.adapters.reports.render import ChartReportRenderer

    return ChartReportRenderer()


def build_transparency(engine: Engine, uow: UnitOfWorkFactory) -> TransparencyService:
    return TransparencyService(
        reader=SqlTransparencyReader(make_session_factory(engine)),
        uow_factory=uow,
        renderer=renderer(),
    )
