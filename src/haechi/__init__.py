"""haechi: a clearinghouse against deepfake sexual-abuse imagery spread through messaging apps."""

__version__ = "0.1.0"
__all__ = ["__version__"]
