def gradient(w, b, X, y):
    """Gradient of the mean log loss (1/n) sum log(1 + e^z) - y z, z = X w + b."""
    z = X @ w + b
    p = 1 / (1 + np.exp(-z))  # predicted probability of label 1
    error = p - y  # d loss_i / d z_i
    return X.T @ error / len(y), error.mean()
