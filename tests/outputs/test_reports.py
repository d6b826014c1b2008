"""Every output format round-trips the follow-up list."""

import numpy as np
import pandas as pd
import pytest

from screening.datasets.synthetic import generate
from screening.outputs.reports import format_of, read_list, rejected_path, write_list
from screening.pipeline import screen_frames


@pytest.fixture(scope="module")
def ranked():
    data = generate(300, seed=11, prevalence=0.1)
    follow_up = screen_frames(data.visits, data.interviews).follow_up
    # something to escape and a risk score column with values, as with a model
    follow_up.loc[0, "reasons"] = 'Quote " comma , newline\nand Azərbaycan dili: ə ğ ı ö ş ü ç'
    follow_up["risk_score"] = np.linspace(0, 1, len(follow_up))
    follow_up.loc[1, "risk_score"] = np.nan
    follow_up.loc[2, "exploration"] = True
    return follow_up


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx", "parquet"])
def test_round_trip(ranked, tmp_path, fmt):
    path = write_list(ranked, tmp_path / f"list.{fmt}")
    back = read_list(path)
    assert list(back.columns) == list(ranked.columns)
    pd.testing.assert_frame_equal(
        back.reset_index(drop=True),
        ranked.reset_index(drop=True),
        check_dtype=False,
        check_exact=False,
        rtol=1e-12,
    )
    assert back["exploration"].tolist() == ranked["exploration"].tolist()
    assert pd.isna(back.loc[1, "risk_score"])


def test_csv_booleans_lowercase_and_dates_iso(ranked, tmp_path):
    text = write_list(ranked, tmp_path / "list.csv").read_text(encoding="utf-8")
    header, first = text.splitlines()[:2]
    assert header.startswith("rank,visit_id,site_id,region,sector,visit_date,tier,risk_score")
    assert ",true" in text and ",false" in text
    date = ranked.loc[3, "visit_date"].strftime("%Y-%m-%d")
    assert date in text


def test_format_of_and_rejected_path():
    assert format_of("out/x.PARQUET") == "parquet"
    with pytest.raises(ValueError, match="Cannot tell the output format"):
        format_of("out/x.txt")
    assert str(rejected_path("out/follow-up.csv")) == "out/follow-up.rejected.csv"
