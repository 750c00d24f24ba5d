lr, lam = 0.01, 0.1
v_hat = np.array([100.0, 0.01])
rates = lr * lam / np.sqrt(v_hat)
less_decayed = "x" if rates[0] < rates[1] else "y"
