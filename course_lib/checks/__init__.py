"""Self-checks for the exercises: ``check.something(answer)`` answers with friendly, specific feedback.

Each function returns a :class:`Feedback`, which the notebook shows as one line: a tick and a word of praise, or
a hint that names the likely mistake. ``Feedback.ok`` tells a program (or a test) whether the answer was right.

>>> from course_lib import checks as check
"""

from ._feedback import Feedback as Feedback
from .ch01 import *  # noqa: F403
from .ch02 import *  # noqa: F403
from .ch03 import *  # noqa: F403
from .ch04 import *  # noqa: F403
from .ch05 import *  # noqa: F403
from .ch06 import *  # noqa: F403
from .ch07 import *  # noqa: F403
from .ch08 import *  # noqa: F403
from .ch09 import *  # noqa: F403
from .ch10 import *  # noqa: F403
