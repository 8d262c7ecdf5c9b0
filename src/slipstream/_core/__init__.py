"""Lowest layer: errors, settings, identifiers. Imports nothing else from slipstream."""
