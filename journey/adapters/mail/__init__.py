"""E-mail: the SMTP mailer and the sandboxed Jinja2 e-mail renderer."""
