"""``bubblemachine serve``: the playground, a local web app (needs the ``web`` extra)."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: Annotated[str, typer.Option("--host", help="Interface to listen on. The default serves this computer only.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="TCP port (1-65535).", min=1, max=65535)] = 8765,
        queue: Annotated[int, typer.Option("--queue", help="Runs allowed to wait (1-64).", min=1, max=64)] = 4,
        timeout: Annotated[float, typer.Option("--timeout", help="Seconds a run may take (5-600).", min=5, max=600)] = 60.0,
    ) -> None:
        """The playground: move the model's assumptions and watch fan charts, attribution, the monitor and the claims (a local web app; open the printed address)."""
        from bubblemachine.cli._common import err_console
        from bubblemachine.errors import require

        require("fastapi", "web", "bubblemachine serve")
        uvicorn = require("uvicorn", "web", "bubblemachine serve")
        from bubblemachine.web.app import create_app, is_loopback

        _check_address(host, port)  # a port in use or a foreign address: one line, exit 2
        allowed = None
        if not is_loopback(host):
            err_console.print(
                f"[bold yellow]warning:[/bold yellow] serving on {host}: anyone who can reach this machine on port "
                f"{port} can use the playground (it runs simulations on your CPU). The default, 127.0.0.1, serves this computer only.",
                highlight=False, soft_wrap=True,
            )
            allowed = ["*"]
        app = create_app(allowed_hosts=allowed, max_queue=queue, timeout=timeout)
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        err_console.print(f"Bubble Machine playground: http://{shown}:{port}/  (Ctrl+C stops it)", highlight=False)
        uvicorn.run(app, host=host, port=port, log_level="warning", timeout_keep_alive=5, limit_concurrency=64)


def _check_address(host: str, port: int) -> None:
    """BubbleMachineError naming --host/--port when the server could not listen there."""
    import socket

    from bubblemachine.errors import BubbleMachineError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise BubbleMachineError(f"--host {host!r}: not an address of this machine ({exc.strerror})") from None
    family, kind, proto, _, addr = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(addr)
        except OSError as exc:
            why = (exc.strerror or str(exc)).lower()
            raise BubbleMachineError(f"--host {host} --port {port}: cannot listen there ({why}); "
                                     "pick another --port, or --host 127.0.0.1") from None
