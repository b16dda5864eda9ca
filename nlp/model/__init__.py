"""Shipped model data: sentiment weights and the IDF table (written by `siyu nlp train`)."""
