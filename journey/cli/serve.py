"""``journey serve``: the web pages, JSON API, calendar feeds and health check over HTTP."""

from __future__ import annotations

import click

from journey.cli._common import get_app


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (behind a reverse proxy: "
              "keep the loopback default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port (0: any free).")
@click.option("--forwarded-allow-ips", default="127.0.0.1", show_default=True, metavar="IPS",
              help="Proxies trusted for X-Forwarded-For/-Proto (the real client address, https for Secure cookies).")
@click.option("--secure-cookies/--no-secure-cookies", default=None,
              help="Force the Secure cookie flag on or off (default: on when the request came over https).")
@click.option("--graceful-timeout", default=10.0, show_default=True, type=click.FloatRange(min=0),
              help="Seconds to let open requests finish after SIGTERM or Ctrl-C.")
@click.option("--view-seconds", default=2.0, show_default=True, type=click.FloatRange(0, 300),
              help="Requests for the national matrix, the case list and the monitor share one build, reused this "
                   "long; a change made through the server shows at once, one made by the CLI within this time "
                   "(0: build for every request).")
def serve(host: str, port: int, forwarded_allow_ips: str, secure_cookies: bool | None,
          graceful_timeout: float, view_seconds: float) -> None:
    """Serve the live pages, the JSON API (/api, described at /openapi.json), ICS feeds and /health.

    Users log in with passwords set by `journey users passwd`; API clients send a token from
    `journey tokens create`. One JSON access-log line per request goes to stderr (no query
    strings). Run it behind a reverse proxy with TLS (docs/security.md); reminders and webhooks
    are sent by `journey scheduler run`.

    \b
    Example:
        journey serve --host 127.0.0.1 --port 8000
    """
    import logging

    import uvicorn

    from journey.bootstrap.server import ServerOptions, build_asgi

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    access = logging.getLogger("journey.access")
    access.handlers[:] = [handler]
    access.setLevel(logging.INFO)
    access.propagate = False
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asgi = build_asgi(get_app(), ServerOptions(secure_cookies=secure_cookies, view_seconds=view_seconds))
    config = uvicorn.Config(asgi, host=host, port=port, proxy_headers=True, forwarded_allow_ips=forwarded_allow_ips,
                            access_log=False, server_header=False, timeout_graceful_shutdown=int(graceful_timeout),
                            log_level="info", lifespan="on")
    import signal
    import sys

    # uvicorn finishes open requests on SIGTERM, then re-raises the signal: end with exit status 0 then.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.Server(config).run()
