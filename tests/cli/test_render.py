"""Terminal rendering: user text is shown literally, never as rich markup."""

import pytest
from rich.console import Console

from screening.cli.render import list_table
from screening.datasets.synthetic import generate
from screening.pipeline import screen_frames


@pytest.fixture(scope="module")
def ranked():
    data = generate(50, seed=3)
    return screen_frames(data.visits, data.interviews).follow_up


def test_terminal_table_shows_user_text_literally(ranked):
    frame = ranked.head(2).copy()
    frame["visit_id"] = ["[bold red]V1[/]", "V2"]
    frame["region"] = ["[link=http://x]Baku[/link]", "Ganja"]
    console = Console(width=200, record=True)
    console.print(list_table(frame, 2))
    text = console.export_text()
    assert "[bold red]V1[/]" in text
    assert "[link=http://x]Baku[/link]" in text
