"""Agreement documents: signed PDFs uploaded by the office, kept outside the web root.

A file is accepted only when it says it is a PDF (content type application/pdf and a .pdf name) and is one
(it starts with the PDF signature "%PDF-"), and is at most CAKUPAN_AGREEMENT_DOC_MAX_BYTES. It is stored
under VAR_DIR/private/agreements by a random name, mode 0600 (enrolment.private), and only the scoped
download view serves it: to the agreement's office, its agency parties and the national administrator."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cakupan.core import display
from cakupan.core.audit import audit_record
from cakupan.core.errors import FieldError, InvalidInput
from cakupan.enrolment.private import private_dir, private_file
from cakupan.partners.models import Agreement, AgreementDocument
from cakupan.partners.services.agreements import _writable

PDF_MAGIC = b"%PDF-"
PDF_TYPES = ("application/pdf",)
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
_CHUNK = 64 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "CAKUPAN_AGREEMENT_DOC_MAX_BYTES", DEFAULT_MAX_BYTES))


def documents_dir() -> Path:
    return private_dir("agreements")


def document_path(document: AgreementDocument) -> Path:
    return documents_dir() / document.stored_name


@transaction.atomic
def document_upload(
    *, actor: Any, agreement: Agreement | int, upload: Any, title: str = ""
) -> AgreementDocument:
    """Store an uploaded PDF (a Django UploadedFile: name, content_type, size, chunks())."""
    _scope, found = _writable(actor, agreement)
    errors: list[FieldError] = []
    name = Path(str(getattr(upload, "name", "") or "")).name[:255]
    content_type = str(getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    size = int(getattr(upload, "size", 0) or 0)
    limit = max_bytes()
    if upload is None or not name:
        raise InvalidInput.single("file", _("Choose a PDF file."))
    if content_type not in PDF_TYPES or not name.lower().endswith(".pdf"):
        errors.append(FieldError("file", _("Only PDF files are accepted.")))
    if size > limit:
        errors.append(
            FieldError(
                "file", _("The file is larger than %(max)s MB.") % {"max": display.count(limit // 2**20)}
            )
        )
    if not errors:
        upload.seek(0)
        head = upload.read(len(PDF_MAGIC))
        upload.seek(0)
        if head != PDF_MAGIC:
            errors.append(FieldError("file", _("The file is not a PDF.")))
    label = " ".join(str(title or "").split())[:200] or name
    if errors:
        raise InvalidInput(errors)
    stored = uuid.uuid4().hex
    path = private_file(documents_dir() / stored)
    digest = hashlib.sha256()
    written = 0
    with path.open("wb") as out:
        for chunk in upload.chunks(_CHUNK):
            written += len(chunk)
            if written > limit:  # a client that lied about the size
                break
            digest.update(chunk)
            out.write(chunk)
    if written > limit:
        path.unlink(missing_ok=True)
        raise InvalidInput.single(
            "file", _("The file is larger than %(max)s MB.") % {"max": display.count(limit // 2**20)}
        )
    try:
        document = AgreementDocument.objects.create(
            agreement=found,
            title=label,
            file_name=name,
            stored_name=stored,
            size=written,
            sha256=digest.hexdigest(),
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action="upload",
            instance=document,
            changes={"agreement": found.pk, "file_name": name, "size": written, "sha256": document.sha256},
        )
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return document
