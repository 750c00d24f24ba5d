# The Hessian of a quadratic is constant; along its steepest eigenvector one step multiplies the error by
# 1 - lr * L, which reaches -1 at lr = 2 / L: from there on gradient descent no longer converges.
eigenvalues = np.linalg.eigvalsh(quad.hess([0.0, 0.0]))
threshold_lr = 2 / eigenvalues[-1]
