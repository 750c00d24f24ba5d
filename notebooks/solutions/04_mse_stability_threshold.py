# The MSE ||r||**2 / n has the constant Hessian (2/n) X_aug^T X_aug (half-SSE: X_aug^T X_aug).
# Gradient descent fails from lr = 2 / (its largest eigenvalue) on.
n = X_aug.shape[0]
mse_hessian = 2 / n * X_aug.T @ X_aug
mse_threshold = 2 / np.linalg.eigvalsh(mse_hessian)[-1]
