"""Helpers the tests share that are not fixtures: private servers to break on purpose."""
