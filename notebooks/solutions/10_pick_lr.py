def pick(losses, lrs):
    """The lr whose median loss over the seeds (axis 1) is the smallest."""
    medians = np.median(losses, axis=1)
    return lrs[np.argmin(medians)]
