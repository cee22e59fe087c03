"""The quanhe command as a user runs it: a subprocess, real corpus files, a tmp_path store."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "corpus" / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None,
        stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("QUANHE_")}
    clean_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "quanhe", *map(str, args)], cwd=cwd,
                          env=clean_env, input=stdin, check=False, capture_output=True, text=True,
                          timeout=300)


def json_lines(text: str) -> list[dict]:
    records = [json.loads(line) for line in text.splitlines()]
    assert all(isinstance(r, dict) for r in records)
    return records


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr


@pytest.fixture()
def ingested(tmp_path):
    result = run("ingest", SEEDS, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path


def test_version(tmp_path):
    from quanhe import __version__

    result = run("--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == f"quanhe {__version__}"


def test_console_script_is_installed(tmp_path):
    script = Path(sys.executable).parent / "quanhe"
    if not script.exists():
        pytest.skip("console script not installed in this environment")
    assert subprocess.run([script, "--help"], check=False, capture_output=True, text=True).returncode == 0


def test_extract_prints_only_json_lines(tmp_path):
    result = run("extract", SEEDS, cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == ""
    records = json_lines(result.stdout)
    articles = [r for r in records if r["type"] == "article"]
    assert [a["article"] for a in articles] == [p.stem for p in SEED_FILES]
    texts = {p.stem: p.read_text(encoding="utf-8") for p in SEED_FILES}
    current = None
    for record in records:
        assert record["article"] in texts
        if record["type"] == "article":
            current = record["article"]
            continue
        assert record["article"] == current          # facts follow their article line
        for span in record.get("evidence", []):
            assert texts[current][span["start"]:span["end"]] == span["text"]
    assert not (tmp_path / "quanhe.db").exists()      # extract never touches a store


def test_extract_table(tmp_path):
    result = run("extract", SEED_FILES[0], "--format", "table", cwd=tmp_path)
    assert result.returncode == 0
    header, rule, *rows = result.stdout.splitlines()
    assert header.split() == ["article", "type", "partners", "date", "details", "evidence"]
    assert set(rule) <= {"-", " "} and rows[0].startswith(SEED_FILES[0].stem)


def test_extract_reads_stdin(tmp_path):
    result = run("extract", "-", cwd=tmp_path, stdin="Hội nghị Cấp cao ASEAN - Hoa Kỳ lần thứ 8.\n")
    assert result.returncode == 0
    assert json_lines(result.stdout)[0]["type"] == "article"


def test_ingest_summary_and_idempotence(tmp_path):
    first = run("ingest", SEEDS, cwd=tmp_path)
    assert first.returncode == 0 and first.stdout == ""
    assert "5 added, 0 replaced, 0 unchanged, 0 failed" in first.stderr
    assert (tmp_path / "quanhe.db").exists()
    second = run("ingest", SEEDS, "--batch-size", "2", cwd=tmp_path)
    assert second.returncode == 0
    assert "0 added, 0 replaced, 5 unchanged, 0 failed" in second.stderr
    assert "\r" not in second.stderr                 # no progress bar when stderr is not a TTY


def test_db_flag_and_environment(tmp_path):
    assert run("ingest", SEED_FILES[0], "--db", tmp_path / "flag.db", cwd=tmp_path).returncode == 0
    assert run("ingest", SEED_FILES[1], cwd=tmp_path, env={"QUANHE_DB": str(tmp_path / "env.db")}
               ).returncode == 0
    assert (tmp_path / "flag.db").exists() and (tmp_path / "env.db").exists()
    assert not (tmp_path / "quanhe.db").exists()
    exported = run("--db", tmp_path / "env.db", "export", cwd=tmp_path)
    assert {r["article"] for r in json_lines(exported.stdout)} == {SEED_FILES[1].stem}


def test_facts_and_search_print_json_lines_when_piped(ingested):
    facts = run("facts", cwd=ingested)
    assert facts.returncode == 0
    assert all(r["type"] != "article" for r in json_lines(facts.stdout))
    for args in (("--partner", "US"), ("--type", "meeting", "--since", "2015", "--until", "2020"),
                 ("--limit", "1")):
        result = run("facts", *args, cwd=ingested)
        assert result.returncode == 0, result.stderr
        json_lines(result.stdout)

    search = run("search", "hoa ky", "tri tue nhan tao", "--limit", "3", cwd=ingested)
    assert search.returncode == 0, search.stderr
    hits = json_lines(search.stdout)
    assert 1 <= len(hits) <= 3
    texts = {p.stem: p.read_text(encoding="utf-8") for p in SEED_FILES}
    for hit in hits:
        assert {"article", "sentence", "start", "end", "text", "snippet"} <= set(hit)
        assert texts[hit["article"]][hit["start"]:hit["end"]] == hit["text"]
        assert "[" in hit["snippet"]


def test_search_table_on_request(ingested):
    result = run("search", "doi tac", "--format", "table", cwd=ingested)
    assert result.returncode == 0
    assert result.stdout.splitlines()[0].split() == ["article", "sentence", "offsets", "text"]
    assert "[đối tác]" in result.stdout.lower()


def test_export_is_what_extract_prints(ingested):
    extracted = json_lines(run("extract", SEEDS, cwd=ingested).stdout)
    exported = run("export", cwd=ingested)
    assert exported.returncode == 0
    assert json_lines(exported.stdout) == extracted


def test_export_files(ingested):
    assert run("export", "--format", "csv", "-o", "out.csv", cwd=ingested).returncode == 0
    assert (ingested / "out.csv").read_text(encoding="utf-8").startswith("type,article,partners")
    result = run("export", "--format", "parquet", "--output", "out.parquet", cwd=ingested)
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stderr and (ingested / "out.parquet").stat().st_size > 0


def test_bad_inputs_are_reported_one_line_each(tmp_path):
    binary = tmp_path / "image.bin"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    good = tmp_path / "good.txt"
    shutil.copy(SEED_FILES[0], good)

    result = run("ingest", binary, empty, good, cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("quanhe: error: ")]
    assert len(errors) == 2
    assert errors[0].startswith(f"quanhe: error: {binary}: ")
    assert errors[1].startswith(f"quanhe: error: {empty}: ")
    assert "1 added, 0 replaced, 0 unchanged, 2 failed" in result.stderr
    stored = json_lines(run("export", cwd=tmp_path).stdout)
    assert [r["article"] for r in stored if r["type"] == "article"] == ["good"]

    extracted = run("extract", binary, empty, good, cwd=tmp_path)
    assert extracted.returncode == 1
    assert [r["article"] for r in json_lines(extracted.stdout) if r["type"] == "article"] == ["good"]
    assert len(extracted.stderr.splitlines()) == 2


@pytest.mark.parametrize("args", [
    ("facts", "--since", "2015/11"),
    ("facts", "--limit", "0"),
    ("export", "--format", "parquet"),
    ("ingest",),
    ("nonsense",),
    ("search", "--limit", "many", "x"),
])
def test_usage_errors_exit_2(ingested, args):
    result = run(*args, cwd=ingested)
    no_traceback(result)
    assert result.returncode == 2 and result.stdout == ""
    assert "quanhe: error:" in result.stderr or "usage:" in result.stderr


def test_bad_setting_in_environment_exits_2(tmp_path):
    result = run("extract", SEED_FILES[0], cwd=tmp_path, env={"QUANHE_MAX_BYTES": "huge"})
    no_traceback(result)
    assert result.returncode == 2 and "QUANHE_MAX_BYTES" in result.stderr


def test_max_bytes_rejects_big_files(tmp_path):
    result = run("extract", SEED_FILES[0], "--max-bytes", "1k", cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith(f"quanhe: error: {SEED_FILES[0]}: ")


def test_store_errors_exit_3(tmp_path):
    (tmp_path / "notes.txt").write_text("not a database\n" * 100, encoding="utf-8")
    for args in (("facts",),                                      # no store yet
                 ("search", "hoa ky", "--db", "notes.txt"),        # not an SQLite file
                 ("ingest", SEED_FILES[0], "--db", tmp_path / "missing" / "q.db")):
        result = run(*args, cwd=tmp_path)
        no_traceback(result)
        assert result.returncode == 3, (args, result.stderr)
        assert result.stderr.startswith("quanhe: error: ") and len(result.stderr.splitlines()) <= 2


def test_eval_agrees_with_the_shared_scorer(tmp_path):
    """quanhe eval (in-process) and ../shared/eval/score.py on `quanhe extract` output agree."""
    gold = SHARED / "gold" / "seeds"
    extracted = run("extract", SEEDS, cwd=tmp_path)
    (tmp_path / "pred.jsonl").write_text(extracted.stdout, encoding="utf-8")
    shared = subprocess.run(
        [sys.executable, SHARED / "eval" / "score.py", "--gold", gold, "--pred", "pred.jsonl",
         "--articles", SEEDS, "--json"], cwd=tmp_path, check=False, capture_output=True, text=True)
    assert shared.returncode == 0, shared.stderr
    shared_f1 = shared.stdout.splitlines()[-1]
    shared_figures = json.loads(next(line for line in shared.stdout.splitlines()
                                     if line.startswith("{")))

    ours = run("eval", "--gold", gold, "--corpus", SEEDS, cwd=tmp_path)
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout.splitlines()[-1] == shared_f1
    assert shared_f1.startswith("overall F1 ")
    figures = json.loads(run("eval", "--gold", gold, "--corpus", SEEDS, "--json", cwd=tmp_path).stdout)
    assert figures == shared_figures


def test_eval_usage_errors(tmp_path):
    result = run("eval", "--gold", tmp_path, "--corpus", SEEDS, cwd=tmp_path)
    assert result.returncode == 2 and "no gold" in result.stderr
