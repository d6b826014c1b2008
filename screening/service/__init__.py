"""Use-cases shared by the API, the pages and the CLI: accept an upload, the follow-up list and
a stored visit's detail and explanation, the active model, demo data.

The shells (``screening.api``, ``screening.web``, ``screening.cli``) are thin over this layer
and never import each other.
"""

from screening.service.context import Services, open_services
from screening.service.models import ActiveModel, ModelStatus
from screening.service.uploads import UploadedFile, accept_upload

__all__ = ["ActiveModel", "ModelStatus", "Services", "UploadedFile", "accept_upload",
           "open_services"]
