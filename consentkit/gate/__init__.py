"""The request path: the WSGI middleware, its own endpoints, and the rules that gate each cookie."""
