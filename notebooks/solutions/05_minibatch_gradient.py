# Solution: the MSE gradient on one minibatch (notebooks/05_sgd.ipynb, exercise 1)
def my_minibatch_grad(X, y, beta, rows):
    XB, yB = X[rows], y[rows]  # only the rows of this minibatch
    residual = yB - XB @ beta
    return -2.0 / len(rows) * XB.T @ residual  # mean over the batch, not over all n examples
