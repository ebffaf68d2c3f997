"""`journey serve`: the shared deployment as one ASGI application (FastAPI, served by uvicorn).

An entry point as thin as the CLI: routes parse the request, call the same use cases, and render
the result as a page or JSON. Everything concrete (database, hasher, readers, writers) comes in
a :class:`journey.server.context.ServerContext` built by :mod:`journey.bootstrap.server`.
"""
