"""Berth's authenticator for the Jupyter of a server.

Only Berth's proxy reaches a server's Jupyter, and it proves that with a header carrying the
server's secret. Jupyter's own token is empty, so no page renders it (Notebook 6 put it into every
page as `data-jupyter-api-token` and into links as `?token=`, JupyterLab into its page config),
and the login page is gone: a request without the header is refused, never "anonymous".

Berth starts Jupyter with this module on PYTHONPATH and names one of its classes on the command
line:
- Notebook 6:       --NotebookApp.login_handler_class=berth_jupyter_auth.NotebookLoginHandler
- Jupyter Server 2: --ServerApp.identity_provider_class=berth_jupyter_auth.ProxyIdentityProvider

The secret comes from the environment (never argv, which every local user can read in ps) and is
removed from it at import, with this module's folder from PYTHONPATH, so kernels and terminals
inherit neither.
"""

import hmac
import os

HEADER = "X-Berth-Proxy-Auth"
SECRET_ENV = "BERTH_PROXY_SECRET"

_SECRET = os.environ.pop(SECRET_ENV, "").encode()
_USER = os.environ.get("JUPYTERHUB_USER") or "berth"
_REFUSED = "Only Berth's proxy can open this server: open it from Berth."


def _forget_own_folder():
    here = os.path.dirname(os.path.abspath(__file__))
    kept = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and os.path.abspath(p) != here]
    if kept:
        os.environ["PYTHONPATH"] = os.pathsep.join(kept)
    else:
        os.environ.pop("PYTHONPATH", None)


_forget_own_folder()


def from_proxy(headers):
    """True when the request carries the proxy's header with this server's secret.

    Fails closed: with no secret in the environment nothing is accepted.
    """
    got = (headers.get(HEADER) or "").encode()
    return bool(_SECRET) and hmac.compare_digest(got, _SECRET)


# Requests from the proxy count as token-authenticated, as they did when the proxy sent Jupyter's
# token: Berth's session (SameSite cookie, checked by the proxy) is what a browser authenticates
# with, and scripts that speak Jupyter's REST API through Berth need no _xsrf cookie first.

try:
    from notebook.auth.login import LoginHandler as _NotebookLoginHandler
except ImportError:  # not Notebook 6
    _NotebookLoginHandler = None

if _NotebookLoginHandler is not None:
    from tornado import web

    class NotebookLoginHandler(_NotebookLoginHandler):
        """Notebook 6: identifies requests by the proxy's header; no login form."""

        def get(self):
            raise web.HTTPError(403, _REFUSED)

        def post(self):
            raise web.HTTPError(403, _REFUSED)

        @classmethod
        def get_user(cls, handler):
            if getattr(handler, "_user_id", None):
                return handler._user_id
            user = _USER if from_proxy(handler.request.headers) else None
            handler._user_id = user
            handler._token_authenticated = user is not None
            return user

        @classmethod
        def is_token_authenticated(cls, handler):
            return cls.get_user(handler) is not None

        @classmethod
        def get_login_available(cls, settings):
            return False

        @classmethod
        def validate_security(cls, app, ssl_options=None):
            if not _SECRET:
                app.log.critical("%s is not set: every request will be refused.", SECRET_ENV)


try:
    from jupyter_server.auth.identity import IdentityProvider as _IdentityProvider
    from jupyter_server.auth.identity import User as _User
except ImportError:  # not Jupyter Server 2
    _IdentityProvider = None

if _IdentityProvider is not None:
    from jupyter_server.base.handlers import JupyterHandler
    from tornado import web
    from traitlets import default

    class _RefusedLogin(JupyterHandler):
        def get(self):
            raise web.HTTPError(403, _REFUSED)

        def post(self):
            raise web.HTTPError(403, _REFUSED)

    class ProxyIdentityProvider(_IdentityProvider):
        """Jupyter Server 2: identifies requests by the proxy's header; no token, no login form."""

        @default("token")
        def _token_default(self):
            return ""

        def get_user(self, handler):
            if not from_proxy(handler.request.headers):
                return None
            handler._token_authenticated = True
            return _User(username=_USER)

        def is_token_authenticated(self, handler):
            return from_proxy(handler.request.headers)

        @property
        def auth_enabled(self):
            return True

        @property
        def login_available(self):
            return False

        @property
        def logout_available(self):
            return False

        def get_handlers(self):
            # Something must answer at /login, where Jupyter sends a page request it refused.
            return [(r"/login", _RefusedLogin)]

        def validate_security(self, app, ssl_options=None):
            if not _SECRET:
                app.log.critical("%s is not set: every request will be refused.", SECRET_ENV)
