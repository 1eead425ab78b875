"""The local Dask cluster of `peacetrack batch` keeps its dashboard to this machine (#11).

Its dashboard shows task names (shard labels: file names) and lets anyone who can reach it
inspect the cluster; it listened on every interface. Every socket the batch's own
LocalCluster listens on (scheduler, dashboard, worker processes) must be on loopback.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import pytest

pytest.importorskip("distributed")
psutil = pytest.importorskip("psutil")

from peacetrack.batch.runner import _client, _Job  # noqa: E402

pytestmark = pytest.mark.slow


def _listening() -> list[tuple[str, int]]:
    """(address, port) of every listening socket of this process and its children."""
    me = psutil.Process()
    return [
        (c.laddr.ip, c.laddr.port)
        for process in (me, *me.children(recursive=True))
        for c in process.net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN
    ]


def test_the_local_cluster_listens_on_loopback_only() -> None:
    with _client(None, 2, _Job("rules.v1", (), ()).plugin()) as client:
        client.wait_for_workers(2)
        port = urlsplit(client.dashboard_link).port
        listening = _listening()
    assert port in {p for _, p in listening}, f"no dashboard on {port}: {listening}"
    for address, at in listening:
        assert ipaddress.ip_address(address).is_loopback, f"listening on {address}:{at}"
