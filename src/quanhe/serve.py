"""The read-only JSON API: each endpoint calls one ``quanhe.kb`` or ``quanhe.query`` function.

The web layer only maps HTTP to those calls and back: no SQL and no business rule lives here, so
the CLI, the API and the dossier always agree. Shapes, once for every endpoint:

- a collection is ``{"items": [...]}``; a paged one adds ``total``, ``limit``, ``offset`` and
  ``next`` (the URL of the following page, or null on the last one);
- an error is ``{"error": {"status": 404, "code": "not_found", "message": "..."}}``, whatever
  raised it (a quanhe error, an unknown route, a wrong method, a parameter that fails validation);
- search hits keep the library's snippet (matches between ``[`` and ``]``, plain text, never
  HTML) and add ``matches``: each matched span as offsets into the article text, like evidence.

Every request opens its own read-only store connection and closes it when done: an SQLite
connection must not be used by two threads at once, and FastAPI runs handlers on a thread pool.
"""
from __future__ import annotations

import socket
import sys
from collections.abc import Iterator, Mapping, Sequence
from http import HTTPStatus
from typing import Annotated, Any, Literal

import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from quanhe import __version__, kb, query
from quanhe.errors import NotFoundError, StoreError, UsageError
from quanhe.store import Store, open_store

# -- one connection per request ------------------------------------------------------------------


def _request_store(request: Request) -> Iterator[Store]:
    """A reader's connection for this request only, closed even when the handler fails."""
    store = open_store(str(request.app.state.db), readonly=True)
    try:
        yield store
    finally:
        store.close()


StoreDep = Annotated[Store, Depends(_request_store)]

# -- parameters shared by several endpoints --------------------------------------------------------

Limit = Annotated[int, Query(ge=1, le=kb.MAX_PAGE, description=f"page size, at most {kb.MAX_PAGE}")]
Offset = Annotated[int, Query(ge=0, le=kb.MAX_OFFSET, description="how many items to skip (paging)")]
Since = Annotated[str | None, Query(description="from this ISO date: 2015, 2015-11 or 2015-11-14")]
Until = Annotated[str | None, Query(description="up to this ISO date, inclusive at its precision")]
PartnerCode = Annotated[str, Path(description="a partner code: US, CN, JP, KR, EU …")]

router = APIRouter(prefix="/api")


@router.get("", tags=["about"])
def index(request: Request) -> dict[str, Any]:
    """What this API is and where its endpoints are, so a client can start from /api."""
    paths = sorted(path for path in request.app.openapi()["paths"] if path.startswith("/api/"))
    return {"name": "quanhe", "version": __version__, "openapi": "/openapi.json", "endpoints": paths}


@router.get("/partners", tags=["partners"])
def partners(store: StoreDep) -> dict[str, Any]:
    """Every partner in the store with its Vietnamese and English names and number of fused facts."""
    return {"items": kb.partners(store)}


@router.get("/partners/{code}/timeline", tags=["partners"])
def timeline(store: StoreDep, request: Request, code: PartnerCode,
             types: Annotated[list[str] | None, Query(
                 alias="type", description="meeting, partnership, document, indicator or person; "
                                           "repeat for several (default: the first three)")] = None,
             since: Since = None, until: Until = None,
             limit: Limit = kb.DEFAULT_PAGE, offset: Offset = 0) -> dict[str, Any]:
    """A partner's meetings, milestones and documents, oldest first; undated facts come last and
    are left out when a period is given."""
    page = kb.timeline(store, code, types=types, since=since, until=until, limit=limit, offset=offset)
    return _paged(page, request)


@router.get("/partners/{code}/level", tags=["partners"])
def level(store: StoreDep, code: PartnerCode,
          as_of: Annotated[str | None, Query(description="an ISO date (default today)")] = None,
          ) -> dict[str, Any]:
    """The partnership level in force on a date, the fact that says so, and every dated level."""
    return kb.level_as_of(store, code, as_of).to_record()


@router.get("/partners/{code}/figures/{metric}", tags=["partners"])
def figures(store: StoreDep, code: PartnerCode,
            metric: Annotated[str, Path(description=", ".join(kb.METRICS))],
            targets: Annotated[bool, Query(description="goals instead of actual figures")] = False,
            ) -> dict[str, Any]:
    """A partner's figures for one metric, year by year, each with its sources and conflicts."""
    return {"items": kb.figure_series(store, code, metric, target=targets)}


@router.get("/mechanisms/{mechanism}", tags=["meetings"])
def mechanism(store: StoreDep,
              mechanism: Annotated[str, Path(description="asean_partner_summit, east_asia_summit, arf …")],
              partner: Annotated[list[str] | None, Query(
                  description="its partner; repeat for several (ASEAN+3 is CN, JP and KR)")] = None,
              ) -> dict[str, Any]:
    """Every meeting of one mechanism by ordinal, with the ordinals no article reports as gaps."""
    return kb.mechanism_series(store, mechanism, partner or []).to_record()


@router.get("/facts", tags=["facts"])
def facts(store: StoreDep, request: Request,
          partner: Annotated[str | None, Query(description="a partner code")] = None,
          kind: Annotated[str | None, Query(
              alias="type", description="meeting, partnership, document, indicator or person")] = None,
          since: Since = None, until: Until = None,
          conflicts: Annotated[bool, Query(description="only facts whose sources disagree")] = False,
          limit: Limit = kb.DEFAULT_PAGE, offset: Offset = 0) -> dict[str, Any]:
    """Facts fused across articles, by date (undated last), filtered like `quanhe facts`."""
    page = kb.facts(store, partner=partner, type=kind, since=since, until=until, conflicts=conflicts,
                    limit=limit, offset=offset)
    return _paged(page, request)


@router.get("/facts/{fact_id}", tags=["facts"])
def fact(store: StoreDep, fact_id: Annotated[str, Path(description="a fact id: mtg-…, ptn-…")],
         ) -> dict[str, Any]:
    """One fused fact with all its evidence: each sentence that states it, with its article,
    outlet and offsets into the article text."""
    return kb.fact(store, fact_id)


@router.get("/articles", tags=["articles"])
def articles(store: StoreDep, request: Request,
             limit: Limit = kb.DEFAULT_PAGE, offset: Offset = 0) -> dict[str, Any]:
    """Stored articles by id, each with its number of extracted facts."""
    return _paged(kb.articles(store, limit=limit, offset=offset), request)


@router.get("/articles/{article_id}", tags=["articles"])
def article(store: StoreDep, article_id: Annotated[str, Path(description="an article id")],
            ) -> dict[str, Any]:
    """One article's record and its text as read, the text every evidence offset points into."""
    text = store.article_text(article_id)
    record = store.article(article_id)
    if text is None or record is None:
        raise NotFoundError(f"no article {article_id!r} in the store")
    return {**record, "text": text}


@router.get("/search", tags=["search"])
def search(store: StoreDep,
           q: Annotated[str, Query(min_length=1, description=(
               "words in any order; case, accents and đ don't matter; word* is a prefix; "
               "a \"quoted phrase\" must stand whole"))],
           limit: Annotated[int, Query(ge=1, le=kb.MAX_PAGE, description="at most this many hits")] = 20,
           ) -> dict[str, Any]:
    """Sentences holding every word of the query, best first, with their matches located."""
    hits = query.search(store, q, limit)
    terms = query.terms_of(q)
    return {"query": q, "terms": terms, "limit": limit,
            "items": [{**hit.to_record(), "matches": _matches(hit, terms)} for hit in hits]}


@router.get("/dossier/{code}", tags=["partners"], response_class=Response,
            responses={200: {"content": {"text/markdown": {}, "text/html": {}},
                             "description": "the brief, as Markdown or HTML"}})
def dossier(store: StoreDep, code: PartnerCode,
            fmt: Annotated[Literal["md", "html"], Query(alias="format")] = "md",
            since: Annotated[str | None, Query(description="only events from this ISO date")] = None,
            lang: Annotated[Literal["vi", "en"], Query(description="the headings' language")] = "vi",
            ) -> Response:
    """A brief on one partner with numbered citations, as `quanhe dossier` writes it."""
    # imported here: only this endpoint needs the dossier and its templates
    from quanhe import dossier as briefs

    text = briefs.render(briefs.build(store, code, since=since, lang=lang), fmt)
    return Response(text, media_type="text/html" if fmt == "html" else "text/markdown")


# -- answers --------------------------------------------------------------------------------------

def _paged(page: kb.Page, request: Request) -> dict[str, Any]:
    """A page with the URL of the next one, so a client can follow pages without doing sums."""
    following = page.offset + len(page.items)
    more = bool(page.items) and following < page.total
    next_url = str(request.url.include_query_params(offset=following, limit=page.limit)) if more else None
    return {**page.to_record(), "next": next_url}


_OPEN, _CLOSE = "\ue000", "\ue001"   # private-use characters: never in news text, so safe markers


def _matches(hit: query.SearchHit, terms: list[str]) -> list[dict[str, Any]]:
    """Where the query matched in the sentence, as article offsets (article_text[start:end] ==
    text). The library marks matches only in a shortened snippet, so mark the whole sentence with
    markers that cannot occur in it and read their positions back."""
    if _OPEN in hit.text or _CLOSE in hit.text:
        return []
    marked = query.snippet(hit.text, terms, marks=(_OPEN, _CLOSE), width=len(hit.text))
    position = hit.start + len(hit.text) - len(hit.text.lstrip())   # the snippet is stripped
    spans: list[dict[str, Any]] = []
    start = position
    for char in marked:
        if char == _OPEN:
            start = position
        elif char == _CLOSE:
            spans.append({"start": start, "end": position,
                          "text": hit.text[start - hit.start:position - hit.start]})
        else:
            position += 1
    return spans


# -- errors: one JSON shape ----------------------------------------------------------------------

_ERROR_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed",
                422: "invalid_parameter", 500: "internal_error", 503: "store_unavailable"}
_STATUS_OF_ERROR: tuple[tuple[type[Exception], int], ...] = (
    (NotFoundError, 404), (UsageError, 400), (StoreError, 503))


def _error(status: int, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    code = _ERROR_CODES.get(status) or HTTPStatus(status).phrase.lower().replace(" ", "_")
    return JSONResponse({"error": {"status": status, "code": code, "message": message}},
                        status_code=status, headers=headers)


def _quanhe_error(request: Request, exc: Exception) -> JSONResponse:
    """A deliberate quanhe error: its message already says how to fix the request."""
    status = next((s for kind, s in _STATUS_OF_ERROR if isinstance(exc, kind)), 500)
    return _error(status, str(exc))


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    """Routing errors, reworded to point the client somewhere useful."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404 and exc.detail == HTTPStatus.NOT_FOUND.phrase:
        message = f"no endpoint at {request.url.path}; the endpoints are listed at /openapi.json"
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed here: this read-only API answers GET only"
    else:
        message = str(exc.detail)
    return _error(exc.status_code, message, exc.headers)


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    """Name each bad parameter, where it was and what was wrong with it."""
    assert isinstance(exc, RequestValidationError)
    return _error(422, "; ".join(_describe(problem) for problem in exc.errors()))


def _describe(problem: Any) -> str:
    location: Sequence[Any] = problem.get("loc", ())
    where = (f"{location[0]} parameter {'.'.join(map(str, location[1:]))}" if len(location) > 1
             else ".".join(map(str, location)))
    return f"{where}: {problem.get('msg', 'invalid')}"


def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """A bug: the client gets the error shape, never a stack trace (the server log has it)."""
    return _error(500, "the server failed to answer this request; its log says why")


# -- the app and the server ------------------------------------------------------------------------

def create_app(db: str) -> FastAPI:
    """The API over the store at ``db``. The store is opened per request, so a missing store is a
    503 on each request rather than a crash, and an ingest that finishes later is seen at once."""
    app = FastAPI(
        title="quanhe",
        version=__version__,
        description="Read-only access to facts about ASEAN's external relations, fused across "
                    "Vietnamese news articles, each citing the sentences it came from.",
        openapi_url="/openapi.json",
        docs_url=None,      # Swagger UI and ReDoc load scripts from a CDN; the project allows none
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.db = db
    app.include_router(router)
    for kind, _ in _STATUS_OF_ERROR:
        app.add_exception_handler(kind, _quanhe_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)
    return app


def run(db: str, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the API until interrupted. The socket is bound here, not by uvicorn, so that with
    ``port=0`` the line on stderr can name the port the OS really chose."""
    app = create_app(db)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((host, port))
        except (OSError, OverflowError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise UsageError(f"cannot listen on {host}:{port} ({reason}); "
                             "pass another --host or --port") from exc
        listener.listen()
        bound_port = listener.getsockname()[1]
        shown_host = f"[{host}]" if family == socket.AF_INET6 else host
        print(f"quanhe: serving http://{shown_host}:{bound_port}/ (API at /api, OpenAPI at /openapi.json)",
              file=sys.stderr, flush=True)
        uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[listener])


__all__ = ["create_app", "run"]
