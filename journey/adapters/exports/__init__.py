"""Exports people open: XLSX/CSV sheets and the HTML report templates."""
