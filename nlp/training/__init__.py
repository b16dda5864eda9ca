"""Training the sentiment model (scikit-learn, optional extra `train`). Never imported
on the message path."""
