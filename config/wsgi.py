import logging
import os

from django.core.wsgi import get_wsgi_application

# Files and folders the application creates are its owner's only (0600/0700); see manage.py.
os.umask(0o077)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Production start-up: say loudly (ops.W001) when the data files are readable by others.
from ops.checks import private_files  # noqa: E402  (needs the apps loaded above)

for warning in private_files():
    logging.getLogger("xianfeng.startup").warning("%s %s（%s）", warning.id, warning.msg, warning.hint)
