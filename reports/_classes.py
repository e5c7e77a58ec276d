"""The names of a binary task's two classes, and the nouns every sentence uses for them.

An audit records ``{"positive": ..., "negative": ..., "task": ...}`` in ``result["classes"]``;
the report, the terminal and the verdict sentences all take their words from
:func:`class_words`, so a gender classifier's report speaks of "female images classified as
male", never of faces. Face detection (classes ``face`` / ``non-face``) keeps its own words:
"faces", "non-faces", "missed".
"""

from __future__ import annotations

from dataclasses import dataclass

FACE_DETECTION = "face_detection"
BINARY = "binary"
# Class names that make a task face detection, whatever their case or separator.
_FACE = {"face", "faces"}
_NON_FACE = {"nonface", "nonfaces", "non-face", "non-faces", "non_face", "non_faces",
             "not_face", "not_faces", "not-face", "not-faces", "no_face", "no_faces",
             "background", "backgrounds"}


def task_of(positive: str, negative: str) -> str:
    """``face_detection`` when the classes are faces and non-faces, else ``binary``."""
    if positive.strip().lower() in _FACE and negative.strip().lower() in _NON_FACE:
        return FACE_DETECTION
    return BINARY


def classes_record(positive: str = "face", negative: str = "non-face") -> dict:
    """What ``result["classes"]`` holds."""
    return {"positive": positive, "negative": negative, "task": task_of(positive, negative)}


@dataclass(frozen=True)
class ClassWords:
    """Nouns and verbs for one task's classes.

    Attributes
    ----------
    positive, negative : the class names (``female`` / ``male``; ``face`` / ``non-face``)
    faces : True for face detection
    positives, negatives : plural nouns ("faces" / "female images")
    missed : what happens to a positive the model gets wrong ("missed" /
        "classified as male")
    found : what happens to a positive it gets right ("found" / "classified as female")
    called_positive : "taken for faces" / "classified as female", said of negatives
    positive_one, negative_one : one item of a class ("face" / "female image")
    """

    positive: str
    negative: str
    faces: bool
    positives: str
    negatives: str
    missed: str
    found: str
    called_positive: str

    @property
    def positive_one(self) -> str:
        """One positive item: "face" / "female image"."""
        return self.positive if self.faces else f"{self.positive} image"

    @property
    def negative_one(self) -> str:
        """One negative item: "non-face" / "male image"."""
        return self.negative if self.faces else f"{self.negative} image"

    def of_label(self, label: int, *, plural: bool = True) -> str:
        """The noun of class ``label`` (1 positive, 0 negative)."""
        if plural:
            return self.positives if label == 1 else self.negatives
        return self.positive if label == 1 else self.negative


def class_words(classes: dict | None = None) -> ClassWords:
    """The words of ``result["classes"]`` (None or absent: face detection)."""
    classes = classes or classes_record()
    pos, neg = str(classes["positive"]), str(classes["negative"])
    if classes.get("task", task_of(pos, neg)) == FACE_DETECTION:
        return ClassWords("face", "non-face", True, "faces", "non-faces", "missed", "found",
                          "taken for faces")
    return ClassWords(pos, neg, False, f"{pos} images", f"{neg} images",
                      f"classified as {neg}", f"classified as {pos}", f"classified as {pos}")
