"""The Qt-free domain: schema, messages, calls, store. Never imports PySide6 or qasync."""
