"""Slipstream: typed ML workflows, tracking, tuning and serving — local-first, one package."""
