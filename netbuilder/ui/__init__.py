"""The window: the only package importing PySide6 / pyqtgraph.

``document`` (the single writer with its undo stack), ``undo`` (the QUndoCommand adapter),
``canvas`` (scene, items, view, gestures), palette, inspector, problems, summary and code views,
files, presets gallery, ``app`` (run_app). ``layout`` and ``intents`` are pure and Qt-free.
"""
