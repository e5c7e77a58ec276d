"""Loading image datasets in the layouts of the dataset contract (DESIGN.md §3)."""

from debias.data._dataset import ImageDataset
from debias.data._image import decode_image
from debias.data._load import FORMATS, detect_format, load_dataset
from debias.data._manifest import SkippedFile

__all__ = ["FORMATS", "ImageDataset", "SkippedFile", "decode_image", "detect_format", "load_dataset"]
