# Solution: Polyak's heavy-ball parameters as torch's SGD arguments (notebooks/06_momentum.ipynb, exercise 3)
import numpy as np


def my_polyak_parameters(mu, L):
    lr = 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2
    momentum = ((np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu))) ** 2
    return lr, momentum  # for a constant step, SGD(lr=lr, momentum=momentum) IS the heavy ball
