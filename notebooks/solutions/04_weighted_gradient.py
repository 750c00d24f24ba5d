def my_weighted_grad(X, y, w, beta):
    """Gradient of sum_i w_i * (y_i - X[i] @ beta)**2 / 2 with respect to beta.

    Keep the index: the i-th term differentiates to w_i * r_i * (-X[i]), and the sum over i of those rows is
    -X.T @ (w * r). With every w_i = 1 this is the half-SSE gradient -X.T @ r.
    """
    residual = y - X @ beta
    return -X.T @ (w * residual)
