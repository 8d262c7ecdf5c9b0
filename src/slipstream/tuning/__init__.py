"""tuning layer: hyperparameter studies (the Katib model) on Optuna's samplers and pruners.

    api.py         ss.tune, ss.resume_study, ss.suggest; the study store of the settings
    space.py       ss.uniform / loguniform / intrange / choice; the space file format
    algorithms.py  algorithm and early_stopping names (and algorithm settings) -> Optuna
                   samplers and pruners; grid order
    tuner.py       the ask/tell loop over the engine's executor; records trials and nodes
    runs.py        the tracked runs a tuner writes with its trials
    trial.py       the trial task, ss.report, ss.TrialPruned
    link.py        how a trial (in this process or a worker) reaches its tuner's pruner
    study.py       StudyHandle: what tune and resume_study return

Optuna is imported only when a study runs or a distribution is made.
"""
