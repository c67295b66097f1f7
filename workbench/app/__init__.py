"""Bootstrap: command line, application start-up and shutdown."""
