# f = x**2/2 + 5 x**3/3: f'(0) = 0, f''(0) = 1, f'''(0) = 10
C = abs(10 / (2 * 1))  # the constant of e_{t+1} ≈ C e_t**2
e, n_steps = 0.02, 0
while e >= 1e-10:  # 0.02 -> 2e-3 -> 2e-5 -> 2e-9 -> 2e-17
    e, n_steps = C * e**2, n_steps + 1
print("predicted steps:", n_steps)
