"""Forced-labour risk screening of labour-inspection visits.

The library behind the ``screening`` command: :mod:`screening.ingest.loaders` (upload files, bulk
validation), :mod:`screening.rules.engine` (indicators, ICLS test, tiers), :mod:`screening.pipeline`
(one call from files to the follow-up list), :mod:`screening.model.training` and
:mod:`screening.model.versions` (the classifier and its model versions). Submodules are imported on
use, so ``import screening`` stays light.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
