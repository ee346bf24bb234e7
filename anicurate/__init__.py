"""anicurate: curate anime clips into text-to-video fine-tuning datasets."""

__version__ = "0.1.0"
