"""Alembic migrations, shipped inside the package so `haechi db upgrade` works anywhere."""
