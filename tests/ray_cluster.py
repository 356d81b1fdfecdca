"""A real two-node local Ray cluster for tests: a head and one worker node.

Both nodes are started with ``ray start --block`` in their own sessions, and exactly
those process groups are stopped afterwards (never ``ray stop``, which would end every
Ray process on the machine). Tests that need one use :func:`two_node_cluster` in a
module-scoped fixture.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

#: Seconds a node may take to start or join.
START_SECONDS = 90


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def two_node_cluster(
    prefix: str,
    head_resources: Mapping[str, float] | None = None,
    worker_resources: Mapping[str, float] | None = None,
) -> Iterator[tuple[str, list[int], dict[str, str]]]:
    """Start the cluster and connect this process to it; yields (address, the process id
    of each node's session, the nodes' environment). Custom resources mark a node, as an
    operator marks the node that holds a shard's files."""
    ray: Any = pytest.importorskip("ray")
    binary = str(Path(sys.executable).with_name("ray"))
    port = _free_port()
    address = f"127.0.0.1:{port}"
    temp = tempfile.mkdtemp(prefix=prefix)
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    env.pop("RAY_ADDRESS", None)
    if "RAY_AUTH_MODE" not in os.environ:
        # A home of their own, so no token a local ``ray.init`` left in ``~/.ray`` switches
        # these nodes to token authentication that this driver does not use. (After a
        # local ``ray.init`` in this process — another module's cluster — the driver does
        # use that token, so the nodes keep the home that holds it.)
        env["HOME"] = temp
    common = ["--block", "--disable-usage-stats", "--num-cpus", "1", "--node-ip-address"]
    head = [binary, "start", "--head", "--port", str(port), "--temp-dir", temp]
    head += ["--include-dashboard", "false", *common, "127.0.0.1"]
    worker = [binary, "start", "--address", address, *common, "127.0.0.1"]
    if head_resources:
        head += ["--resources", json.dumps(dict(head_resources))]
    if worker_resources:
        worker += ["--resources", json.dumps(dict(worker_resources))]
    spawn: dict[str, Any] = {"env": env, "start_new_session": True, "stdout": subprocess.DEVNULL}
    log = Path(temp) / "head.log"
    with log.open("wb") as err:
        procs = [subprocess.Popen(head, stderr=err, **spawn)]
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or procs[0].poll() is not None:
                    pytest.fail(f"the Ray head node did not start: {log.read_text()[-500:]}")
                time.sleep(0.5)
        procs.append(subprocess.Popen(worker, stderr=subprocess.DEVNULL, **spawn))
        ray.init(
            address=address,
            log_to_driver=False,
            configure_logging=False,
            _node_ip_address="127.0.0.1",
        )
        deadline = time.monotonic() + START_SECONDS
        while len([n for n in ray.nodes() if n["Alive"]]) < 2:
            if time.monotonic() > deadline:
                pytest.fail("the Ray worker node did not join")
            time.sleep(0.5)
        yield address, [p.pid for p in procs], env
    finally:
        if ray.is_initialized():
            ray.shutdown()
        for proc in reversed(procs):
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(temp, ignore_errors=True)
