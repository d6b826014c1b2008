"""The web pages (server-rendered, English and Azerbaijani) on the service's store and roles.

``mount(app)`` adds the pages, the static files, the HTML error pages and the security
headers to the app that :func:`screening.app.create_app` builds. Modules: ``security``
(sessions, CSRF, roles, headers, rendering), ``pages`` (sign-in, language, upload, guide,
indicators), ``monitor`` (follow-up list, exports, visit detail, reviews, dashboard),
``referrals`` (the referral queue, one case and its record form, the export), ``analyst``
(model page), ``i18n`` (every string in English and Azerbaijani).
"""

from screening.web.security import error_page, library_error_page, mount, session_user

__all__ = ["error_page", "library_error_page", "mount", "session_user"]
