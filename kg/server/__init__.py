"""`kg serve`: the built store on the web, as a SPARQL 1.1 endpoint and dereferenceable IRIs.

    >>> import kg.server
    >>> kg.server.serve("out/store", port=8000)       # same as `kg serve --store out/store`

One module per concern: `app` (routes, settings, uvicorn), `sparql` (the protocol), `linked_data` (IRIs
as pages and descriptions), `html` (escaped pages), `ops` (access log, limits, slow clients), `conneg`
(Accept headers) and `store_view` (look-ups outside SPARQL). The VoID and service descriptions are
`kg.void` (shared with `kg build`), the warm query workers `kg.query_pool` (shared with `kg.query`).
Importing this package loads none of them.
"""

from __future__ import annotations

from pathlib import Path

from kg.namespaces import DEFAULT_BASE

__all__ = ["serve"]


def serve(
    store: str | Path = Path("out") / "store",
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    base: str = DEFAULT_BASE,
    **limits: float,
) -> None:
    """Serve `store` until interrupted; `limits` are fields of `kg.server.app.Settings` (timeout, max_rows...)."""
    from kg.server.app import Settings, run

    run(Settings(store=Path(store), base=base, **limits), host=host, port=port)  # type: ignore[arg-type]
