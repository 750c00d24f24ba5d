"""course_lib: the shared NumPy core of the gradient-descent course.

>>> import course_lib as cl
>>> f = cl.surface("bowl")                       # (x-7)**2 + (y-3)**2
>>> path = cl.descend(f, cl.optimizers.SGD(lr=0.1), x0=[0.0, 0.0], steps=50)

The computing layer (objectives, optimizers, descent, regression, symbolic, checks) needs only NumPy and SymPy.
Figures and widgets live in ``course_lib.viz``, which is imported only when asked for.
"""

from . import optimizers, second_order
from .descent import Path, descend
from .objectives import SURFACES, Objective, objective, surface

__all__ = ["optimizers", "second_order", "Path", "descend", "Objective", "objective", "surface", "SURFACES"]
__version__ = "0.1.0"
