def my_half_sse_grad(X, y, beta):
    """Gradient of ||y - X beta||**2 / 2 with respect to beta."""
    residual = y - X @ beta
    return -X.T @ residual
