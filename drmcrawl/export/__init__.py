"""Outputs for analysts: CSV / JSON Lines / Parquet files and bundles, the HTML report,
Datasette metadata."""
