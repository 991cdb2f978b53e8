"""gunicorn settings for Taller (`gunicorn -c gunicorn.conf.py wsgi:app`); every value can be
overridden from the environment, e.g. WEB_CONCURRENCY=4."""

import multiprocessing
import os

bind = os.environ.get("BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# Sync workers: one request each, no shared memory (state lives in PostgreSQL and Redis).
# One or two per core; past the cores, more workers only queue on the CPU.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# The app is built in each worker (not preloaded): database pools are never shared by fork.
preload_app = False
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None  # "" turns it off
errorlog = "-"
# Behind a TLS proxy: trust its X-Forwarded-* only from these addresses (see docs/deploy.md;
# the app's PROXY_FIX_HOPS does the rest).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's runtime control socket is one path per user: two servers on a host (a bench, a
# second site) would fight over it. Off unless a path is given.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True
