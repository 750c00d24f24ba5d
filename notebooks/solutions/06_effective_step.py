# Solution: the effective step size of momentum (notebooks/06_momentum.ipynb, exercise 2)
def my_effective_step(lr, beta):
    # a constant gradient g builds the buffer up to g (1 + beta + beta**2 + ...) = g / (1 - beta)
    return lr / (1 - beta)
