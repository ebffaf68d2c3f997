"""Document rendering: sandboxed Jinja2 in a worker process, and the .docx, HTML and Markdown writers."""
