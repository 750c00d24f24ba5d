def direction(H, g):
    """The Newton direction: solve H p = -g rather than forming the inverse of H."""
    return np.linalg.solve(H, -g)
