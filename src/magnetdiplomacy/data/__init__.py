"""Sourced calibration data and the policy timeline, copied from the project's shared data."""
