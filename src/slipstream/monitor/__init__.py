"""Drift monitoring: a reference data set against current data, per feature (PSI,
Kolmogorov-Smirnov, chi-squared) with a verdict for the data set, stored and tracked reports,
and triggers that launch a plan (retraining) when drift is found."""
