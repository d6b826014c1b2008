"""screening.scale: a folder partitioned by site, screened on Dask, gives the pandas path's
list of the same upload as one file; the folder's layout is checked, bad rows are named."""

from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from screening.cli import EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE, main
from screening.datasets.synthetic import generate
from screening.errors import LoaderError, UsageError
from screening.model.versions import load
from screening.pipeline import screen_files
from screening.scale import MANIFEST, partitions, screen_folder, write_partitioned

CAPACITY, EXPLORATION, SEED = 0.1, 0.2, 4


@pytest.fixture(scope="module")
def cluster():
    """One local cluster (two worker processes, as on the benchmark machine) for the module."""
    from distributed import Client, LocalCluster

    with (LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0",
                       silence_logs=logging.ERROR) as local,
          Client(local, set_as_default=False) as client):
        yield client


@pytest.fixture(scope="module")
def model(catalogue):
    return load("default", catalogue)


@pytest.fixture(scope="module")
def upload(tmp_path_factory):
    """12,000 synthetic visits with interviews in 7 site partitions, and the same upload as
    one file per table (the partitions' rows in the folder's order)."""
    root = tmp_path_factory.mktemp("upload")
    data = generate(12_000, seed=11, interviews_per_visit=3.0)
    write_partitioned(data.visits, data.interviews, root / "folder", 7)
    parts = partitions(root / "folder" / "visits", root / "folder" / "interviews")
    for table in ("visits", "interviews"):
        whole = pd.concat([pd.read_parquet(getattr(p, table)) for p in parts], ignore_index=True)
        whole.to_parquet(root / f"{table}.parquet", index=False)
    return root


def _pandas_list(upload, model):
    screening, _ = screen_files(upload / "visits.parquet", upload / "interviews.parquet",
                                model=model, capacity=CAPACITY, exploration=EXPLORATION,
                                seed=SEED)
    return screening.follow_up


def _read_list(folder):
    return pd.read_parquet(folder).sort_values("rank").reset_index(drop=True)


def test_the_dask_list_is_the_pandas_list(upload, model, cluster, tmp_path):
    expected = _pandas_list(upload, model)
    done = screen_folder(upload / "folder" / "visits", upload / "folder" / "interviews",
                         tmp_path / "list", model=model, capacity=CAPACITY,
                         exploration=EXPLORATION, seed=SEED, scheduler=cluster)
    got = _read_list(tmp_path / "list")
    # the sample exercises every global decision: referral-queue visits, the capacity cut,
    # exploration draws below it, and risk-score ties that only the upload order breaks
    assert (expected["tier"] == "urgent").sum() > 100
    assert expected["exploration"].sum() >= 50
    assert expected["risk_score"].duplicated().sum() > 1000
    pd.testing.assert_frame_equal(got, expected)
    for column in ("rank", "tier", "risk_score", "rule_score", "exploration", "selected"):
        assert got[column].tolist() == expected[column].tolist(), column
    assert done.screened == len(expected) == 12_000
    assert done.tiers == {t: int((expected["tier"] == t).sum())
                          for t in ("urgent", "high", "medium", "low")}
    pd.testing.assert_frame_equal(done.top, expected.head(20))
    # each file holds one partition's visits, sorted by rank
    for part, file in zip(partitions(upload / "folder" / "visits"), done.files, strict=True):
        written = pd.read_parquet(file)
        assert written["rank"].is_monotonic_increasing
        assert set(written["visit_id"]) == set(pd.read_parquet(part.visits)["visit_id"])


def test_a_scheduler_address_is_used_as_given(upload, model, tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0",
                      silence_logs=logging.ERROR) as running:
        done = screen_folder(upload / "folder" / "visits", upload / "folder" / "interviews",
                             tmp_path / "list", model=model, capacity=CAPACITY,
                             exploration=EXPLORATION, seed=SEED,
                             scheduler=running.scheduler_address)
        assert len(running.scheduler.workers) == 1, "the cluster is left running"
    pd.testing.assert_frame_equal(_read_list(done.out_dir), _pandas_list(upload, model))


def test_no_scheduler_at_the_address_is_one_clear_error(upload, tmp_path):
    with pytest.raises(UsageError, match="No Dask scheduler answers at 'tcp://127.0.0.1:9'"):
        screen_folder(upload / "folder" / "visits", None, tmp_path / "list",
                      scheduler="tcp://127.0.0.1:9")


def _small_folder(root, visits=60):
    data = generate(visits, seed=2)
    write_partitioned(data.visits, data.interviews, root, 3)
    return data


def test_a_site_in_two_partitions_is_refused_naming_both_files(cluster, tmp_path):
    _small_folder(tmp_path)
    files = sorted((tmp_path / "visits").glob("*.parquet"))
    first, second = pd.read_parquet(files[0]), pd.read_parquet(files[1])
    moved = second.iloc[[0]].assign(site_id=first["site_id"].iloc[0],
                                    visit_id="V-moved")
    pd.concat([second, moved]).to_parquet(files[1], index=False)
    with pytest.raises(LoaderError) as caught:
        screen_folder(tmp_path / "visits", tmp_path / "interviews", tmp_path / "list",
                      scheduler=cluster)
    message = str(caught.value)
    assert f"site_id '{first['site_id'].iloc[0]}' is in {files[0].name} and {files[1].name}" \
        in message
    assert "every visit of a site must be in one file" in message


def test_a_visit_id_in_two_partitions_is_refused(cluster, tmp_path):
    _small_folder(tmp_path)
    files = sorted((tmp_path / "visits").glob("*.parquet"))
    first, second = pd.read_parquet(files[0]), pd.read_parquet(files[1])
    second.loc[second.index[0], "visit_id"] = first["visit_id"].iloc[3]
    second.to_parquet(files[1], index=False)
    with pytest.raises(LoaderError, match=f"visit_id '{first['visit_id'].iloc[3]}' is in "
                                          f"{files[0].name} and {files[1].name}"):
        screen_folder(tmp_path / "visits", None, tmp_path / "list", scheduler=cluster)


def test_rejected_rows_name_their_partition_file_and_the_rest_is_screened(cluster, tmp_path):
    data = _small_folder(tmp_path)
    target = sorted((tmp_path / "visits").glob("*.parquet"))[1]
    visits = pd.read_parquet(target)
    visits["sector"] = visits["sector"].astype(object)
    visits.loc[visits.index[2], "sector"] = "mining"
    bad_id = visits["visit_id"].iloc[2]
    visits.to_parquet(target, index=False)
    done = screen_folder(tmp_path / "visits", tmp_path / "interviews", tmp_path / "list",
                         scheduler=cluster)
    bad_interviews = int((data.interviews["visit_id"] == bad_id).sum())
    assert bad_interviews > 0
    assert done.rejected_rows == 1 + bad_interviews, "rows of both tables, as in one upload"
    assert done.screened == len(data.visits) - 1
    rejected = pd.read_csv(done.rejected_file, dtype=str, keep_default_na=False)
    assert done.rejected_file == tmp_path / "list.rejected.csv"
    bad = rejected[rejected["table"] == "visits"]
    assert bad[["source", "row", "column", "value", "reason"]].values.tolist() == [
        [str(target), "3", "sector", "mining", "unknown_choice"]]
    # the rejected visit's interviews are rejected too, as in one upload, never lost
    assert (rejected["reason"] == "visit_rejected").sum() == bad_interviews
    assert bad_id not in set(_read_list(tmp_path / "list")["visit_id"])


def test_an_unusable_partition_file_is_the_loaders_error_from_the_worker(cluster, tmp_path):
    _small_folder(tmp_path)
    broken = sorted((tmp_path / "visits").glob("*.parquet"))[2]
    broken.write_bytes(b"visit_id,site_id\nV1,S1\n")
    with pytest.raises(LoaderError) as caught:
        screen_folder(tmp_path / "visits", tmp_path / "interviews", tmp_path / "list",
                      scheduler=cluster)
    assert caught.value.source == str(broken)
    assert "could not be read as Parquet" in caught.value.reason
    assert not list((tmp_path / "list").glob("*.parquet")), "no partial list is left"
    assert not list((tmp_path / "list").glob(".staging-*")), "nor the staging folder"


def test_the_output_folder_is_new_empty_or_a_list_written_before(cluster, tmp_path):
    _small_folder(tmp_path)
    out = tmp_path / "list"
    screen_folder(tmp_path / "visits", tmp_path / "interviews", out, scheduler=cluster)
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["complete"] and manifest["screened"] == 60 and len(manifest["files"]) == 3
    again = screen_folder(tmp_path / "visits", tmp_path / "interviews", out, seed=9,
                          scheduler=cluster)
    assert sorted(p.name for p in out.iterdir()) == sorted([MANIFEST, *manifest["files"]])
    assert again.screened == 60
    (out / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="holds other files \\(notes.txt\\)"):
        screen_folder(tmp_path / "visits", tmp_path / "interviews", out, scheduler=cluster)
    assert (out / "notes.txt").read_text() == "mine", "nothing of the user's is deleted"


def test_the_command_line_screens_a_folder_on_the_given_scheduler(upload, cluster, tmp_path):
    out = tmp_path / "list"
    result = CliRunner().invoke(main, [
        "screen", "--engine", "dask", str(upload / "folder" / "visits"), "--interviews",
        str(upload / "folder" / "interviews"), "--model", "default", "--out", str(out),
        "--scheduler", cluster.scheduler.address, "--top", "5"])
    assert result.exit_code == EXIT_OK, result.output
    assert "screened 12000 visits" in result.output
    assert f"to {out} (7 Parquet files, each sorted by rank)" in result.output
    assert len(_read_list(out)) == 12_000
    first = _read_list(out)["visit_id"].iloc[0]
    assert first in result.output


@pytest.mark.parametrize("args, message", [
    (["--engine", "dask", "{visits}"], "give --out FOLDER"),
    (["--engine", "dask", "{visits}", "--out", "{out}", "--format", "csv"],
     "--engine dask writes Parquet files"),
    (["{visits}"], "is a folder; a folder of Parquet files is screened with --engine dask"),
    (["{file}", "--scheduler", "tcp://127.0.0.1:9"], "--scheduler and --workers go with"),
    (["--engine", "dask", "{visits}", "--out", "{out}", "--interviews", "{empty}",
      "--scheduler", "tcp://127.0.0.1:9"], "the interviews folder holds no .parquet file"),
])
def test_command_line_mistakes_are_one_line(upload, tmp_path, args, message):
    values = {"visits": upload / "folder" / "visits", "out": tmp_path / "out",
              "file": upload / "visits.parquet", "empty": tmp_path}
    result = CliRunner().invoke(main, ["screen", *(a.format(**values) for a in args)])
    assert result.exit_code == EXIT_UNUSABLE
    assert message in " ".join(result.output.split())


def test_a_rejected_row_gives_exit_status_3_on_the_command_line(cluster, tmp_path):
    _small_folder(tmp_path)
    target = sorted((tmp_path / "visits").glob("*.parquet"))[0]
    visits = pd.read_parquet(target)
    visits["workers_present"] = visits["workers_present"].astype("float64")
    visits.loc[visits.index[0], "workers_present"] = np.nan
    visits.to_parquet(target, index=False)
    result = CliRunner().invoke(main, [
        "screen", "--engine", "dask", str(tmp_path / "visits"), "--out",
        str(tmp_path / "list"), "--scheduler", cluster.scheduler.address])
    assert result.exit_code == EXIT_REJECTED, result.output
    assert "1 row(s) rejected" in result.output
    assert (tmp_path / "list.rejected.csv").exists()
