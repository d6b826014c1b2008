"""Forced-labour risk screening of labour-inspection visits.

The library behind the ``screening`` command: :mod:`screening.loaders` (upload files, bulk
validation), :mod:`screening.engine` (indicators, ICLS test, tiers), :mod:`screening.pipeline`
(one call from files to the follow-up list), :mod:`screening.training` and
:mod:`screening.versions` (the classifier and its model versions). Submodules are imported on
use, so ``import screening`` stays light.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
