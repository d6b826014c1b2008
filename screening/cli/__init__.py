"""The ``screening`` command line. Commands are registered here, explicitly:

- :mod:`screening.cli.screen`: ``screen``, ``indicators``, ``explain``, ``synth``;
- :mod:`screening.cli.models`: ``train``, ``evaluate``, ``models``;
- :mod:`screening.cli.service`: ``serve``, ``users``, ``notify``;
- :mod:`screening.cli.report`: ``report`` (the yearly statistics table);
- :mod:`screening.cli.template`: ``template`` (the upload template).

They share :mod:`screening.cli.common` and render with :mod:`screening.cli.render`.
"""

from __future__ import annotations

import click

from screening.cli import models, report, screen, service, template
from screening.cli.common import EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE, fail, without_huge_pages
from screening.errors import ScreeningError


class _Commands(click.Group):
    """The command group: a library error that reaches it is one line and exit status 2."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ScreeningError as exc:
            fail(str(exc))


@click.group(cls=_Commands,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="forced-labour-screening")
def main() -> None:
    """Forced-labour risk screening of labour-inspection visits.

    Scores site visits and worker interviews against the codified indicators of forced labour
    (ILO 11 indicators, ICLS 2018, ILO-EC operational indicators, national labour law) and
    prints a ranked follow-up list with plain-language reasons.
    """
    without_huge_pages()


for _module in (screen, models, service, report, template):
    for _command in _module.COMMANDS:
        main.add_command(_command)

__all__ = ["EXIT_OK", "EXIT_REJECTED", "EXIT_UNUSABLE", "main"]

if __name__ == "__main__":  # pragma: no cover - `python -m screening.cli`
    main()
