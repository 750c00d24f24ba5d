def scaling(x_old, x_new, g_old, g_new):
    """gamma = s.y / y.y for a usable pair, None when s.y <= 0 (the pair is skipped)."""
    s, y = x_new - x_old, g_new - g_old
    sy = s @ y
    if sy <= 0:
        return None
    return sy / (y @ y)
