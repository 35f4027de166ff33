"""gunicorn's settings for the portal: `gunicorn -c config/gunicorn.py config.wsgi` (README, "Running at scale").

Options given on the command line (`-w`, `-b`) take precedence over these.
"""

# A search URL carries the words and the filters. gunicorn refuses a request line over 4094 bytes with
# a bare 400 or 414 of its own, and caps any limit at 8190; 0 lifts it, so that the portal itself answers
# a long query (the search page says it is too long; the API, a 400 naming `q`). The load balancer in
# front bounds the request line; the timeout below bounds a client that never ends it.
limit_request_line = 0
# A Referer or Cookie header may carry such a URL too.
limit_request_field_size = 32768

# Uploads arrive in chunks of up to 50 MB, and a File List may be checked against thousands of files.
timeout = 600

# gunicorn's control socket sits at one path per user ($HOME/.gunicorn/gunicorn.ctl): a second server on the host
# (another site, a benchmark, a test) would take it over. The portal needs none of its commands.
control_socket_disable = True
