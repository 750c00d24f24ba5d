# With the column of ones the model is y_hat = w1 * x1 + w2 * x2 + b. Shifting x1 by 10 adds 10 * w1 to every
# prediction unless the intercept takes it back: w1 * (x1 + 10) + w2 * x2 + (b - 10 * w1) = w1 * x1 + w2 * x2 + b.
# The original data are fit exactly by (1, 2, 3), so the shifted data are fit exactly by (1, 2, 3 - 10 * 1).
shifted_fit = np.array([1.0, 2.0, 3.0 - 10 * 1.0])
