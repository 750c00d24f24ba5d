# Exact arithmetic: the gradient of (x-7)**2 + (y-3)**2 is (2(x-7), 2(y-3)); keep the factor 2.
lr = Fraction(1, 3)
x, y = Fraction(0), Fraction(0)
for _ in range(2):
    x, y = x - lr * 2 * (x - 7), y - lr * 2 * (y - 3)
two_steps = (x, y)
