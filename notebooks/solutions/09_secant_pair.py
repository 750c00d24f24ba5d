def pair(x_old, x_new, g_old, g_new):
    """The step s and the change of gradient y that L-BFGS stores after each iteration."""
    s = x_new - x_old
    y = g_new - g_old
    return s, y
