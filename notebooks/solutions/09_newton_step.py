def newton_step(x, d1, d2):
    """One Newton-Raphson update for a function of one variable: d1 = f'(x), d2 = f''(x)."""
    return x - d1 / d2
