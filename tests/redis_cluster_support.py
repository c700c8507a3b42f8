"""Where the tests' Redis Cluster runs.

Ports 7101–7106 (cluster bus +10000); each xdist worker takes the next ten
(gw1: 7111–7116), so parallel workers never share a cluster, and
``CLUSTER_TEST_PORT`` moves the base. The cluster itself is
loadtests/redis_cluster.py.
"""

from __future__ import annotations

import os

from loadtests.redis_cluster import LocalCluster, tools_missing

__all__ = ["LocalCluster", "base_port", "tools_missing"]


def base_port() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    number = int(worker[2:]) if worker[2:].isdigit() else 0
    return int(os.environ.get("CLUSTER_TEST_PORT") or 7101) + 10 * number
