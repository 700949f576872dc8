"""Unit of work over one SQLAlchemy session: the only place a transaction commits."""

from __future__ import annotations

from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from haechi.adapters.sql.audit_store import SqlAuditStore
from haechi.adapters.sql.bank_store import SqlBankStore
from haechi.adapters.sql.case_store import SqlCaseStore
from haechi.adapters.sql.feature_stores import FeatureStores
from haechi.adapters.sql.hotline_store import SqlHotlineStore
from haechi.adapters.sql.idempotency_store import mark_attempt_committed
from haechi.adapters.sql.le_request_store import SqlLeRequestStore
from haechi.adapters.sql.notice_store import SqlNoticeStore
from haechi.adapters.sql.tenancy_store import SqlTenancyStore
from haechi.adapters.sql.webhook_store import SqlWebhookStore
from haechi.domain.errors import Conflict, InvalidInput


class SqlUnitOfWork(FeatureStores):
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory
        self._session: Session | None = None

    def __enter__(self) -> SqlUnitOfWork:
        self._session = self._factory()
        self._banks = SqlBankStore(self._session)
        self._tenancy = SqlTenancyStore(self._session)
        self._audit = SqlAuditStore(self._session)
        self._cases = SqlCaseStore(self._session)
        self._notices = SqlNoticeStore(self._session)
        self._webhooks = SqlWebhookStore(self._session)
        self._le_requests = SqlLeRequestStore(self._session)
        self._hotline = SqlHotlineStore(self._session)
        return self

    @property
    def banks(self) -> SqlBankStore:
        return self._banks

    @property
    def tenancy(self) -> SqlTenancyStore:
        return self._tenancy

    @property
    def audit(self) -> SqlAuditStore:
        return self._audit

    @property
    def cases(self) -> SqlCaseStore:
        return self._cases

    @property
    def notices(self) -> SqlNoticeStore:
        return self._notices

    @property
    def webhooks(self) -> SqlWebhookStore:
        return self._webhooks

    @property
    def le_requests(self) -> SqlLeRequestStore:
        return self._le_requests

    @property
    def hotline(self) -> SqlHotlineStore:
        return self._hotline

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        session = self._session
        assert session is not None
        try:
            if exc_type is None:
                try:
                    attempt = mark_attempt_committed(session)
                    session.commit()
                    if attempt is not None:
                        attempt.committed = True
                except IntegrityError:
                    session.rollback()
                    raise Conflict("the change conflicts with existing data") from None
            else:
                session.rollback()
                if isinstance(exc, DataError) and "out of range" in str(exc.orig):
                    # PostgreSQL refuses an id, offset or limit past bigint (SQLite raises
                    # OverflowError, which the HTTP layer maps the same way)
                    raise InvalidInput("a number is out of range") from None
        finally:
            session.close()
            self._session = None


class SqlUnitOfWorkFactory:
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._factory)
