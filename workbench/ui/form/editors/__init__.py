"""Editor widgets for the request form, one per kind of value the delegate opens."""
