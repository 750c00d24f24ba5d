# f(x, y) = x**2 + 3xy + 5y**2 - 4x + 2y: g = (2x + 3y - 4, 3x + 10y + 2), H = [[2, 3], [3, 10]] everywhere
x0 = np.array([1.0, 1.0])
g0 = np.array([2 * x0[0] + 3 * x0[1] - 4, 3 * x0[0] + 10 * x0[1] + 2])
H = np.array([[2.0, 3.0], [3.0, 10.0]])
x_min = x0 - np.linalg.solve(H, g0)  # one Newton step
print("x_min =", x_min, "  gradient there:", H @ x_min + [-4.0, 2.0])
