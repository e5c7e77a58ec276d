"""The audit's words for a dataset's two classes (see :mod:`reports._classes`)."""

from __future__ import annotations

from reports import ClassWords, class_words, classes_record


def classes_of(data) -> dict:
    """``result["classes"]`` of an :class:`~debias.data.ImageDataset`."""
    return classes_record(*data.classes)


def words_of(data) -> ClassWords:
    """The nouns and verbs of ``data``'s classes ("faces" / "female images", ...)."""
    return class_words(classes_of(data))


def both_classes_people(data) -> bool:
    """Whether the attributes describe the images of both classes (a gender classifier's
    ``race`` on female and male images), rather than the positives only (a face detector's
    ``skin_tone``, unknown for non-faces). Then every group is compared, references count
    every image and the conclusions are about the error rate; otherwise the groups holding
    positives are compared and the conclusions are about the miss rate."""
    if not data.attributes:
        return False
    negatives = data.meta.loc[data.meta["label"] == 0, list(data.attributes)]
    return bool(len(negatives)) and bool((negatives.astype(str) != "unknown").any().any())
