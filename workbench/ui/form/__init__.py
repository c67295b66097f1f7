"""The request editor: a form generated from the request descriptor, and a JSON view.

Both edit the same live message; :class:`workbench.ui.form.request_editor.RequestEditor` is
the widget a request tab hosts.
"""
