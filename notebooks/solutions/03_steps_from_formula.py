# One step multiplies x - 7 and y - 3 by 1 - 2*lr, so f = (x-7)**2 + (y-3)**2 by (1 - 2*lr)**2:
# f_t = 58 * (1 - 2*lr)**(2t). Solve 58 * 0.04**t < 1e-6 for t and round up to a whole step.
import math

factor = (1 - 2 * 0.4) ** 2
steps_needed = math.ceil(math.log(1e-6 / 58) / math.log(factor))
