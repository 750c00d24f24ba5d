# Solution: one step of SGD with momentum in torch's form (notebooks/06_momentum.ipynb, exercise 1)
def my_momentum_step(x, g, buf, lr, beta):
    buf = beta * buf + g  # damp the old momentum, add the new gradient
    return x - lr * buf, buf  # step along the NEW buffer
