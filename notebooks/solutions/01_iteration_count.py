import math

# f'(x_k) = 0.98**k * f'(x0) with f'(x0) = 2 (x0 + 1); stop at the first k with |f'(x_k)| <= eps
x0, lr, eps = 1.5, 0.01, 1e-5
n_steps = math.ceil(math.log(eps / (2 * abs(x0 + 1))) / math.log(1 - 2 * lr))
