# Exact arithmetic: the gradient of (x-7)**2 + (y-3)**2 is (2(x-7), 2(y-3)); keep the factor 2.
# (New names, so the notebook's symbols x and y are left alone.)
step = Fraction(1, 3)
px, py = Fraction(0), Fraction(0)
for _ in range(2):
    px, py = px - step * 2 * (px - 7), py - step * 2 * (py - 3)
two_steps = (px, py)
