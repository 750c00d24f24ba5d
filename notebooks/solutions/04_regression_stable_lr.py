# Half-SSE has the constant Hessian X_aug^T X_aug; GD is stable while lr < 2 / lambda_max.
eigenvalues = np.linalg.eigvalsh(X_aug.T @ X_aug)
stable_lr = 2 / eigenvalues[-1]
