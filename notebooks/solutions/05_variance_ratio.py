# Solution: Var(|B| = 16) / Var(|B| = 1) (notebooks/05_sgd.ipynb, exercise 2)
# The mean of 16 independent gradients has variance sigma^2 / 16.
my_ratio = 1 / 16
