import numpy as np

# f = x**2 + 2y**2 at (1, -2): grad f = (2x, 4y) = (2, -8); steepest descent is -grad f / |grad f|
g = np.array([2 * 1.0, 4 * -2.0])
u = -g / np.linalg.norm(g)
