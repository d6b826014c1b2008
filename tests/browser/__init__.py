"""Real-browser tests of the web pages (a package, so that its conftest does not clash
with tests/conftest.py under --doctest-modules)."""
