"""Data sets beside the engine: synthetic visits with hidden outcomes (``synthetic``) and
adapters for public real-world data kept outside the repository (``realdata``)."""
