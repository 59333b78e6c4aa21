"""The session behind the window (and a headless one): the design at its current revision, the dataset
bound to it, the model and weights tagged with the structure they belong to, the runs, and one executor
for all torch work. Typed events (``events``) carry plain values out. Never imports Qt.
"""

from netbuilder.workbench.session import Workbench

__all__ = ["Workbench"]
