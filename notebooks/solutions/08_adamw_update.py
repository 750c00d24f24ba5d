def adamw_update(x, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    """One AdamW step as torch takes it: decoupled decay first, then Adam with the plain gradient."""
    x = x * (1 - lr * weight_decay)
    m_new = beta1 * m + (1 - beta1) * g
    v_new = beta2 * v + (1 - beta2) * g**2
    m_hat = m_new / (1 - beta1**t)
    v_hat = v_new / (1 - beta2**t)
    x_new = x - lr * m_hat / (np.sqrt(v_hat) + eps)
    return x_new, m_new, v_new
