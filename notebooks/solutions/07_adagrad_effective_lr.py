lr = 0.1
grads = np.array([[3.0, 0.0], [4.0, 0.0], [0.0, 1.0], [12.0, 0.0]])
effective_lr = lr / np.sqrt((grads**2).sum(axis=0))
