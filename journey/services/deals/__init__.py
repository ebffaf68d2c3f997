"""The deals register (issue #10): deals with social enterprises, independent of stages."""
