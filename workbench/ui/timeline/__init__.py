"""The streaming message timeline widgets.

* :class:`~workbench.ui.timeline.timeline_view.TimelineView`: the whole thing (toolbar,
  table, counters, detail pane) over a
  :class:`~workbench.ui.models.timeline_model.TimelineModel` fed by a
  :class:`~workbench.ui.models.timeline_feeder.TimelineFeeder`;
* :class:`~workbench.ui.timeline.timeline_table.TimelineTable`: the table with follow mode;
* :class:`~workbench.ui.timeline.timeline_toolbar.TimelineToolbar`: filter, toggles, cap,
  export;
* :class:`~workbench.ui.timeline.detail_pane.TimelineDetailPane`: one row in full.
"""
