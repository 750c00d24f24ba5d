lr, lam = 0.05, 0.001
lam_l2 = lam / lr  # x - lr * (g + lam_l2 * x) = (1 - lam) x - lr g  requires  lr * lam_l2 = lam
