"""WD14 (SmilingWolf) tagging: find and load taggers, tag sampled frames, keep tags and captions.

discovery/download: where tagger folders are; providers/model: loading on CUDA or CPU, truly
reported; vocabulary, preprocess, sampling, merge, caption: the pure steps; store: the catalogue
side (a person's edits win); run: ``tag_project``, the job generator the CLI and window drive.
"""
