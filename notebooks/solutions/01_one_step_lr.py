# f(x) = 3x**2 - 12x + 5 has f''(x) = 6 everywhere; the one-step learning rate is 1/f''
my_lr = 1 / 6
