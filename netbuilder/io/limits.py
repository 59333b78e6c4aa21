"""Caps on what a design file may hold, checked before anything big is built.

Read at call time (``limits.MAX_FILE_BYTES``), so tests may lower them. Imports nothing.

The rule for absurd settings: a design may hold settings that the catalogue's ParamSpec rejects
(analysis shows them on the node so a student can fix them in the editor), except numbers big
enough to allocate huge memory later. A number in a node's settings is refused at load when its
magnitude exceeds ``ABSURD_NUMBER`` (10^9), and a whole number also when it exceeds
``ABSURD_FACTOR`` (100) times the setting's ParamSpec maximum, where the catalogue gives one
(Dense's units max is 10^6: 10^12 or 10^8 units are refused at load; 2·10^6 units loads and
analysis reports it on the node). Fractions (dropout p = 1.5) are never refused at load.
"""

MAX_FILE_BYTES = 20 * 1024 * 1024  # the whole file
MAX_DEPTH = 64  # JSON nesting (objects and lists inside each other)
MAX_CONTAINERS = 250_000  # objects and lists in the whole file
MAX_VALUES = 1_000_000  # values of any kind in the whole file
MAX_NODES = 20_000
MAX_EDGES = 40_000
MAX_GROUPS = 2_000  # (the graph inserts groups in quadratic time)
MAX_STRING = 100_000  # any string (a long description)
MAX_KEY = 200  # any object key
MAX_NAME = 200  # design and group names, string settings
MAX_ID = 100  # node and group ids
MAX_NUMBER_DIGITS = 30  # digits of an integer literal
MAX_LIST_SETTING = 16  # items in a list-valued setting (an input shape has 1 or 3)
MAX_PORT = 1_000
MAX_COORDINATE = 1e7  # canvas positions
ABSURD_NUMBER = 10**9
ABSURD_FACTOR = 100
