"""The audit's words for a dataset's two classes (see :mod:`reports._classes`)."""

from __future__ import annotations

from reports import ClassWords, class_words, classes_record


def classes_of(data) -> dict:
    """``result["classes"]`` of an :class:`~debias.data.ImageDataset`."""
    return classes_record(*data.classes)


def words_of(data) -> ClassWords:
    """The nouns and verbs of ``data``'s classes ("faces" / "female images", ...)."""
    return class_words(classes_of(data))
