"""Loading image datasets in the layouts the README describes (CSV, folders, CelebA, UTKFace,
FairFace), plain folders of images, and the train/test split."""

from debias.data._colour import colour_stats
from debias.data._dataset import ImageDataset
from debias.data._image import decode_image
from debias.data._load import FORMATS, detect_format, load_dataset
from debias.data._manifest import SkippedFile, printable, read_csv
from debias.data._plain import read_image_files, read_images
from debias.data._split import paths_fingerprint, reproduce_split, split_record

__all__ = ["FORMATS", "ImageDataset", "SkippedFile", "decode_image", "detect_format",
           "load_dataset", "paths_fingerprint", "printable", "read_csv", "read_image_files",
           "read_images", "reproduce_split", "split_record",
           "colour_stats"]
