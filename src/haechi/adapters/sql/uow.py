"""Unit of work over one SQLAlchemy session: the only place a transaction commits."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from haechi.adapters.sql.audit_store import SqlAuditStore
from haechi.adapters.sql.bank_store import SqlBankStore
from haechi.adapters.sql.tenancy_store import SqlTenancyStore
from haechi.domain.errors import Conflict


class SqlUnitOfWork:
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory
        self._session: Session | None = None

    def __enter__(self) -> SqlUnitOfWork:
        self._session = self._factory()
        self._banks = SqlBankStore(self._session)
        self._tenancy = SqlTenancyStore(self._session)
        self._audit = SqlAuditStore(self._session)
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

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        session = self._session
        assert session is not None
        try:
            if exc_type is None:
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()
                    raise Conflict("the change conflicts with existing data") from None
            else:
                session.rollback()
        finally:
            session.close()
            self._session = None


class SqlUnitOfWorkFactory:
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._factory)
