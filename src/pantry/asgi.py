import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pantry.settings")
# Serving web requests: short database limits (settings.WEB_PROCESS).
os.environ["PANTRY_WEB_PROCESS"] = "1"
application = get_asgi_application()
