def two_loop(g, s, y):
    """H g for the pairs s[i], y[i] (oldest first, newest last), by the two-loop recursion."""
    m = len(s)
    rho = [1.0 / (y[i] @ s[i]) for i in range(m)]
    a = [0.0] * m
    q = g.copy()
    for i in reversed(range(m)):  # first loop: newest to oldest
        a[i] = rho[i] * (s[i] @ q)
        q = q - a[i] * y[i]
    r = (s[-1] @ y[-1]) / (y[-1] @ y[-1]) * q  # initial scaling from the newest pair
    for i in range(m):  # second loop: oldest to newest
        b = rho[i] * (y[i] @ r)
        r = r + s[i] * (a[i] - b)
    return r
