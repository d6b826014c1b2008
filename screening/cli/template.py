"""``screening template``: the upload template (XLSX) generated from the upload contract."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("--lang", type=click.Choice(["en", "az"]), default="en", show_default=True,
              help="Language of the header comments, the drop-down messages and the guide.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the workbook (.xlsx).")
def template(lang: str, out: Path) -> None:
    """Write the upload template: an XLSX workbook with the sheets visits and interviews,
    the contract's column names in the header row, a comment on each header (meaning, type,
    unit, allowed values, required), drop-downs for the choice and true/false columns and for
    the regions of SCREENING_REGIONS, date cells (dd.mm.yyyy in Azerbaijani), and a sheet with
    the column guide. Fill it in and upload
    it as it is."""
    from screening.ingest.regions import configured
    from screening.outputs.template import upload_template
    from screening.settings import load_settings

    if out.suffix.lower() != ".xlsx":
        raise click.UsageError(f"Cannot write the template to '{out}': give a .xlsx file name.")
    regions = configured(load_settings().regions)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(upload_template(lang, regions.names if regions else None))
    click.echo(f"Wrote the upload template ({lang}) to {out}.")


COMMANDS = (template,)

__all__ = ["COMMANDS", "template"]
