beta1, beta2 = 0.9, 0.999
ts = np.array([1, 2, 5, 10, 100])
one_minus = 1 - beta1**ts
factor = 1 / one_minus
# 1 / (1 - beta2**t) < 1.01  <=>  beta2**t < 1 - 1/1.01 = 1/101  <=>  t > ln(1/101) / ln(beta2) (ln(beta2) < 0)
t_v = int(np.floor(np.log(1 / 101) / np.log(beta2))) + 1  # 4613: v's correction matters for thousands of steps
