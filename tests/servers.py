"""A real server for the tests that need one (`fangkong serve` in a process of its own, as a
command centre runs it): on a free port, with the environment given, stopped afterwards."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def fangkong_serve(env: dict[str, str], *, drop: tuple[str, ...] = ()) -> Iterator[str]:
    """The server's base URL once `/api/health` answers; `env` over this process's, less the
    names in `drop`."""
    port = free_port()
    full = {**os.environ, **env, "FANGKONG_PORT": str(port)}
    for name in drop:
        full.pop(name, None)
    process = subprocess.Popen([sys.executable, "-m", "fangkong", "serve"], env=full,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/api/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
