"""Write notebooks/retrain.ipynb, the analyst's retraining notebook, without outputs.

Run ``python notebooks/make_retrain.py`` after editing the cells below; the output is the same
bytes every time (fixed cell ids, no outputs, no execution counts), so the committed notebook
diffs cleanly. The notebook only calls library code; see its first cell for how to use it.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
TARGET = HERE / "retrain.ipynb"

CELLS: list[tuple[str, str, str]] = []  # (id, kind, source)


def md(cell_id: str, text: str) -> None:
    CELLS.append((cell_id, "markdown", text.strip("\n")))


def code(cell_id: str, text: str) -> None:
    CELLS.append((cell_id, "code", text.strip("\n")))


md("intro", '''
# Retrain the forced-labour risk model

This notebook retrains the classifier that ranks labour-inspection visits for follow-up, shows
how well the new model does on the **latest 20 % of the labelled visits** (held out: the model
never saw them), compares it with the model in use (`models/default`) on exactly those visits,
and, only if you ask for it, saves it as a new model version with its card and plots.

Top to bottom:

1. **Data**: synthetic visits by default, or your own files.
2. **Indicator rates** by sector and region, from the rule engine alone.
3. **Training** (`screening.model.training.train`) and its evaluation at inspection capacity:
   random, rules only, model only and the combined follow-up list side by side.
4. **Plots**: precision-recall, calibration, recall against capacity.
5. **Comparison** with `models/default` on the same held-out visits.
6. **Saving** a new model version (only when `SAVE = True`) and the list of versions.

**Using real files.** In the next cell set

- `VISITS`: the visits table (`.csv`, `.xlsx`, `.json` or `.parquet`, the upload format in the
  README); an `.xlsx` or `.json` file may hold the interviews too;
- `INTERVIEWS`: the interviews table, or `None` when `VISITS` holds them (or none were taken);
- `OUTCOMES`: the follow-up outcomes (`visit_id, outcome, decided_on, source`);
- or `FROM_STORE = True`: the service's store instead of files (the current visits, their
  interviews and the decided reviews, with the exploration flags and selection probabilities
  of the follow-up list they were chosen from). The store is found through the service's
  settings: set `SCREENING_DATA_DIR` (the data folder the service uses, where its SQLite file
  is) or `SCREENING_DATABASE_URL` (PostgreSQL) before starting Jupyter, as `make notebook`
  does with the values of your shell.

Paths are relative to the folder the notebook runs in (usually `notebooks/`), or absolute.
Rows that fail validation are listed and left out; the good rows are used. With
`OUTCOMES = None` the notebook makes `N_VISITS` synthetic visits instead
(`screening.datasets.synthetic`): fine for trying the notebook, **never for real follow-up
decisions**
(a model saved from them says so on its card, as it does when every outcome in your files
has the source `synthetic`).

`SAVE = True` writes `models/<NEW_VERSION>/` (model, card, plots); nothing is written
otherwise. **Making a model active** has one way: promotion, which compares the candidate with
the active model on the most recent decided visits neither has seen and refuses it when it is
worse on recall at capacity or calibration (unless an admin forces it with a written reason,
kept in its card). An admin promotes on the model page ("Make active") or with
`screening models promote NEW_VERSION --user <admin>`; `screening models compare NEW_VERSION`
shows the comparison first. The last cell of this notebook runs that comparison when the data
came from the store.

When the environment variable `SCREENING_NOTEBOOK_SMALL=1` is set (the test suite does this)
the notebook uses 6,000 synthetic visits and saves into a temporary models folder, never into
the real one.
''')

code("parameters", '''
import os
import tempfile
from datetime import date

SMALL = os.environ.get("SCREENING_NOTEBOOK_SMALL") == "1"  # quick run for the test suite

VISITS = None  # e.g. "../data/visits.csv"
INTERVIEWS = None  # e.g. "../data/interviews.csv"; None: in VISITS, or no interviews
OUTCOMES = None  # e.g. "../data/outcomes.csv"; None = synthetic data
FROM_STORE = False  # True: the service's store (SCREENING_DATA_DIR / SCREENING_DATABASE_URL)
N_VISITS = 6_000 if SMALL else 50_000  # synthetic visits (only when OUTCOMES is None)
SEED = 0  # synthetic data, exploration draw and model fitting
CAPACITY = 0.05  # share of visits the inspectorate can follow up
NEW_VERSION = f"retrained-{date.today().isoformat()}"  # folder name of the new version
SAVE = False  # True: write models/<NEW_VERSION>

if SMALL:  # save into a throw-away models folder, never into the real one
    SAVE = True
    os.environ["SCREENING_MODELS_DIR"] = tempfile.mkdtemp(prefix="screening-models-")
''')

code("path", '''
import importlib.util
import sys
from pathlib import Path

# make the project importable when it is not installed and the notebook runs from notebooks/
if importlib.util.find_spec("screening") is None and (Path.cwd().parent / "screening").is_dir():
    sys.path.insert(0, str(Path.cwd().parent))
''')

code("imports", '''
import io

import numpy as np
import pandas as pd
from IPython.display import Image, Markdown, display
from matplotlib.figure import Figure

from screening.datasets.synthetic import generate
from screening.ingest.loaders import load_outcomes, load_upload
from screening.model import versions
from screening.model.features import feature_frame
from screening.model.monitoring import label_counts
from screening.model.plots import write_plots
from screening.model.training import evaluate, labels, train
from screening.rules.engine import RuleEngine

pd.set_option("display.precision", 3)
pd.set_option("display.max_rows", 80)
pd.set_option("display.width", 120)

# the project's real models folder (screening is a namespace package: no screening.__file__)
REAL_MODELS = Path(versions.__file__).resolve().parents[1] / "models"
engine = RuleEngine()


def show(fig: Figure) -> None:
    """Display a matplotlib figure as a PNG (independent of the plotting backend)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    display(Image(buffer.getvalue()))


def threshold(candidate) -> str:
    """A model's escalation threshold as text ("never" when it never escalates)."""
    value = candidate.escalation_threshold
    return "never" if value > 1 else f"{value:.3f}"


print(f"models folder for saving: {versions.models_dir()}")
print(f"models/default is looked up in: {REAL_MODELS}")
''')

md("data-md", '''
## 1. Data

Synthetic visits, interviews and their true outcomes by default; otherwise your files, loaded
and validated exactly as `screening screen` and `screening train` do. Visits without an outcome
are kept for the indicator rates and for the site history but are not used to train or
evaluate.
''')

code("data", '''
if FROM_STORE:  # visits, interviews and decided reviews, with exploration flags
    from screening.settings import load_settings
    from screening.store import migrate, outcomes_frame
    from screening.store.frames import stored_frames

    store = migrate(load_settings())  # SCREENING_DATA_DIR / SCREENING_DATABASE_URL
    visits, interviews = stored_frames(store)
    outcomes = outcomes_frame(store)
    display(Markdown(f"**From the store**: {len(visits):,} visits, {len(outcomes):,} decided "
                     f"outcomes, {int(outcomes['exploration'].fillna(False).sum()):,} of them "
                     "from exploration slots (`selection_probability` lets training weight "
                     "them)."))
elif OUTCOMES is None:
    data = generate(N_VISITS, seed=SEED)
    visits, interviews, outcomes = data.visits, data.interviews, data.outcomes
    display(Markdown(f"**Synthetic data**: {N_VISITS:,} visits, seed {SEED} "
                     "(for trying the notebook only)."))
else:
    if VISITS is None:
        raise ValueError("OUTCOMES is set but VISITS is not: set VISITS (and INTERVIEWS).")
    upload = load_upload(VISITS, INTERVIEWS)
    outcome_file = load_outcomes(OUTCOMES)
    print(upload.summary())
    print(outcome_file.summary())
    rejected = pd.concat([upload.rejected, outcome_file.rejected], ignore_index=True)
    if len(rejected):
        display(Markdown(f"**{len(rejected):,} cell(s) rejected**; their rows are left out. "
                         "By table, column and reason, then the first 20:"))
        display(rejected.groupby(["table", "column", "reason"]).size().rename("cells")
                .sort_values(ascending=False).to_frame())
        display(rejected.head(20))
    visits, interviews, outcomes = upload.visits, upload.interviews, outcome_file.outcomes
# as `screening train` does, files whose every outcome comes from screening.datasets.synthetic
# count as synthetic too: the card of a model saved from them says so
SYNTHETIC = (OUTCOMES is None and not FROM_STORE) or bool(
    len(outcomes) and "source" in outcomes and outcomes["source"].eq("synthetic").all())

matched = outcomes["visit_id"].isin(visits["visit_id"])
dates = pd.to_datetime(visits["visit_date"])
display(pd.Series({
    "visits": len(visits),
    "interviews": len(interviews),
    "outcomes": len(outcomes),
    "outcomes matching a visit": int(matched.sum()),
    "first visit": str(dates.min().date()),
    "last visit": str(dates.max().date()),
    "synthetic": SYNTHETIC,
}, name="data").to_frame())
display(outcomes.loc[matched, "outcome"].value_counts().rename("visits").to_frame())
''')

md("ready-md", '''
### Readiness: are there enough decided outcomes?

Training needs forced-labour outcomes in both parts of the training period (the booster's and
the calibration's) and in the held-out part. Below: decided outcomes per class, by month.
''')

code("ready", '''
known = outcomes.loc[matched]
by_class = known["outcome"].value_counts().reindex(
    ["forced_labour", "labour_violation", "no_violation"], fill_value=0)
display(by_class.rename("decided outcomes").to_frame())
months = pd.to_datetime(known["decided_on"]).dt.strftime("%Y-%m")
display(label_counts(known.assign(month=months), "month").set_index("month"))
positives = int(by_class["forced_labour"])
if positives < 10:
    display(Markdown(f"**Not ready**: {positives} forced-labour outcome(s); training needs at "
                     "least one in each of its three periods, and a useful model many more "
                     "(at least 10 here). Decide more follow-ups first."))
''')

md("live-md", '''
### How the list does on decided follow-ups (from the store)

With `FROM_STORE = True`: the live performance the `/performance` page shows, for the visits the
active model screened: hit rates by tier and by risk-score band (with 95 % intervals), the
exploration slots' rate (the estimate for unflagged visits) and precision and recall at capacity.
''')

code("live", '''
if FROM_STORE:
    from screening.service.performance import live_performance
    from screening.settings import load_settings
    from screening.store import create_engine_for

    live = live_performance(create_engine_for(load_settings()))
    display(Markdown(f"**{live['decided']:,} decided visits** "
                     f"(exploration: {live['exploration']}; at capacity: "
                     f"{live['at_capacity']})"))
    for key in ("by_tier", "by_risk_band"):
        if live[key]:
            display(pd.DataFrame(live[key]).set_index("group").rename_axis(key))
else:
    display(Markdown("Live performance needs `FROM_STORE = True` (decided reviews of the "
                     "service's store)."))
''')

md("rates-md", '''
## 2. Indicator rates by sector and region

The rule engine alone (no model): the share of visits on which each site-level indicator fired,
by sector, and the rule-based tiers by region. An indicator that never fires, or fires almost
everywhere, in a sector is worth a look before trusting a model trained on it.
''')

code("rates", '''
result = engine.run(visits, interviews)
sector = visits["sector"].astype(str)
rates = result.fired.groupby(sector).mean().T
rates.insert(0, "all visits", result.fired.mean())
rates = rates.sort_values("all visits", ascending=False)
display(Markdown("**Share of visits (%) on which each indicator fired, by sector**"))
display((100 * rates).round(1))
''')

code("rates-chart", '''
top = rates.drop(columns="all visits").head(15).iloc[::-1]
fig = Figure(figsize=(9, 6.5))
ax = fig.subplots()
height = 0.8 / top.shape[1]
for j, name in enumerate(top.columns):
    ax.barh(np.arange(len(top)) + j * height, 100 * top[name], height=height, label=name)
ax.set_yticks(np.arange(len(top)) + height * (top.shape[1] - 1) / 2, top.index, fontsize=8)
ax.set(xlabel="% of visits on which the indicator fired",
       title="The 15 most frequent indicators, by sector")
ax.legend(loc="lower right")
show(fig)
''')

code("tiers", '''
tier = pd.Series(result.tier, index=visits.index, name="tier")
region = visits["region"].astype(str).rename("region")
display(Markdown("**Rule-based tiers by region (visits)**"))
display(pd.crosstab(region, tier, margins=True, margins_name="all"))
display(Markdown("**Rule-based tiers by region (% of the region's visits)**"))
display((100 * pd.crosstab(region, tier, normalize="index")).round(1))
display(Markdown("**Rule-based tiers by sector (% of the sector's visits)**"))
display((100 * pd.crosstab(sector.rename("sector"), tier, normalize="index")).round(1))
''')

md("train-md", '''
## 3. Train and evaluate

`screening.model.training.train` sorts the labelled visits by visit date, holds out the latest 20 %,
fits the model on the earlier ones (their own latest part calibrates it and sets the escalation
threshold) and evaluates on the held-out later visits. Every figure below is from the held-out
visits.

- **At capacity**: if the inspectorate follows up `k` visits (`CAPACITY` of them), how many of
  those are forced labour (`precision@k`), what share of all forced-labour visits they catch
  (`recall@k`) and how many times better than picking at random (`lift`). The *combined
  follow-up list* is what inspectors get: rule tiers first (the model can raise a low or medium
  visit by one tier), then the risk score.
- **Probability**: PR AUC (random = the prevalence) and the Brier score (lower is better; the
  baseline always predicts the prevalence).
- **Calibration**: in ten bins of equal size, the mean predicted probability against the
  observed share of forced labour; they should be close.
- **By sector / region**: recall@k within each group when the top `k` is chosen over all
  visits; `gap` is the difference from the overall recall.
- **Exploration**: the few slots drawn at random below the top of the list; their hit rate
  estimates how much forced labour the list misses.
''')

code("train", '''
TEST_SHARE = 0.2  # train()'s default: the latest 20 % of the labelled visits are held out
model, report = train(visits, interviews, outcomes, engine=engine, test_share=TEST_SHARE,
                      capacity=CAPACITY, seed=SEED)
facts = report.facts
display(pd.Series({
    "labelled visits": facts["labelled_visits"],
    "training visits": f"{facts['train_visits']:,} ({' to '.join(facts['train_period'])})",
    "training forced labour": f"{facts['train_positives']:,} "
                              f"({facts['train_prevalence']:.2%})",
    "held-out visits": f"{facts['test_visits']:,} ({' to '.join(facts['test_period'])})",
    "held-out forced labour": f"{facts['test_positives']:,}",
    "calibration": f"{facts['calibration_method']} on {facts['calibration_rows']:,} visits",
    "boosting iterations": facts["iterations"],
    "escalation threshold": threshold(model),
    "visits escalated (held out)": facts["escalated"],
    "capacity": f"{facts['capacity']:.0%} -> k = {facts['k']:,}",
}, name="training").to_frame())
''')

code("report", '''
display(Markdown(f"**At capacity** (k = {facts['k']:,} of {facts['test_visits']:,} "
                 "held-out visits)"))
display(report.at_capacity.set_index("ordering"))
display(Markdown("**Probability**"))
display(pd.Series(report.probability, name="held out").map("{:.5f}".format).to_frame())
display(Markdown("**Calibration**"))
display(report.calibration)
''')

code("groups", '''
display(Markdown("**recall@k by sector**"))
display(report.by_sector)
display(Markdown("**recall@k by region**"))
display(report.by_region)
display(Markdown("**Exploration**"))
display(pd.Series(report.exploration, name="exploration").to_frame())
''')

md("plots-md", '''
## 4. Plots

The same plots that are saved with a model version, written to a temporary folder.
''')

code("plots", '''
plots_dir = Path(tempfile.mkdtemp(prefix="screening-plots-"))
for name in write_plots(report, plots_dir):
    display(Markdown(f"**{name}**"))
    display(Image(filename=str(plots_dir / name)))
''')

md("compare-md", '''
## 5. Compare with `models/default`

The model in use is scored on **the same held-out visits** (the split is reproduced with
`screening.model.training.labels` as `train` makes it, and checked by re-evaluating the new model on
it). When `models/default` was trained on data that include these visits (for example an
earlier export of the same records), its figures here are too good.
''')

code("compare", '''
labelled, y = labels(visits, outcomes)
rows = np.flatnonzero(labelled)
visit_dates = pd.to_datetime(visits["visit_date"]).to_numpy()
rows = rows[np.argsort(visit_dates[rows], kind="stable")]
test_rows = rows[int(round(len(rows) * (1 - TEST_SHARE))):]
frame = feature_frame(visits, result, engine.catalogue, outcomes)


def held_out(candidate):
    """Evaluate a model on the held-out visits, as train() does."""
    return evaluate(candidate, visits.iloc[test_rows], result, frame.iloc[test_rows],
                    y[test_rows], capacity=CAPACITY, seed=SEED, positions=test_rows)


pd.testing.assert_frame_equal(held_out(model).at_capacity, report.at_capacity)  # same split

default_model = default_report = None
if not (REAL_MODELS / "default").exists():
    why = f"there is no model version at {REAL_MODELS / 'default'} (yet)"
else:
    try:
        default_model = versions.load("default", engine.catalogue, base=REAL_MODELS)
    except versions.ModelError as exc:
        why = str(exc)
if default_model is None:
    display(Markdown(f"**Not compared with `models/default`**: {why.rstrip('.')}."))
else:
    default_report = held_out(default_model)
    trained = default_model.info.get("training_data", {})
    display(pd.DataFrame({
        "new": {"trained on": " to ".join(facts["train_period"]),
                "training visits": facts["train_visits"],
                "synthetic": SYNTHETIC,
                "escalation threshold": threshold(model)},
        "default": {"trained on": " to ".join(trained.get("train_period") or []),
                    "training visits": trained.get("train_visits"),
                    "synthetic": trained.get("synthetic"),
                    "escalation threshold": threshold(default_model)},
    }))
    until = (trained.get("train_period") or [""])[-1]
    if OUTCOMES is not None and until >= facts["test_period"][0]:
        display(Markdown(
            f"**Note**: `default` was trained on visits up to {until} and the held-out visits "
            f"start on {facts['test_period'][0]}: if it saw some of these records, its "
            "figures below are too good."))
    display(Markdown(f"**At capacity on the same {len(test_rows):,} held-out visits** "
                     f"(k = {facts['k']:,})"))
    display(pd.concat({"new": report.at_capacity.set_index("ordering"),
                       "default": default_report.at_capacity.set_index("ordering")}, axis=1))
    display(pd.DataFrame({"new": report.probability, "default": default_report.probability})
            .map("{:.5f}".format).replace("nan", ""))
    display(pd.DataFrame({"new": report.by_sector["recall@k"],
                          "default": default_report.by_sector["recall@k"]})
            .rename_axis("recall@k by sector"))
''')

md("save-md", '''
## 6. Save the new version

With `SAVE = True` the new model, its card (data, features, metrics, limitations) and its plots
go to `<models folder>/<NEW_VERSION>/`, and the saved file is loaded back to check that it
scores the held-out visits exactly as evaluated. An existing version is never overwritten.
Then the versions in the models folder are listed (`screening models` shows the same).
''')

code("save", '''
if SAVE:
    folder = versions.models_dir() / NEW_VERSION
    if (folder / versions.CARD_FILE).exists():
        raise FileExistsError(f"Model version {folder} exists already; change NEW_VERSION.")
    versions.save(model, report, engine.catalogue, folder, synthetic=SYNTHETIC)
    reloaded = versions.load(NEW_VERSION, engine.catalogue)
    held = frame.iloc[test_rows]
    assert np.array_equal(reloaded.risk_score(held), model.risk_score(held))
    display(Markdown(f"Saved **{NEW_VERSION}** in `{folder}`."))
else:
    display(Markdown("`SAVE` is `False`: nothing was written."))
models = versions.list_models()
if models.empty:
    display(Markdown(f"No model versions in `{versions.models_dir()}`."))
else:
    display(models)
''')


md("promote-md", '''
## 7. Compare with the active model, as promotion will

When the data came from the service's store and the new version was saved, this compares it
with the service's active model on the most recent decided visits that neither has seen, the
comparison that `screening models promote` and the model page's "Make active" rest on.
''')

code("promote", '''
if FROM_STORE and SAVE:
    from screening.service import open_services
    from screening.service.promotion import compare

    try:
        comparison = compare(open_services(), NEW_VERSION, capacity=CAPACITY)
        display(pd.DataFrame(comparison.rows).set_index("model"))
        verdict = (f"worse on {' and '.join(comparison.worse)}: promotion will refuse it"
                   if comparison.worse else "not worse: an admin may promote it")
        display(Markdown(f"On {comparison.visits:,} decided visits after {comparison.since}, "
                         f"the new version is **{verdict}**."))
    except versions.ModelError as exc:
        display(Markdown(f"**Not compared**: {exc}"))
else:
    display(Markdown("Not compared with the service's active model: that needs "
                     "`FROM_STORE = True` and `SAVE = True`."))
''')

def build() -> nbformat.NotebookNode:
    """The notebook, without outputs."""
    cells = []
    for cell_id, kind, source in CELLS:
        if kind == "markdown":
            cell = new_markdown_cell(source)
        else:
            cell = new_code_cell(source)
            if cell_id == "parameters":
                cell.metadata["tags"] = ["parameters"]  # papermill can inject parameters here
        cell.id = cell_id
        cells.append(cell)
    notebook = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    })
    nbformat.validate(notebook)
    return notebook


def main() -> None:
    TARGET.write_text(nbformat.writes(build()) + "\n", encoding="utf-8")
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
