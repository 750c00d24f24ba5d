import numpy as np


def grad_f(p):
    """Gradient of f(x, y) = x**2 y + 3 y**2 - 2x: (2xy - 2, x**2 + 6y)."""
    x, y = p
    return np.array([2 * x * y - 2, x**2 + 6 * y])
