"""Storage tests: a package, so its conftest (both backends) is `storage.conftest`, not a second `conftest` module."""
