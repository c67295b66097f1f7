"""A call's timeline: every event of a call as a row, stored compactly, searched and exported.

:class:`~workbench.core.timeline.store.TimelineStore` keeps the rows;
:mod:`~workbench.core.timeline.export` writes them as JSON Lines or a text transcript and
reads JSON Lines back. The Qt model in ``workbench.ui.models.timeline_model`` shows a store.
"""
