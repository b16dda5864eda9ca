"""Personal data under China's PIPL (issue 17): erasure, export, consent, retention.

Every table that refers to a customer is named in `coverage.REFERENCES` with what erasure does
to it; a test compares that list with Tortoise's model registry, so a new table holding a
customer reference fails CI until erasure and export cover it."""
