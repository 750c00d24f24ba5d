def gd_update(x, lr, g):
    """One gradient-descent step: move x a small multiple lr of the derivative g = f'(x) downhill."""
    return x - lr * g
