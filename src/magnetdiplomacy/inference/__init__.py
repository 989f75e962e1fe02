"""Inference on the model's free parameters: the stored posterior, ensembles drawn from it,
calibration by approximate Bayesian computation and scenario discovery.

Nothing is imported here, so importing a light submodule (the command line does) pulls in no
numpy, pandas or model code; import the submodule you need, e.g.
``from magnetdiplomacy.inference.posterior import load_posterior``.
"""
