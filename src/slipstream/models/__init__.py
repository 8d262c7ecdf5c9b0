"""Models: packaging (flavors, signatures, the model folder), `log_model` / `load_model`, and the
registry's Python API (`ss.models.register_model`, aliases). Imports are lazy."""
