def my_add_bias(X):
    """X with a column of ones appended last, so beta = [w1, ..., wd, intercept]."""
    return np.hstack([X, np.ones((X.shape[0], 1))])
