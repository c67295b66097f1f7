"""The demo server: the user's first playground (``--demo``) and every test's server.

Modules: :mod:`~workbench.demo.protos` (the shipped .proto files and their schema),
:mod:`~workbench.demo.server` (start/stop, the thread host, TLS), the service
implementations (:mod:`~workbench.demo.demo_service`, :mod:`~workbench.demo.inventory_service`)
and their helpers (:mod:`~workbench.demo.handlers`, :mod:`~workbench.demo.failures`).
"""
