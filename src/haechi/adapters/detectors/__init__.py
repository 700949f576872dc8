"""Detectors that score reported media for human review (issue 7): nudity (open_nsfw), provenance
(C2PA manifests and metadata traces) and an operator-supplied ONNX model.

Each needs the optional `detectors` extra (`pip install 'haechi[detectors]'`); bootstrap registers
the ones that can be built and records why the others are absent. Their scores route items to a
person; they never remove or decide anything.
"""
