def central_difference(f, x, h):
    """(f(x + h) - f(x - h)) / (2h): the slope of the chord through x - h and x + h."""
    return (f(x + h) - f(x - h)) / (2 * h)
