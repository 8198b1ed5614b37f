import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cakupan.settings")
application = get_wsgi_application()

# After set-up (the settings are loaded): a deployment without its own secret key does not start.
from cakupan.core.deployment import secret_key_require  # noqa: E402

secret_key_require()
