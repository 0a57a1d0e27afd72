"""What an imported Anki deck keeps of its own: its images.

Stored in the database rather than on disk so that any number of app servers serve them with no
shared folder, and so that an import writes them in the same transaction as the lessons that
show them (all or nothing). Content-addressed: a row's key is the SHA-256 of its bytes, so the
same picture in two decks (or two imports) is one row, and its URL can be cached forever.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse

# The raster formats an image may be, by its magic bytes: {format: (extension, content type)}.
# Not SVG: it can carry scripts.
IMAGE_TYPES = {
    "png": ("png", "image/png"),
    "jpeg": ("jpg", "image/jpeg"),
    "gif": ("gif", "image/gif"),
    "webp": ("webp", "image/webp"),
}


class DeckImage(models.Model):
    """One image from an imported Anki deck, served at /anki/media/<sha256>.<ext>."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "deck image"

    def __str__(self) -> str:
        return f"{self.sha256[:12]}… ({self.content_type}, {self.size:,} bytes)"

    @property
    def extension(self) -> str:
        return extension_of(self.content_type)

    def get_absolute_url(self) -> str:
        return image_url(self.sha256, self.content_type)


def extension_of(content_type: str) -> str:
    return next(ext for ext, kind in IMAGE_TYPES.values() if kind == content_type)


def image_url(sha256: str, content_type: str) -> str:
    return reverse("decks:image", args=[f"{sha256}.{extension_of(content_type)}"])
