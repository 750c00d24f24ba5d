import math

# f'(x_t) = 0.98**t * f'(x0) with f'(x0) = 2 (x0 + 1); stop at the first t with |f'(x_t)| <= eps
x0, lr, eps = 1.5, 0.01, 1e-5
n_steps = math.ceil(math.log(eps / (2 * abs(x0 + 1))) / math.log(1 - 2 * lr))
