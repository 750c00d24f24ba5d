beta1 = 0.9
ts = np.array([1, 2, 5, 10, 100])
one_minus = 1 - beta1**ts
factor = 1 / one_minus
