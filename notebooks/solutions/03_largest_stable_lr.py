# The Hessian of a quadratic is constant; GD is stable while lr < 2 / (largest eigenvalue).
eigenvalues = np.linalg.eigvalsh(quad.hess([0.0, 0.0]))
stable_lr = 2 / eigenvalues[-1]
