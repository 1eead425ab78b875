"""Where documents, near-duplicate links, claims, extractions and runs are kept.

A SQLite file by default, any SQLAlchemy database by URL; the schema is migrated to the
current version whenever a store is opened.
"""

from peacetrack.store.store import AddResult, Store, StoredClaim

open_store = Store.open

__all__ = ["AddResult", "Store", "StoredClaim", "open_store"]
