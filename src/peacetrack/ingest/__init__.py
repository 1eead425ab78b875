"""Ingestion: files, folders, web pages, feeds, JSONL/CSV corpora and URLs into documents.

``expand_sources`` lists the inputs cheaply, ``read_source`` reads one into documents (or
failures), ``read_documents`` does both for callers without a store, and ``ingest`` stores
everything and says what happened.
"""

from peacetrack.ingest.base import Failure, IngestOptions, Source
from peacetrack.ingest.fetch import Fetched, address_problem, check_url, fetch
from peacetrack.ingest.read import read_documents, read_source
from peacetrack.ingest.runner import IngestSummary, ingest, ingest_text
from peacetrack.ingest.sources import expand_sources

__all__ = [
    "Failure",
    "Fetched",
    "IngestOptions",
    "IngestSummary",
    "Source",
    "address_problem",
    "check_url",
    "expand_sources",
    "fetch",
    "ingest",
    "ingest_text",
    "read_documents",
    "read_source",
]
