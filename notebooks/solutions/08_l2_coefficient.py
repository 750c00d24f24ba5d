lr, momentum, lam = 0.05, 0.9, 0.001
# at rest: coupled b = (g + lam_l2 x) / (1 - momentum) = 0, decoupled lam x = -lr g / (1 - momentum)
lam_l2 = lam * (1 - momentum) / lr
