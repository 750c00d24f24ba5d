lam, sigma = 0.2, np.array([5.0, 0.5])
settle = 1 / (1 + lam * sigma)  # grad f_i + lambda sigma_i x_i = 0 with grad f_i = x_i - 1
more_decayed = "x" if settle[0] < settle[1] else "y"
