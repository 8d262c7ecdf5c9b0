"""Experiment tracking: runs, their metrics, params, tags and datasets, and searching them."""
