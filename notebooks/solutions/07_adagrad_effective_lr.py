lr = 0.1
grads = np.array([[3.0, 0.0], [4.0, 0.0], [0.0, 1.0], [12.0, 0.0]])
# s_4 sums the squared gradients per coordinate: (9 + 16 + 144, 1) = (169, 1), so the rates are lr/13 and lr/1
effective_lr_answer = lr / np.sqrt((grads**2).sum(axis=0))
