"""Turning a path or URL into a ready engine: checks, SQLite settings, migrations to head.

Everything backend-specific lives here; the rest of the store writes portable SQL only.
Alembic is imported only when a database is not at the current schema yet: every command
opens a store, and checking one version row is much quicker than loading Alembic and the
migration scripts to find there is nothing to do.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from peacetrack.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

ENV_VAR = "PEACETRACK_DB"
DEFAULT_URL = "sqlite:///peacetrack.db"
MIGRATIONS = Path(__file__).with_name("migrations")
#: Execution option marking connections that will write: SQLite takes the write lock at
#: BEGIN for them, so two writers queue on busy_timeout instead of failing mid-transaction.
WRITE_OPTION = "peacetrack_write"
BUSY_TIMEOUT_MS = 30_000
#: PostgreSQL advisory locks are keyed by two integers: ours ("PTRK") and what is serialised.
LOCK_SPACE = 0x5054524B
Serialised = Literal["migrations", "documents", "proposals"]
_LOCK_IDS: dict[Serialised, int] = {"migrations": 1, "documents": 2, "proposals": 3}
#: SQLite virtual-machine steps between checks of the clock (a few milliseconds' work).
_STEPS = 20_000
#: PostgreSQL's error code for a statement cancelled by ``statement_timeout``.
_CANCELLED = "57014"


def resolve_url(target: str | Path | None) -> URL:
    """A path means a SQLite file; a string with ``://`` is any SQLAlchemy URL."""
    if target is None:
        target = os.environ.get(ENV_VAR) or DEFAULT_URL
    if isinstance(target, Path) or "://" not in target:
        return URL.create("sqlite", database=str(Path(target).expanduser()))
    try:
        url = make_url(target)
    except ArgumentError:
        raise StoreError(
            f"cannot read the database URL {target!r}: give a file path or a URL such as "
            "sqlite:///peacetrack.db or postgresql+psycopg://user@host/peacetrack"
        ) from None
    if url.drivername in ("postgres", "postgresql"):
        # The 'postgres' extra installs psycopg 3, not SQLAlchemy's default psycopg2.
        url = url.set(drivername="postgresql+psycopg")
    return url


def _check_sqlite_file(url: URL) -> None:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        return
    path = Path(url.database)
    if path.is_dir():
        raise StoreError(
            f"database {path} is a folder, not a file: give a file path such as "
            f"{path / 'peacetrack.db'}"
        )
    folder = path.parent
    if not folder.is_dir():
        raise StoreError(f"database folder {folder} does not exist: create it or choose another")
    if not os.access(path if path.exists() else folder, os.W_OK):
        raise StoreError(
            f"database {path} is not writable: fix its permissions or choose another path"
        )


def store_exists(url: URL) -> bool:
    """Whether a store is already at ``url``, found out without creating one.

    A SQLite file exists and is not empty; another database holds the migrations table.
    A database that cannot be reached counts as existing, so that opening it reports why.
    """
    if url.get_backend_name() == "sqlite":
        name = url.database or ""
        if name.startswith("file:"):  # a URI filename: only sqlite3 knows where it points
            return True
        path = Path(name)
        return name not in ("", ":memory:") and path.is_file() and path.stat().st_size > 0
    engine = make_engine(url)
    try:
        return _holds_store(engine)
    finally:
        engine.dispose()


def _holds_store(engine: Engine) -> bool:
    """Whether the (not SQLite) database of ``engine`` holds the migrations table; one that
    cannot be reached counts as holding it, so that opening it reports why."""
    try:
        with engine.connect() as connection:
            return inspect(connection).has_table("alembic_version")
    except SQLAlchemyError:
        return True


def require_store(target: str | Path | URL | None) -> None:
    """Refuse a store that does not exist yet: reading one would only create it empty.

    A typo in ``--db`` must not look like an empty record; commands that read call this
    first (through ``Store.open(..., create=False)``, which asks a server's database on
    the connection it opens anyway), and only commands that store something (ingest,
    extract, demo) create a store.
    """
    url = target if isinstance(target, URL) else resolve_url(target)
    if not store_exists(url):
        raise _no_store(url)


def _no_store(url: URL) -> StoreError:
    where = url.database if url.get_backend_name() == "sqlite" else url.render_as_string()
    return StoreError(
        f"no store at {where}: check --db or {ENV_VAR}, or create it by ingesting reports "
        f"(`peacetrack ingest REPORTS... --db {where}`, then `peacetrack extract --db {where}`; "
        "`peacetrack demo` fills one with the bundled example reports)"
    )


def _missing_driver(url: URL) -> StoreError:
    if url.get_backend_name() == "postgresql":
        how = "pip install 'peacetrack[postgres]'"
    else:
        how = f"install the Python driver for {url.drivername!r}"
    return StoreError(f"no database driver for {url.drivername!r}: {how}")


def _enable_wal(cursor: sqlite3.Cursor) -> None:
    """WAL mode, kept by the file once set. Setting it on a new file needs a lock that SQLite
    reports as busy at once, without waiting busy_timeout, while another process opens the
    same new file: so we wait here instead."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _sqlite_setup(engine: Engine) -> None:
    """Per-connection SQLite settings, and BEGIN issued by SQLAlchemy rather than sqlite3."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # sqlite3's legacy mode would start transactions itself (and not before SELECT).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        _enable_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        # With WAL a power cut may lose the last commits but never corrupts; commits get cheap.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        writes = connection.get_execution_options().get(WRITE_OPTION)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def serialise(connection: Connection, what: Serialised) -> None:
    """Make concurrent writers of ``what`` take turns until this transaction ends.

    SQLite already runs one writing transaction at a time (BEGIN IMMEDIATE); PostgreSQL runs
    them side by side, so two first opens would both create the tables and two ingests would
    each miss the other's uncommitted near duplicate. A transaction-level advisory lock
    queues them there, and is released by the commit or rollback.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:space, :id)"),
            {"space": LOCK_SPACE, "id": _LOCK_IDS[what]},
        )


def make_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        _check_sqlite_file(url)
    # No column is an hstore: SQLAlchemy would otherwise look the type up on each new
    # engine's first connection, a round trip to the server at every command's start.
    options = {"use_native_hstore": False} if url.get_backend_name() == "postgresql" else {}
    try:
        engine = create_engine(url, **options)
    except (NoSuchModuleError, ImportError):
        raise _missing_driver(url) from None
    if url.get_backend_name() == "sqlite":
        _sqlite_setup(engine)
    return engine


def alembic_config(connection: Connection) -> Config:
    """An Alembic config for the package's migrations, running on ``connection``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration's revision: each script is named after its revision id
    (``0004_cell_summaries.py`` is revision ``0004``), and ids sort in order."""
    return max(p.name.partition("_")[0] for p in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))


def _at_head(engine: Engine) -> bool:
    """Whether the database already has the current schema (any error: let Alembic see)."""
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:
        return False
    return found == [(head_revision(),)]


def upgrade_to_head(engine: Engine, *, create: bool = True) -> None:
    """Bring any database, new or from an older release, to the schema this code expects;
    ``create`` False: a server's database that holds no store yet is refused
    (``require_store``), asked only when the version check did not find the current
    schema, so opening a store at head costs one query."""
    if _at_head(engine):
        return
    if not create and not _holds_store(engine):
        raise _no_store(engine.url)
    from alembic import command
    from alembic.util.exc import CommandError

    shown = engine.url.render_as_string(hide_password=True)
    try:
        with engine.execution_options(**{WRITE_OPTION: True}).begin() as connection:
            serialise(connection, "migrations")
            command.upgrade(alembic_config(connection), "head")
    except CommandError as exc:
        raise StoreError(
            f"database {shown} cannot be migrated ({exc}); it may come from a newer "
            "PeaceTrack: upgrade peacetrack"
        ) from None
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        raise StoreError(
            f"cannot open database {shown}: {cause}. Check the path or URL, or set "
            f"{ENV_VAR} / --db to another one"
        ) from None


def reclaim(engine: Engine, table: str) -> None:
    """Give back the space of ``table``'s deleted rows now, not when autovacuum comes by.

    PostgreSQL keeps deleted rows in a table's pages until they are vacuumed, and a scan
    reads every page: ``stale_cells`` emptied by the first comparison after a bulk load of
    a million claims held 2.5 million dead rows (171 MB), which each comparison's check
    for stale cells scanned (90-700 ms, twice a command) until autovacuum reached the
    table, ten minutes later. ``VACUUM`` runs beside readers and writers (it takes no lock
    they wait on) and skips, with a warning, a table the user does not own. SQLite reuses
    freed pages, and a scan of an emptied table reads none: nothing to do there.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
        autocommit.exec_driver_sql(f'VACUUM "{table}"')  # refused inside a transaction


class OutOfTime(Exception):
    """A count ran past its time allowed and was stopped."""


@contextmanager
def time_allowed(connection: Connection, ms: int | None) -> Iterator[None]:
    """Stop the statements run inside after ``ms`` milliseconds (None: no limit), raising
    ``OutOfTime``: SQLite checks the clock from a progress handler, PostgreSQL by
    ``statement_timeout`` within a savepoint, so the reading connection stays usable."""
    if ms is None:
        yield
        return
    if connection.dialect.name != "sqlite":
        limit = "SELECT set_config('statement_timeout', :value, true)"
        try:
            with connection.begin_nested():
                before = connection.scalar(text("SHOW statement_timeout"))
                connection.execute(text(limit), {"value": str(int(ms))})
                yield
                connection.execute(text(limit), {"value": before})
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) == _CANCELLED:
                raise OutOfTime from None
            raise
        return
    raw: Any = connection.connection.driver_connection
    deadline = time.monotonic() + ms / 1000
    raw.set_progress_handler(lambda: int(time.monotonic() > deadline), _STEPS)
    try:
        yield
    except DBAPIError as exc:
        if "interrupted" in str(exc.orig):
            raise OutOfTime from None
        raise
    finally:
        raw.set_progress_handler(None, 0)
