"""The JSON API over the shared-corpus store: in-process first, then a real server process.

Each endpoint must answer exactly what the library function answers for the same arguments, so
the expected values come from calling ``quanhe.kb`` / ``quanhe.query`` on the same store.
"""
from __future__ import annotations

import json
import os
import queue
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from quanhe import __version__, dossier, kb, query
from quanhe.normalize import fold
from quanhe.serve import create_app
from quanhe.store import Store

SERVING_LINE = re.compile(r"^quanhe: serving http://(?P<host>[^/]+):(?P<port>\d+)/ ")


def as_json(value: Any) -> Any:
    """What a library answer looks like once it has travelled as JSON."""
    return json.loads(json.dumps(value, ensure_ascii=False))


@pytest.fixture(scope="module")
def client(shared_kb_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(str(shared_kb_path))) as test_client:
        yield test_client


def get_json(client: TestClient, url: str, **params: Any) -> Any:
    response = client.get(url, params=params or None)   # an empty dict would drop url's own query
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def page_of(answer: dict[str, Any]) -> dict[str, Any]:
    return {key: answer[key] for key in ("items", "total", "limit", "offset")}


# -- each endpoint answers what the library answers ---------------------------------------------------

def test_partners_are_the_library_partners(client: TestClient, shared_kb: Store) -> None:
    answer = get_json(client, "/api/partners")
    assert answer["items"] == as_json(kb.partners(shared_kb))
    assert "US" in {p["code"] for p in answer["items"]}


def test_timeline_filters_by_repeated_types_and_period(client: TestClient, shared_kb: Store) -> None:
    answer = get_json(client, "/api/partners/US/timeline",
                      type=["meeting", "document"], since="2009", until="2023")
    expected = kb.timeline(shared_kb, "US", types=["meeting", "document"], since="2009", until="2023")
    assert page_of(answer) == as_json(expected.to_record())
    assert answer["items"] and {f["type"] for f in answer["items"]} <= {"meeting", "document"}


def test_timeline_defaults_match_the_library(client: TestClient, shared_kb: Store) -> None:
    answer = get_json(client, "/api/partners/us/timeline")
    assert page_of(answer) == as_json(kb.timeline(shared_kb, "US").to_record())


def test_level_of_us_on_2010_01_01(client: TestClient, shared_kb: Store) -> None:
    answer = get_json(client, "/api/partners/US/level", as_of="2010-01-01")
    expected = kb.level_as_of(shared_kb, "US", "2010-01-01")
    assert answer == as_json(expected.to_record())
    assert expected.level is not None
    assert answer["as_of"] == "2010-01-01" and answer["level"] == expected.level


@pytest.mark.parametrize("targets", [False, True])
def test_figures_are_the_figure_series(client: TestClient, shared_kb: Store, targets: bool) -> None:
    answer = get_json(client, "/api/partners/US/figures/trade", targets=str(targets).lower())
    assert answer["items"] == as_json(kb.figure_series(shared_kb, "US", "trade", target=targets))


def test_figures_of_an_unknown_metric_are_a_bad_request(client: TestClient) -> None:
    response = client.get("/api/partners/US/figures/happiness")
    assert response.status_code == 400
    assert "trade" in response.json()["error"]["message"]


def test_mechanism_series_with_its_partner(client: TestClient, shared_kb: Store) -> None:
    answer = get_json(client, "/api/mechanisms/asean_partner_summit", partner="US")
    expected = kb.mechanism_series(shared_kb, "asean_partner_summit", ["US"])
    assert answer == as_json(expected.to_record())
    assert any(entry["fact"] for entry in answer["entries"])


def test_facts_with_filters_are_the_library_facts(client: TestClient, shared_kb: Store) -> None:
    answer = get_json(client, "/api/facts", partner="CN", type="meeting", since="2015")
    expected = kb.facts(shared_kb, partner="CN", type="meeting", since="2015")
    assert page_of(answer) == as_json(expected.to_record())
    disputed = get_json(client, "/api/facts", conflicts="true")
    assert page_of(disputed) == as_json(kb.facts(shared_kb, conflicts=True).to_record())
    assert all(f["conflicts"] for f in disputed["items"])


# -- pagination ------------------------------------------------------------------------------------

def test_facts_page_carries_its_place_and_the_next_url(client: TestClient, shared_kb: Store) -> None:
    first = get_json(client, "/api/facts", partner="US", limit=5)
    assert page_of(first) == as_json(kb.facts(shared_kb, partner="US", limit=5).to_record())
    assert (first["limit"], first["offset"], len(first["items"])) == (5, 0, 5)
    second = get_json(client, "/api/facts", partner="US", limit=5, offset=5)
    assert page_of(second) == as_json(kb.facts(shared_kb, partner="US", limit=5, offset=5).to_record())
    assert not {f["id"] for f in first["items"]} & {f["id"] for f in second["items"]}


def test_following_next_walks_every_fact_once(client: TestClient, shared_kb: Store) -> None:
    everything = kb.facts(shared_kb, limit=None).items
    seen: list[str] = []
    url: str | None = "/api/facts?limit=7"
    while url is not None:
        answer = get_json(client, url)
        assert answer["total"] == len(everything)
        seen += [f["id"] for f in answer["items"]]
        url = answer["next"]
        if url is not None:
            params = httpx.URL(url).params
            assert (params["limit"], params["offset"]) == ("7", str(len(seen)))
    assert seen == [f["id"] for f in everything]


def test_the_last_page_has_no_next(client: TestClient, shared_kb: Store) -> None:
    total = len(kb.facts(shared_kb, limit=None).items)
    answer = get_json(client, "/api/facts", offset=total - 1, limit=10)
    assert len(answer["items"]) == 1 and answer["next"] is None


# -- one fact, its evidence, its articles -----------------------------------------------------------

def test_a_listed_fact_resolves_with_evidence_quoting_its_article(client: TestClient,
                                                                shared_kb: Store) -> None:
    listed = get_json(client, "/api/facts", partner="US", limit=1)["items"][0]
    answer = get_json(client, f"/api/facts/{listed['id']}")
    assert answer == as_json(kb.fact(shared_kb, listed["id"]))
    assert answer["evidence"]
    for span in answer["evidence"]:
        text = shared_kb.article_text(span["article"])
        assert text is not None and text[span["start"]:span["end"]] == span["text"]


def test_articles_list_and_one_article_with_its_text(client: TestClient, shared_kb: Store) -> None:
    listed = get_json(client, "/api/articles", limit=3)
    assert page_of(listed) == as_json(kb.articles(shared_kb, limit=3).to_record())
    assert listed["total"] == shared_kb.counts()["articles"] and listed["next"]
    one = listed["items"][0]
    answer = get_json(client, f"/api/articles/{one['article']}")
    assert answer == {**one, "canonical": shared_kb.article(one["article"])["canonical"],  # type: ignore[index]
                      "text": shared_kb.article_text(one["article"])}
    assert answer["canonical"]   # the fused facts it supports, by id


# -- search ---------------------------------------------------------------------------------------

def test_search_without_accents_finds_hoa_ky(client: TestClient, shared_kb: Store) -> None:
    answer = get_json(client, "/api/search", q="hoa ky", limit=10)
    expected = [hit.to_record() for hit in query.search(shared_kb, "hoa ky", 10)]
    assert [{k: v for k, v in hit.items() if k != "matches"} for hit in answer["items"]] == as_json(expected)
    assert answer["items"] and any("Hoa Kỳ" in hit["text"] for hit in answer["items"])
    for hit in answer["items"]:
        text = shared_kb.article_text(hit["article"])
        assert text is not None and hit["matches"]
        for match in hit["matches"]:
            assert text[match["start"]:match["end"]] == match["text"]
            assert fold(match["text"]).lower() in {"hoa", "ky", "hoa ky"}
    assert any(m["text"] == "Hoa Kỳ" for hit in answer["items"] for m in hit["matches"])


# -- errors: one shape everywhere --------------------------------------------------------------------

@pytest.mark.parametrize(("method", "url", "status", "code", "said"), [
    ("GET", "/api/facts/ptn-000000000000", 404, "not_found", "ptn-000000000000"),
    ("GET", "/api/articles/no-such-article", 404, "not_found", "no-such-article"),
    ("GET", "/api/facts?since=2015-13", 400, "bad_request", "2015-13"),
    ("GET", "/api/search?q=%20%2C", 400, "bad_request", "no words"),
    ("GET", "/api/dossier/BR", 404, "not_found", "BR"),     # a partner the store knows nothing of
    ("GET", "/api/dossier/ZZ", 400, "bad_request", "ZZ"),   # not a partner code at all
    ("GET", "/api/facts?limit=0", 422, "invalid_parameter", "limit"),
    ("GET", "/api/facts?limit=1001", 422, "invalid_parameter", "limit"),
    ("GET", "/api/facts?offset=-1", 422, "invalid_parameter", "offset"),
    ("GET", "/api/search", 422, "invalid_parameter", "q"),
    ("GET", "/api/no/such/route", 404, "not_found", "/api/no/such/route"),
    ("POST", "/api/facts", 405, "method_not_allowed", "POST"),
    ("DELETE", "/api/facts/ptn-000000000000", 405, "method_not_allowed", "DELETE"),
])
def test_errors_have_one_shape(client: TestClient, method: str, url: str, status: int, code: str,
                               said: str) -> None:
    response = client.request(method, url)
    assert response.status_code == status
    assert response.json() == {"error": {"status": status, "code": code,
                                         "message": response.json()["error"]["message"]}}
    assert said in response.json()["error"]["message"]
    assert "Traceback" not in response.text


def test_a_missing_store_is_unavailable_not_a_crash(tmp_path: Path) -> None:
    with TestClient(create_app(str(tmp_path / "missing.db"))) as missing:
        response = missing.get("/api/partners")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "store_unavailable"


# -- the API describes itself ------------------------------------------------------------------------

def test_openapi_lists_every_endpoint_with_a_description(client: TestClient) -> None:
    document = get_json(client, "/openapi.json")
    assert document["info"]["title"] == "quanhe" and document["info"]["version"] == __version__
    paths = document["paths"]
    assert set(get_json(client, "/api")["endpoints"]) == {p for p in paths if p != "/api"}
    assert {"/api/partners", "/api/partners/{code}/timeline", "/api/partners/{code}/level",
            "/api/partners/{code}/figures/{metric}", "/api/mechanisms/{mechanism}", "/api/facts",
            "/api/facts/{fact_id}", "/api/articles", "/api/articles/{article_id}", "/api/search",
            "/api/dossier/{code}"} <= set(paths)
    for path, operations in paths.items():
        assert set(operations) == {"get"}, path
        assert operations["get"]["description"], path


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_no_pages_that_load_scripts_from_a_cdn(client: TestClient, page: str) -> None:
    assert client.get(page).status_code == 404


# -- the dossier ----------------------------------------------------------------------------------------

def test_dossier_as_markdown_and_html(client: TestClient, shared_kb: Store) -> None:
    for fmt, media in (("md", "text/markdown"), ("html", "text/html")):
        response = client.get("/api/dossier/US", params={"format": fmt, "lang": "en", "since": "2015"})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(media)
        brief = dossier.build(shared_kb, "US", since="2015", lang="en")
        assert response.text == dossier.render(brief, fmt)


def test_dossier_format_is_checked(client: TestClient) -> None:
    response = client.get("/api/dossier/US", params={"format": "pdf"})
    assert response.status_code == 422 and "format" in response.json()["error"]["message"]


# -- a real server process -------------------------------------------------------------------------

def quanhe_command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "quanhe", *map(str, args)]


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("QUANHE_")}


@pytest.fixture(scope="module")
def server(shared_kb_path: Path) -> Iterator[str]:
    """``quanhe serve --port 0`` as a user starts it; yields its base URL."""
    process = subprocess.Popen(quanhe_command("--db", shared_kb_path, "serve", "--port", "0"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env=clean_env())
    lines: queue.Queue[str] = queue.Queue()

    def drain() -> None:   # keep reading, so a chatty server never blocks on a full pipe
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        try:
            first = lines.get(timeout=20)
        except queue.Empty:
            pytest.fail("quanhe serve printed no line within 20 s")
        found = SERVING_LINE.match(first)
        assert found, first
        yield f"http://127.0.0.1:{found['port']}"
    finally:
        process.terminate()
        process.wait(timeout=20)
        reader.join(timeout=5)
    rest = "".join(lines.queue)
    assert "Traceback" not in rest, rest


def test_a_real_server_answers_over_the_loopback(server: str, shared_kb: Store) -> None:
    with httpx.Client(base_url=server, timeout=20) as http:
        partners = http.get("/api/partners")
        assert partners.status_code == 200
        assert partners.json()["items"] == as_json(kb.partners(shared_kb))

        timeline = http.get("/api/partners/US/timeline", params={"limit": 3})
        assert timeline.json()["items"] == as_json(kb.timeline(shared_kb, "US", limit=3).items)

        fact_id = timeline.json()["items"][0]["id"]
        fact = http.get(f"/api/facts/{fact_id}")
        assert fact.status_code == 200 and fact.json()["evidence"]

        hits = http.get("/api/search", params={"q": "hoa ky", "limit": 5}).json()["items"]
        assert any("Hoa Kỳ" in hit["text"] for hit in hits)

        missing = http.get("/api/facts/mtg-000000000000")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"

        assert http.get("/openapi.json").json()["info"]["version"] == __version__


def test_a_real_server_answers_requests_in_parallel(server: str, shared_kb: Store) -> None:
    """Handlers run on a thread pool; each request must get its own store connection."""
    urls = ["/api/partners", "/api/facts?limit=50", "/api/partners/US/timeline",
            "/api/search?q=hoa+ky", "/api/partners/US/level?as_of=2010-01-01"] * 8
    with httpx.Client(base_url=server, timeout=30) as http, ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda url: http.get(url).status_code, urls))
    assert statuses == [200] * len(urls)


def test_serving_a_missing_store_fails_with_one_line(tmp_path: Path) -> None:
    result = subprocess.run(quanhe_command("--db", tmp_path / "missing.db", "serve", "--port", "0"),
                            capture_output=True, text=True, timeout=60, env=clean_env(), check=False)
    assert result.returncode != 0
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("quanhe: error:") and "missing.db" in result.stderr


def test_serving_on_a_taken_port_fails_with_one_line(shared_kb_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(quanhe_command("--db", shared_kb_path, "serve", "--port", str(port)),
                                capture_output=True, text=True, timeout=60, env=clean_env(), check=False)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
