"""A live playground server on a free loopback port (uvicorn in a thread), per test module."""

from __future__ import annotations

import socket
import threading
import time

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    import uvicorn

    from bubblemachine.data.store import Store
    from bubblemachine.scenarios import runner
    from bubblemachine.web.app import create_app

    runner.compiled(runner.load("baseline")[1])  # the warm compile `serve` does at start-up
    app = create_app(store=Store(tmp_path_factory.mktemp("web-store")), warm=False)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "the test server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
