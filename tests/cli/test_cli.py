"""The command line, called in-process: exit codes, outputs and messages."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from screening.cli import EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE, main
from screening.outputs.explain import explanation
from screening.outputs.reports import read_list
from screening.pipeline import screen_files

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture()
def runner():
    return CliRunner()


def invoke(runner, *args):
    return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_screen_sample_writes_the_whole_list_and_prints_the_top(runner, tmp_path):
    out = tmp_path / "follow-up.csv"
    result = invoke(runner, "screen", EXAMPLES / "visits.csv", "--interviews",
                    EXAMPLES / "interviews.csv", "--top", 5, "--out", out)
    assert result.exit_code == EXIT_OK, result.output
    ranked = read_list(out)
    assert len(ranked) == 300
    assert ranked["rank"].tolist() == list(range(1, 301))
    assert ranked.loc[0, "tier"] == "urgent"
    assert "Follow-up list" in result.output
    assert ranked.loc[0, "visit_id"] in result.output
    assert ranked.loc[10, "visit_id"] not in result.output, "only the top 5 are printed"
    assert "screened 300 visits" in result.output
    assert not (tmp_path / "follow-up.rejected.csv").exists()


@pytest.mark.parametrize("fmt", ["json", "xlsx", "parquet"])
def test_screen_output_formats(runner, tmp_path, fmt):
    out = tmp_path / f"list.{fmt}"
    result = invoke(runner, "screen", EXAMPLES / "visits.csv", "--out", out)
    assert result.exit_code == EXIT_OK, result.output
    assert len(read_list(out)) == 300


def test_screen_csv_to_stdout(runner):
    result = invoke(runner, "screen", EXAMPLES / "visits.csv", "--format", "csv")
    assert result.exit_code == EXIT_OK
    header = result.stdout.splitlines()[0]
    assert header == ("rank,visit_id,site_id,region,sector,visit_date,tier,risk_score,"
                      "rule_score,icls_workers,indicators,reasons,exploration,"
                      "selected,selection_probability,icls_unknown_workers")
    assert len(result.stdout.strip().splitlines()) >= 301
    last_cells = result.stdout.splitlines()[1].rsplit(",", 4)[-4:-2]
    assert last_cells[0] in ("true", "false") and last_cells[1] in ("true", "false"), (
        "booleans as in the CSV file: true/false")


def test_rejected_rows_summarised_written_beside_output_exit_3(runner, tmp_path):
    out = tmp_path / "list.csv"
    result = invoke(runner, "screen", EXAMPLES / "visits-with-errors.csv", "--out", out)
    assert result.exit_code == EXIT_REJECTED
    assert "7 row(s) rejected" in result.output
    assert "'mining' is not an allowed sector" in result.output
    rejected = pd.read_csv(tmp_path / "list.rejected.csv")
    assert list(rejected.columns) == ["source", "table", "row", "column", "value", "reason",
                                      "message", "visit_id", "worker_ref"]  # only added to
    assert rejected.loc[rejected["row"] == 3, "visit_id"].item() == "V0000002"
    assert set(rejected["row"]) == {2, 3, 4, 5, 6, 7, 8}
    assert len(read_list(out)) == 1, "the one good row is still screened"


def test_rejected_without_out_goes_to_current_folder(runner, tmp_path, monkeypatch):
    src = tmp_path / "in" / "bad.csv"
    src.parent.mkdir()
    shutil.copy(EXAMPLES / "visits-with-errors.csv", src)
    monkeypatch.chdir(tmp_path)
    result = invoke(runner, "screen", src)
    assert result.exit_code == EXIT_REJECTED
    assert (tmp_path / "bad.rejected.csv").exists()
    assert not (src.parent / "bad.rejected.csv").exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "was not found"),
        (b"", "empty"),
        (b"visit_id,site_id\nV1,S1\n", "required column"),
        # a legacy-encoded file is decoded (its encoding detected), then judged on its columns
        ("visit_id\n\xe9\n".encode("latin-1"), "required column"),
    ],
    ids=["missing", "empty", "missing-column", "legacy-encoding-read"],
)
def test_unusable_input_exit_2_one_line(runner, tmp_path, content, message):
    path = tmp_path / "visits.csv"
    if content is not None:
        path.write_bytes(content)
    result = invoke(runner, "screen", path)
    assert result.exit_code == EXIT_UNUSABLE
    assert message in result.output
    assert "Traceback" not in result.output


def test_binary_format_needs_out(runner):
    result = invoke(runner, "screen", EXAMPLES / "visits.csv", "--format", "parquet")
    assert result.exit_code == EXIT_UNUSABLE
    assert "give --out FILE" in result.output


def test_azerbaijani_reasons(runner, tmp_path):
    out = tmp_path / "list.csv"
    invoke(runner, "screen", EXAMPLES / "visits.csv", "--interviews", EXAMPLES / "interviews.csv",
           "--out", out, "--lang", "az")
    reasons = " ".join(read_list(out)["reasons"])
    assert "müsahibə edilmiş" in reasons.lower()


def test_indicators_table_and_json(runner):
    table = invoke(runner, "indicators")
    assert table.exit_code == EXIT_OK
    assert "ICLS-FL-WORKERS" in table.output and "[unverified]" in table.output
    rows = json.loads(invoke(runner, "indicators", "--format", "json").output)
    ids = {r["id"] for r in rows}
    assert {"ICLS-FL-WORKERS", "ILO-FL07-DOCUMENTS", "ICLS-CO-DOCUMENTS"} <= ids
    az = json.loads(invoke(runner, "indicators", "--format", "json", "--lang", "az").output)
    assert any(r["name"] == "Həssas vəziyyətdən sui-istifadə" for r in az)


def test_explain_shows_evidence_and_icls_per_worker(runner, engine):
    screening, _ = screen_files(EXAMPLES / "visits.csv", EXAMPLES / "interviews.csv",
                                engine=engine)
    ranked = screening.follow_up
    top = ranked.loc[ranked["icls_workers"].fillna(0) > 0].iloc[0]
    data = explanation(screening, engine, top["visit_id"])
    assert [f["id"] for f in data["fired"]] == top["indicators"].split(";")
    assert " ".join(f["evidence"] for f in data["fired"]) == top["reasons"]
    positives = [w for w in data["workers"] if w["icls"] == "positive"]
    assert len(positives) == top["icls_workers"]
    assert all(w["involuntariness"] and w["coercion"] for w in positives)
    result = invoke(runner, "explain", top["visit_id"])
    assert result.exit_code == EXIT_OK, result.output
    assert "Fired indicators" in result.output
    assert "ICLS-FL-WORKERS" in result.output
    assert "positive" in result.output  # the worker table
    assert positives[0]["worker_ref"] in result.output


def test_explain_unknown_visit(runner):
    result = invoke(runner, "explain", "NOPE")
    assert result.exit_code == EXIT_UNUSABLE
    assert "No visit with id 'NOPE'" in result.output


def test_synth_then_screen(runner, tmp_path):
    result = invoke(runner, "synth", "--visits", 50, "--seed", 3, "--out", tmp_path,
                    "--format", "parquet")
    assert result.exit_code == EXIT_OK
    assert (tmp_path / "visits.parquet").exists()
    screened = invoke(runner, "screen", tmp_path / "visits.parquet", "--interviews",
                      tmp_path / "interviews.parquet", "--out", tmp_path / "list.csv")
    assert screened.exit_code == EXIT_OK
    assert len(read_list(tmp_path / "list.csv")) == 50


def test_every_command_has_help_and_is_in_the_readme(runner):
    readme = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        result = invoke(runner, name, "--help")
        assert result.exit_code == 0 and "Usage" in result.output
        assert f"`screening {name}" in readme, f"{name} is not documented in the README"
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--") and opt != "--help":
                    assert opt in readme, f"{name} {opt} is not documented in the README"


_PROBE = """
import sys
from screening.cli import main

@main.command("probe")
def probe():
    import numpy
    # numpy keeps the setting it read at import; setting it again returns the one it had
    print(numpy._core.multiarray._set_madvise_hugepage(True))

main(["probe"])
"""


@pytest.mark.parametrize(("preset", "expected"), [(None, "False"), ("1", "True")])
def test_a_command_asks_numpy_for_no_huge_pages_unless_told_otherwise(preset, expected):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    if preset is not None:
        env["NUMPY_MADVISE_HUGEPAGE"] = preset
    done = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == expected, done.stderr
